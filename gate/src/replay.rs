//! The replay guard: per certificate (`cti`), the gate accepts frames only forward in time.
//!
//! - A frame whose slot is **older** than the newest slot already accepted for its certificate
//!   is `replayed`: the owner has since shown a newer frame, so this one is a copy (a
//!   screenshot handed on after the owner passed).
//! - A frame of a **newer** slot is accepted and becomes the newest.
//! - The **same** slot again is accepted as a [`Admission::Repeat`]: a scanner that reads the
//!   code twice while the passenger holds the phone still (a double scan), or a window clerk
//!   scanning again, must not turn a legitimate passenger away with "code already used". A
//!   repeat is not a second passage: the gate does not count it in its statistics, and a
//!   turnstile should not release a second passage for it (the verdict says `repeat`). A copy of
//!   the current frame is therefore good for at most the rest of its slot plus the slot
//!   tolerance, which is exactly the screenshot window the `stale_frame` check already allows.
//!
//! Memory is bounded twice: an entry is forgotten once it can no longer matter (every frame
//! it would refuse is `stale_frame` by then, or the certificate has expired), and the guard
//! holds at most `capacity` certificates, dropping the least recently seen first.

use std::num::NonZeroUsize;

use lru::LruCache;
use serde::{Deserialize, Serialize};
use tempid_protocol::{CertificateId, RejectReason, SLOT_SECONDS, slot_of};

/// How a frame that passed every other check relates to what the gate has already accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Admission {
    /// The first frame of this certificate the gate sees (or remembers).
    First,
    /// A newer slot than the newest accepted so far.
    Newer,
    /// The same slot as the newest accepted: a double scan, not a new passage.
    Repeat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Seen {
    newest_slot: u64,
    /// Gate time (Unix seconds) from which the entry can no longer refuse anything.
    forget_at: i64,
}

/// The newest accepted slot per certificate, bounded in time and in size.
pub struct ReplayGuard {
    entries: LruCache<CertificateId, Seen>,
    swept_slot: i64,
}

/// One remembered certificate, in the guard's saved form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SavedEntry {
    cti: CertificateId,
    newest_slot: u64,
    forget_at: i64,
}

