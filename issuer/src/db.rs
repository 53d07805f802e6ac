//! The issuer's database: one set of portable migrations and queries over sqlx's `Any`
//! driver, on SQLite (the embedded default: a file in WAL mode, `synchronous=NORMAL`, created on
//! first start) or PostgreSQL. Every multi-step change (an application, a re-verification, a
//! scan report) is one transaction, so nothing is ever half-written.
//!
//! Concurrency: every application and re-verification of a person first takes that person's
//! row (`persons`) for writing, so the current-certificate rule and the monthly quota are
//! decided one application at a time per person, on either database. On SQLite all writes go
//! through a single connection (SQLite has one writer anyway; queueing in the pool is cheaper
//! than lock retries), while reads use a pool of readers beside it (WAL).

use std::str::FromStr as _;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor as _, Row as _};

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (file or memory).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// The database.
#[derive(Debug, Clone)]
pub struct Store {
    writer: AnyPool,
    reader: AnyPool,
    backend: Backend,
}

/// A face check as stored.
#[derive(Debug, Clone)]
pub struct FaceCheckRow {
    /// Its id.
    pub face_check_id: String,
    /// The challenge nonce.
    pub challenge: String,
    /// The claimed ID number (normalised).
    pub id_number: String,
    /// The claimed name (validated).
    pub name: String,
    /// `apply`, `reverify` or `lookup`.
    pub purpose: String,
    /// The account that started it, if any.
    pub account_id: Option<String>,
    /// `pending`, `passed`, `failed` or `consumed`.
    pub status: String,
    /// When the challenge expires.
    pub challenge_expires_at: i64,
    /// Until when a passed check may be used.
    pub valid_until: Option<i64>,
}

/// A certificate as stored.
#[derive(Debug, Clone)]
pub struct CertificateRow {
    /// `cti`, hex.
    pub cti: String,
    /// The holder's ID number.
    pub id_number: String,
    /// The holder's name.
    pub name: String,
    /// The city of the application.
    pub city: String,
    /// The kid of the key that signed it.
    pub kid: String,
    /// The certificate's CBOR, base64url.
    pub certificate: String,
    /// `iat`.
    pub issued_at: i64,
    /// `exp`.
    pub expires_at: i64,
    /// When a newer application replaced it.
    pub superseded_at: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
}

/// A new certificate, signed, waiting to be stored by [`Store::apply`].
#[derive(Debug, Clone)]
pub struct NewCertificate {
    /// `cti`, hex.
    pub cti: String,
    /// The holder's ID number.
    pub id_number: String,
    /// The holder's name.
    pub name: String,
    /// Quota month (`YYYY-MM`, China Standard Time).
    pub month: String,
    /// The city.
    pub city: String,
    /// The applying account, if any.
    pub account_id: Option<String>,
    /// The face check it consumes.
    pub face_check_id: String,
    /// The signing key's kid.
    pub kid: String,
    /// The device key, JSON.
    pub device_key: String,
    /// The CBOR, base64url.
    pub certificate: String,
    /// `iat`.
    pub issued_at: i64,
    /// `exp`.
    pub expires_at: i64,
}

/// Why a passed face check cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceCheckProblem {
    /// Unknown, not passed, for another person or purpose, or past its validity.
    Required,
    /// Already used.
    AlreadyUsed,
}

/// The result of an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// Issued; the quota used this month, this application included.
    Issued {
        /// Applications used this month.
        used: u32,
    },
    /// The face check cannot be used.
    FaceCheck(FaceCheckProblem),
    /// The current certificate has more than 3 h left.
    StillValid {
        /// When a new application opens.
        reapply_from: i64,
    },
    /// The monthly quota is used up.
    QuotaExhausted,
}

/// The result of a re-verification.
#[derive(Debug, Clone)]
pub enum ReverifyOutcome {
    /// Done; the certificate as it now stands.
    Done(CertificateRow),
    /// The face check cannot be used.
    FaceCheck(FaceCheckProblem),
    /// Unknown, superseded, or another person's.
    NoCurrentCertificate,
    /// Past its expiry.
    Expired,
    /// Revoked.
    Revoked,
}

