//! The [`Gate`]: everything a verdict needs, offline. A scan runs the protocol's checks in
//! their fixed order (structure, issuer key and signature — from the cache on a repeat —,
//! revocation and validity, device signature and slot) and then the replay guard, and counts
//! the verdict for the gate's checkpoint kind.

use tempid_protocol::verify::{accepted, check_certificate_status, check_frame};
use tempid_protocol::{
    CheckpointKind, Frame, Policy, RejectReason, RevocationList, TrustList, Verdict,
};

use crate::cache::{CacheStats, CertificateCache, IssuerCheck};
use crate::camera::{self, CameraError, DecodeOptions};
use crate::journal::ScanCounters;
use crate::replay::{Admission, ReplayGuard};

/// How a gate is set up.
#[derive(Debug, Clone)]
pub struct GateConfig {
    /// Slot tolerance, clock leeway and revocations.
    pub policy: Policy,
    /// Where the gate stands.
    pub checkpoint: CheckpointKind,
    /// Certificates whose issuer-signature result is remembered.
    pub cache_capacity: usize,
    /// Certificates the replay guard remembers at most. Entries leave on their own after a
    /// few minutes, so this only needs to exceed the certificates seen within
    /// `(slot_tolerance + 2)` minutes.
    pub replay_capacity: usize,
    /// How hard the QR decoder looks in camera images.
    pub decode: DecodeOptions,
}

impl GateConfig {
    /// The default set-up for a checkpoint kind: default policy, 65 536 cached certificates,
    /// 65 536 replay entries.
    pub fn new(checkpoint: CheckpointKind) -> Self {
        Self {
            policy: Policy::default(),
            checkpoint,
            cache_capacity: 1 << 16,
            replay_capacity: 1 << 16,
            decode: DecodeOptions::default(),
        }
    }
}

/// The result of one scan: the verdict and what the gate needs to act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// The verdict (accepted with the holder's details, or the refusal reason).
    pub verdict: Verdict,
    /// The checkpoint kind the verdict was given at.
    pub checkpoint: CheckpointKind,
    /// For an accepted frame, how it relates to earlier accepted frames of its certificate.
    /// [`Admission::Repeat`] is a double scan of the same frame: not a new passage, not
    /// counted again.
    pub admission: Option<Admission>,
    /// Whether the issuer step came from the certificate cache.
    pub cache_hit: bool,
}

impl Scan {
    /// Whether this scan is a repeat read of a frame the gate already accepted.
    pub fn is_repeat(&self) -> bool {
        self.admission == Some(Admission::Repeat)
    }
}

/// An offline verifier at one checkpoint.
pub struct Gate {
    trust_list: TrustList,
    policy: Policy,
    checkpoint: CheckpointKind,
    replay: ReplayGuard,
    cache: CertificateCache,
    counters: ScanCounters,
    decode: DecodeOptions,
}

impl Gate {
    /// A gate trusting `trust_list`, set up by `config`.
    pub fn new(trust_list: TrustList, config: GateConfig) -> Self {
        Self {
            trust_list,
            replay: ReplayGuard::new(config.replay_capacity),
            cache: CertificateCache::new(config.cache_capacity),
            policy: config.policy,
            checkpoint: config.checkpoint,
            counters: ScanCounters::default(),
            decode: config.decode,
        }
    }

    /// Verifies the text a scanner read, at gate time `now` (Unix seconds).
    pub fn scan_text(&mut self, text: &str, now: i64) -> Scan {
        match Frame::from_text(text.trim_end_matches(['\r', '\n'])) {
            Ok(frame) => self.scan_frame(&frame, now),
            Err(_) => self.finish(RejectReason::Malformed.into(), None, false),
        }
    }