impl ReplayGuard {
    /// A guard remembering up to `capacity` certificates (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            entries: LruCache::new(capacity),
            swept_slot: i64::MIN,
        }
    }

    /// Judges a frame of certificate `cti` for `slot` at gate time `now`, without recording it.
    pub fn check(
        &self,
        cti: CertificateId,
        slot: u64,
        now: i64,
    ) -> Result<Admission, RejectReason> {
        match self.entries.peek(&cti) {
            Some(seen) if now < seen.forget_at => {
                if slot < seen.newest_slot {
                    Err(RejectReason::Replayed)
                } else if slot == seen.newest_slot {
                    Ok(Admission::Repeat)
                } else {
                    Ok(Admission::Newer)
                }
            }
            _ => Ok(Admission::First),
        }
    }

    /// Judges and, when admitted, records the frame. `expires_at` is the certificate's expiry
    /// and `slot_tolerance` the gate policy's, which together say when the entry may be
    /// forgotten.
    pub fn admit(
        &mut self,
        cti: CertificateId,
        slot: u64,
        now: i64,
        expires_at: i64,
        slot_tolerance: u32,
    ) -> Result<Admission, RejectReason> {
        self.forget_expired(now);
        let admission = self.check(cti, slot, now)?;
        if admission == Admission::Repeat {
            // Refresh its place in the LRU order; nothing else changes.
            let _ = self.entries.get(&cti);
            return Ok(admission);
        }
        // Once the gate's slot is beyond `slot + tolerance`, every frame this entry would
        // refuse is already `stale_frame`; after `exp` every frame is `expired`.
        let stale_from = i64::try_from(slot)
            .unwrap_or(i64::MAX)
            .saturating_add(i64::from(slot_tolerance))
            .saturating_add(1)
            .saturating_mul(SLOT_SECONDS);
        let forget_at = stale_from.min(expires_at);
        self.entries.put(
            cti,
            Seen {
                newest_slot: slot,
                forget_at,
            },
        );
        Ok(admission)
    }

    /// Drops entries that can no longer refuse anything. Cheap to call on every scan: the work
    /// is done at most once per slot of gate time.
    pub fn forget_expired(&mut self, now: i64) {
        let slot = slot_of(now);
        if slot == self.swept_slot {
            return;
        }
        self.swept_slot = slot;
        let expired: Vec<CertificateId> = self
            .entries
            .iter()
            .filter(|(_, seen)| now >= seen.forget_at)
            .map(|(cti, _)| *cti)
            .collect();
        for cti in expired {
            self.entries.pop(&cti);
        }
    }

    /// How many certificates the guard remembers.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the guard remembers nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The guard as JSON, for a gate that keeps it across restarts (the CLI's `--state-dir`).
    /// Entries still useful at `now` only, least recently seen first.
    pub fn to_json(&self, now: i64) -> String {
        let saved: Vec<SavedEntry> = self
            .entries
            .iter()
            .rev()
            .filter(|(_, seen)| now < seen.forget_at)
            .map(|(cti, seen)| SavedEntry {
                cti: *cti,
                newest_slot: seen.newest_slot,
                forget_at: seen.forget_at,
            })
            .collect();
        serde_json::to_string(&saved).unwrap_or_else(|_| "[]".to_string())
    }

    /// Restores a guard saved by [`ReplayGuard::to_json`].
    pub fn from_json(json: &str, capacity: usize) -> Result<Self, serde_json::Error> {
        let saved: Vec<SavedEntry> = serde_json::from_str(json)?;
        let mut guard = Self::new(capacity);
        for entry in saved {
            guard.entries.put(
                entry.cti,
                Seen {
                    newest_slot: entry.newest_slot,
                    forget_at: entry.forget_at,
                },
            );
        }
        Ok(guard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTI: CertificateId = CertificateId(*b"replay01");
    const EXP: i64 = 10_000_000;

    #[test]
    fn frames_move_only_forward() {
        let mut guard = ReplayGuard::new(16);
        let now = 600; // slot 10
        assert_eq!(guard.admit(CTI, 10, now, EXP, 1), Ok(Admission::First));
        assert_eq!(guard.admit(CTI, 10, now, EXP, 1), Ok(Admission::Repeat));
        assert_eq!(
            guard.admit(CTI, 9, now, EXP, 1),
            Err(RejectReason::Replayed)
        );
        assert_eq!(guard.admit(CTI, 11, now + 30, EXP, 1), Ok(Admission::Newer));
        assert_eq!(
            guard.admit(CTI, 10, now + 30, EXP, 1),
            Err(RejectReason::Replayed)
        );
        // Another certificate is independent.
        assert_eq!(
            guard.admit(CertificateId([0; 8]), 9, now, EXP, 1),
            Ok(Admission::First)
        );
    }

    #[test]
    fn check_does_not_record() {
        let mut guard = ReplayGuard::new(4);
        assert_eq!(guard.check(CTI, 10, 600), Ok(Admission::First));
        assert!(guard.is_empty());
        guard.admit(CTI, 10, 600, EXP, 1).expect("first");
        assert_eq!(guard.check(CTI, 9, 600), Err(RejectReason::Replayed));
        assert_eq!(guard.len(), 1);
    }

    #[test]
    fn entries_are_forgotten_once_they_cannot_matter() {
        let mut guard = ReplayGuard::new(16);
        guard.admit(CTI, 10, 600, EXP, 1).expect("first");
        // Gate slot 11: slot 10 frames are still within tolerance, the entry stays.
        assert_eq!(
            guard.admit(CertificateId([1; 8]), 11, 660, EXP, 1),
            Ok(Admission::First)
        );
        assert_eq!(guard.len(), 2);
        // Gate slot 12: anything at or below slot 10 is stale now; the entry is swept.
        assert_eq!(
            guard.admit(CertificateId([2; 8]), 12, 720, EXP, 1),
            Ok(Admission::First)
        );
        assert_eq!(guard.len(), 2);
        assert_eq!(guard.check(CTI, 9, 720), Ok(Admission::First));
    }

    #[test]
    fn the_certificate_expiry_bounds_an_entry() {
        let mut guard = ReplayGuard::new(16);
        guard.admit(CTI, 10, 600, 610, 1).expect("first");
        assert_eq!(guard.check(CTI, 9, 605), Err(RejectReason::Replayed));
        assert_eq!(guard.check(CTI, 9, 610), Ok(Admission::First));
    }

    #[test]
    fn capacity_drops_the_least_recently_seen() {
        let mut guard = ReplayGuard::new(2);
        let (a, b, c) = (
            CertificateId([1; 8]),
            CertificateId([2; 8]),
            CertificateId([3; 8]),
        );
        guard.admit(a, 10, 600, EXP, 1).expect("a");
        guard.admit(b, 10, 600, EXP, 1).expect("b");
        // A repeat of `a` makes `b` the least recently seen.
        assert_eq!(guard.admit(a, 10, 600, EXP, 1), Ok(Admission::Repeat));
        guard.admit(c, 10, 600, EXP, 1).expect("c");
        assert_eq!(guard.len(), 2);
        assert_eq!(guard.check(a, 9, 600), Err(RejectReason::Replayed));
        assert_eq!(guard.check(b, 9, 600), Ok(Admission::First));
    }

    #[test]
    fn saved_guards_restore_their_entries_and_order() {
        let mut guard = ReplayGuard::new(2);
        let (a, b) = (CertificateId([1; 8]), CertificateId([2; 8]));
        guard.admit(a, 10, 600, EXP, 1).expect("a");
        guard.admit(b, 11, 600, EXP, 1).expect("b");
        let json = guard.to_json(600);
        let mut back = ReplayGuard::from_json(&json, 2).expect("restore");
        assert_eq!(back.check(a, 9, 600), Err(RejectReason::Replayed));
        assert_eq!(back.check(b, 10, 600), Err(RejectReason::Replayed));
        // `a` is still the least recently seen: a third certificate evicts it.
        back.admit(CertificateId([3; 8]), 10, 600, EXP, 1)
            .expect("c");
        assert_eq!(back.check(a, 9, 600), Ok(Admission::First));
        assert_eq!(back.check(b, 10, 600), Err(RejectReason::Replayed));
        // Entries past their use are not saved.
        assert_eq!(guard.to_json(10_000), "[]");
        assert!(ReplayGuard::from_json("{", 2).is_err());
    }
}
