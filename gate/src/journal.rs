//! Scan counts on the gate's disk, kept until the issuer has acknowledged them.
//!
//! A gate counts accepted and refused frames per checkpoint kind ([`ScanCounters`]) and appends
//! them to a journal in its state directory. Before anything is sent, the journal is **sealed**
//! into a batch with a fresh UUID v4 `batch_id`; the batch keeps that id through every retry,
//! and the issuer counts each `batch_id` once, so a retry after a lost response never counts
//! twice. A batch file is deleted only after the issuer's ack.
//!
//! ```text
//! STATE_DIR/
//!   gate-id                     this gate's id (UUID v4, made on first use)
//!   scans.jsonl                 the journal: one line of counts per append
//!   sealing-<batch_id>.jsonl    the journal while it is being sealed (crash recovery)
//!   pending/<batch_id>.json     sealed batches (a ScanReport) awaiting the issuer's ack
//!   replay.json                 the CLI's replay guard between runs
//!   .lock                       serialises appends, sealing and acks between processes
//! ```
//!
//! Sealing renames the journal to `sealing-<batch_id>.jsonl` first (atomic), then writes the
//! batch (atomic), then removes the sealing file. A crash at any point leaves either the
//! journal, or a sealing file that the next seal turns into a batch with the *same* id, or the
//! batch: counts are never lost and never get two ids.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tempid_protocol::CheckpointKind;
use tempid_protocol::api::{ScanCount, ScanReport};

use crate::lists::write_atomically;

const JOURNAL_FILE: &str = "scans.jsonl";
const GATE_ID_FILE: &str = "gate-id";
const PENDING_DIR: &str = "pending";
const LOCK_FILE: &str = ".lock";
const SEALING_PREFIX: &str = "sealing-";
/// The replay guard's file in a state directory (see [`crate::ReplayGuard::to_json`]).
pub const REPLAY_FILE: &str = "replay.json";

