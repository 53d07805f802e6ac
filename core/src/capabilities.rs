//! The platform capabilities a shell provides: the face SDK ([`LivenessVerifier`]), the city
//! ([`LocationProvider`]), and optionally the secure store, device keys and clock. Plain Rust
//! traits; the bindings crate wraps foreign implementations. A failing capability becomes a
//! refusal or an error, never a panic.

use std::sync::Arc;

use crate::clock::Clock;
use crate::device_key::DeviceKeyStore;
use crate::store::SecureStore;

/// What a face check is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum FaceCheckKind {
    /// Before an application.
    Apply,
    /// The 30-minute re-check, or reopening the pass on a new device key.
    Reverify,
    /// Reading history or quota as a guest.
    Lookup,
}

/// What the face SDK is asked to do: capture the live face of this person and answer the
/// issuer's challenge.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FaceCheckRequest {
    /// The issuer's face check id.
    pub face_check_id: String,
    /// The nonce the evidence must cover (base64url, opaque).
    pub challenge: String,
    /// When the challenge expires (Unix seconds, issuer time).
    pub expires_at: i64,
    /// What the check is for.
    pub kind: FaceCheckKind,
    /// The person's ID number (the face SDK compares with the authority's photo).
    pub id_number: String,
    /// The person's name as on the ID card.
    pub name: String,
}

impl std::fmt::Debug for FaceCheckRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceCheckRequest")
            .field("face_check_id", &self.face_check_id)
            .field("kind", &self.kind)
            .field("id_number", &"<masked>")
            .finish_non_exhaustive()
    }
}

/// Why the face SDK returned no evidence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Error))]
pub enum FaceCheckRefusal {
    /// The person cancelled.
    #[error("the person cancelled the face check")]
    Cancelled,
    /// No camera, or camera permission denied.
    #[error("the camera is not available")]
    CameraUnavailable,
    /// The SDK failed.
    #[error("the face SDK failed: {reason}")]
    Failed {
        /// What the SDK reported (no personal data).
        reason: String,
    },
}

/// The platform face SDK: runs the liveness check for a challenge and returns the SDK's signed
/// evidence (opaque to the app). Called on a blocking thread: it may show UI and wait.
pub trait LivenessVerifier: Send + Sync {
    /// Captures the live face of `request`'s person; returns the evidence.
    fn check_face(&self, request: FaceCheckRequest) -> Result<String, FaceCheckRefusal>;
}

/// Where the phone is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum LocationOutcome {
    /// The city the phone is in.
    City {
        /// Its name, e.g. `北京`.
        name: String,
    },
    /// The person has not granted location permission.
    PermissionDenied,
    /// Permission is granted but no position could be found (no signal, services off).
    Unavailable {
        /// What the platform reported (no coordinates).
        reason: String,
    },
}

/// The platform location service. Called on a blocking thread.
pub trait LocationProvider: Send + Sync {
    /// The current city, or why there is none.
    fn current_city(&self) -> LocationOutcome;
}

/// Everything the shell provides.
#[derive(Clone)]
pub struct Capabilities {
    /// The face SDK.
    pub liveness: Arc<dyn LivenessVerifier>,
    /// The location service.
    pub location: Arc<dyn LocationProvider>,
    /// Where the session cache lives; `None`: the platform's native store
    /// ([`crate::native_secure_store`]).
    pub secure_store: Option<Arc<dyn SecureStore>>,
    /// Where registered users' device keys live; `None`: Ed25519 keys whose seeds are kept in
    /// the secure store ([`crate::SecureStoreDeviceKeys`]). A shell may supply hardware P-256 keys.
    pub device_keys: Option<Arc<dyn DeviceKeyStore>>,
    /// The clock; `None`: the system clock.
    pub clock: Option<Arc<dyn Clock>>,
}

impl Capabilities {
    /// The face SDK and location service, with default store, keys and clock.
    pub fn new(liveness: Arc<dyn LivenessVerifier>, location: Arc<dyn LocationProvider>) -> Self {
        Self {
            liveness,
            location,
            secure_store: None,
            device_keys: None,
            clock: None,
        }
    }

    /// Uses `store` for the session cache.
    pub fn with_secure_store(mut self, store: Arc<dyn SecureStore>) -> Self {
        self.secure_store = Some(store);
        self
    }

    /// Uses `keys` for registered users' device keys.
    pub fn with_device_keys(mut self, keys: Arc<dyn DeviceKeyStore>) -> Self {
        self.device_keys = Some(keys);
        self
    }

    /// Uses `clock` for all time.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }
}
