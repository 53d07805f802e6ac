//! Small secrets kept between runs: the [`SecureStore`] capability, its default (the keyring
//! family's native store for the platform through `keyring-core`), an in-memory store, and the
//! session cache the client keeps in it (session token, certificate, clock offset). Device key
//! seeds live there too, through [`crate::SecureStoreDeviceKeys`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

/// Why the secure store failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Error))]
pub enum StoreError {
    /// The store cannot be reached (locked keychain, no keyring service, not initialised).
    #[error("the secure store is not available: {reason}")]
    Unavailable {
        /// What the platform reported.
        reason: String,
    },
    /// The store refused or failed the operation.
    #[error("the secure store failed: {reason}")]
    Failed {
        /// What the platform reported.
        reason: String,
    },
}

/// Get, set and delete small secrets by key. Keys are ASCII (`<namespace>.<item>`).
pub trait SecureStore: Send + Sync {
    /// The value under `key`, or `None`.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Stores `value` under `key`, replacing any value.
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError>;
    /// Removes `key`; removing a missing key succeeds.
    fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// A store in memory: for tests, benchmarks and shells that want no persistence. Clones share
/// the same contents (one store, reopened by a new client).
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    items: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    failing: Arc<Mutex<bool>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every later call fail with [`StoreError::Unavailable`] (or work again).
    pub fn set_failing(&self, failing: bool) {
        *self.failing.lock().unwrap_or_else(PoisonError::into_inner) = failing;
    }

    /// The keys currently stored, sorted.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    fn check(&self) -> Result<(), StoreError> {
        if *self.failing.lock().unwrap_or_else(PoisonError::into_inner) {
            return Err(StoreError::Unavailable {
                reason: "the in-memory store was told to fail".into(),
            });
        }
        Ok(())
    }
}

impl SecureStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.check()?;
        Ok(self
            .items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned())
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.check()?;
        self.items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_string(), value.to_vec());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.check()?;
        self.items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
        Ok(())
    }
}

/// A store over a `keyring-core` credential store: each key is one credential of the service
/// `service` (the app's namespace), the key being the credential's user.
pub struct KeyringStore {
    store: Arc<keyring_core::CredentialStore>,
    service: String,
}

impl KeyringStore {
    /// A store over `store` under `service`.
    pub fn new(store: Arc<keyring_core::CredentialStore>, service: impl Into<String>) -> Self {
        Self {
            store,
            service: service.into(),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring_core::Entry, StoreError> {
        keyring_core::Entry::new_in_store(&self.store, &self.service, key).map_err(keyring_error)
    }
}

impl SecureStore for KeyringStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self.entry(key)?.get_secret() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(error) => Err(keyring_error(error)),
        }
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.entry(key)?.set_secret(value).map_err(keyring_error)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(error) => Err(keyring_error(error)),
        }
    }
}

fn keyring_error(error: keyring_core::Error) -> StoreError {
    match error {
        keyring_core::Error::NoStorageAccess(inner) => StoreError::Unavailable {
            reason: inner.to_string(),
        },
        keyring_core::Error::NoDefaultStore => StoreError::Unavailable {
            reason: "no credential store".into(),
        },
        other => StoreError::Failed {
            reason: other.to_string(),
        },
    }
}

/// The platform's native secure store under `service`: the iOS data-protection keychain, the
/// Android keystore-backed store (the app must hand its context to the keyring library first),
/// the macOS keychain, the Windows credential manager, or the Linux kernel keyring. Fails with a
/// clear error where the platform has none (e.g. a headless Linux process without a session
/// keyring).
pub fn native_secure_store(service: &str) -> Result<Arc<dyn SecureStore>, StoreError> {
    let store = platform_store()?;
    Ok(Arc::new(KeyringStore::new(store, service)))
}

fn unavailable(error: keyring_core::Error) -> StoreError {
    StoreError::Unavailable {
        reason: error.to_string(),
    }
}

#[cfg(target_os = "ios")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, StoreError> {
    let store: Arc<keyring_core::CredentialStore> =
        apple_native_keyring_store::protected::Store::new().map_err(unavailable)?;
    Ok(store)
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, StoreError> {
    let store: Arc<keyring_core::CredentialStore> =
        apple_native_keyring_store::keychain::Store::new().map_err(unavailable)?;
    Ok(store)
}

#[cfg(target_os = "android")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, StoreError> {
    let store: Arc<keyring_core::CredentialStore> =
        android_native_keyring_store::Store::new().map_err(unavailable)?;
    Ok(store)
}

#[cfg(target_os = "linux")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, StoreError> {
    let store: Arc<keyring_core::CredentialStore> =
        linux_keyutils_keyring_store::Store::new().map_err(unavailable)?;
    Ok(store)
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, StoreError> {
    let store: Arc<keyring_core::CredentialStore> =
        windows_native_keyring_store::Store::new().map_err(unavailable)?;
    Ok(store)
}

#[cfg(not(any(
    target_os = "ios",
    target_os = "macos",
    target_os = "android",
    target_os = "linux",
    target_os = "windows"
)))]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, StoreError> {
    let _ = unavailable;
    Err(StoreError::Unavailable {
        reason: "no native secure store on this platform".into(),
    })
}