/// Why the state directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// A file or directory operation failed.
    #[error("state directory {}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// A pending batch file is not a scan report.
    #[error("pending batch {} is malformed: {reason}", path.display())]
    MalformedBatch {
        /// The batch file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> JournalError + '_ {
    move |source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Accepted and refused frames per checkpoint kind, since the counters were last taken.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanCounters {
    counts: BTreeMap<CheckpointKind, (u64, u64)>,
}

impl ScanCounters {
    /// Counts one verdict at `checkpoint`.
    pub fn record(&mut self, checkpoint: CheckpointKind, accepted: bool) {
        let entry = self.counts.entry(checkpoint).or_default();
        if accepted {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }

    /// Adds counts (e.g. read back from a journal).
    pub fn add(&mut self, count: &ScanCount) {
        let entry = self.counts.entry(count.checkpoint).or_default();
        entry.0 = entry.0.saturating_add(count.accepted);
        entry.1 = entry.1.saturating_add(count.rejected);
    }

    /// The counts, one entry per checkpoint kind with scans, in [`CheckpointKind`] order.
    pub fn to_counts(&self) -> Vec<ScanCount> {
        self.counts
            .iter()
            .filter(|(_, (a, r))| a + r > 0)
            .map(|(checkpoint, (accepted, rejected))| ScanCount {
                checkpoint: *checkpoint,
                accepted: *accepted,
                rejected: *rejected,
            })
            .collect()
    }

    /// The counts for one checkpoint kind: (accepted, rejected).
    pub fn get(&self, checkpoint: CheckpointKind) -> (u64, u64) {
        self.counts.get(&checkpoint).copied().unwrap_or_default()
    }

    /// Returns the counts and starts again from zero.
    pub fn take(&mut self) -> Vec<ScanCount> {
        let counts = self.to_counts();
        self.counts.clear();
        counts
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.counts.values().all(|(a, r)| a + r == 0)
    }
}

/// One journal line.
#[derive(Serialize, Deserialize)]
struct JournalLine {
    counts: Vec<ScanCount>,
}

/// A gate's state directory: the scan journal, sealed batches and the gate id.
#[derive(Debug, Clone)]
pub struct StateDir {
    root: PathBuf,
}

/// An exclusive lock on the state directory, released on drop.
struct DirLock(File);

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

impl StateDir {
    /// Opens (creating if needed) a state directory.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, JournalError> {
        let root = root.into();
        let pending = root.join(PENDING_DIR);
        fs::create_dir_all(&pending).map_err(io_error(&pending))?;
        Ok(Self { root })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Takes the directory's lock (blocking until other processes release it).
    fn lock(&self) -> Result<DirLock, JournalError> {
        let path = self.root.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error(&path))?;
        file.lock().map_err(io_error(&path))?;
        Ok(DirLock(file))
    }

    /// Runs `f` while holding the directory's lock, so that several gate processes sharing a
    /// state directory do not interleave (used for the replay guard file by the CLI).
    pub fn locked<T>(&self, f: impl FnOnce() -> T) -> Result<T, JournalError> {
        let _lock = self.lock()?;
        Ok(f())
    }

    /// This gate's id: read from `gate-id`, or made (UUID v4) and saved on first use.
    pub fn gate_id(&self) -> Result<String, JournalError> {
        let path = self.root.join(GATE_ID_FILE);
        let _lock = self.lock()?;
        match fs::read_to_string(&path) {
            Ok(id) if !id.trim().is_empty() => Ok(id.trim().to_string()),
            Ok(_) => self.new_gate_id(&path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => self.new_gate_id(&path),
            Err(e) => Err(JournalError::Io { path, source: e }),
        }
    }

    fn new_gate_id(&self, path: &Path) -> Result<String, JournalError> {
        let id = uuid::Uuid::new_v4().to_string();
        write_atomically(path, format!("{id}\n").as_bytes()).map_err(io_error(path))?;
        Ok(id)
    }

    /// Appends counts to the journal (one line, written with one `write` in append mode and
    /// flushed to disk). Empty counts write nothing.
    pub fn append(&self, counts: &[ScanCount]) -> Result<(), JournalError> {
        let counts: Vec<ScanCount> = counts
            .iter()
            .filter(|c| c.accepted + c.rejected > 0)
            .cloned()
            .collect();
        if counts.is_empty() {
            return Ok(());
        }
        let mut line =
            serde_json::to_vec(&JournalLine { counts }).map_err(|e| JournalError::Io {
                path: self.root.join(JOURNAL_FILE),
                source: io::Error::other(e),
            })?;
        line.push(b'\n');
        let path = self.root.join(JOURNAL_FILE);
        let _lock = self.lock()?;
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io_error(&path))?;
        file.write_all(&line).map_err(io_error(&path))?;
        file.sync_data().map_err(io_error(&path))?;
        Ok(())
    }

    /// The counts in the journal that are not sealed yet.
    pub fn unsealed(&self) -> Result<ScanCounters, JournalError> {
        let _lock = self.lock()?;
        read_journal(&self.root.join(JOURNAL_FILE))
    }

    /// Seals the journal (and any sealing file a crash left behind) into pending batches for
    /// `gate_id`, each with its own `batch_id`. Returns the batches made now.
    pub fn seal(&self, gate_id: &str) -> Result<Vec<ScanReport>, JournalError> {
        let _lock = self.lock()?;
        let journal = self.root.join(JOURNAL_FILE);
        match fs::metadata(&journal) {
            Ok(meta) if meta.len() > 0 => {
                let batch_id = uuid::Uuid::new_v4().to_string();
                let sealing = self.root.join(format!("{SEALING_PREFIX}{batch_id}.jsonl"));
                fs::rename(&journal, &sealing).map_err(io_error(&journal))?;
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(JournalError::Io {
                    path: journal,
                    source: e,
                });
            }
        }
        let mut sealed = Vec::new();
        for (batch_id, sealing) in self.sealing_files()? {
            let pending = self.pending_path(&batch_id);
            if !pending.exists() {
                let counts = read_journal(&sealing)?.to_counts();
                if !counts.is_empty() {
                    let report = ScanReport {
                        gate_id: gate_id.to_string(),
                        batch_id: batch_id.clone(),
                        counts,
                    };
                    let json =
                        serde_json::to_vec_pretty(&report).map_err(|e| JournalError::Io {
                            path: pending.clone(),
                            source: io::Error::other(e),
                        })?;
                    write_atomically(&pending, &json).map_err(io_error(&pending))?;
                    sealed.push(report);
                }
            }
            fs::remove_file(&sealing).map_err(io_error(&sealing))?;
        }
        Ok(sealed)
    }

    fn sealing_files(&self) -> Result<Vec<(String, PathBuf)>, JournalError> {
        let mut found = Vec::new();
        for entry in fs::read_dir(&self.root).map_err(io_error(&self.root))? {
            let entry = entry.map_err(io_error(&self.root))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(batch_id) = name
                .strip_prefix(SEALING_PREFIX)
                .and_then(|n| n.strip_suffix(".jsonl"))
            {
                found.push((batch_id.to_string(), entry.path()));
            }
        }
        found.sort();
        Ok(found)
    }

    fn pending_path(&self, batch_id: &str) -> PathBuf {
        self.root.join(PENDING_DIR).join(format!("{batch_id}.json"))
    }

    /// The sealed batches awaiting an ack, oldest first.
    pub fn pending(&self) -> Result<Vec<ScanReport>, JournalError> {
        let dir = self.root.join(PENDING_DIR);
        let mut batches = Vec::new();
        for entry in fs::read_dir(&dir).map_err(io_error(&dir))? {
            let entry = entry.map_err(io_error(&dir))?;
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue; // temporary files of an interrupted write
            }
            let modified = entry
                .metadata()
                .and_then(|m| m.modified())
                .map_err(io_error(&path))?;
            let text = fs::read_to_string(&path).map_err(io_error(&path))?;
            let report: ScanReport =
                serde_json::from_str(&text).map_err(|e| JournalError::MalformedBatch {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            batches.push((modified, report));
        }
        batches.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.batch_id.cmp(&b.1.batch_id)));
        Ok(batches.into_iter().map(|(_, report)| report).collect())
    }

    /// Deletes a batch the issuer has acknowledged.
    pub fn acknowledge(&self, batch_id: &str) -> Result<(), JournalError> {
        let _lock = self.lock()?;
        let path = self.pending_path(batch_id);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(JournalError::Io { path, source: e }),
        }
    }
}

