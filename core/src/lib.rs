//! `tempid-core`: the passenger app's brain. One [`TempIdClient`] per app runs the flow (sign in
//! or continue as a guest, locate the city, consent, check the ID number, face check, apply),
//! keeps the session cache in the platform's secure store, shows the pass as a QR code that
//! changes every 60 s slot in server-corrected time, withdraws it after 30 minutes for a new face
//! check, and tells the shell what to draw through one [`PassState`].
//!
//! Pure Rust with no FFI exports: the `bindings` crate wraps it. Plain data that crosses the
//! boundary derives its uniffi traits behind the `uniffi` feature. Platform capabilities (face
//! SDK, location, secure store, device keys, clock) are traits the shell implements.

pub mod capabilities;
pub mod client;
pub mod clock;
pub mod config;
pub mod device_key;
pub mod error;
mod http;
pub mod qr;
mod runtime;
pub mod state;
pub mod store;
mod time_sync;

pub use capabilities::{
    Capabilities, FaceCheckKind, FaceCheckRefusal, FaceCheckRequest, LivenessVerifier,
    LocationOutcome, LocationProvider,
};
pub use client::{ApplicationForm, PassStateListener, RefreshOutcome, TaskHandle, TempIdClient};
#[cfg(any(test, feature = "test-support"))]
pub use clock::TestClock;
pub use clock::{Clock, SleepFuture, SystemClock};
pub use config::{ClientConfig, Locale};
pub use device_key::{
    DeviceKeyStore, DeviceSigner, SecureStoreDeviceKeys, SignerError, SoftwareDeviceKey,
};
pub use error::TempIdError;
pub use qr::QrMatrix;
pub use state::{
    CertificateState, HistoryEntry, PassState, PassSummary, QuotaInfo, RevocationKind,
};
pub use store::{MemoryStore, SecureStore, StoreError, native_secure_store};

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
