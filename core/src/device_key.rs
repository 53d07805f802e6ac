//! Device keys: the key a certificate is bound to and every frame is signed with. The default is
//! an Ed25519 key generated on the phone whose seed is kept in the secure store (registered
//! users) or only in memory (guests); a shell may supply hardware P-256 keys through
//! [`DeviceKeyStore`] and [`DeviceSigner`]. [`SignerBridge`] adapts either to the protocol's
//! `FrameSigner`.

use std::sync::Arc;

use tempid_protocol::{Algorithm, DevicePublicKey, Ed25519DeviceKey, FrameSigner, KeyError};

use crate::store::SecureStore;

/// Why a device key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Error))]
pub enum SignerError {
    /// The key is gone (wiped, invalidated by a new biometric enrolment, …).
    #[error("the device key is not available: {reason}")]
    KeyUnavailable {
        /// What the keystore reported.
        reason: String,
    },
    /// The keystore failed to create or use the key.
    #[error("the device keystore failed: {reason}")]
    Failed {
        /// What the keystore reported.
        reason: String,
    },
}

/// A device key that signs frames.
pub trait DeviceSigner: Send + Sync {
    /// The algorithm: EdDSA (Ed25519) or ES256 (P-256).
    fn algorithm(&self) -> Algorithm;
    /// The public key: 32 bytes for Ed25519, a SEC1 point for P-256.
    fn public_key(&self) -> Vec<u8>;
    /// Signs `message`: 64 bytes (Ed25519, or ES256 as r‖s).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError>;
}

/// Where registered users' device keys live, by label.
pub trait DeviceKeyStore: Send + Sync {
    /// The key under `label`, if there is one.
    fn load(&self, label: &str) -> Result<Option<Arc<dyn DeviceSigner>>, SignerError>;
    /// A new key under `label`, replacing any key there.
    fn create(&self, label: &str) -> Result<Arc<dyn DeviceSigner>, SignerError>;
    /// Removes the key under `label`; removing a missing key succeeds.
    fn delete(&self, label: &str) -> Result<(), SignerError>;
}

/// An Ed25519 key in memory (a guest's key, or a loaded seed).
pub struct SoftwareDeviceKey(Ed25519DeviceKey);

impl SoftwareDeviceKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<Self, SignerError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| SignerError::Failed {
            reason: e.to_string(),
        })?;
        Ok(Self(Ed25519DeviceKey::from_seed(&seed)))
    }

    /// The key for a seed.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self(Ed25519DeviceKey::from_seed(seed))
    }

    /// The seed, to keep in a secure store.
    pub fn seed(&self) -> [u8; 32] {
        self.0.seed()
    }
}

impl DeviceSigner for SoftwareDeviceKey {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDSA
    }

    fn public_key(&self) -> Vec<u8> {
        FrameSigner::public_key(&self.0).as_bytes().to_vec()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        FrameSigner::sign(&self.0, message).map_err(|e| SignerError::Failed {
            reason: e.to_string(),
        })
    }
}

/// The default [`DeviceKeyStore`]: Ed25519 seeds in the secure store under
/// `<namespace>.<label>`.
pub struct SecureStoreDeviceKeys {
    store: Arc<dyn SecureStore>,
    namespace: String,
}

impl SecureStoreDeviceKeys {
    /// Keys in `store` under `namespace`.
    pub fn new(store: Arc<dyn SecureStore>, namespace: impl Into<String>) -> Self {
        Self {
            store,
            namespace: namespace.into(),
        }
    }

    fn key(&self, label: &str) -> String {
        format!("{}.{label}", self.namespace)
    }
}

impl DeviceKeyStore for SecureStoreDeviceKeys {
    fn load(&self, label: &str) -> Result<Option<Arc<dyn DeviceSigner>>, SignerError> {
        let stored = self
            .store
            .get(&self.key(label))
            .map_err(|e| SignerError::KeyUnavailable {
                reason: e.to_string(),
            })?;
        let Some(bytes) = stored else {
            return Ok(None);
        };
        let seed: [u8; 32] =
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| SignerError::KeyUnavailable {
                    reason: "the stored seed is not 32 bytes".into(),
                })?;
        Ok(Some(Arc::new(SoftwareDeviceKey::from_seed(&seed))))
    }

    fn create(&self, label: &str) -> Result<Arc<dyn DeviceSigner>, SignerError> {
        let key = SoftwareDeviceKey::generate()?;
        self.store
            .set(&self.key(label), &key.seed())
            .map_err(|e| SignerError::Failed {
                reason: e.to_string(),
            })?;
        Ok(Arc::new(key))
    }

    fn delete(&self, label: &str) -> Result<(), SignerError> {
        self.store
            .delete(&self.key(label))
            .map_err(|e| SignerError::Failed {
                reason: e.to_string(),
            })
    }
}

/// A [`DeviceSigner`] seen as the protocol's `FrameSigner`, with its public key checked once.
pub(crate) struct SignerBridge {
    signer: Arc<dyn DeviceSigner>,
    public_key: DevicePublicKey,
}

impl SignerBridge {
    pub fn new(signer: Arc<dyn DeviceSigner>) -> Result<Self, SignerError> {
        let public_key = DevicePublicKey::from_bytes(signer.algorithm(), &signer.public_key())
            .map_err(|e| SignerError::Failed {
                reason: e.to_string(),
            })?;
        Ok(Self { signer, public_key })
    }
}

impl FrameSigner for SignerBridge {
    fn public_key(&self) -> DevicePublicKey {
        self.public_key.clone()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.signer
            .sign(message)
            .map_err(|e| KeyError::SignerFailed {
                reason: e.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[test]
    fn secure_store_keys_persist_and_delete() {
        let store = MemoryStore::new();
        let keys = SecureStoreDeviceKeys::new(Arc::new(store.clone()), "ns");
        assert!(keys.load("device-key").expect("load").is_none());
        let created = keys.create("device-key").expect("create");
        let loaded = keys.load("device-key").expect("load").expect("present");
        assert_eq!(created.public_key(), loaded.public_key());
        assert_eq!(store.keys(), vec!["ns.device-key".to_string()]);
        keys.delete("device-key").expect("delete");
        assert!(keys.load("device-key").expect("load").is_none());
    }

    #[test]
    fn bridge_signs_verifiable_frames() {
        let bridge = SignerBridge::new(Arc::new(SoftwareDeviceKey::generate().expect("key")))
            .expect("bridge");
        let sig = FrameSigner::sign(&bridge, b"m").expect("sign");
        assert!(bridge.public_key().verify(Algorithm::EdDSA, b"m", &sig));
    }

    #[test]
    fn generated_keys_differ() {
        let a = SoftwareDeviceKey::generate().expect("a");
        let b = SoftwareDeviceKey::generate().expect("b");
        assert_ne!(a.public_key(), b.public_key());
    }
}
