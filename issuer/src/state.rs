//! The state every request shares: store, keys, clock, authority, limits and metrics.

use std::sync::{Arc, RwLock};

use time::OffsetDateTime;

use crate::AppVersion;
use crate::authority::IdentityAuthority;
use crate::clock::Clock;
use crate::db::Store;
use crate::keys::{KeyDir, Keyring};
use crate::metrics::Metrics;
use crate::ratelimit::{Limiter, RateLimits};

/// Settings fixed at start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The oldest app version served.
    pub min_app_version: AppVersion,
    /// The certificates' `iss`.
    pub issuer_name: String,
    /// How long a session lasts.
    pub session_ttl_seconds: i64,
    /// The largest request body accepted.
    pub body_limit_bytes: usize,
    /// Rate limits.
    pub rate_limits: RateLimits,
}

/// One limiter per kind of limit.
#[derive(Debug, Default)]
pub struct Limiters {
    /// Log-in and registration per IP.
    pub login_ip: Limiter,
    /// Log-in per user name.
    pub login_user: Limiter,
    /// Face checks per IP.
    pub face_ip: Limiter,
    /// Face checks per ID number.
    pub face_id: Limiter,
}

/// The shared state.
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The key directory.
    pub key_dir: KeyDir,
    /// The loaded keys (swapped on rotation).
    pub keys: RwLock<Arc<Keyring>>,
    /// The time source.
    pub clock: Arc<dyn Clock>,
    /// The identity authority.
    pub authority: Arc<dyn IdentityAuthority>,
    /// Settings.
    pub settings: Settings,
    /// Rate-limit counters.
    pub limiters: Limiters,
    /// Metrics.
    pub metrics: Metrics,
    /// A hash checked when a user name is unknown, so log-in timing reveals nothing.
    pub dummy_hash: String,
}

impl AppState {
    /// Now, by the injected clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The current keyring.
    pub fn keyring(&self) -> Arc<Keyring> {
        self.keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Replaces the keyring.
    pub fn set_keyring(&self, keyring: Keyring) {
        *self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(keyring);
    }
}
