//! Shared test harness: an issuer on loopback (SQLite in a temp dir, or a fresh PostgreSQL
//! database when `TEMPID_TEST_POSTGRES_URL` is set), a virtual clock, and a client that speaks
//! the protocol's wire types.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::{Client, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tempid_issuer::{IssuerConfig, ManualClock, RateLimits, RunningIssuer, spawn};
use tempid_protocol::api::{
    APP_VERSION_HEADER, ApplyRequest, CertificateResponse, ErrorBody, ErrorCode,
    FaceCheckChallenge, FaceCheckPurpose, FaceCheckResult, StartFaceCheckRequest,
    SubmitEvidenceRequest,
};
use tempid_protocol::id_number::with_check_character;
use tempid_protocol::{DevicePublicKey, Ed25519DeviceKey, FrameSigner as _};
use tempid_sandbox::{LivenessOutcome, SandboxIdentity, SandboxLiveness};
use time::OffsetDateTime;
use time::macros::datetime;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A database for one test; dropped (PostgreSQL) by [`TestDb::cleanup`].
pub struct TestDb {
    pub url: String,
    admin_url: Option<String>,
    name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
    format!(
        "{prefix}_{}_{}_{n}",
        std::process::id(),
        nanos % 1_000_000_000
    )
}

/// The PostgreSQL URL for tests; `None` (with a loud message) outside CI when unset. In CI
/// (`CI=true`) an unset URL fails the test: the PostgreSQL suite must not skip silently.
pub fn postgres_url() -> Option<String> {
    match std::env::var("TEMPID_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!(
                    "CI=true but TEMPID_TEST_POSTGRES_URL is not set: the PostgreSQL suite cannot run"
                );
            }
            eprintln!(
                "\n*** SKIPPING PostgreSQL test: set TEMPID_TEST_POSTGRES_URL \
                 (e.g. run scripts/postgres.sh) to run it ***\n"
            );
            None
        }
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > base.find("://").map_or(0, |j| j + 2) => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl TestDb {
    /// A fresh database, or `None` when PostgreSQL is not configured (outside CI).
    pub async fn new(db: Db) -> Option<Self> {
        match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}", dir.path().join("issuer.db").display());
                Some(Self {
                    url,
                    admin_url: None,
                    name: None,
                    _dir: Some(dir),
                })
            }
            Db::Postgres => {
                let admin = postgres_url()?;
                let name = unique("tempid_t");
                sqlx::any::install_default_drivers();
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                    .await
                    .expect("connect to PostgreSQL");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create database");
                let _ = sqlx::Connection::close(conn).await;
                Some(Self {
                    url: with_database(&admin, &name),
                    admin_url: Some(admin),
                    name: Some(name),
                    _dir: None,
                })
            }
        }
    }

    /// Drops a PostgreSQL test database.
    pub async fn cleanup(self) {
        let (Some(admin), Some(name)) = (self.admin_url, self.name) else {
            return;
        };
        if let Ok(mut conn) = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await;
            let _ = sqlx::Connection::close(conn).await;
        }
    }
}

/// 2026-11-10 10:00 China Standard Time.
pub const START: OffsetDateTime = datetime!(2026-11-10 10:00 +8);

/// `count` distinct valid sandbox identities.
pub fn identities(count: usize) -> Vec<SandboxIdentity> {
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    let given = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋"];
    (0..count)
        .map(|i| {
            let birth = time::Date::from_calendar_date(1960, time::Month::January, 1).unwrap()
                + time::Duration::days((i / 500) as i64 * 7 + 1);
            let first17 = format!(
                "320102{:04}{:02}{:02}{:03}",
                birth.year(),
                u8::from(birth.month()),
                birth.day(),
                i % 500 + 100
            );
            SandboxIdentity {
                id_number: with_check_character(&first17).unwrap(),
                name: format!(
                    "{}{}{}",
                    surnames[i % 10],
                    given[(i / 10) % 10],
                    given[(i / 100) % 10]
                ),
                note: String::new(),
            }
        })
        .collect()
}

/// An issuer under test.
pub struct Harness {
    pub db: Option<TestDb>,
    pub clock: ManualClock,
    pub issuer: Option<RunningIssuer>,
    pub client: Client,
    pub base: String,
    pub keys: tempfile::TempDir,
    pub liveness: SandboxLiveness,
}

pub struct Options {
    pub identities: Vec<SandboxIdentity>,
    pub rate_limits: RateLimits,
    pub start: OffsetDateTime,
}

impl Default for Options {
    fn default() -> Self {
        let mut identities = tempid_sandbox::default_identities();
        identities.extend(self::identities(50));
        Self {
            identities,
            rate_limits: RateLimits::default(),
            start: START,
        }
    }
}

impl Harness {
    pub async fn start(db: Db) -> Option<Self> {
        Self::with(db, Options::default()).await
    }

