//! Uploading scan counts to the issuer's statistics endpoint: seal the journal into batches
//! (each gets its `batch_id` before the first attempt), post each pending batch, retry
//! transient failures with exponential backoff, and delete a batch only after the issuer's ack.
//! The issuer counts a `batch_id` once, so re-sending a batch whose ack was lost is harmless.

use std::time::Duration;

use sha2::{Digest as _, Sha256};
use tempid_protocol::api::ScanReportAck;

use crate::issuer::{IssuerClient, IssuerError};
use crate::journal::{JournalError, StateDir};

/// How often and how patiently a batch is re-sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per batch in one run (at least one).
    pub attempts: u32,
    /// The wait after the first failure; it doubles after each further failure.
    pub initial_backoff: Duration,
    /// The longest wait between attempts.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 5 attempts, waiting about 0.5, 1, 2 and 4 s in between.
    fn default() -> Self {
        Self {
            attempts: 5,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (after `attempt` failures, counted from 1):
    /// exponential, capped, minus up to a quarter of jitter derived from the batch id, so
    /// that gates which lost the issuer together do not come back in lockstep.
    pub fn backoff(&self, batch_id: &str, attempt: u32) -> Duration {
        let doubling = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let base = self
            .initial_backoff
            .saturating_mul(doubling)
            .min(self.max_backoff);
        let digest = Sha256::digest(format!("{batch_id}/{attempt}"));
        let fraction = f64::from(digest[0]) / 255.0 * 0.25;
        base.mul_f64(1.0 - fraction)
    }
}

/// What an upload run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadSummary {
    /// Batches sealed from the journal in this run.
    pub sealed: usize,
    /// Batches the issuer acknowledged (and that were deleted locally).
    pub acknowledged: Vec<ScanReportAck>,
    /// Failed attempts that were retried.
    pub retries: u32,
}

/// Why an upload run stopped before every batch was acknowledged. Unsent batches stay pending
/// with their ids for the next run.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The state directory failed.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The issuer did not acknowledge a batch.
    #[error(
        "batch {batch_id} not acknowledged after {attempts} attempt(s) ({pending} batch(es) still pending): {source}"
    )]
    Issuer {
        /// The batch that failed.
        batch_id: String,
        /// Attempts made for it.
        attempts: u32,
        /// Batches left pending, this one included.
        pending: usize,
        /// What the whole run achieved before stopping (boxed: keeps the error small).
        summary: Box<UploadSummary>,
        /// The last failure.
        source: IssuerError,
    },
}

/// Seals the journal and uploads every pending batch of `state`, oldest first, as `gate_id`.
pub fn upload_pending(
    client: &IssuerClient,
    state: &StateDir,
    gate_id: &str,
    retry: &RetryPolicy,
) -> Result<UploadSummary, UploadError> {
    upload_with_sleep(client, state, gate_id, retry, std::thread::sleep)
}

fn upload_with_sleep(
    client: &IssuerClient,
    state: &StateDir,
    gate_id: &str,
    retry: &RetryPolicy,
    sleep: impl Fn(Duration),
) -> Result<UploadSummary, UploadError> {
    let mut summary = UploadSummary {
        sealed: state.seal(gate_id)?.len(),
        ..UploadSummary::default()
    };
    let pending = state.pending()?;
    let total = pending.len();
    for (index, batch) in pending.into_iter().enumerate() {
        let mut attempt = 0;
        let ack = loop {
            attempt += 1;
            match client.report_scans(&batch) {
                Ok(ack) => break ack,
                Err(error) if error.is_transient() && attempt < retry.attempts.max(1) => {
                    summary.retries += 1;
                    sleep(retry.backoff(&batch.batch_id, attempt));
                }
                Err(source) => {
                    return Err(UploadError::Issuer {
                        batch_id: batch.batch_id,
                        attempts: attempt,
                        pending: total - index,
                        summary: Box::new(summary),
                        source,
                    });
                }
            }
        };
        state.acknowledge(&ack.batch_id)?;
        summary.acknowledged.push(ack);
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use tempid_protocol::CheckpointKind;
    use tempid_protocol::api::ScanCount;

    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let retry = RetryPolicy {
            attempts: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
        };
        for (attempt, base) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1000),
            (40, 1000),
        ] {
            let wait = retry.backoff("batch", attempt);
            let base = Duration::from_millis(base);
            assert!(
                wait <= base && wait >= base.mul_f64(0.75),
                "attempt {attempt}: {wait:?}"
            );
            assert_eq!(
                wait,
                retry.backoff("batch", attempt),
                "deterministic per batch"
            );
        }
    }

    #[test]
    fn an_unreachable_issuer_keeps_the_batch_pending_with_its_id() {
        let dir = tempfile::tempdir().expect("dir");
        let state = StateDir::open(dir.path()).expect("state");
        state
            .append(&[ScanCount {
                checkpoint: CheckpointKind::EntryGate,
                accepted: 4,
                rejected: 1,
            }])
            .expect("append");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let client = IssuerClient::new(&format!("http://127.0.0.1:{port}")).expect("client");
        let retry = RetryPolicy {
            attempts: 3,
            ..RetryPolicy::default()
        };
        let waits = RefCell::new(Vec::new());
        let err = upload_with_sleep(&client, &state, "gate-1", &retry, |d| {
            waits.borrow_mut().push(d)
        })
        .expect_err("no issuer");
        let (batch_id, attempts, pending, summary) = match err {
            UploadError::Issuer {
                batch_id,
                attempts,
                pending,
                summary,
                ..
            } => (batch_id, attempts, pending, summary),
            other => panic!("expected an issuer error, got {other:?}"),
        };
        assert_eq!(
            (attempts, pending, summary.sealed, summary.retries),
            (3, 1, 1, 2)
        );
        assert_eq!(
            waits.borrow().len(),
            2,
            "slept between attempts, not after the last"
        );
        assert!(waits.borrow()[1] > waits.borrow()[0]);
        // The next run re-sends the same batch id.
        let still = state.pending().expect("pending");
        assert_eq!(still.len(), 1);
        assert_eq!(still[0].batch_id, batch_id);
        assert_eq!(still[0].gate_id, "gate-1");
    }
}
