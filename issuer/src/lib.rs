//! `tempid-issuer`: the reference issuing service. Accounts, face checks through an
//! [`IdentityAuthority`] (the [`SandboxAuthority`] ships), applications under the monthly quota,
//! re-verification, the trust list and revocations, scan statistics — the HTTP contract of
//! [`tempid_protocol::api`], over SQLite (embedded default) or PostgreSQL.
//!
//! # Running it in-process
//!
//! Tests, the CLI demo and the journey suite start the issuer on an ephemeral loopback port and
//! drive its clock:
//!
//! ```no_run
//! # async fn demo() -> Result<(), tempid_issuer::StartError> {
//! use tempid_issuer::{IssuerConfig, ManualClock, spawn};
//! use time::macros::datetime;
//!
//! let clock = ManualClock::new(datetime!(2026-11-25 08:00 UTC));
//! let config = IssuerConfig::new("sqlite::memory:", "/tmp/tempid-keys").with_clock(clock.clone());
//! let issuer = spawn(config, "127.0.0.1:0").await?;
//! println!("issuer at {}", issuer.url());
//! clock.advance(time::Duration::hours(24)); // the issuer sees the same virtual time
//! issuer.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! [`IssuerConfig`] holds everything: database URL (`sqlite://file.db`, `sqlite::memory:`,
//! `postgres://…`), key directory, minimum app version, `iss`, clock (any [`Clock`], including a
//! plain `Fn() -> OffsetDateTime`), identity authority (or just the sandbox identities),
//! rate limits, session lifetime and body limit. [`spawn`] binds, serves in a background task
//! and returns a [`RunningIssuer`] (`addr`, `url()`, `shutdown()`); [`Issuer::open`] +
//! [`Issuer::router`] give an axum `Router` for `tower::ServiceExt::oneshot`-style tests.
//!
//! # Rules
//!
//! - A certificate is valid 24 h from its application; `cti` is 8 random bytes.
//! - At most [`MONTHLY_QUOTA`](tempid_protocol::api::MONTHLY_QUOTA) applications per ID number
//!   per calendar month in China Standard Time, decided in one transaction together with the
//!   face-check consumption and the current-certificate rule (refused while the current
//!   certificate has more than 3 h left). Under any concurrency no more than 3 certificates
//!   are issued per person-month, and a crash never loses a committed one.
//! - A face check: challenge valid 5 min; a passed check is single-use, bound to
//!   (ID number, name, purpose), valid 10 min.
//! - Re-verification never consumes quota; with a new device key it re-issues the certificate
//!   (same `cti`, `iat`, `exp`), signed by the key that signed it first.
//!
//! # HTTP statuses
//!
//! Clients act on the `code` of the [`ErrorBody`](tempid_protocol::api::ErrorBody); the status
//! follows it: 400 `bad_request`/`bad_evidence`; 401 `unauthorized`/`invalid_credentials`;
//! 403 `face_check_required`/`quota_exhausted`; 404 `not_found`/`no_current_certificate`;
//! 409 `account_exists`/`challenge_replayed`/`certificate_still_valid`;
//! 410 `challenge_expired`/`certificate_expired`/`certificate_revoked`; 413
//! `payload_too_large`; 422 `invalid_*`/`consent_required`/`weak_password`/`face_check_failed`/
//! `identity_mismatch`; 426 `update_required`; 429 `rate_limited` (+ `Retry-After`); 500
//! `internal`.

pub mod authority;
pub mod clock;
pub mod db;
pub mod error;
pub mod http;
pub mod keys;
pub mod metrics;
pub mod openapi;
pub mod password;
pub mod ratelimit;
pub mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub use authority::{AuthorityRefusal, FaceCheckClaim, IdentityAuthority, SandboxAuthority};
pub use clock::{Clock, ManualClock, SystemClock};
pub use db::{Backend, Store};
pub use keys::{KeyDir, KeyError};
pub use ratelimit::{Limit, RateLimits};
use state::{AppState, Limiters, Settings};
use tempid_protocol::Kid;
use tempid_sandbox::SandboxIdentity;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// An app version, `MAJOR.MINOR.PATCH` (missing parts are 0; a pre-release suffix is ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AppVersion(pub u64, pub u64, pub u64);

impl AppVersion {
    /// Parses `1`, `1.2` or `1.2.3` (with an optional `-pre`/`+build` suffix).
    pub fn parse(text: &str) -> Option<Self> {
        let core = text.trim().split(['-', '+']).next()?;
        let mut parts = core.split('.');
        let mut next = || -> Option<u64> {
            match parts.next() {
                None => Some(0),
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok(),
                Some(_) => None,
            }
        };
        let version = Self(next()?, next()?, next()?);
        if parts.next().is_some() || core.is_empty() {
            return None;
        }
        Some(version)
    }
}

