//! The issuer's signing keys, kept in a key directory (mode 0700, files 0600): a manifest
//! (`keyring.json`) of every key's life and one seed file per key (`<kid>.key`, hex). Exactly
//! one key is active and signs new certificates; rotation retires it (still listed, with
//! `exp` = retirement + 24 h, so the certificates it signed stay verifiable until they expire);
//! revocation withdraws a key at once.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tempid_protocol::{IssuerKey, KeyStatus, Kid, TrustList, TrustedKey, VALIDITY_SECONDS};

const MANIFEST: &str = "keyring.json";

/// Why the key directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A file operation failed.
    #[error("key directory {path}: {source}")]
    Io {
        /// The path involved.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The manifest or a seed file is corrupt.
    #[error("key directory {path}: {reason}")]
    Corrupt {
        /// The path involved.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// No key with this kid.
    #[error("no key with kid {0}")]
    UnknownKid(String),
    /// The operating system's random source failed.
    #[error("the random source failed: {0}")]
    Random(String),
}

/// One key's life, as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The kid, base64url.
    pub kid: String,
    /// When it started signing (Unix seconds); its `nbf` in the trust list.
    pub created_at: i64,
    /// When it stopped signing, if retired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<i64>,
    /// When it was revoked, if revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
}

impl KeyRecord {
    /// The key's status.
    pub fn status(&self) -> KeyStatus {
        if self.revoked_at.is_some() {
            KeyStatus::Revoked
        } else if self.retired_at.is_some() {
            KeyStatus::Retired
        } else {
            KeyStatus::Active
        }
    }

    /// The trust list's `exp`: the last signing time + 24 h (none while the key signs).
    pub fn exp(&self) -> Option<i64> {
        let stopped = match (self.retired_at, self.revoked_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        stopped.map(|t| t.saturating_add(VALIDITY_SECONDS))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Manifest {
    keys: Vec<KeyRecord>,
}

/// A loaded key with its record.
pub struct LoadedKey {
    /// Its life.
    pub record: KeyRecord,
    /// The signing key.
    pub key: IssuerKey,
}

/// Every key of the directory, loaded.
pub struct Keyring {
    keys: Vec<LoadedKey>,
    active: usize,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|k| &k.record))
            .finish()
    }
}

impl Keyring {
    /// The key that signs new certificates.
    pub fn active(&self) -> &IssuerKey {
        &self.keys[self.active].key
    }

    /// The key with this kid.
    pub fn by_kid(&self, kid: Kid) -> Option<&LoadedKey> {
        self.keys.iter().find(|k| k.key.kid() == kid)
    }

    /// The records, oldest first.
    pub fn records(&self) -> impl Iterator<Item = &KeyRecord> {
        self.keys.iter().map(|k| &k.record)
    }

    /// The trust list at `now`: the active key, and retired or revoked keys until their `exp`.
    pub fn trust_list(&self, now: i64) -> TrustList {
        let keys: Vec<TrustedKey> = self
            .keys
            .iter()
            .filter(|k| k.record.exp().is_none_or(|exp| now < exp))
            .map(|k| {
                TrustedKey::new(
                    &k.key,
                    k.record.created_at,
                    k.record.exp(),
                    k.record.status(),
                )
            })
            .collect();
        // The active key is always listed, so the list is never empty.
        TrustList::new(keys).unwrap_or_else(|_| TrustList { keys: Vec::new() })
    }
}

/// The key directory.
#[derive(Debug, Clone)]
pub struct KeyDir {
    dir: PathBuf,
}

impl KeyDir {
    /// The directory at `dir` (not touched until used).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The manifest's path (the server watches it to pick up rotations).
    pub fn manifest_path(&self) -> PathBuf {
        self.dir.join(MANIFEST)
    }

    /// Loads the keyring, creating the directory and a first key at `now` if there is none.
    pub fn open_or_create(&self, now: i64) -> Result<Keyring, KeyError> {
        self.ensure_dir()?;
        let mut manifest = self.read_manifest()?;
        if !manifest
            .keys
            .iter()
            .any(|k| k.status() == KeyStatus::Active)
        {
            self.add_key(&mut manifest, now)?;
            self.write_manifest(&manifest)?;
        }
        self.load(manifest)
    }

    /// Loads the keyring as it is (fails if there is no active key).
    pub fn load_existing(&self) -> Result<Keyring, KeyError> {
        let manifest = self.read_manifest()?;
        self.load(manifest)
    }

    /// Retires the active key and creates a new one that signs from `now` on. Returns the new
    /// kid.
    pub fn rotate(&self, now: i64) -> Result<Kid, KeyError> {
        self.ensure_dir()?;
        let mut manifest = self.read_manifest()?;
        for record in manifest
            .keys
            .iter_mut()
            .filter(|k| k.status() == KeyStatus::Active)
        {
            record.retired_at = Some(now);
        }
        let kid = self.add_key(&mut manifest, now)?;
        self.write_manifest(&manifest)?;
        Ok(kid)
    }

