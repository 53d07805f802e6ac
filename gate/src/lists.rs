//! The trust list and revocation list on the gate's disk: loading them with errors that name
//! the file and the reason, and replacing them atomically so a gate never reads a half-written
//! list.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use tempid_protocol::{RevocationList, TrustList};

/// The trust list's file name in a synced directory.
pub const TRUST_LIST_FILE: &str = "trust-list.json";
/// The revocation list's file name in a synced directory.
pub const REVOCATIONS_FILE: &str = "revocations.json";

/// Why a list file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The file does not exist.
    #[error("{what} file {} does not exist", path.display())]
    Missing {
        /// Which list (`trust list`, `revocation list`).
        what: &'static str,
        /// The path given.
        path: PathBuf,
    },
    /// The file exists but cannot be read.
    #[error("cannot read {what} file {}: {source}", path.display())]
    Unreadable {
        /// Which list.
        what: &'static str,
        /// The path given.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The file was read but is not a valid list.
    #[error("{what} file {} is malformed: {reason}", path.display())]
    Malformed {
        /// Which list.
        what: &'static str,
        /// The path given.
        path: PathBuf,
        /// What is wrong (JSON syntax with line and column, a bad key, …).
        reason: String,
    },
}

/// Loads and validates a trust list (a JWK Set of the issuer's keys).
pub fn load_trust_list(path: &Path) -> Result<TrustList, ListError> {
    const WHAT: &str = "trust list";
    let text = read_text(WHAT, path)?;
    TrustList::from_json(&text).map_err(|e| ListError::Malformed {
        what: WHAT,
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Loads a revocation list.
pub fn load_revocations(path: &Path) -> Result<RevocationList, ListError> {
    const WHAT: &str = "revocation list";
    let text = read_text(WHAT, path)?;
    RevocationList::from_json(&text).map_err(|e| ListError::Malformed {
        what: WHAT,
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

fn read_text(what: &'static str, path: &Path) -> Result<String, ListError> {
    let bytes = std::fs::read(path).map_err(|source| {
        if source.kind() == io::ErrorKind::NotFound {
            ListError::Missing {
                what,
                path: path.to_path_buf(),
            }
        } else {
            ListError::Unreadable {
                what,
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    String::from_utf8(bytes).map_err(|e| ListError::Malformed {
        what,
        path: path.to_path_buf(),
        reason: format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// Replaces `path` with `bytes` atomically: the bytes go to a temporary file in the same
/// directory, are flushed to disk, and the file is renamed over `path`. A reader sees the old
/// file or the new one, never a mix; a crash leaves at most a stray temporary file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable (a directory fsync; not possible on every platform).
    #[cfg(unix)]
    {
        if let Ok(handle) = std::fs::File::open(dir) {
            let _ = handle.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempid_protocol::fixtures::fixture_trust_list;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("trust-list.json");
        write_atomically(&path, b"one").expect("first");
        write_atomically(&path, b"two").expect("second");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("trust-list.json")]);
    }

    #[test]
    fn loading_reports_the_file_and_the_reason() {
        let dir = tempfile::tempdir().expect("dir");
        let missing = dir.path().join("nope.json");
        let err = load_trust_list(&missing).expect_err("missing");
        assert!(matches!(err, ListError::Missing { .. }));
        assert!(err.to_string().contains("nope.json"), "{err}");
        assert!(err.to_string().contains("does not exist"), "{err}");

        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{\"keys\": [").expect("write");
        let err = load_trust_list(&bad).expect_err("malformed");
        assert!(matches!(err, ListError::Malformed { .. }));
        assert!(err.to_string().contains("bad.json"), "{err}");
        assert!(err.to_string().contains("line 1"), "{err}");

        std::fs::write(&bad, [0xff, 0xfe]).expect("write");
        let err = load_revocations(&bad).expect_err("binary");
        assert!(err.to_string().contains("not UTF-8"), "{err}");

        // A directory is not a readable file.
        let err = load_trust_list(dir.path()).expect_err("dir");
        assert!(matches!(err, ListError::Unreadable { .. }), "{err:?}");

        let good = dir.path().join("good.json");
        std::fs::write(&good, fixture_trust_list().to_json()).expect("write");
        assert_eq!(load_trust_list(&good).expect("load"), fixture_trust_list());
    }

    #[test]
    fn an_empty_key_set_is_malformed() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("t.json");
        std::fs::write(&path, r#"{"keys":[]}"#).expect("write");
        let err = load_trust_list(&path).expect_err("empty");
        assert!(err.to_string().contains("holds no key"), "{err}");
    }
}