impl std::fmt::Display for AppVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl std::str::FromStr for AppVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| format!("'{s}' is not a version (MAJOR.MINOR.PATCH)"))
    }
}

/// Everything the issuer needs to start.
#[derive(Clone)]
pub struct IssuerConfig {
    /// `sqlite://path` (created if missing), `sqlite::memory:`, or `postgres://…`.
    pub database_url: String,
    /// The key directory (created 0700 with a first key if missing).
    pub key_dir: PathBuf,
    /// Apps older than this get `update_required` (default 1.0.0).
    pub min_app_version: AppVersion,
    /// The certificates' `iss` (default `tempid`).
    pub issuer_name: String,
    /// The time source (default: the system clock).
    pub clock: Arc<dyn Clock>,
    /// The identity authority (default: the sandbox authority with the built-in identities).
    pub authority: Arc<dyn IdentityAuthority>,
    /// Rate limits on log-in and face-check attempts.
    pub rate_limits: RateLimits,
    /// Session lifetime (default 30 days).
    pub session_ttl_seconds: i64,
    /// Largest request body (default 16 KiB).
    pub body_limit_bytes: usize,
    /// Database connections (readers on SQLite; the pool on PostgreSQL). Default 8.
    pub max_connections: u32,
    /// How often the key directory is checked for a rotation made by `tempid-issuer keys`
    /// (default 1 s; `None` disables watching).
    pub key_reload_interval: Option<Duration>,
}

impl std::fmt::Debug for IssuerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerConfig")
            .field("database_url", &db::redact(&self.database_url))
            .field("key_dir", &self.key_dir)
            .field("min_app_version", &self.min_app_version)
            .field("issuer_name", &self.issuer_name)
            .finish_non_exhaustive()
    }
}

impl IssuerConfig {
    /// A configuration with defaults for everything but the database and key directory.
    pub fn new(database_url: impl Into<String>, key_dir: impl Into<PathBuf>) -> Self {
        Self {
            database_url: database_url.into(),
            key_dir: key_dir.into(),
            min_app_version: AppVersion(1, 0, 0),
            issuer_name: "tempid".into(),
            clock: Arc::new(SystemClock),
            authority: Arc::new(SandboxAuthority::default()),
            rate_limits: RateLimits::default(),
            session_ttl_seconds: 30 * 24 * 3600,
            body_limit_bytes: 16 * 1024,
            max_connections: 8,
            key_reload_interval: Some(Duration::from_secs(1)),
        }
    }

    /// Uses this clock (e.g. a shared [`ManualClock`] or a closure).
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Uses the sandbox authority with these identities.
    pub fn with_identities(
        mut self,
        identities: impl IntoIterator<Item = SandboxIdentity>,
    ) -> Self {
        self.authority = Arc::new(SandboxAuthority::new(identities));
        self
    }

    /// Uses this identity authority.
    pub fn with_authority(mut self, authority: impl IdentityAuthority) -> Self {
        self.authority = Arc::new(authority);
        self
    }

    /// Uses these rate limits.
    pub fn with_rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    /// Sets the minimum app version.
    pub fn with_min_app_version(mut self, version: AppVersion) -> Self {
        self.min_app_version = version;
        self
    }
}

/// Why the issuer cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database cannot be opened or migrated.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The key directory cannot be used.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// The listen address cannot be bound.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address.
        address: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Password hashing failed at start.
    #[error("password hashing is unavailable")]
    Hashing,
}

/// An opened issuer: database migrated, keys loaded.
#[derive(Clone)]
pub struct Issuer {
    state: Arc<AppState>,
}

impl Issuer {
    /// Opens the database (running migrations) and the key directory (creating a first key).
    pub async fn open(config: IssuerConfig) -> Result<Self, StartError> {
        let now = config.clock.now().unix_timestamp();
        let key_dir = KeyDir::new(&config.key_dir);
        let keyring = key_dir.open_or_create(now)?;
        let store = Store::open(&config.database_url, config.max_connections).await?;
        let dummy_hash =
            tokio::task::spawn_blocking(|| password::hash_blocking("tempid dummy password"))
                .await
                .map_err(|_| StartError::Hashing)?
                .map_err(|_| StartError::Hashing)?;
        let state = Arc::new(AppState {
            store,
            key_dir,
            keys: RwLock::new(Arc::new(keyring)),
            clock: config.clock,
            authority: config.authority,
            settings: Settings {
                min_app_version: config.min_app_version,
                issuer_name: config.issuer_name,
                session_ttl_seconds: config.session_ttl_seconds,
                body_limit_bytes: config.body_limit_bytes,
                rate_limits: config.rate_limits,
            },
            limiters: Limiters::default(),
            metrics: metrics::Metrics::default(),
            dummy_hash,
        });
        tracing::info!(
            database = %db::redact(&config.database_url),
            kid = %state.keyring().active().kid(),
            "issuer opened"
        );
        Ok(Self { state })
    }