    /// Revokes a key: every certificate it signed is refused from now on. Revoking the active
    /// key rotates first, so the issuer always has a key to sign with.
    pub fn revoke(&self, kid: &str, now: i64) -> Result<(), KeyError> {
        let manifest = self.read_manifest()?;
        let record = manifest
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .ok_or_else(|| KeyError::UnknownKid(kid.into()))?;
        if record.status() == KeyStatus::Active {
            self.rotate(now)?;
        }
        let mut manifest = self.read_manifest()?;
        for record in manifest.keys.iter_mut().filter(|k| k.kid == kid) {
            record.revoked_at.get_or_insert(now);
        }
        self.write_manifest(&manifest)
    }

    /// The manifest's records (for `keys list`).
    pub fn list(&self) -> Result<Vec<KeyRecord>, KeyError> {
        Ok(self.read_manifest()?.keys)
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
        move |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    fn ensure_dir(&self) -> Result<(), KeyError> {
        fs::create_dir_all(&self.dir).map_err(Self::io(&self.dir))?;
        set_mode(&self.dir, 0o700).map_err(Self::io(&self.dir))
    }

    fn read_manifest(&self) -> Result<Manifest, KeyError> {
        let path = self.manifest_path();
        match fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| KeyError::Corrupt {
                path: path.display().to_string(),
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
            Err(e) => Err(Self::io(&path)(e)),
        }
    }

    fn write_manifest(&self, manifest: &Manifest) -> Result<(), KeyError> {
        let json = serde_json::to_vec_pretty(manifest).map_err(|e| KeyError::Corrupt {
            path: self.manifest_path().display().to_string(),
            reason: e.to_string(),
        })?;
        self.write_private(MANIFEST, &json)
    }

    /// Writes a file with mode 0600 atomically (temp file, fsync, rename).
    fn write_private(&self, name: &str, bytes: &[u8]) -> Result<(), KeyError> {
        let path = self.dir.join(name);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp).map_err(Self::io(&tmp))?;
        file.write_all(bytes).map_err(Self::io(&tmp))?;
        file.sync_all().map_err(Self::io(&tmp))?;
        set_mode(&tmp, 0o600).map_err(Self::io(&tmp))?;
        fs::rename(&tmp, &path).map_err(Self::io(&path))
    }

    fn add_key(&self, manifest: &mut Manifest, now: i64) -> Result<Kid, KeyError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
        let key = IssuerKey::from_seed(&seed);
        let kid = key.kid();
        self.write_private(
            &format!("{}.key", kid.to_base64url()),
            hex::encode(seed).as_bytes(),
        )?;
        manifest.keys.push(KeyRecord {
            kid: kid.to_base64url(),
            created_at: now,
            retired_at: None,
            revoked_at: None,
        });
        Ok(kid)
    }

    fn load(&self, manifest: Manifest) -> Result<Keyring, KeyError> {
        let mut keys = Vec::with_capacity(manifest.keys.len());
        for record in manifest.keys {
            let path = self.dir.join(format!("{}.key", record.kid));
            let text = fs::read_to_string(&path).map_err(Self::io(&path))?;
            let corrupt = |reason: &str| KeyError::Corrupt {
                path: path.display().to_string(),
                reason: reason.into(),
            };
            let bytes = hex::decode(text.trim()).map_err(|_| corrupt("the seed is not hex"))?;
            let seed: [u8; 32] = bytes
                .try_into()
                .map_err(|_| corrupt("the seed is not 32 bytes"))?;
            let key = IssuerKey::from_seed(&seed);
            if key.kid().to_base64url() != record.kid {
                return Err(corrupt("the seed does not match its kid"));
            }
            keys.push(LoadedKey { record, key });
        }
        let active = keys
            .iter()
            .rposition(|k| k.record.status() == KeyStatus::Active)
            .ok_or_else(|| KeyError::Corrupt {
                path: self.manifest_path().display().to_string(),
                reason: "no active key (run `tempid-issuer keys rotate`)".into(),
            })?;
        Ok(Keyring { keys, active })
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_start_creates_a_private_key_and_rotation_retires_it() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = KeyDir::new(tmp.path().join("keys"));
        let ring = dir.open_or_create(1_000).expect("create");
        let first = ring.active().kid();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(dir.path()), 0o700);
            assert_eq!(mode(&dir.manifest_path()), 0o600);
            assert_eq!(
                mode(&dir.path().join(format!("{}.key", first.to_base64url()))),
                0o600
            );
        }
        // Reopening keeps the key.
        assert_eq!(
            dir.open_or_create(2_000).expect("reopen").active().kid(),
            first
        );
        let second = dir.rotate(5_000).expect("rotate");
        let ring = dir.load_existing().expect("load");
        assert_eq!(ring.active().kid(), second);
        let list = ring.trust_list(6_000);
        assert_eq!(list.keys.len(), 2);
        let old = list.find(first).expect("old key listed");
        assert_eq!(old.status, KeyStatus::Retired);
        assert_eq!(old.exp, Some(5_000 + VALIDITY_SECONDS));
        // After its exp the retired key leaves the list.
        assert_eq!(ring.trust_list(5_000 + VALIDITY_SECONDS).keys.len(), 1);
        dir.revoke(&first.to_base64url(), 7_000).expect("revoke");
        let ring = dir.load_existing().expect("load");
        assert_eq!(
            ring.trust_list(8_000).find(first).map(|k| k.status),
            Some(KeyStatus::Revoked)
        );
        assert!(matches!(
            dir.revoke("nope", 1),
            Err(KeyError::UnknownKid(_))
        ));
    }
}