    pub async fn with(db: Db, options: Options) -> Option<Self> {
        let db = TestDb::new(db).await?;
        let clock = ManualClock::new(options.start);
        let keys = tempfile::tempdir().expect("tempdir");
        let config = IssuerConfig::new(db.url.clone(), keys.path().join("keys"))
            .with_clock(clock.clone())
            .with_identities(options.identities)
            .with_rate_limits(options.rate_limits);
        let issuer = spawn(config, "127.0.0.1:0").await.expect("issuer starts");
        let client = client();
        let base = issuer.url();
        Some(Self {
            db: Some(db),
            clock,
            issuer: Some(issuer),
            client,
            base,
            keys,
            liveness: SandboxLiveness::new(),
        })
    }

    pub fn running(&self) -> &RunningIssuer {
        self.issuer.as_ref().unwrap()
    }

    pub async fn stop(mut self) {
        if let Some(issuer) = self.issuer.take() {
            issuer.shutdown().await;
        }
        if let Some(db) = self.db.take() {
            db.cleanup().await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post<T: Serialize + ?Sized>(&self, path: &str, body: &T) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_auth<T: Serialize + ?Sized>(
        &self,
        path: &str,
        token: &str,
        body: &T,
    ) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn start_check(
        &self,
        id_number: &str,
        name: &str,
        purpose: FaceCheckPurpose,
    ) -> FaceCheckChallenge {
        let request = StartFaceCheckRequest {
            id_number: id_number.into(),
            name: name.into(),
            purpose,
        };
        ok(
            self.post("/v1/face-checks", &request).await,
            StatusCode::CREATED,
        )
        .await
    }

    pub fn evidence(
        &self,
        challenge: &FaceCheckChallenge,
        face_of: &str,
        outcome: LivenessOutcome,
    ) -> String {
        self.liveness.capture(
            &challenge.challenge,
            face_of,
            outcome,
            START.unix_timestamp(),
        )
    }

    pub async fn submit(&self, face_check_id: &str, evidence: &str) -> Response {
        self.post(
            &format!("/v1/face-checks/{face_check_id}/evidence"),
            &SubmitEvidenceRequest {
                evidence: evidence.into(),
            },
        )
        .await
    }

    /// Starts and passes a face check; returns its id.
    pub async fn pass(&self, id_number: &str, name: &str, purpose: FaceCheckPurpose) -> String {
        let challenge = self.start_check(id_number, name, purpose).await;
        let evidence = self.evidence(&challenge, id_number, LivenessOutcome::Live);
        let result: FaceCheckResult = ok(
            self.submit(&challenge.face_check_id, &evidence).await,
            StatusCode::OK,
        )
        .await;
        result.face_check_id
    }

    pub fn apply_request(
        &self,
        face_check_id: &str,
        id_number: &str,
        name: &str,
        key: &DevicePublicKey,
    ) -> ApplyRequest {
        ApplyRequest {
            face_check_id: face_check_id.into(),
            id_number: id_number.into(),
            name: name.into(),
            device_key: key.clone(),
            city: "北京".into(),
            consent: true,
            self_confirmed: true,
        }
    }

    /// Passes a face check and applies.
    pub async fn apply(&self, id_number: &str, name: &str, key: &DevicePublicKey) -> Response {
        let fc = self.pass(id_number, name, FaceCheckPurpose::Apply).await;
        self.post(
            "/v1/applications",
            &self.apply_request(&fc, id_number, name, key),
        )
        .await
    }

    pub async fn apply_ok(
        &self,
        id_number: &str,
        name: &str,
        key: &DevicePublicKey,
    ) -> CertificateResponse {
        ok(self.apply(id_number, name, key).await, StatusCode::CREATED).await
    }
}

/// Installs rustls' ring provider for reqwest. Needed when the workspace is built as a whole:
/// the app core and the gate enable reqwest's `rustls-no-provider`, features unify, and a
/// client built without a provider panics (even for plain http).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A client without the app-version header.
pub fn plain_client() -> Client {
    install_crypto_provider();
    Client::new()
}

pub fn client() -> Client {
    install_crypto_provider();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        APP_VERSION_HEADER,
        reqwest::header::HeaderValue::from_static("1.0.0"),
    );
    Client::builder()
        .default_headers(headers)
        .pool_max_idle_per_host(256)
        .build()
        .expect("client")
}

pub fn device_key(seed: u8) -> Ed25519DeviceKey {
    Ed25519DeviceKey::from_seed(&[seed; 32])
}

pub fn device_public(seed: u8) -> DevicePublicKey {
    device_key(seed).public_key()
}

/// Asserts the status and decodes the body.
pub async fn ok<T: DeserializeOwned>(response: Response, status: StatusCode) -> T {
    let got = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(got, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("body does not decode ({e}): {text}"))
}

/// Asserts a refusal with this status and code; returns the body.
pub async fn refused(response: Response, status: StatusCode, code: ErrorCode) -> ErrorBody {
    let got = response.status();
    let text = response.text().await.expect("body");
    let body: ErrorBody =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not an ErrorBody ({e}): {text}"));
    assert_eq!(
        (got, body.code),
        (status, code),
        "unexpected refusal: {text}"
    );
    assert!(!body.message.is_empty() && !body.hint.is_empty());
    body
}

/// Runs a scenario on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Db::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Db::Postgres).await;
                }
            )*
        }
    };
}
