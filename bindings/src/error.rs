//! The errors that cross the FFI. [`TempIdError`] (Kotlin `TempIdException`, Swift
//! `TempIdError`) is what every client call throws: it is `tempid-core`'s public error itself,
//! exported with the core's `uniffi` feature (each variant a shell can act on, with a stable
//! `code()`, a `summary` of what happened and a `hint` of what to do next in the client's
//! language). [`PlatformError`] (Kotlin `PlatformException`) is what a shell's capability throws
//! back into the library.

pub use tempid_core::TempIdError;

/// What a shell's capability (face SDK, location, secure store, device keys, state listener)
/// throws back into the library. The library turns it into a refusal the UI can show (for
/// example [`TempIdError::FaceCheckFailed`] with reason `cancelled`); it never crashes.
/// Anything else a callback throws arrives as [`PlatformError::Failed`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum PlatformError {
    /// The person cancelled (the face check).
    #[error("cancelled by the person")]
    Cancelled,
    /// The person has not granted the permission (camera, location).
    #[error("permission denied")]
    PermissionDenied,
    /// The capability cannot be used now (no camera, keychain locked, key invalidated).
    #[error("not available: {reason}")]
    Unavailable {
        /// What the platform reported (no personal data).
        reason: String,
    },
    /// Anything else (no personal data in `reason`).
    #[error("failed: {reason}")]
    Failed {
        /// What the platform reported.
        reason: String,
    },
}

/// The longest callback failure text kept (a Kotlin stack trace can be long).
const MAX_REASON_CHARS: usize = 200;

/// A callback threw something it did not declare (a Kotlin `RuntimeException`, a Swift error of
/// another type): only the first line of what it said is kept.
impl From<uniffi::UnexpectedUniFFICallbackError> for PlatformError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        let first_line = error.reason.lines().next().unwrap_or_default();
        Self::Failed {
            reason: format!(
                "callback threw: {}",
                first_line
                    .chars()
                    .take(MAX_REASON_CHARS)
                    .collect::<String>()
            ),
        }
    }
}

impl PlatformError {
    /// The platform's own words, for the core's refusal types.
    pub(crate) fn reason(&self) -> String {
        match self {
            Self::Cancelled => "cancelled".into(),
            Self::PermissionDenied => "permission denied".into(),
            Self::Unavailable { reason } | Self::Failed { reason } => reason.clone(),
        }
    }
}
