//! The platform capabilities a shell implements, as foreign traits (Kotlin interfaces, Swift
//! protocols): the face SDK, location, and optionally the secure store and hardware device keys.
//! Each is adapted here to the core's trait of the same name. Every method returns a `Result`, so
//! a callback that throws (or, in Kotlin, returns garbage) becomes an error value the core turns
//! into a refusal: a foreign failure never panics the library (an abort in release builds).

use std::sync::Arc;

use tempid_core::{FaceCheckRefusal, FaceCheckRequest, LocationOutcome, SignerError, StoreError};
use tempid_protocol::Algorithm;

use crate::error::PlatformError;

/// The platform face SDK: captures the live face of the request's person and answers the
/// issuer's challenge. Called on a background thread; it may show UI and wait for the person.
/// Throw `PlatformError.Cancelled` when the person cancels, `PermissionDenied`/`Unavailable`
/// when there is no camera.
#[uniffi::export(with_foreign)]
pub trait LivenessVerifier: Send + Sync {
    /// Runs the face check for `request`; returns the SDK's signed evidence (opaque).
    fn check_face(&self, request: FaceCheckRequest) -> Result<String, PlatformError>;
}

/// The platform location service. Called on a background thread.
#[uniffi::export(with_foreign)]
pub trait LocationProvider: Send + Sync {
    /// The current city, or why there is none. Throwing counts as "unavailable".
    fn current_city(&self) -> Result<LocationOutcome, PlatformError>;
}

/// Where the session cache lives (default: the platform keychain / keystore through the
/// keyring family). Keys are ASCII (`<namespace>.<item>`). Called on a background thread.
#[uniffi::export(with_foreign)]
pub trait SecureStore: Send + Sync {
    /// The value under `key`, or null.
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, PlatformError>;
    /// Stores `value` under `key`, replacing any value.
    fn set(&self, key: String, value: Vec<u8>) -> Result<(), PlatformError>;
    /// Removes `key`; removing a missing key succeeds.
    fn delete(&self, key: String) -> Result<(), PlatformError>;
}

/// A device key that signs the pass's frames, e.g. a P-256 key in the Secure Enclave or the
/// Android keystore.
#[uniffi::export(with_foreign)]
pub trait DeviceSigner: Send + Sync {
    /// ES256 for P-256 (hardware keys), EdDSA for Ed25519.
    fn algorithm(&self) -> Result<Algorithm, PlatformError>;
    /// The public key: a SEC1 point for P-256, 32 bytes for Ed25519.
    fn public_key(&self) -> Result<Vec<u8>, PlatformError>;
    /// Signs `message`: 64 bytes (ES256 as r‖s, or Ed25519).
    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, PlatformError>;
}

/// Where registered users' device keys live, by label (default: Ed25519 keys whose seeds are kept
/// in the secure store).
#[uniffi::export(with_foreign)]
pub trait DeviceKeyStore: Send + Sync {
    /// The key under `label`, or null.
    fn load(&self, label: String) -> Result<Option<Arc<dyn DeviceSigner>>, PlatformError>;
    /// A new key under `label`, replacing any key there.
    fn create(&self, label: String) -> Result<Arc<dyn DeviceSigner>, PlatformError>;
    /// Removes the key under `label`; removing a missing key succeeds.
    fn delete(&self, label: String) -> Result<(), PlatformError>;
}

// ----- adapters to the core's traits -----

pub(crate) struct Liveness(pub Arc<dyn LivenessVerifier>);

impl tempid_core::LivenessVerifier for Liveness {
    fn check_face(&self, request: FaceCheckRequest) -> Result<String, FaceCheckRefusal> {
        self.0.check_face(request).map_err(|error| match error {
            PlatformError::Cancelled => FaceCheckRefusal::Cancelled,
            PlatformError::PermissionDenied | PlatformError::Unavailable { .. } => {
                FaceCheckRefusal::CameraUnavailable
            }
            PlatformError::Failed { reason } => FaceCheckRefusal::Failed { reason },
        })
    }
}

pub(crate) struct Location(pub Arc<dyn LocationProvider>);

impl tempid_core::LocationProvider for Location {
    fn current_city(&self) -> LocationOutcome {
        match self.0.current_city() {
            Ok(outcome) => outcome,
            Err(PlatformError::PermissionDenied) => LocationOutcome::PermissionDenied,
            Err(error) => LocationOutcome::Unavailable {
                reason: error.reason(),
            },
        }
    }
}

pub(crate) struct Store(pub Arc<dyn SecureStore>);

fn store_error(error: PlatformError) -> StoreError {
    match error {
        PlatformError::Failed { reason } => StoreError::Failed { reason },
        other => StoreError::Unavailable {
            reason: other.reason(),
        },
    }
}

impl tempid_core::SecureStore for Store {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.get(key.to_string()).map_err(store_error)
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.0
            .set(key.to_string(), value.to_vec())
            .map_err(store_error)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.delete(key.to_string()).map_err(store_error)
    }
}

fn signer_error(error: PlatformError) -> SignerError {
    match error {
        PlatformError::Failed { reason } => SignerError::Failed { reason },
        other => SignerError::KeyUnavailable {
            reason: other.reason(),
        },
    }
}

/// A foreign key with its algorithm and public key read once: the core's `DeviceSigner` asks for
/// them without a way to fail.
struct Signer {
    key: Arc<dyn DeviceSigner>,
    algorithm: Algorithm,
    public_key: Vec<u8>,
}

impl Signer {
    fn wrap(key: Arc<dyn DeviceSigner>) -> Result<Arc<dyn tempid_core::DeviceSigner>, SignerError> {
        let algorithm = key.algorithm().map_err(signer_error)?;
        let public_key = key.public_key().map_err(signer_error)?;
        Ok(Arc::new(Self {
            key,
            algorithm,
            public_key,
        }))
    }
}

impl tempid_core::DeviceSigner for Signer {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn public_key(&self) -> Vec<u8> {
        self.public_key.clone()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.key.sign(message.to_vec()).map_err(signer_error)
    }
}

pub(crate) struct Keys(pub Arc<dyn DeviceKeyStore>);

impl tempid_core::DeviceKeyStore for Keys {
    fn load(&self, label: &str) -> Result<Option<Arc<dyn tempid_core::DeviceSigner>>, SignerError> {
        match self.0.load(label.to_string()).map_err(signer_error)? {
            Some(key) => Signer::wrap(key).map(Some),
            None => Ok(None),
        }
    }

    fn create(&self, label: &str) -> Result<Arc<dyn tempid_core::DeviceSigner>, SignerError> {
        Signer::wrap(self.0.create(label.to_string()).map_err(signer_error)?)
    }

    fn delete(&self, label: &str) -> Result<(), SignerError> {
        self.0.delete(label.to_string()).map_err(signer_error)
    }
}
