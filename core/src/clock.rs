//! Time as an input. The core reads the phone's wall clock (which may be wrong and may jump) and
//! a monotonic clock (which keeps counting while the phone sleeps and never jumps) only through
//! [`Clock`], and sleeps only through it, so tests run 24 hours and 30-minute timers in
//! milliseconds with [`TestClock`].

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A future that completes when a clock reaches a deadline.
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Where the core reads the time.
pub trait Clock: Send + Sync {
    /// The phone's wall clock, Unix milliseconds. May be wrong by minutes and may jump when the
    /// person changes it; the core corrects it with the issuer's clock.
    fn wall_ms(&self) -> i64;
    /// Milliseconds on a clock that never goes back, never jumps and keeps counting while the
    /// app is in the background or the phone sleeps. Its origin is arbitrary.
    fn monotonic_ms(&self) -> u64;
    /// Completes once [`Clock::monotonic_ms`] has reached `deadline_ms` (at once if it has).
    fn sleep_until(&self, deadline_ms: u64) -> SleepFuture;
}

/// The operating system's clocks: the wall clock, and a monotonic clock that counts suspend time
/// (`CLOCK_BOOTTIME` on Linux and Android, `CLOCK_MONOTONIC` on Apple platforms, the
/// performance counter elsewhere).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn wall_ms(&self) -> i64 {
        let now = std::time::SystemTime::now();
        match now.duration_since(std::time::UNIX_EPOCH) {
            Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
        }
    }

    fn monotonic_ms(&self) -> u64 {
        system_monotonic_ms()
    }

    fn sleep_until(&self, deadline_ms: u64) -> SleepFuture {
        Box::pin(async move {
            // Sleep in short steps and re-read the clock: tokio's timer does not count the time
            // the phone spends suspended, the monotonic clock does.
            loop {
                let now = system_monotonic_ms();
                if now >= deadline_ms {
                    return;
                }
                let step = (deadline_ms - now).min(1_000);
                tokio::time::sleep(Duration::from_millis(step)).await;
            }
        })
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn system_monotonic_ms() -> u64 {
    timespec_ms(rustix::time::clock_gettime(rustix::time::ClockId::Boottime))
}

#[cfg(any(target_os = "ios", target_os = "macos"))]
fn system_monotonic_ms() -> u64 {
    // Darwin's CLOCK_MONOTONIC keeps counting while the system sleeps.
    timespec_ms(rustix::time::clock_gettime(
        rustix::time::ClockId::Monotonic,
    ))
}

#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "ios",
    target_os = "macos"
))]
fn timespec_ms(ts: rustix::time::Timespec) -> u64 {
    let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
    let nanos = u64::try_from(ts.tv_nsec).unwrap_or(0);
    secs.saturating_mul(1_000).saturating_add(nanos / 1_000_000)
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "ios",
    target_os = "macos"
)))]
fn system_monotonic_ms() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    let origin = *ORIGIN.get_or_init(Instant::now);
    u64::try_from(origin.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(any(test, feature = "test-support"))]
pub use test_clock::TestClock;

#[cfg(any(test, feature = "test-support"))]
mod test_clock {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::time::Duration;

    use tokio::sync::watch;

    use super::{Clock, SleepFuture};

    /// A virtual clock for tests: time moves only when the test says so, and every sleeper whose
    /// deadline has been reached wakes at once. Views made with [`TestClock::with_wall_offset`]
    /// share the time but have their own wall clock error, so a phone can run fast against the
    /// issuer, and [`TestClock::jump_wall`] moves one view's wall clock without moving time.
    #[derive(Clone, Debug)]
    pub struct TestClock {
        /// Virtual monotonic milliseconds since the clock was made; shared by all views.
        monotonic: Arc<watch::Sender<u64>>,
        /// The wall clock at monotonic 0; shared by all views.
        start_wall_ms: i64,
        /// This view's wall clock error, milliseconds.
        wall_offset_ms: Arc<AtomicI64>,
    }

    impl TestClock {
        /// A clock whose wall time starts at `start_wall_ms` (Unix milliseconds).
        pub fn new(start_wall_ms: i64) -> Self {
            let (sender, _) = watch::channel(0u64);
            Self {
                monotonic: Arc::new(sender),
                start_wall_ms,
                wall_offset_ms: Arc::new(AtomicI64::new(0)),
            }
        }

        /// A view of the same time whose wall clock is `offset_ms` ahead (negative: behind).
        pub fn with_wall_offset(&self, offset_ms: i64) -> Self {
            Self {
                monotonic: Arc::clone(&self.monotonic),
                start_wall_ms: self.start_wall_ms,
                wall_offset_ms: Arc::new(AtomicI64::new(offset_ms)),
            }
        }

        /// Lets time pass: monotonic and every view's wall clock move by `by`; due sleepers wake.
        pub fn advance(&self, by: Duration) {
            let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
            self.monotonic
                .send_modify(|now| *now = now.saturating_add(by));
        }

        /// Changes this view's wall clock by `delta_ms` (a person setting the phone's clock);
        /// monotonic time does not move.
        pub fn jump_wall(&self, delta_ms: i64) {
            self.wall_offset_ms.fetch_add(delta_ms, Ordering::SeqCst);
        }

        /// The true time (the wall clock with no error), Unix milliseconds.
        pub fn true_wall_ms(&self) -> i64 {
            self.start_wall_ms
                .saturating_add(i64::try_from(*self.monotonic.borrow()).unwrap_or(i64::MAX))
        }
    }

    impl Clock for TestClock {
        fn wall_ms(&self) -> i64 {
            self.true_wall_ms()
                .saturating_add(self.wall_offset_ms.load(Ordering::SeqCst))
        }

        fn monotonic_ms(&self) -> u64 {
            *self.monotonic.borrow()
        }

        fn sleep_until(&self, deadline_ms: u64) -> SleepFuture {
            let mut receiver = self.monotonic.subscribe();
            Box::pin(async move {
                // `wait_for` checks the current value first, then every change.
                let _ = receiver.wait_for(|now| *now >= deadline_ms).await;
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_monotonic_never_goes_back() {
        let clock = SystemClock;
        let a = clock.monotonic_ms();
        let b = clock.monotonic_ms();
        assert!(b >= a);
        assert!(clock.wall_ms() > 1_700_000_000_000);
    }

    #[tokio::test]
    async fn test_clock_wakes_sleepers_when_advanced() {
        let clock = TestClock::new(1_000_000);
        let sleeper = tokio::spawn(clock.sleep_until(60_000));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(Duration::from_secs(59));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(Duration::from_secs(1));
        tokio::time::timeout(Duration::from_secs(5), sleeper)
            .await
            .expect("woke")
            .expect("joined");
    }

    #[test]
    fn wall_offsets_and_jumps_are_per_view() {
        let issuer = TestClock::new(1_000_000);
        let phone = issuer.with_wall_offset(600_000);
        assert_eq!(phone.wall_ms() - issuer.wall_ms(), 600_000);
        phone.jump_wall(-3_600_000);
        assert_eq!(issuer.wall_ms(), 1_000_000);
        assert_eq!(phone.monotonic_ms(), 0);
        issuer.advance(Duration::from_secs(10));
        assert_eq!(phone.monotonic_ms(), 10_000);
        assert_eq!(phone.wall_ms(), 1_000_000 + 10_000 + 600_000 - 3_600_000);
    }
}
