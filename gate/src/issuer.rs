//! The gate's side of the issuer's HTTP contract ([`tempid_protocol::api`]): fetch the trust
//! list and the revocation list, post scan counts. A blocking client over rustls with the
//! *ring* provider and the bundled web-PKI roots; every request carries
//! `x-tempid-app-version`.

use std::sync::Arc;
use std::time::Duration;

use reqwest::blocking::{Client, Response};
use tempid_protocol::api::{APP_VERSION_HEADER, ErrorBody, ScanReport, ScanReportAck};
use tempid_protocol::{RevocationList, TrustList};

use crate::GATE_VERSION;

/// Why a call to the issuer failed.
#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    /// The issuer URL is not an absolute http(s) URL.
    #[error("issuer URL {url:?} is not valid: {reason}")]
    BadUrl {
        /// The URL given.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// TLS could not be set up.
    #[error("TLS set-up failed: {0}")]
    Tls(String),
    /// No response (connection refused, DNS, timeout, TLS handshake, …).
    #[error("{url}: no response: {reason}")]
    Transport {
        /// The request URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The issuer answered with an error status.
    #[error("{url}: HTTP {status}{}", .body.as_ref().map(|b| format!(" {}: {}", b.code.as_str(), b.message)).unwrap_or_default())]
    Status {
        /// The request URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The issuer's error body, when it sent one (boxed: it is large and rare).
        body: Option<Box<ErrorBody>>,
    },
    /// The response body is not what the contract says.
    #[error("{url}: unexpected response: {reason}")]
    BadResponse {
        /// The request URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
}

impl IssuerError {
    /// Whether trying again later may succeed: no response, a server error, or rate limiting.
    /// Anything else (a refused request, a malformed answer) fails again the same way.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport { .. } => true,
            Self::Status { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            _ => false,
        }
    }
}

/// A client of one issuer.
#[derive(Debug, Clone)]
pub struct IssuerClient {
    base: String,
    http: Client,
}

impl IssuerClient {
    /// A client of the issuer at `base_url` (e.g. `https://issuer.example`; a trailing `/` is
    /// fine), with a 15 s timeout per request.
    pub fn new(base_url: &str) -> Result<Self, IssuerError> {
        Self::with_timeout(base_url, Duration::from_secs(15))
    }

    /// A client with its own per-request timeout.
    pub fn with_timeout(base_url: &str, timeout: Duration) -> Result<Self, IssuerError> {
        let bad = |reason: &str| IssuerError::BadUrl {
            url: base_url.to_string(),
            reason: reason.to_string(),
        };
        let parsed = reqwest::Url::parse(base_url).map_err(|e| bad(&e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad("the scheme must be http or https"));
        }
        if parsed.cannot_be_a_base() || parsed.host_str().is_none() {
            return Err(bad("no host"));
        }
        let http = Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(format!("tempid-gate/{GATE_VERSION}"))
            .build()
            .map_err(|e| IssuerError::Tls(e.to_string()))?;
        Ok(Self {
            base: base_url.trim_end_matches('/').to_string(),
            http,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET /v1/trust-list`: the issuer's keys, validated. Returns the list and the exact
    /// bytes received (to store as they came).
    pub fn trust_list(&self) -> Result<(TrustList, String), IssuerError> {
        let url = self.url("/v1/trust-list");
        let body = self.get_text(&url)?;
        let list = TrustList::from_json(&body).map_err(|e| IssuerError::BadResponse {
            url,
            reason: format!("invalid trust list: {e}"),
        })?;
        Ok((list, body))
    }

    /// `GET /v1/revocations`: the revoked certificates. Returns the list and the bytes received.
    pub fn revocations(&self) -> Result<(RevocationList, String), IssuerError> {
        let url = self.url("/v1/revocations");
        let body = self.get_text(&url)?;
        let list = RevocationList::from_json(&body).map_err(|e| IssuerError::BadResponse {
            url,
            reason: format!("invalid revocation list: {e}"),
        })?;
        Ok((list, body))
    }

    /// `POST /v1/statistics/scans`: reports a batch; the ack must name the same batch.
    pub fn report_scans(&self, report: &ScanReport) -> Result<ScanReportAck, IssuerError> {
        let url = self.url("/v1/statistics/scans");
        let response = self
            .http
            .post(&url)
            .header(APP_VERSION_HEADER, GATE_VERSION)
            .json(report)
            .send()
            .map_err(|e| transport(&url, &e))?;
        let body = success_body(&url, response)?;
        let ack: ScanReportAck =
            serde_json::from_str(&body).map_err(|e| IssuerError::BadResponse {
                url: url.clone(),
                reason: format!("not a scan report ack: {e}"),
            })?;
        if ack.batch_id != report.batch_id {
            return Err(IssuerError::BadResponse {
                url,
                reason: format!(
                    "ack names batch {} instead of {}",
                    ack.batch_id, report.batch_id
                ),
            });
        }
        Ok(ack)
    }

    fn get_text(&self, url: &str) -> Result<String, IssuerError> {
        let response = self
            .http
            .get(url)
            .header(APP_VERSION_HEADER, GATE_VERSION)
            .send()
            .map_err(|e| transport(url, &e))?;
        success_body(url, response)
    }
}

fn transport(url: &str, error: &reqwest::Error) -> IssuerError {
    // The error's source chain says why (connection refused, timed out, …).
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        reason.push_str(": ");
        reason.push_str(&inner.to_string());
        source = inner.source();
    }
    IssuerError::Transport {
        url: url.to_string(),
        reason,
    }
}

fn success_body(url: &str, response: Response) -> Result<String, IssuerError> {
    let status = response.status();
    let body = response.text().map_err(|e| transport(url, &e))?;
    if !status.is_success() {
        return Err(IssuerError::Status {
            url: url.to_string(),
            status: status.as_u16(),
            body: serde_json::from_str(&body).ok().map(Box::new),
        });
    }
    Ok(body)
}

fn tls_config() -> Result<rustls::ClientConfig, IssuerError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| IssuerError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        assert!(matches!(
            IssuerClient::new("issuer.example"),
            Err(IssuerError::BadUrl { .. })
        ));
        assert!(matches!(
            IssuerClient::new("ftp://issuer.example"),
            Err(IssuerError::BadUrl { .. })
        ));
        let client = IssuerClient::new("https://issuer.example/").expect("client");
        assert_eq!(
            client.url("/v1/trust-list"),
            "https://issuer.example/v1/trust-list"
        );
    }

    #[test]
    fn a_closed_port_is_a_transient_transport_error() {
        // Bind and drop a listener to find a port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let client = IssuerClient::new(&format!("http://127.0.0.1:{port}")).expect("client");
        let err = client.trust_list().expect_err("nobody listens");
        assert!(matches!(err, IssuerError::Transport { .. }), "{err:?}");
        assert!(err.is_transient());
        assert!(err.to_string().contains("/v1/trust-list"), "{err}");
    }
}
