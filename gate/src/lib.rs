//! `tempid-gate`: the offline verifier that ticket windows, real-name check points, entry and
//! exit gates and conductors' handhelds run.
//!
//! A [`Gate`] holds what a verdict needs without a network: the issuer's trust list and the
//! revocation list (loaded from files by [`lists`], refreshed by [`sync`]), the [`Policy`], the
//! checkpoint kind, the [`ReplayGuard`] (a certificate's frames only move forward in time), a
//! [`CertificateCache`] of issuer-signature results (a repeat scan checks only the device
//! signature), and scan counters per checkpoint kind, which [`journal`] keeps on disk and
//! [`upload`] reports to the issuer exactly once per batch.
//!
//! Input is the QR text a scanner delivers, or a camera image ([`camera`]: PNG/JPEG → luma →
//! QR decoder → text). [`display`] renders the verdict a gate shows.
//!
//! [`Policy`]: tempid_protocol::Policy

pub mod cache;
pub mod camera;
pub mod display;
pub mod gate;
pub mod issuer;
pub mod journal;
pub mod lists;
pub mod replay;
pub mod sync;
pub mod upload;

pub use cache::{CacheStats, CertificateCache};
pub use camera::{CameraError, DecodeOptions, decode_qr_texts, scan_luma};
pub use gate::{Gate, GateConfig, Scan};
pub use issuer::{IssuerClient, IssuerError};
pub use journal::{JournalError, ScanCounters, StateDir};
pub use lists::{ListError, load_revocations, load_trust_list, write_atomically};
pub use replay::{Admission, ReplayGuard};
pub use sync::{SyncError, SyncOutcome, sync_lists};
pub use upload::{RetryPolicy, UploadError, UploadSummary, upload_pending};

/// The version this gate reports to the issuer in `x-tempid-app-version`.
pub const GATE_VERSION: &str = env!("CARGO_PKG_VERSION");