/// Reads a journal; a line that is not valid (a write torn by a power cut) is skipped, the
/// others still count.
fn read_journal(path: &Path) -> Result<ScanCounters, JournalError> {
    let text = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(ScanCounters::default()),
        Err(e) => {
            return Err(JournalError::Io {
                path: path.to_path_buf(),
                source: e,
            });
        }
    };
    let mut counters = ScanCounters::default();
    for line in text.split(|b| *b == b'\n') {
        if let Ok(line) = serde_json::from_slice::<JournalLine>(line) {
            for count in &line.counts {
                counters.add(count);
            }
        }
    }
    Ok(counters)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(checkpoint: CheckpointKind, accepted: u64, rejected: u64) -> ScanCount {
        ScanCount {
            checkpoint,
            accepted,
            rejected,
        }
    }

    #[test]
    fn counters_sum_per_checkpoint() {
        let mut counters = ScanCounters::default();
        counters.record(CheckpointKind::EntryGate, true);
        counters.record(CheckpointKind::EntryGate, false);
        counters.record(CheckpointKind::Window, true);
        assert_eq!(counters.get(CheckpointKind::EntryGate), (1, 1));
        assert_eq!(
            counters.take(),
            vec![
                count(CheckpointKind::Window, 1, 0),
                count(CheckpointKind::EntryGate, 1, 1)
            ]
        );
        assert!(counters.is_empty());
    }

    #[test]
    fn journal_seals_into_batches_with_stable_ids() {
        let dir = tempfile::tempdir().expect("dir");
        let state = StateDir::open(dir.path()).expect("open");
        let gate_id = state.gate_id().expect("id");
        assert_eq!(state.gate_id().expect("id again"), gate_id);
        assert!(uuid::Uuid::parse_str(&gate_id).is_ok());

        state
            .append(&[count(CheckpointKind::EntryGate, 2, 1)])
            .expect("append");
        state
            .append(&[
                count(CheckpointKind::EntryGate, 1, 0),
                count(CheckpointKind::OnTrain, 0, 1),
            ])
            .expect("append");
        state
            .append(&[count(CheckpointKind::Window, 0, 0)])
            .expect("nothing");
        assert_eq!(
            state
                .unsealed()
                .expect("read")
                .get(CheckpointKind::EntryGate),
            (3, 1)
        );

        let sealed = state.seal(&gate_id).expect("seal");
        assert_eq!(sealed.len(), 1);
        let batch = &sealed[0];
        assert_eq!(batch.gate_id, gate_id);
        assert_eq!(
            uuid::Uuid::parse_str(&batch.batch_id)
                .ok()
                .map(|u| u.get_version_num()),
            Some(4)
        );
        assert_eq!(
            batch.counts,
            vec![
                count(CheckpointKind::EntryGate, 3, 1),
                count(CheckpointKind::OnTrain, 0, 1)
            ]
        );
        assert!(state.unsealed().expect("read").is_empty());
        // Sealing again makes nothing new; the batch stays pending with its id.
        assert!(state.seal(&gate_id).expect("seal").is_empty());
        assert_eq!(state.pending().expect("pending"), sealed);

        state.acknowledge(&batch.batch_id).expect("ack");
        assert!(state.pending().expect("pending").is_empty());
        state
            .acknowledge(&batch.batch_id)
            .expect("ack twice is harmless");
    }

    #[test]
    fn a_crash_while_sealing_keeps_the_batch_id() {
        let dir = tempfile::tempdir().expect("dir");
        let state = StateDir::open(dir.path()).expect("open");
        state
            .append(&[count(CheckpointKind::ExitGate, 5, 0)])
            .expect("append");
        // The state a crash right after the rename leaves behind.
        let id = "0d5f7c9e-2b1a-4c3d-8e4f-5a6b7c8d9e0f";
        fs::rename(
            dir.path().join(JOURNAL_FILE),
            dir.path().join(format!("{SEALING_PREFIX}{id}.jsonl")),
        )
        .expect("rename");
        state
            .append(&[count(CheckpointKind::ExitGate, 1, 0)])
            .expect("append after crash");
        let sealed = state.seal("gate").expect("seal");
        assert_eq!(sealed.len(), 2);
        let recovered = sealed
            .iter()
            .find(|b| b.batch_id == id)
            .expect("recovered batch keeps its id");
        assert_eq!(
            recovered.counts,
            vec![count(CheckpointKind::ExitGate, 5, 0)]
        );
        // A crash after writing the batch but before removing the sealing file: no second batch.
        fs::write(
            dir.path().join(format!("{SEALING_PREFIX}{id}.jsonl")),
            "{\"counts\":[]}\n",
        )
        .expect("write");
        assert!(state.seal("gate").expect("seal").is_empty());
        assert_eq!(state.pending().expect("pending").len(), 2);
    }

    #[test]
    fn a_torn_journal_line_is_skipped() {
        let dir = tempfile::tempdir().expect("dir");
        let state = StateDir::open(dir.path()).expect("open");
        state
            .append(&[count(CheckpointKind::Window, 1, 0)])
            .expect("append");
        let mut file = OpenOptions::new()
            .append(true)
            .open(dir.path().join(JOURNAL_FILE))
            .expect("open");
        file.write_all(b"{\"counts\":[{\"checkp")
            .expect("torn write");
        assert_eq!(
            state.unsealed().expect("read").get(CheckpointKind::Window),
            (1, 0)
        );
    }

    #[test]
    fn a_malformed_batch_is_reported_with_its_path() {
        let dir = tempfile::tempdir().expect("dir");
        let state = StateDir::open(dir.path()).expect("open");
        fs::write(dir.path().join(PENDING_DIR).join("x.json"), "nope").expect("write");
        let err = state.pending().expect_err("malformed");
        assert!(err.to_string().contains("x.json"), "{err}");
    }
}