    /// Verifies a camera image (PNG or JPEG bytes) at gate time `now`. An image without a
    /// readable QR code is an error, not a verdict: the passenger did not show anything yet.
    pub fn scan_image(&mut self, image: &[u8], now: i64) -> Result<Scan, CameraError> {
        let texts = camera::decode_qr_texts(image, &self.decode)?;
        Ok(self.scan_text(&camera::pick_frame_text(&texts), now))
    }

    /// Verifies what a camera sees (its luma plane) at gate time `now`.
    pub fn scan_luma(&mut self, image: &image::GrayImage, now: i64) -> Result<Scan, CameraError> {
        let texts = camera::scan_luma(image, &self.decode)?;
        Ok(self.scan_text(&camera::pick_frame_text(&texts), now))
    }

    /// Verifies a decoded frame at gate time `now`.
    pub fn scan_frame(&mut self, frame: &Frame, now: i64) -> Scan {
        self.replay.forget_expired(now);
        let certificate = frame.certificate();
        let (issuer, cache_hit) = self.cache.issuer_check(certificate, &self.trust_list);
        let key = match issuer {
            IssuerCheck::Trusted(kid) => match self.trust_list.find(kid) {
                Some(key) => key,
                // The cache is emptied whenever the trust list changes, so this cannot
                // happen; refuse rather than trust a stale entry.
                None => return self.finish(RejectReason::UnknownKey.into(), None, cache_hit),
            },
            IssuerCheck::Refused(reason) => return self.finish(reason.into(), None, cache_hit),
        };
        let checked = check_certificate_status(certificate, key, now, &self.policy)
            .and_then(|()| check_frame(frame, now, &self.policy));
        if let Err(reason) = checked {
            return self.finish(reason.into(), None, cache_hit);
        }
        let claims = certificate.claims();
        match self.replay.admit(
            claims.cti,
            frame.slot(),
            now,
            claims.expires_at,
            self.policy.slot_tolerance,
        ) {
            Ok(admission) => self.finish(
                Verdict::Accepted(accepted(frame)),
                Some(admission),
                cache_hit,
            ),
            Err(reason) => self.finish(reason.into(), None, cache_hit),
        }
    }

    fn finish(&mut self, verdict: Verdict, admission: Option<Admission>, cache_hit: bool) -> Scan {
        if admission != Some(Admission::Repeat) {
            self.counters.record(self.checkpoint, verdict.is_accepted());
        }
        Scan {
            verdict,
            checkpoint: self.checkpoint,
            admission,
            cache_hit,
        }
    }

    /// Replaces the trust list (after a sync). Cached issuer results belonged to the old list
    /// and are dropped.
    pub fn set_trust_list(&mut self, trust_list: TrustList) {
        self.trust_list = trust_list;
        self.cache.clear();
    }

    /// Replaces the revocation list (after a sync). Revocation is checked on every scan, so
    /// nothing cached needs to change.
    pub fn set_revocations(&mut self, revocations: RevocationList) {
        self.policy.revocations = revocations;
    }

    /// Moves the gate to another checkpoint kind (a handheld used at a window, then on a train).
    pub fn set_checkpoint(&mut self, checkpoint: CheckpointKind) {
        self.checkpoint = checkpoint;
    }

    /// The checkpoint kind.
    pub fn checkpoint(&self) -> CheckpointKind {
        self.checkpoint
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The trust list in force.
    pub fn trust_list(&self) -> &TrustList {
        &self.trust_list
    }

    /// The scan counts since they were last taken.
    pub fn counters(&self) -> &ScanCounters {
        &self.counters
    }

    /// Takes the scan counts (to append them to the journal) and starts again from zero.
    pub fn take_counts(&mut self) -> Vec<tempid_protocol::api::ScanCount> {
        self.counters.take()
    }

    /// The certificate cache's hit and miss counts.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// The replay guard (to save it across restarts).
    pub fn replay_guard(&self) -> &ReplayGuard {
        &self.replay
    }

    /// Replaces the replay guard (restored from disk).
    pub fn set_replay_guard(&mut self, guard: ReplayGuard) {
        self.replay = guard;
    }
}