/// A registered user's session, as cached.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CachedSession {
    pub username: String,
    pub token: String,
    pub expires_at: i64,
    pub account_id: String,
}

impl std::fmt::Debug for CachedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedSession")
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

/// The current pass, as cached: the certificate (base64url CBOR) and what the app knows of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CachedPass {
    pub certificate: String,
    pub city: String,
    /// A guest's pass: its device key was never stored, so reopening needs a face check.
    pub guest: bool,
    /// When the app last heard from the issuer (Unix ms, issuer time).
    pub last_synced_ms: Option<i64>,
}

/// The clock correction, as cached so a reopened app offline still shows accepted frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CachedClock {
    /// Issuer time minus phone wall time, milliseconds.
    pub wall_offset_ms: i64,
}

/// The session cache: typed items under the namespace in the secure store.
#[derive(Clone)]
pub(crate) struct SessionCache {
    store: Arc<dyn SecureStore>,
    namespace: String,
}

pub(crate) const SESSION_ITEM: &str = "session";
pub(crate) const PASS_ITEM: &str = "pass";
pub(crate) const CLOCK_ITEM: &str = "clock";
pub(crate) const DEVICE_KEY_LABEL: &str = "device-key";

impl SessionCache {
    pub fn new(store: Arc<dyn SecureStore>, namespace: &str) -> Self {
        Self {
            store,
            namespace: namespace.to_string(),
        }
    }

    /// The full store key of an item.
    pub fn key(&self, item: &str) -> String {
        format!("{}.{item}", self.namespace)
    }

    pub fn read<T: for<'de> Deserialize<'de>>(&self, item: &str) -> Result<Option<T>, StoreError> {
        let Some(bytes) = self.store.get(&self.key(item))? else {
            return Ok(None);
        };
        // An unreadable item (older format, corruption) is as good as none: it is dropped.
        match serde_json::from_slice(&bytes) {
            Ok(value) => Ok(Some(value)),
            Err(_) => {
                self.store.delete(&self.key(item))?;
                Ok(None)
            }
        }
    }

    pub fn write<T: Serialize>(&self, item: &str, value: &T) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(value).map_err(|e| StoreError::Failed {
            reason: e.to_string(),
        })?;
        self.store.set(&self.key(item), &bytes)
    }

    pub fn remove(&self, item: &str) -> Result<(), StoreError> {
        self.store.delete(&self.key(item))
    }

    /// Wipes the session, the pass and the clock correction (device keys are wiped by their
    /// store).
    pub fn wipe(&self) -> Result<(), StoreError> {
        let mut first_error = None;
        for item in [SESSION_ITEM, PASS_ITEM, CLOCK_ITEM] {
            if let Err(error) = self.remove(item) {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trips_and_fails_on_demand() {
        let store = MemoryStore::new();
        assert_eq!(store.get("a").expect("get"), None);
        store.set("a", b"1").expect("set");
        let reopened = store.clone();
        assert_eq!(reopened.get("a").expect("get"), Some(b"1".to_vec()));
        store.set_failing(true);
        assert!(matches!(
            store.get("a"),
            Err(StoreError::Unavailable { .. })
        ));
        store.set_failing(false);
        store.delete("a").expect("delete");
        store.delete("a").expect("deleting twice is fine");
        assert!(store.keys().is_empty());
    }

    #[test]
    fn session_cache_is_namespaced_and_wipes() {
        let store = MemoryStore::new();
        let cache = SessionCache::new(Arc::new(store.clone()), "app.test");
        cache
            .write(CLOCK_ITEM, &CachedClock { wall_offset_ms: 5 })
            .expect("write");
        assert_eq!(store.keys(), vec!["app.test.clock".to_string()]);
        assert_eq!(
            cache.read::<CachedClock>(CLOCK_ITEM).expect("read"),
            Some(CachedClock { wall_offset_ms: 5 })
        );
        store.set("app.test.pass", b"not json").expect("set");
        assert_eq!(
            cache.read::<CachedPass>(PASS_ITEM).expect("read"),
            None,
            "garbage reads as nothing"
        );
        cache.wipe().expect("wipe");
        assert!(store.keys().is_empty());
    }

    #[test]
    fn keyring_mock_store_backs_a_secure_store() {
        let mock: Arc<keyring_core::CredentialStore> =
            keyring_core::mock::Store::new().expect("mock store");
        let store = KeyringStore::new(mock, "tempid-test");
        assert_eq!(store.get("k").expect("get"), None);
        store.set("k", &[1, 2, 3]).expect("set");
        assert_eq!(store.get("k").expect("get"), Some(vec![1, 2, 3]));
        store.delete("k").expect("delete");
        store.delete("k").expect("delete missing");
        assert_eq!(store.get("k").expect("get"), None);
    }

    #[test]
    fn native_store_failure_is_an_error_not_a_panic() {
        // On this headless box the kernel keyring may refuse access; either way no panic.
        match native_secure_store("tempid-core-test") {
            Ok(store) => {
                let _ = store.get("probe");
            }
            Err(error) => assert!(matches!(error, StoreError::Unavailable { .. })),
        }
    }
}
