//! Fixed-window rate limits on login and face-check attempts, per client IP and per ID number
//! (or user name). Windows follow the issuer's [`crate::Clock`], so tests can step past them.

use std::collections::HashMap;
use std::sync::Mutex;

/// One limit: at most `max` attempts per `window_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Attempts allowed per window.
    pub max: u32,
    /// The window, in seconds.
    pub window_seconds: i64,
}

impl Limit {
    /// `max` attempts per `window_seconds`.
    pub const fn new(max: u32, window_seconds: i64) -> Self {
        Self {
            max,
            window_seconds,
        }
    }
}

/// The issuer's rate limits; `None` switches one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Log-in and registration attempts per client IP.
    pub login_per_ip: Option<Limit>,
    /// Log-in attempts per user name.
    pub login_per_username: Option<Limit>,
    /// Face checks started per client IP.
    pub face_checks_per_ip: Option<Limit>,
    /// Face checks started per ID number.
    pub face_checks_per_id_number: Option<Limit>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_per_ip: Some(Limit::new(30, 60)),
            login_per_username: Some(Limit::new(10, 600)),
            face_checks_per_ip: Some(Limit::new(300, 60)),
            face_checks_per_id_number: Some(Limit::new(20, 600)),
        }
    }
}

impl RateLimits {
    /// No limits at all (load tests).
    pub fn disabled() -> Self {
        Self {
            login_per_ip: None,
            login_per_username: None,
            face_checks_per_ip: None,
            face_checks_per_id_number: None,
        }
    }
}

/// Counters for one kind of limit.
#[derive(Debug, Default)]
pub struct Limiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl Limiter {
    /// Counts an attempt for `key` at `now`; `Err(seconds)` tells how long to wait when the
    /// limit is reached (the attempt is not counted then).
    pub fn hit(&self, limit: Option<Limit>, key: &str, now: i64) -> Result<(), u64> {
        let Some(limit) = limit else { return Ok(()) };
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now < *start + limit.window_seconds);
        }
        let entry = windows.entry(key.to_string()).or_insert((now, 0));
        if now >= entry.0 + limit.window_seconds || now < entry.0 {
            *entry = (now, 0);
        }
        if entry.1 >= limit.max {
            let wait = entry.0 + limit.window_seconds - now;
            return Err(u64::try_from(wait.max(1)).unwrap_or(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_refill() {
        let limiter = Limiter::default();
        let limit = Some(Limit::new(2, 60));
        assert!(limiter.hit(limit, "a", 100).is_ok());
        assert!(limiter.hit(limit, "a", 101).is_ok());
        assert_eq!(limiter.hit(limit, "a", 110), Err(50));
        assert!(limiter.hit(limit, "b", 110).is_ok());
        assert!(limiter.hit(limit, "a", 160).is_ok());
        assert!(limiter.hit(None, "a", 160).is_ok());
    }
}