    /// The axum router (state included).
    pub fn router(&self) -> axum::Router {
        http::router(self.state.clone())
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Re-reads the key directory (after `tempid-issuer keys rotate|revoke`).
    pub fn reload_keys(&self) -> Result<(), KeyError> {
        let keyring = self.state.key_dir.load_existing()?;
        self.state.set_keyring(keyring);
        Ok(())
    }

    /// Rotates the signing key now (by the issuer's clock): the new key signs from now on.
    pub fn rotate_keys(&self) -> Result<Kid, KeyError> {
        let kid = self
            .state
            .key_dir
            .rotate(self.state.now().unix_timestamp())?;
        self.reload_keys()?;
        Ok(kid)
    }

    /// Revokes a signing key by kid (base64url).
    pub fn revoke_key(&self, kid: &str) -> Result<(), KeyError> {
        self.state
            .key_dir
            .revoke(kid, self.state.now().unix_timestamp())?;
        self.reload_keys()
    }

    /// Serves on `listener` until `shutdown` resolves, then finishes in-flight requests.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
        key_reload_interval: Option<Duration>,
    ) -> std::io::Result<()> {
        let background = self.spawn_background(key_reload_interval);
        let app = self
            .router()
            .into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
        background.abort();
        self.state.store.close().await;
        result
    }

    /// Watches the key directory and purges dead face checks and sessions.
    fn spawn_background(&self, key_reload_interval: Option<Duration>) -> JoinHandle<()> {
        let issuer = self.clone();
        tokio::spawn(async move {
            let tick = key_reload_interval.unwrap_or(Duration::from_secs(60));
            let manifest = issuer.state.key_dir.manifest_path();
            let mut last_seen = std::fs::read(&manifest).ok();
            let mut last_purge = std::time::Instant::now();
            loop {
                tokio::time::sleep(tick).await;
                if key_reload_interval.is_some() {
                    let now_seen = std::fs::read(&manifest).ok();
                    if now_seen != last_seen {
                        match issuer.reload_keys() {
                            Ok(()) => {
                                tracing::info!(kid = %issuer.state.keyring().active().kid(), "keys reloaded");
                                last_seen = now_seen;
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "key directory changed but cannot be loaded")
                            }
                        }
                    }
                }
                if last_purge.elapsed() >= Duration::from_secs(600) {
                    last_purge = std::time::Instant::now();
                    if let Err(e) = issuer
                        .state
                        .store
                        .purge(issuer.state.now().unix_timestamp())
                        .await
                    {
                        tracing::warn!(error = %e, "purge failed");
                    }
                }
            }
        })
    }
}

/// An issuer serving in a background task.
pub struct RunningIssuer {
    /// The bound address.
    pub addr: SocketAddr,
    issuer: Issuer,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningIssuer {
    /// `http://addr`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The issuer (store, key rotation).
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// Stops accepting, finishes in-flight requests and closes the database.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "issuer stopped with an error"),
            Err(e) => tracing::warn!(error = %e, "issuer task failed"),
        }
    }
}

/// Opens the issuer and serves it on `listen` (e.g. `127.0.0.1:0`) in a background task.
pub async fn spawn(config: IssuerConfig, listen: &str) -> Result<RunningIssuer, StartError> {
    let reload = config.key_reload_interval;
    let issuer = Issuer::open(config).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| StartError::Listen {
            address: listen.to_string(),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        address: listen.to_string(),
        source,
    })?;
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = issuer.clone();
    let task = tokio::spawn(async move {
        serving
            .serve(
                listener,
                async move {
                    let _ = stopped.await;
                },
                reload,
            )
            .await
    });
    Ok(RunningIssuer {
        addr,
        issuer,
        stop: Some(stop),
        task,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!(AppVersion::parse("1.2.3"), Some(AppVersion(1, 2, 3)));
        assert_eq!(AppVersion::parse("2"), Some(AppVersion(2, 0, 0)));
        assert_eq!(AppVersion::parse("1.4.0-beta.1"), Some(AppVersion(1, 4, 0)));
        assert_eq!(AppVersion::parse("1.x"), None);
        assert_eq!(AppVersion::parse(""), None);
        assert_eq!(AppVersion::parse("1.2.3.4"), None);
        assert!(AppVersion(0, 9, 9) < AppVersion(1, 0, 0));
        assert!(AppVersion(1, 10, 0) > AppVersion(1, 9, 9));
    }
}
