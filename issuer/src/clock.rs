//! The issuer's notion of time: an injectable [`Clock`] (tests and the journey suite drive a
//! virtual clock) and the China Standard Time calendar the monthly quota is counted in.

use std::sync::{Arc, Mutex};

use tempid_protocol::api::CHINA_STANDARD_TIME_OFFSET_SECONDS;
use time::{Date, Duration, Month, OffsetDateTime, UtcOffset};

/// Where the issuer reads the time. Every rule that depends on time (expiry, the re-apply
/// window, challenge expiry, quota months, sessions, rate-limit windows) reads it here.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> OffsetDateTime;
}

/// Any `Fn() -> OffsetDateTime` is a clock, so a test can share its own virtual clock.
impl<F> Clock for F
where
    F: Fn() -> OffsetDateTime + Send + Sync + 'static,
{
    fn now(&self) -> OffsetDateTime {
        self()
    }
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that only moves when told to: for tests. Clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<OffsetDateTime>>);

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: OffsetDateTime) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    /// Moves the clock to `instant`.
    pub fn set(&self, instant: OffsetDateTime) {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard = instant;
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// China Standard Time (UTC+8), in which quota months and ID-number birth dates are reckoned.
pub fn china_standard_time() -> UtcOffset {
    UtcOffset::from_whole_seconds(CHINA_STANDARD_TIME_OFFSET_SECONDS).unwrap_or(UtcOffset::UTC)
}

/// The calendar date in China Standard Time.
pub fn cst_date(instant: OffsetDateTime) -> Date {
    instant.to_offset(china_standard_time()).date()
}

/// The quota month of an instant, `YYYY-MM` in China Standard Time.
pub fn quota_month(instant: OffsetDateTime) -> String {
    let date = cst_date(instant);
    format!("{:04}-{:02}", date.year(), u8::from(date.month()))
}

/// The first day of the next quota month, `YYYY-MM-DD` (China Standard Time).
pub fn quota_resets_on(instant: OffsetDateTime) -> String {
    let date = cst_date(instant);
    let (year, month) = match date.month() {
        Month::December => (date.year() + 1, Month::January),
        other => (date.year(), other.next()),
    };
    format!("{year:04}-{:02}-01", u8::from(month))
}

/// Unix seconds.
pub fn unix(instant: OffsetDateTime) -> i64 {
    instant.unix_timestamp()
}

/// Unix milliseconds (for the server-time header).
pub fn unix_millis(instant: OffsetDateTime) -> i64 {
    i64::try_from(instant.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn months_are_counted_in_china_standard_time() {
        // 2026-11-30 23:59:59 CST is 15:59:59 UTC.
        let last = datetime!(2026-11-30 23:59:59 +8);
        assert_eq!(quota_month(last), "2026-11");
        assert_eq!(quota_resets_on(last), "2026-12-01");
        let first = datetime!(2026-12-01 00:00:00 +8);
        assert_eq!(quota_month(first), "2026-12");
        assert_eq!(quota_month(datetime!(2026-11-30 16:00:00 UTC)), "2026-12");
        assert_eq!(
            quota_resets_on(datetime!(2026-12-31 23:59:59 +8)),
            "2027-01-01"
        );
        assert_eq!(quota_month(datetime!(2027-01-01 00:00:00 +8)), "2027-01");
    }

    #[test]
    fn manual_clock_is_shared_between_clones() {
        let clock = ManualClock::new(datetime!(2026-01-01 00:00 UTC));
        let other = clock.clone();
        other.advance(Duration::hours(25));
        assert_eq!(clock.now(), datetime!(2026-01-02 01:00 UTC));
    }
}