/// What a re-verification does with the certificate once the person is verified.
pub struct Rebind<'a> {
    /// A new device key (JSON) to bind, if any.
    pub device_key: Option<String>,
    /// Called with the stored certificate: `Err(())` when the key that signed it is revoked
    /// or gone (the certificate counts as revoked); otherwise, when rebinding, the certificate
    /// re-signed for the new device key (base64url CBOR).
    pub resign: &'a (dyn Fn(&CertificateRow) -> Result<Option<String>, ()> + Send + Sync),
}

/// Counts of one checkpoint kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanTotal {
    /// The checkpoint kind's code.
    pub checkpoint: String,
    /// Accepted frames.
    pub accepted: i64,
    /// Refused frames.
    pub rejected: i64,
}

/// The certificate columns every certificate query selects (a macro, so queries stay literal
/// `&'static str`s, which sqlx requires of SQL text).
macro_rules! cert_select {
    ($($rest:literal),*) => {
        concat!(
            "SELECT c.cti, c.id_number, c.name, c.city, c.kid, c.certificate, c.issued_at, c.expires_at, \
             c.superseded_at, r.revoked_at ",
            $($rest),*
        )
    };
}

fn cert_row(row: &AnyRow) -> Result<CertificateRow, sqlx::Error> {
    Ok(CertificateRow {
        cti: row.try_get("cti")?,
        id_number: row.try_get("id_number")?,
        name: row.try_get("name")?,
        city: row.try_get("city")?,
        kid: row.try_get("kid")?,
        certificate: row.try_get("certificate")?,
        issued_at: row.try_get("issued_at")?,
        expires_at: row.try_get("expires_at")?,
        superseded_at: row.try_get("superseded_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn face_check_row(row: &AnyRow) -> Result<FaceCheckRow, sqlx::Error> {
    Ok(FaceCheckRow {
        face_check_id: row.try_get("face_check_id")?,
        challenge: row.try_get("challenge")?,
        id_number: row.try_get("id_number")?,
        name: row.try_get("name")?,
        purpose: row.try_get("purpose")?,
        account_id: row.try_get("account_id")?,
        status: row.try_get("status")?,
        challenge_expires_at: row.try_get("challenge_expires_at")?,
        valid_until: row.try_get("valid_until")?,
    })
}

fn to_u32(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

impl Store {
    /// Connects (creating a SQLite file if missing) and runs the migrations.
    /// `sqlite://path`, `sqlite::memory:` or `postgres://…`.
    pub async fn open(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            (Backend::Sqlite, sqlite_url(url))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(sqlx::Error::Configuration(
                format!(
                    "unsupported database URL scheme (use sqlite:// or postgres://): {}",
                    redact(url)
                )
                .into(),
            ));
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let store = match backend {
            Backend::Sqlite => {
                let memory = url.contains(":memory:") || url.contains("mode=memory");
                let writer = sqlite_pool(1).connect_with(options.clone()).await?;
                // An in-memory database lives in one connection: readers share the writer.
                let reader = if memory {
                    writer.clone()
                } else {
                    sqlite_pool(max_connections.max(1))
                        .connect_with(options)
                        .await?
                };
                Self {
                    writer,
                    reader,
                    backend,
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(max_connections.max(2))
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                Self {
                    writer: pool.clone(),
                    reader: pool,
                    backend,
                }
            }
        };
        sqlx::migrate!("./migrations").run(&store.writer).await?;
        Ok(store)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pools.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.reader).await.is_ok()
    }

    // ---- accounts and sessions ----

    /// Creates an account; false when the user name is taken.
    pub async fn create_account(
        &self,
        account_id: &str,
        username: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let result = sqlx::query(
            "INSERT INTO accounts (account_id, username, password_hash, id_number, created_at) \
             VALUES ($1, $2, $3, NULL, $4) ON CONFLICT (username) DO NOTHING",
        )
        .bind(account_id)
        .bind(username)
        .bind(password_hash)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// `(account_id, password_hash)` of a user name.
    pub async fn account_by_username(
        &self,
        username: &str,
    ) -> Result<Option<(String, String)>, sqlx::Error> {
        let row = sqlx::query("SELECT account_id, password_hash FROM accounts WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| Ok((r.try_get("account_id")?, r.try_get("password_hash")?)))
            .transpose()
    }

    /// Stores a session.
    pub async fn create_session(
        &self,
        token_hash: &str,
        account_id: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(account_id)
            .bind(now)
            .bind(expires_at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// The account of an unexpired session: `(account_id, linked ID number)`.
    pub async fn session_account(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(String, Option<String>)>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT a.account_id, a.id_number FROM sessions s JOIN accounts a ON a.account_id = s.account_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| Ok((r.try_get("account_id")?, r.try_get("id_number")?)))
            .transpose()
    }

    /// Ends a session; false if there was none.
    pub async fn delete_session(&self, token_hash: &str) -> Result<bool, sqlx::Error> {
        let result = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(result.rows_affected() > 0)
    }

    // ---- face checks ----

    /// Stores a new (pending) face check.
    pub async fn insert_face_check(
        &self,
        check: &FaceCheckRow,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO face_checks (face_check_id, challenge, id_number, name, purpose, account_id, status, \
             created_at, challenge_expires_at, valid_until, consumed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL)",
        )
        .bind(&check.face_check_id)
        .bind(&check.challenge)
        .bind(&check.id_number)
        .bind(&check.name)
        .bind(&check.purpose)
        .bind(check.account_id.as_deref())
        .bind(&check.status)
        .bind(now)
        .bind(check.challenge_expires_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// A face check by id.
    pub async fn face_check(
        &self,
        face_check_id: &str,
    ) -> Result<Option<FaceCheckRow>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT face_check_id, challenge, id_number, name, purpose, account_id, status, challenge_expires_at, \
             valid_until FROM face_checks WHERE face_check_id = $1",
        )
        .bind(face_check_id)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(face_check_row).transpose()
    }

    /// Settles a pending face check (`passed` with a validity, `failed`, or `expired`); false if
    /// it was no longer pending (a concurrent submission won).
    pub async fn settle_face_check(
        &self,
        face_check_id: &str,
        status: &str,
        valid_until: Option<i64>,
    ) -> Result<bool, sqlx::Error> {
        let result = sqlx::query(
            "UPDATE face_checks SET status = $2, valid_until = $3 WHERE face_check_id = $1 AND status = 'pending'",
        )
        .bind(face_check_id)
        .bind(status)
        .bind(valid_until)
        .execute(&self.writer)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Consumes a passed face check for `(id_number, name, purpose)` inside a transaction, or
    /// says why it cannot be used.
    async fn consume_face_check(
        conn: &mut sqlx::AnyConnection,
        face_check_id: &str,
        purpose: &str,
        now: i64,
    ) -> Result<Result<(String, String), FaceCheckProblem>, sqlx::Error> {
        let row = sqlx::query(
            "UPDATE face_checks SET status = 'consumed', consumed_at = $2 \
             WHERE face_check_id = $1 AND status = 'passed' AND purpose = $3 AND valid_until > $2 \
             RETURNING id_number, name",
        )
        .bind(face_check_id)
        .bind(now)
        .bind(purpose)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = row {
            return Ok(Ok((row.try_get("id_number")?, row.try_get("name")?)));
        }
        let status: Option<String> =
            sqlx::query("SELECT status FROM face_checks WHERE face_check_id = $1")
                .bind(face_check_id)
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| r.try_get("status"))
                .transpose()?;
        Ok(Err(if status.as_deref() == Some("consumed") {
            FaceCheckProblem::AlreadyUsed
        } else {
            FaceCheckProblem::Required
        }))
    }

    /// A passed (or consumed) face check still within its validity, for reading history or
    /// quota: the person's ID number.
    pub async fn lookup_face_check(
        &self,
        face_check_id: &str,
        now: i64,
    ) -> Result<Option<String>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id_number FROM face_checks WHERE face_check_id = $1 AND status IN ('passed', 'consumed') \
             AND valid_until > $2",
        )
        .bind(face_check_id)
        .bind(now)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| r.try_get("id_number")).transpose()
    }

    // ---- applications ----

    /// Locks the person's row for the rest of the transaction (creating it on first use).
    async fn lock_person(
        conn: &mut sqlx::AnyConnection,
        id_number: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO persons (id_number, current_cti, updated_at) VALUES ($1, NULL, $2) \
             ON CONFLICT (id_number) DO UPDATE SET updated_at = EXCLUDED.updated_at",
        )
        .bind(id_number)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// The whole application, in one transaction: consume the face check (which must be a
    /// passed `apply` check of exactly this person), refuse while the current certificate has
    /// more than `reapply_window` seconds left, count the application against the month's
    /// quota of `limit`, supersede the old certificate, store the new one and link the account.
    pub async fn apply(
        &self,
        cert: &NewCertificate,
        now: i64,
        limit: u32,
        reapply_window: i64,
    ) -> Result<ApplyOutcome, sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        let outcome = Self::apply_in(&mut tx, cert, now, limit, reapply_window).await?;
        if matches!(outcome, ApplyOutcome::Issued { .. }) {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(outcome)
    }

    async fn apply_in(
        conn: &mut sqlx::AnyConnection,
        cert: &NewCertificate,
        now: i64,
        limit: u32,
        reapply_window: i64,
    ) -> Result<ApplyOutcome, sqlx::Error> {
        match Self::consume_face_check(conn, &cert.face_check_id, "apply", now).await? {
            Ok((id_number, name)) if id_number == cert.id_number && name == cert.name => {}
            Ok(_) => return Ok(ApplyOutcome::FaceCheck(FaceCheckProblem::Required)),
            Err(problem) => return Ok(ApplyOutcome::FaceCheck(problem)),
        }
        Self::lock_person(conn, &cert.id_number, now).await?;
        let current = sqlx::query(
            "SELECT c.cti, c.expires_at, r.revoked_at FROM persons p JOIN certificates c ON c.cti = p.current_cti \
             LEFT JOIN revocations r ON r.cti = c.cti WHERE p.id_number = $1",
        )
        .bind(&cert.id_number)
        .fetch_optional(&mut *conn)
        .await?;
        let mut superseded: Option<String> = None;
        if let Some(row) = current {
            let expires_at: i64 = row.try_get("expires_at")?;
            let revoked: Option<i64> = row.try_get("revoked_at")?;
            if revoked.is_none() && expires_at - now > reapply_window {
                return Ok(ApplyOutcome::StillValid {
                    reapply_from: expires_at - reapply_window,
                });
            }
            if expires_at > now {
                superseded = Some(row.try_get("cti")?);
            }
        }
        let used = sqlx::query(
            "INSERT INTO quota_usage (id_number, month, used) VALUES ($1, $2, 1) \
             ON CONFLICT (id_number, month) DO UPDATE SET used = quota_usage.used + 1 \
             WHERE quota_usage.used < $3 RETURNING used",
        )
        .bind(&cert.id_number)
        .bind(&cert.month)
        .bind(i64::from(limit))
        .fetch_optional(&mut *conn)
        .await?;
        let Some(used) = used else {
            return Ok(ApplyOutcome::QuotaExhausted);
        };
        let used: i64 = used.try_get("used")?;
        if used > i64::from(limit) {
            // Only reachable if the limit was lowered this month.
            return Ok(ApplyOutcome::QuotaExhausted);
        }
        if let Some(old) = superseded {
            sqlx::query("UPDATE certificates SET superseded_at = $2 WHERE cti = $1")
                .bind(old)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query(
            "INSERT INTO certificates (cti, id_number, name, month, city, account_id, face_check_id, kid, device_key, \
             certificate, issued_at, expires_at, superseded_at, rebound_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL)",
        )
        .bind(&cert.cti)
        .bind(&cert.id_number)
        .bind(&cert.name)
        .bind(&cert.month)
        .bind(&cert.city)
        .bind(cert.account_id.as_deref())
        .bind(&cert.face_check_id)
        .bind(&cert.kid)
        .bind(&cert.device_key)
        .bind(&cert.certificate)
        .bind(cert.issued_at)
        .bind(cert.expires_at)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE persons SET current_cti = $2 WHERE id_number = $1")
            .bind(&cert.id_number)
            .bind(&cert.cti)
            .execute(&mut *conn)
            .await?;
        if let Some(account_id) = &cert.account_id {
            sqlx::query(
                "UPDATE accounts SET id_number = $2 WHERE account_id = $1 AND id_number IS NULL",
            )
            .bind(account_id)
            .bind(&cert.id_number)
            .execute(&mut *conn)
            .await?;
        }
        Ok(ApplyOutcome::Issued { used: to_u32(used) })
    }

    /// A re-verification, in one transaction: consume a passed `reverify` face check of the
    /// certificate's holder and, with a new device key, store the re-signed certificate.
    pub async fn reverify(
        &self,
        face_check_id: &str,
        cti: &str,
        now: i64,
        rebind: Rebind<'_>,
    ) -> Result<ReverifyOutcome, sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        let outcome = Self::reverify_in(&mut tx, face_check_id, cti, now, rebind).await?;
        if matches!(outcome, ReverifyOutcome::Done(_)) {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(outcome)
    }

    async fn reverify_in(
        conn: &mut sqlx::AnyConnection,
        face_check_id: &str,
        cti: &str,
        now: i64,
        rebind: Rebind<'_>,
    ) -> Result<ReverifyOutcome, sqlx::Error> {
        let (id_number, name) =
            match Self::consume_face_check(conn, face_check_id, "reverify", now).await? {
                Ok(person) => person,
                Err(problem) => return Ok(ReverifyOutcome::FaceCheck(problem)),
            };
        Self::lock_person(conn, &id_number, now).await?;
        let row = sqlx::query(cert_select!(
            "FROM certificates c LEFT JOIN revocations r ON r.cti = c.cti WHERE c.cti = $1"
        ))
        .bind(cti)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(mut cert) = row.as_ref().map(cert_row).transpose()? else {
            return Ok(ReverifyOutcome::NoCurrentCertificate);
        };
        if cert.id_number != id_number || cert.name != name {
            return Ok(ReverifyOutcome::NoCurrentCertificate);
        }
        if cert.revoked_at.is_some() {
            return Ok(ReverifyOutcome::Revoked);
        }
        if now >= cert.expires_at {
            return Ok(ReverifyOutcome::Expired);
        }
        if cert.superseded_at.is_some() {
            return Ok(ReverifyOutcome::NoCurrentCertificate);
        }
        let Ok(resigned) = (rebind.resign)(&cert) else {
            return Ok(ReverifyOutcome::Revoked);
        };
        if let (Some(device_key), Some(resigned)) = (rebind.device_key, resigned) {
            cert.certificate = resigned;
            sqlx::query("UPDATE certificates SET device_key = $2, certificate = $3, rebound_at = $4 WHERE cti = $1")
                .bind(cti)
                .bind(&device_key)
                .bind(&cert.certificate)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        }
        Ok(ReverifyOutcome::Done(cert))
    }

    /// Applications used in a month.
    pub async fn quota_used(&self, id_number: &str, month: &str) -> Result<u32, sqlx::Error> {
        let row = sqlx::query("SELECT used FROM quota_usage WHERE id_number = $1 AND month = $2")
            .bind(id_number)
            .bind(month)
            .fetch_optional(&self.reader)
            .await?;
        Ok(row
            .map(|r| r.try_get::<i64, _>("used"))
            .transpose()?
            .map_or(0, to_u32))
    }

    /// A certificate by `cti`.
    pub async fn certificate(&self, cti: &str) -> Result<Option<CertificateRow>, sqlx::Error> {
        let row = sqlx::query(cert_select!(
            "FROM certificates c LEFT JOIN revocations r ON r.cti = c.cti WHERE c.cti = $1"
        ))
        .bind(cti)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(cert_row).transpose()
    }

    /// The person's current certificate (the latest application), whatever its state.
    pub async fn current_certificate(
        &self,
        id_number: &str,
    ) -> Result<Option<CertificateRow>, sqlx::Error> {
        let row = sqlx::query(cert_select!(
            "FROM persons p JOIN certificates c ON c.cti = p.current_cti \
             LEFT JOIN revocations r ON r.cti = c.cti WHERE p.id_number = $1"
        ))
        .bind(id_number)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(cert_row).transpose()
    }

    /// The person's certificates issued since `since`, newest first.
    pub async fn history(
        &self,
        id_number: &str,
        since: i64,
    ) -> Result<Vec<CertificateRow>, sqlx::Error> {
        let rows = sqlx::query(cert_select!(
            "FROM certificates c LEFT JOIN revocations r ON r.cti = c.cti \
             WHERE c.id_number = $1 AND c.issued_at >= $2 ORDER BY c.issued_at DESC, c.cti DESC"
        ))
        .bind(id_number)
        .bind(since)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(cert_row).collect()
    }

    /// Certificates per `(id_number, month)` and the quota rows, for consistency checks:
    /// `(id_number, month, certificates, quota used)` for every person-month with either.
    pub async fn quota_audit(&self) -> Result<Vec<(String, String, i64, i64)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT q.id_number, q.month, q.used, \
             (SELECT COUNT(*) FROM certificates c WHERE c.id_number = q.id_number AND c.month = q.month) AS issued \
             FROM quota_usage q ORDER BY q.id_number, q.month",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id_number")?,
                    r.try_get("month")?,
                    r.try_get("issued")?,
                    r.try_get("used")?,
                ))
            })
            .collect()
    }

    // ---- revocations ----

    /// Revokes a certificate. `None` if the issuer never issued it; `Some(false)` if it was
    /// already revoked.
    pub async fn revoke(&self, cti: &str, now: i64) -> Result<Option<bool>, sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        let exists = sqlx::query("SELECT cti FROM certificates WHERE cti = $1")
            .bind(cti)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if !exists {
            tx.rollback().await?;
            return Ok(None);
        }
        let result = sqlx::query("INSERT INTO revocations (cti, revoked_at) VALUES ($1, $2) ON CONFLICT (cti) DO NOTHING")
            .bind(cti)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(result.rows_affected() == 1))
    }

    /// Every revoked certificate that has not yet expired: `(cti, revoked_at)`.
    pub async fn revocations(&self, now: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT r.cti, r.revoked_at FROM revocations r JOIN certificates c ON c.cti = r.cti \
             WHERE c.expires_at > $1 ORDER BY r.cti",
        )
        .bind(now)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("cti")?, r.try_get("revoked_at")?)))
            .collect()
    }

    // ---- statistics ----

    /// Counts a gate's batch once: false if this `batch_id` was counted before.
    pub async fn record_scans(
        &self,
        batch_id: &str,
        gate_id: &str,
        counts: &[(String, i64, i64)],
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO scan_batches (batch_id, gate_id, received_at) VALUES ($1, $2, $3) \
             ON CONFLICT (batch_id) DO NOTHING",
        )
        .bind(batch_id)
        .bind(gate_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        for (checkpoint, accepted, rejected) in counts {
            sqlx::query(
                "INSERT INTO scan_totals (checkpoint, accepted, rejected) VALUES ($1, $2, $3) \
                 ON CONFLICT (checkpoint) DO UPDATE SET accepted = scan_totals.accepted + EXCLUDED.accepted, \
                 rejected = scan_totals.rejected + EXCLUDED.rejected",
            )
            .bind(checkpoint)
            .bind(*accepted)
            .bind(*rejected)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Totals by checkpoint kind and the number of certificates issued.
    pub async fn statistics(&self) -> Result<(Vec<ScanTotal>, i64), sqlx::Error> {
        let rows = sqlx::query(
            "SELECT checkpoint, accepted, rejected FROM scan_totals ORDER BY checkpoint",
        )
        .fetch_all(&self.reader)
        .await?;
        let totals = rows
            .iter()
            .map(|r| {
                Ok(ScanTotal {
                    checkpoint: r.try_get("checkpoint")?,
                    accepted: r.try_get("accepted")?,
                    rejected: r.try_get("rejected")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let issued: i64 = sqlx::query("SELECT COUNT(*) AS n FROM certificates")
            .fetch_one(&self.reader)
            .await?
            .try_get("n")?;
        Ok((totals, issued))
    }

    /// Deletes face checks and sessions that can no longer be used.
    pub async fn purge(&self, now: i64) -> Result<(), sqlx::Error> {
        // A face check is useless a day after it was started (challenge 5 min, validity 10 min).
        sqlx::query("DELETE FROM face_checks WHERE created_at < $1")
            .bind(now - 24 * 3600)
            .execute(&self.writer)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

fn sqlite_pool(max_connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // WAL + synchronous=NORMAL: a commit survives a crash of the process (the crash
                // test proves it); only a power loss may lose the last commits.
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA synchronous = NORMAL").await?;
                conn.execute("PRAGMA busy_timeout = 10000").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                Ok(())
            })
        })
}

/// Adds `mode=rwc` (create on first start) to a SQLite file URL that names no mode.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        return url.to_string();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}mode=rwc")
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_completed_and_redacted() {
        assert_eq!(sqlite_url("sqlite://a.db"), "sqlite://a.db?mode=rwc");
        assert_eq!(sqlite_url("sqlite::memory:"), "sqlite::memory:");
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://a.db"), "sqlite://a.db");
    }
}
