//! Refreshing a gate's lists from the issuer: fetch the trust list and the revocation list,
//! validate both before touching the disk, then replace each file atomically. A gate reading
//! the directory meanwhile sees the old file or the new one, never half of one; a failed fetch
//! or an invalid list leaves the old files in place.

use std::path::{Path, PathBuf};

use crate::issuer::{IssuerClient, IssuerError};
use crate::lists::{self, REVOCATIONS_FILE, TRUST_LIST_FILE, write_atomically};

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    /// The trust list file written.
    pub trust_list_path: PathBuf,
    /// Keys in the new trust list.
    pub keys: usize,
    /// The revocation list file (written, or kept).
    pub revocations_path: PathBuf,
    /// Certificates revoked in the list now in force.
    pub revoked: usize,
    /// The `updated_at` of the revocation list now in force.
    pub revocations_updated_at: i64,
    /// True when the issuer sent an *older* revocation list than the one on disk (a lagging
    /// replica): the newer local list was kept, so a revoked certificate never comes back.
    pub kept_newer_revocations: bool,
}

/// Why a sync failed. Nothing on disk has changed unless the error says so.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The issuer could not be asked, or answered wrongly.
    #[error(transparent)]
    Issuer(#[from] IssuerError),
    /// The directory cannot be created or written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// Fetches both lists from the issuer and stores them in `dir` as `trust-list.json` and
/// `revocations.json`.
pub fn sync_lists(client: &IssuerClient, dir: &Path) -> Result<SyncOutcome, SyncError> {
    let (trust_list, trust_json) = client.trust_list()?;
    let (revocations, revocations_json) = client.revocations()?;
    std::fs::create_dir_all(dir).map_err(|source| SyncError::Write {
        path: dir.to_path_buf(),
        source,
    })?;

    let trust_list_path = dir.join(TRUST_LIST_FILE);
    write_atomically(&trust_list_path, trust_json.as_bytes()).map_err(|source| {
        SyncError::Write {
            path: trust_list_path.clone(),
            source,
        }
    })?;

    let revocations_path = dir.join(REVOCATIONS_FILE);
    // No usable local list (missing, malformed, unreadable): the issuer's replaces it.
    let local = lists::load_revocations(&revocations_path).ok();
    let (in_force, kept) = match local {
        Some(local) if local.updated_at > revocations.updated_at => (local, true),
        _ => {
            write_atomically(&revocations_path, revocations_json.as_bytes()).map_err(|source| {
                SyncError::Write {
                    path: revocations_path.clone(),
                    source,
                }
            })?;
            (revocations, false)
        }
    };
    Ok(SyncOutcome {
        trust_list_path,
        keys: trust_list.keys.len(),
        revocations_path,
        revoked: in_force.entries().len(),
        revocations_updated_at: in_force.updated_at,
        kept_newer_revocations: kept,
    })
}
