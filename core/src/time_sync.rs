//! Server-corrected time. Every issuer response carries its clock (`x-tempid-server-time`);
//! taken at the midpoint of the request's round trip it anchors the issuer's time to the
//! monotonic clock, so frames use the issuer's minute even when the phone's clock is wrong by
//! minutes or is changed while the pass is shown. Before the first response (an app reopened
//! offline) the last known wall-clock offset stands in.

/// A reading of the phone's clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reading {
    /// Wall clock, Unix ms.
    pub wall_ms: i64,
    /// Monotonic clock, ms.
    pub monotonic_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Anchor {
    issuer_ms: i64,
    monotonic_ms: u64,
    round_trip_ms: u64,
}

/// How long an anchor is preferred over a new sample with a slower round trip.
const ANCHOR_PREFERRED_MS: u64 = 10 * 60 * 1_000;

/// The app's knowledge of the issuer's clock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TimeSync {
    anchor: Option<Anchor>,
    /// Issuer time minus phone wall time at the last sample (or from the cache).
    wall_offset_ms: i64,
}

impl TimeSync {
    /// Starts from a cached wall-clock offset.
    pub fn with_wall_offset(wall_offset_ms: i64) -> Self {
        Self {
            anchor: None,
            wall_offset_ms,
        }
    }

    /// Learns from a response: `issuer_ms` read from the header, the request sent at `sent` and
    /// its response received at `received`. Returns whether the sample was taken.
    pub fn observe(&mut self, issuer_ms: i64, sent: Reading, received: Reading) -> bool {
        let round_trip_ms = received.monotonic_ms.saturating_sub(sent.monotonic_ms);
        let half = round_trip_ms / 2;
        let midpoint_monotonic = sent.monotonic_ms.saturating_add(half);
        // The wall clock at the midpoint, measured with the monotonic clock so a wall-clock jump
        // during the request does not skew it.
        let midpoint_wall = sent
            .wall_ms
            .saturating_add(i64::try_from(half).unwrap_or(i64::MAX));
        if let Some(anchor) = self.anchor {
            let age = midpoint_monotonic.saturating_sub(anchor.monotonic_ms);
            let slower = round_trip_ms > anchor.round_trip_ms.saturating_mul(2).max(200);
            if slower && age < ANCHOR_PREFERRED_MS {
                return false;
            }
        }
        self.anchor = Some(Anchor {
            issuer_ms,
            monotonic_ms: midpoint_monotonic,
            round_trip_ms,
        });
        self.wall_offset_ms = issuer_ms.saturating_sub(midpoint_wall);
        true
    }

    /// The issuer's time now, Unix ms.
    pub fn issuer_now_ms(&self, now: Reading) -> i64 {
        match self.anchor {
            Some(anchor) => {
                let elapsed = now.monotonic_ms.saturating_sub(anchor.monotonic_ms);
                anchor
                    .issuer_ms
                    .saturating_add(i64::try_from(elapsed).unwrap_or(i64::MAX))
            }
            None => now.wall_ms.saturating_add(self.wall_offset_ms),
        }
    }

    /// Issuer time minus phone wall time, as of `now` (for the cache).
    pub fn wall_offset_ms(&self, now: Reading) -> i64 {
        self.issuer_now_ms(now).saturating_sub(now.wall_ms)
    }

    /// Whether a response has been seen since the app started.
    pub fn is_anchored(&self) -> bool {
        self.anchor.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(wall_ms: i64, monotonic_ms: u64) -> Reading {
        Reading {
            wall_ms,
            monotonic_ms,
        }
    }

    #[test]
    fn midpoint_of_the_round_trip() {
        let mut sync = TimeSync::default();
        // Phone 10 minutes fast; request took 400 ms; the issuer stamped its midpoint.
        let fast = 600_000;
        assert!(sync.observe(
            1_000_200,
            at(1_000_000 + fast, 50_000),
            at(1_000_400 + fast, 50_400)
        ));
        assert_eq!(sync.issuer_now_ms(at(1_000_400 + fast, 50_400)), 1_000_400);
        assert_eq!(sync.wall_offset_ms(at(1_000_400 + fast, 50_400)), -fast);
    }

    #[test]
    fn wall_clock_jumps_do_not_move_issuer_time() {
        let mut sync = TimeSync::default();
        sync.observe(5_000_000, at(5_000_000, 0), at(5_000_000, 0));
        let later = sync.issuer_now_ms(at(5_060_000 + 3_600_000, 60_000));
        assert_eq!(
            later, 5_060_000,
            "an hour's jump of the wall clock changes nothing"
        );
    }

    #[test]
    fn cached_offset_before_the_first_response() {
        let sync = TimeSync::with_wall_offset(-600_000);
        assert!(!sync.is_anchored());
        assert_eq!(sync.issuer_now_ms(at(2_600_000, 7)), 2_000_000);
    }

    #[test]
    fn a_slow_sample_does_not_replace_a_fresh_fast_one() {
        let mut sync = TimeSync::default();
        assert!(sync.observe(1_000_050, at(1_000_000, 0), at(1_000_100, 100)));
        // 5 s round trip a minute later: up to 2.5 s of error, ignored.
        assert!(!sync.observe(1_065_000, at(1_060_000, 60_000), at(1_065_000, 65_000)));
        // Ten minutes on, the old anchor is stale and any sample is taken.
        assert!(sync.observe(1_700_000, at(1_698_000, 698_000), at(1_702_000, 702_000)));
    }
}
