//! The demo's virtual clock: one time for the in-process issuer and the passenger's core, moved
//! only by the demo, so 30 minutes and 24 hours pass in milliseconds. It implements the core's
//! [`Clock`] (wall, monotonic, sleep) and serves the issuer as a plain
//! `Fn() -> OffsetDateTime`. The core's own `TestClock` sits behind its `test-support` feature,
//! which a shipped binary should not enable; this is the same idea, owned by the shell.

use std::sync::Arc;

use tempid_core::{Clock, SleepFuture};
use time::OffsetDateTime;
use tokio::sync::watch;

/// A clock that moves only when told to. Clones share the same time.
#[derive(Clone, Debug)]
pub struct VirtualClock {
    /// Milliseconds since the start; every sleeper watches it.
    elapsed_ms: Arc<watch::Sender<u64>>,
    /// The wall time at the start, Unix milliseconds.
    start_ms: i64,
}

impl VirtualClock {
    /// A clock standing at `start`.
    pub fn new(start: OffsetDateTime) -> Self {
        let start_ms = i64::try_from(start.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
        let (sender, _) = watch::channel(0);
        Self {
            elapsed_ms: Arc::new(sender),
            start_ms,
        }
    }

    /// Lets `by` pass; every sleeper whose deadline is reached wakes.
    pub fn advance(&self, by: std::time::Duration) {
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.elapsed_ms
            .send_modify(|elapsed| *elapsed = elapsed.saturating_add(by));
    }

    /// The time now, Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        let elapsed = i64::try_from(*self.elapsed_ms.borrow()).unwrap_or(i64::MAX);
        self.start_ms.saturating_add(elapsed)
    }

    /// The time now, Unix seconds.
    pub fn now_seconds(&self) -> i64 {
        self.now_ms().div_euclid(1_000)
    }

    /// The time now.
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.now_ms()) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// Milliseconds since the start.
    pub fn elapsed_ms(&self) -> u64 {
        *self.elapsed_ms.borrow()
    }
}

impl Clock for VirtualClock {
    fn wall_ms(&self) -> i64 {
        self.now_ms()
    }

    fn monotonic_ms(&self) -> u64 {
        self.elapsed_ms()
    }

    fn sleep_until(&self, deadline_ms: u64) -> SleepFuture {
        let mut receiver = self.elapsed_ms.subscribe();
        Box::pin(async move {
            // Checks the current value first, then every change; a dropped clock ends the wait.
            let _ = receiver.wait_for(|elapsed| *elapsed >= deadline_ms).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use time::macros::datetime;

    #[tokio::test]
    async fn sleepers_wake_when_time_is_advanced() {
        let clock = VirtualClock::new(datetime!(2026-11-25 08:00:20 +8));
        let start = clock.now_seconds();
        let sleeper = tokio::spawn(clock.sleep_until(60_000));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(Duration::from_secs(60));
        tokio::time::timeout(Duration::from_secs(5), sleeper)
            .await
            .expect("woke")
            .expect("joined");
        assert_eq!(clock.now_seconds() - start, 60);
        assert_eq!(clock.monotonic_ms(), 60_000);
        assert_eq!(clock.now(), datetime!(2026-11-25 08:01:20 +8));
    }
}
