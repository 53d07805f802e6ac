//! The issuer client: the `/v1` contract of `tempid_protocol::api` over `reqwest` with rustls
//! (ring provider, bundled web-PKI roots). Every request carries the app version and the
//! person's language; every response's server time feeds the clock correction. Idempotent GETs
//! are retried with backoff on network failures; nothing else is retried.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tempid_protocol::api::{APP_VERSION_HEADER, ErrorBody, SERVER_TIME_HEADER};

use crate::clock::Clock;
use crate::config::Locale;
use crate::error::Error;
use crate::time_sync::{Reading, TimeSync};

/// Pauses before the retries of an idempotent request.
const RETRY_BACKOFF: [Duration; 2] = [Duration::from_millis(150), Duration::from_millis(450)];

/// The HTTP side of the client.
pub(crate) struct IssuerHttp {
    client: reqwest::Client,
    base: String,
    app_version: String,
    locale: Locale,
    clock: Arc<dyn Clock>,
    time: Arc<Mutex<TimeSync>>,
    sent: AtomicU64,
}

fn install_ring_provider() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        // Fails only if the process already chose a provider; then that one stays.
        let _ = rustls::crypto::CryptoProvider::install_default(
            rustls::crypto::ring::default_provider(),
        );
    });
}

fn tls_config() -> Result<rustls::ClientConfig, Error> {
    install_ring_provider();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal(format!("TLS configuration: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

impl IssuerHttp {
    pub fn new(
        base: &str,
        app_version: &str,
        locale: Locale,
        clock: Arc<dyn Clock>,
        time: Arc<Mutex<TimeSync>>,
    ) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .user_agent(format!("tempid-core/{}", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| Error::Internal(format!("HTTP client: {}", e.without_url())))?;
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_string(),
            app_version: app_version.to_string(),
            locale,
            clock,
            time,
            sent: AtomicU64::new(0),
        })
    }

    /// How many requests this client has sent (diagnostics and tests).
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// `GET`, retried with backoff on network failures and 502/503/504.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        bearer: Option<&str>,
    ) -> Result<T, Error> {
        let mut attempt = 0;
        loop {
            let outcome = self.send::<(), T>(Method::GET, path, bearer, None).await;
            let retry = match &outcome {
                Err(Error::Network(_)) => true,
                Err(Error::Issuer { status, .. }) => matches!(*status, 502..=504),
                _ => false,
            };
            match RETRY_BACKOFF.get(attempt) {
                Some(pause) if retry => {
                    tokio::time::sleep(*pause).await;
                    attempt += 1;
                }
                _ => return outcome,
            }
        }
    }

    /// `POST` with a JSON body (never retried: it may have taken effect).
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        bearer: Option<&str>,
        body: &B,
    ) -> Result<T, Error> {
        self.send(Method::POST, path, bearer, Some(body)).await
    }

    /// `DELETE`, expecting no body.
    pub async fn delete(&self, path: &str, bearer: Option<&str>) -> Result<(), Error> {
        self.send::<(), serde::de::IgnoredAny>(Method::DELETE, path, bearer, None)
            .await
            .map(|_| ())
    }

    fn reading(&self) -> Reading {
        Reading {
            wall_ms: self.clock.wall_ms(),
            monotonic_ms: self.clock.monotonic_ms(),
        }
    }

    async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&B>,
    ) -> Result<T, Error> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header(APP_VERSION_HEADER, &self.app_version)
            .header(reqwest::header::ACCEPT_LANGUAGE, self.locale.tag());
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        self.sent.fetch_add(1, Ordering::Relaxed);
        let sent = self.reading();
        let response = request
            .send()
            .await
            .map_err(|e| Error::Network(e.without_url().to_string()))?;
        let received = self.reading();
        if let Some(server_ms) = response
            .headers()
            .get(SERVER_TIME_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
        {
            self.time
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .observe(server_ms, sent, received);
        }
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Error::Network(e.without_url().to_string()))?;
        if status.is_success() {
            let bytes: &[u8] = if status == StatusCode::NO_CONTENT || bytes.is_empty() {
                b"null"
            } else {
                &bytes
            };
            return serde_json::from_slice(bytes)
                .map_err(|e| Error::BadResponse(format!("{path}: {e}")));
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => Err(Error::Issuer {
                status: status.as_u16(),
                body: Box::new(body),
            }),
            Err(_) if status.is_server_error() => Err(Error::Issuer {
                status: status.as_u16(),
                body: Box::new(ErrorBody {
                    code: tempid_protocol::api::ErrorCode::Internal,
                    message: String::new(),
                    hint: String::new(),
                    reason: None,
                    resets_on: None,
                    reapply_from: None,
                    min_app_version: None,
                    retry_after_seconds: None,
                }),
            }),
            Err(_) => Err(Error::BadResponse(format!(
                "{path}: HTTP {status} without an error body"
            ))),
        }
    }
}
