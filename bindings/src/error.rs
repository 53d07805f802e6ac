//! The public errors of the library. [`TempIdError`] (Kotlin `TempIdException`, Swift
//! `TempIdError`) is what every client call throws: each variant is something a shell can act
//! on, carries a stable [`TempIdError::code`], a `summary` (what happened) and a `hint` (what to
//! do next) in the client's language. [`PlatformError`] (Kotlin `PlatformException`) is what a
//! shell's capability throws back into the library. The rules that decide which error happens
//! live in `tempid-core`; this module only changes their shape for the FFI.
//!
//! The texts are called `summary`, not `message`: a field named `message` does not compile in
//! Kotlin (it clashes with `Throwable.message`).

use tempid_core::TempIdError as CoreError;

/// A refusal or failure the app can act on. Every variant carries `summary` (what happened) and
/// `hint` (what to do next, often the station police window) in the client's language;
/// [`TempIdError::code`] is stable across versions and languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum TempIdError {
    /// The ID number is not valid (checked before any request is sent).
    #[error("{summary}")]
    InvalidIdNumber {
        /// The precise reason: `wrong_length`, `bad_character`, `unknown_province`,
        /// `impossible_birth_date`, `future_birth_date`, `wrong_check_character`.
        reason: String,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The name is not a name as printed on an ID card.
    #[error("{summary}")]
    InvalidName {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// Another field is not acceptable.
    #[error("{summary}")]
    InvalidInput {
        /// The field: `username` or `password`.
        field: String,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// Consent and "I am the holder" must both be given before the face check.
    #[error("{summary}")]
    ConsentRequired {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The city is needed: permission was denied, or no position was found.
    #[error("{summary}")]
    LocationRequired {
        /// True when permission was denied (offer the settings page).
        permission_denied: bool,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// Not signed in, or the session ended: log in (or continue as a guest).
    #[error("{summary}")]
    Unauthorized {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// Wrong user name or password.
    #[error("{summary}")]
    InvalidCredentials {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The user name is taken.
    #[error("{summary}")]
    AccountExists {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The face check did not pass or did not run.
    #[error("{summary}")]
    FaceCheckFailed {
        /// Why: `face_check_failed`, `identity_mismatch`, `challenge_expired`, `cancelled`,
        /// `camera_unavailable`, `sdk_failed`, …
        reason: String,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// This month's three applications are used up.
    #[error("{summary}")]
    QuotaExhausted {
        /// The first day a new application is allowed, `YYYY-MM-DD` (China Standard Time).
        resets_on: String,
        /// What happened.
        summary: String,
        /// What to do next (the station police window, the reset date).
        hint: String,
    },
    /// The current certificate is valid for more than 3 hours: no new application yet.
    #[error("{summary}")]
    ReapplyNotYet {
        /// From when a new application is allowed (Unix seconds).
        reapply_from: i64,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// A face check is needed before the pass is shown again (does not use up an application).
    #[error("{summary}")]
    ReverificationRequired {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// There is no pass to show.
    #[error("{summary}")]
    NoPass {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The certificate has expired.
    #[error("{summary}")]
    Expired {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The certificate was revoked or replaced.
    #[error("{summary}")]
    Revoked {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The issuer cannot be reached.
    #[error("{summary}")]
    Offline {
        /// When the app last heard from the issuer (Unix seconds), if ever.
        last_synced: Option<i64>,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// This app version is no longer accepted: update the app.
    #[error("{summary}")]
    UpdateRequired {
        /// The minimum version.
        min_version: String,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// Too many attempts.
    #[error("{summary}")]
    RateLimited {
        /// Seconds to wait.
        retry_after_seconds: u64,
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// The phone's secure store failed.
    #[error("{summary}")]
    Storage {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
    /// Something failed that the person cannot fix.
    #[error("{summary}")]
    Internal {
        /// What happened.
        summary: String,
        /// What to do next.
        hint: String,
    },
}

#[uniffi::export]
impl TempIdError {
    /// The stable code, e.g. `quota_exhausted`, `invalid_id_number`, `face_check_failed`.
    pub fn code(&self) -> String {
        self.core_code().to_string()
    }

    /// What happened, in the client's language.
    pub fn summary(&self) -> String {
        self.parts().0.to_string()
    }

    /// What to do next, in the client's language.
    pub fn hint(&self) -> String {
        self.parts().1.to_string()
    }
}

impl TempIdError {
    fn core_code(&self) -> &'static str {
        match self {
            Self::InvalidIdNumber { .. } => "invalid_id_number",
            Self::InvalidName { .. } => "invalid_name",
            Self::InvalidInput { .. } => "invalid_input",
            Self::ConsentRequired { .. } => "consent_required",
            Self::LocationRequired { .. } => "location_required",
            Self::Unauthorized { .. } => "unauthorized",
            Self::InvalidCredentials { .. } => "invalid_credentials",
            Self::AccountExists { .. } => "account_exists",
            Self::FaceCheckFailed { .. } => "face_check_failed",
            Self::QuotaExhausted { .. } => "quota_exhausted",
            Self::ReapplyNotYet { .. } => "reapply_not_yet",
            Self::ReverificationRequired { .. } => "reverification_required",
            Self::NoPass { .. } => "no_pass",
            Self::Expired { .. } => "expired",
            Self::Revoked { .. } => "revoked",
            Self::Offline { .. } => "offline",
            Self::UpdateRequired { .. } => "update_required",
            Self::RateLimited { .. } => "rate_limited",
            Self::Storage { .. } => "storage",
            Self::Internal { .. } => "internal",
        }
    }

    fn parts(&self) -> (&str, &str) {
        match self {
            Self::InvalidIdNumber { summary, hint, .. }
            | Self::InvalidName { summary, hint }
            | Self::InvalidInput { summary, hint, .. }
            | Self::ConsentRequired { summary, hint }
            | Self::LocationRequired { summary, hint, .. }
            | Self::Unauthorized { summary, hint }
            | Self::InvalidCredentials { summary, hint }
            | Self::AccountExists { summary, hint }
            | Self::FaceCheckFailed { summary, hint, .. }
            | Self::QuotaExhausted { summary, hint, .. }
            | Self::ReapplyNotYet { summary, hint, .. }
            | Self::ReverificationRequired { summary, hint }
            | Self::NoPass { summary, hint }
            | Self::Expired { summary, hint }
            | Self::Revoked { summary, hint }
            | Self::Offline { summary, hint, .. }
            | Self::UpdateRequired { summary, hint, .. }
            | Self::RateLimited { summary, hint, .. }
            | Self::Storage { summary, hint }
            | Self::Internal { summary, hint } => (summary, hint),
        }
    }
}

impl From<CoreError> for TempIdError {
    fn from(error: CoreError) -> Self {
        use CoreError as C;
        match error {
            C::InvalidIdNumber {
                reason,
                message,
                hint,
            } => Self::InvalidIdNumber {
                reason,
                summary: message,
                hint,
            },
            C::InvalidName { message, hint } => Self::InvalidName {
                summary: message,
                hint,
            },
            C::InvalidInput {
                field,
                message,
                hint,
            } => Self::InvalidInput {
                field,
                summary: message,
                hint,
            },
            C::ConsentRequired { message, hint } => Self::ConsentRequired {
                summary: message,
                hint,
            },
            C::LocationRequired {
                permission_denied,
                message,
                hint,
            } => Self::LocationRequired {
                permission_denied,
                summary: message,
                hint,
            },
            C::Unauthorized { message, hint } => Self::Unauthorized {
                summary: message,
                hint,
            },
            C::InvalidCredentials { message, hint } => Self::InvalidCredentials {
                summary: message,
                hint,
            },
            C::AccountExists { message, hint } => Self::AccountExists {
                summary: message,
                hint,
            },
            C::FaceCheckFailed {
                reason,
                message,
                hint,
            } => Self::FaceCheckFailed {
                reason,
                summary: message,
                hint,
            },
            C::QuotaExhausted {
                resets_on,
                message,
                hint,
            } => Self::QuotaExhausted {
                resets_on,
                summary: message,
                hint,
            },
            C::ReapplyNotYet {
                reapply_from,
                message,
                hint,
            } => Self::ReapplyNotYet {
                reapply_from,
                summary: message,
                hint,
            },
            C::ReverificationRequired { message, hint } => Self::ReverificationRequired {
                summary: message,
                hint,
            },
            C::NoPass { message, hint } => Self::NoPass {
                summary: message,
                hint,
            },
            C::Expired { message, hint } => Self::Expired {
                summary: message,
                hint,
            },
            C::Revoked { message, hint } => Self::Revoked {
                summary: message,
                hint,
            },
            C::Offline {
                last_synced,
                message,
                hint,
            } => Self::Offline {
                last_synced,
                summary: message,
                hint,
            },
            C::UpdateRequired {
                min_version,
                message,
                hint,
            } => Self::UpdateRequired {
                min_version,
                summary: message,
                hint,
            },
            C::RateLimited {
                retry_after_seconds,
                message,
                hint,
            } => Self::RateLimited {
                retry_after_seconds,
                summary: message,
                hint,
            },
            C::Storage { message, hint } => Self::Storage {
                summary: message,
                hint,
            },
            C::Internal { message, hint } => Self::Internal {
                summary: message,
                hint,
            },
        }
    }
}

/// A foreign callback that returns `TempIdError` and throws something undeclared. No callback of
/// this library declares `TempIdError` today; the conversion exists so one added later cannot
/// panic (an abort in release builds). The client's language is unknown here: both are given.
impl From<uniffi::UnexpectedUniFFICallbackError> for TempIdError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Internal {
            summary: "服务暂时不可用 / The service is not available right now".into(),
            hint: "请稍后重试。/ Try again later.".into(),
        }
    }
}

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
