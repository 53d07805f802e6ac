//! The HTTP surface: the `/v1` routes of `tempid_protocol::api`, health, metrics and the
//! OpenAPI document, with the cross-cutting rules every request goes through (minimum app
//! version, server-time header, error rendering in the request's language, body limit,
//! metrics and masked request logs).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{
    ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, MatchedPath, Path, Query,
    Request, State,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest as _, Sha256};
use tempid_protocol::api::{
    APP_VERSION_HEADER, AccountResponse, ApplicationHistory, ApplicationRecord, ApplyRequest,
    CertificateResponse, CertificateStatus, CertificateStatusResponse, ErrorCode,
    FaceCheckChallenge, FaceCheckPurpose, FaceCheckResult, Health, LoginRequest, MONTHLY_QUOTA,
    Quota, REAPPLY_WINDOW_SECONDS, RegisterRequest, ReverifyRequest, SERVER_TIME_HEADER, ScanCount,
    ScanReport, ScanReportAck, SessionResponse, StartFaceCheckRequest, Statistics,
    SubmitEvidenceRequest,
};
use tempid_protocol::{
    Certificate, CertificateClaims, CertificateId, CheckpointKind, DevicePublicKey, Holder,
    IdNumber, KeyStatus, Kid, NameError, RevocationList, RevokedCertificate, VALIDITY_SECONDS,
    validate_name,
};

use crate::authority::{AuthorityRefusal, FaceCheckClaim};
use crate::clock::{cst_date, quota_month, quota_resets_on, unix, unix_millis};
use crate::db::{
    ApplyOutcome, CertificateRow, FaceCheckProblem, FaceCheckRow, NewCertificate, Rebind,
    ReverifyOutcome,
};
use crate::error::{ApiError, Language, PendingError};
use crate::state::AppState;

/// How long a face-check challenge may be answered.
pub const CHALLENGE_SECONDS: i64 = 5 * 60;
/// How long a passed face check may be used.
pub const FACE_CHECK_VALID_SECONDS: i64 = 10 * 60;
/// How far back `GET /v1/applications` reaches ("the last month").
pub const HISTORY_SECONDS: i64 = 31 * 24 * 60 * 60;

type Shared = Arc<AppState>;

/// Builds the router over the shared state.
pub fn router(state: Shared) -> Router {
    let body_limit = state.settings.body_limit_bytes;
    Router::new()
        .route("/v1/accounts", post(register))
        .route("/v1/sessions", post(login))
        .route("/v1/sessions/current", delete(logout))
        .route("/v1/face-checks", post(start_face_check))
        .route("/v1/face-checks/{id}/evidence", post(submit_evidence))
        .route("/v1/applications", post(apply).get(history))
        .route("/v1/certificates/current", get(current_certificate))
        .route("/v1/certificates/{cti}/status", get(certificate_status))
        .route("/v1/reverifications", post(reverify))
        .route("/v1/quota", get(quota))
        .route("/v1/trust-list", get(trust_list))
        .route("/v1/revocations", get(revocations))
        .route("/v1/statistics/scans", post(report_scans))
        .route("/v1/statistics", get(statistics))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            require_app_version,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

// ---------------------------------------------------------------------------------------------
// Middleware

/// Renders pending errors in the request's language, stamps the server time, records metrics
/// and logs the request (route template only: paths and queries may carry identifiers).
async fn observe(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let language = Language::from_accept_language(
        request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let method = request.method().as_str().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let mut response = next.run(request).await;
    if let Some(PendingError(error)) = response.extensions_mut().remove::<PendingError>() {
        let code = error.code;
        response = error.into_response_in(language);
        tracing::info!(%method, %route, code = code.as_str(), "refused");
    }
    let now = unix_millis(state.now());
    if let Ok(value) = HeaderValue::from_str(&now.to_string()) {
        response.headers_mut().insert(SERVER_TIME_HEADER, value);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    state
        .metrics
        .record_request(&method, &route, status, elapsed);
    tracing::debug!(%method, %route, status, elapsed_ms = elapsed * 1000.0, "request");
    response
}

/// The verifier's endpoints: public lists and scan statistics that gates, windows and
/// conductors' handhelds read or report. They are not the passenger app, so the app's minimum
/// version does not apply to them (a gate must never lose its trust list to an app release).
const VERIFIER_PATHS: [&str; 3] = ["/v1/trust-list", "/v1/revocations", "/v1/statistics"];

fn is_verifier_path(path: &str) -> bool {
    VERIFIER_PATHS.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Refuses the passenger app's `/v1` requests from an app older than the minimum (or naming no
/// version).
async fn require_app_version(
    State(state): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path.starts_with("/v1/") && !is_verifier_path(path) {
        let version = request
            .headers()
            .get(APP_VERSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::AppVersion::parse);
        if version.is_none_or(|v| v < state.settings.min_app_version) {
            let mut error = ApiError::new(ErrorCode::UpdateRequired);
            error.min_app_version = Some(state.settings.min_app_version.to_string());
            return error.into_response();
        }
    }
    next.run(request).await
}

async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound)
}

async fn method_not_allowed() -> ApiError {
    ApiError::bad_request(
        "不支持该请求方法。",
        "This method is not allowed on this path.",
    )
}

// ---------------------------------------------------------------------------------------------
// Extractors

/// JSON body whose rejections are `ErrorBody`s: `payload_too_large` over the body limit,
/// `bad_request` otherwise (never axum's plain-text default).
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(ErrorCode::PayloadTooLarge);
    }
    let detail = rejection.body_text();
    ApiError::bad_request(
        format!("请求格式不正确：{detail}"),
        format!("The request is malformed: {detail}"),
    )
}

/// The client's IP address (for rate limits).
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string());
        Ok(Self(ip))
    }
}

/// `?face_check_id=` of the read endpoints.
#[derive(Debug, Deserialize)]
struct LookupQuery {
    face_check_id: Option<String>,
}

/// A logged-in account.
struct Account {
    account_id: String,
    id_number: Option<String>,
}

fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::new(ErrorCode::Unauthorized))?;
    let token = text
        .strip_prefix("Bearer ")
        .or_else(|| text.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))?;
    Ok(Some(token))
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl AppState {
    /// The account of the bearer token, if the request carries one. A token that is present
    /// but unknown or expired is `unauthorized`: it never silently degrades to a guest.
    async fn optional_account(&self, headers: &HeaderMap) -> Result<Option<Account>, ApiError> {
        let Some(token) = bearer_token(headers)? else {
            return Ok(None);
        };
        let now = unix(self.now());
        match self.store.session_account(&token_hash(token), now).await? {
            Some((account_id, id_number)) => Ok(Some(Account {
                account_id,
                id_number,
            })),
            None => Err(ApiError::new(ErrorCode::Unauthorized)),
        }
    }

    async fn required_account(&self, headers: &HeaderMap) -> Result<Account, ApiError> {
        self.optional_account(headers)
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))
    }

    /// The person a read is about: the bearer's linked holder, or a passed face check's person.
    /// `Ok(None)`: an account with no application yet.
    async fn reader_person(
        &self,
        headers: &HeaderMap,
        query: &LookupQuery,
    ) -> Result<Option<String>, ApiError> {
        if let Some(face_check_id) = query.face_check_id.as_deref().filter(|s| !s.is_empty()) {
            let now = unix(self.now());
            return match self.store.lookup_face_check(face_check_id, now).await? {
                Some(id_number) => Ok(Some(id_number)),
                None => Err(ApiError::new(ErrorCode::FaceCheckRequired)),
            };
        }
        Ok(self.required_account(headers).await?.id_number)
    }

    async fn quota_of(
        &self,
        id_number: Option<&str>,
        now: time::OffsetDateTime,
    ) -> Result<Quota, ApiError> {
        let used = match id_number {
            Some(id) => self.store.quota_used(id, &quota_month(now)).await?,
            None => 0,
        };
        Ok(quota_value(used, now))
    }

    fn rate_limited(seconds: u64) -> ApiError {
        let mut error = ApiError::new(ErrorCode::RateLimited);
        error.retry_after_seconds = Some(seconds);
        error
    }
}

fn quota_value(used: u32, now: time::OffsetDateTime) -> Quota {
    Quota {
        limit: MONTHLY_QUOTA,
        used: used.min(MONTHLY_QUOTA),
        remaining: MONTHLY_QUOTA.saturating_sub(used),
        resets_on: quota_resets_on(now),
    }
}

fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(bytes)
}

fn parse_id_number(text: &str, now: time::OffsetDateTime) -> Result<IdNumber, ApiError> {
    IdNumber::parse(text, cst_date(now)).map_err(|e| {
        let mut error =
            ApiError::with_detail(ErrorCode::InvalidIdNumber, e.message_zh(), e.to_string());
        error.reason = Some(e.code().to_string());
        error
    })
}

fn parse_name(text: &str) -> Result<String, ApiError> {
    validate_name(text).map_err(|e| {
        let zh = match &e {
            NameError::Empty => "姓名不能为空。".to_string(),
            NameError::TooLong { found } => format!("姓名过长（{found} 个字符）。"),
            NameError::BadCharacter { found } => format!("姓名中含有无效字符“{found}”。"),
        };
        ApiError::with_detail(ErrorCode::InvalidName, zh, e.to_string())
    })
}

/// Parses a body that carries a device key, telling a bad key (`invalid_device_key`) from a
/// malformed body (`bad_request`).
fn parse_with_device_key<T: DeserializeOwned>(body: serde_json::Value) -> Result<T, ApiError> {
    let key_error = body
        .get("device_key")
        .filter(|v| !v.is_null())
        .and_then(|v| serde_json::from_value::<DevicePublicKey>(v.clone()).err());
    match serde_json::from_value::<T>(body) {
        Ok(value) => Ok(value),
        Err(_) if key_error.is_some() => {
            let detail = key_error.map(|e| e.to_string()).unwrap_or_default();
            Err(ApiError::with_detail(
                ErrorCode::InvalidDeviceKey,
                format!("设备密钥无效：{detail}"),
                format!("The device key is not valid: {detail}"),
            ))
        }
        Err(e) => Err(ApiError::bad_request(
            format!("请求格式不正确：{e}"),
            format!("The request is malformed: {e}"),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Accounts

async fn register(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<AccountResponse>), ApiError> {
    let now = unix(state.now());
    state
        .limiters
        .login_ip
        .hit(state.settings.rate_limits.login_per_ip, &ip, now)
        .map_err(AppState::rate_limited)?;
    let username = request.username.trim().to_string();
    let chars = username.chars().count();
    if !(3..=64).contains(&chars) || username.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "用户名应为 3–64 个字符。",
            "The user name must have 3 to 64 characters.",
        ));
    }
    let password_chars = request.password.chars().count();
    if password_chars < 8 {
        return Err(ApiError::new(ErrorCode::WeakPassword));
    }
    if password_chars > 256 {
        return Err(ApiError::bad_request(
            "密码过长。",
            "The password is too long (at most 256 characters).",
        ));
    }
    let hash = crate::password::hash(request.password).await?;
    let account_id = URL_SAFE_NO_PAD.encode(random_bytes::<16>()?);
    if !state
        .store
        .create_account(&account_id, &username, &hash, now)
        .await?
    {
        return Err(ApiError::new(ErrorCode::AccountExists));
    }
    tracing::info!(account_id = %account_id, "account registered");
    Ok((
        StatusCode::CREATED,
        Json(AccountResponse {
            account_id,
            username,
        }),
    ))
}

async fn login(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<(StatusCode, Json<SessionResponse>), ApiError> {
    let now = unix(state.now());
    let limits = state.settings.rate_limits;
    state
        .limiters
        .login_ip
        .hit(limits.login_per_ip, &ip, now)
        .map_err(AppState::rate_limited)?;
    let username = request.username.trim().to_string();
    state
        .limiters
        .login_user
        .hit(limits.login_per_username, &username, now)
        .map_err(AppState::rate_limited)?;
    let account = state.store.account_by_username(&username).await?;
    // An unknown user costs the same hash as a known one, so timing tells nothing.
    let (account_id, stored) = match account {
        Some((id, hash)) => (Some(id), hash),
        None => (None, state.dummy_hash.clone()),
    };
    let matches = crate::password::verify(request.password, stored).await?;
    let Some(account_id) = account_id.filter(|_| matches) else {
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    };
    let token = URL_SAFE_NO_PAD.encode(random_bytes::<32>()?);
    let expires_at = now + state.settings.session_ttl_seconds;
    state
        .store
        .create_session(&token_hash(&token), &account_id, now, expires_at)
        .await?;
    tracing::info!(account_id = %account_id, "logged in");
    Ok((
        StatusCode::CREATED,
        Json(SessionResponse {
            token,
            expires_at,
            account_id,
        }),
    ))
}

async fn logout(State(state): State<Shared>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    let token = bearer_token(&headers)?.ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))?;
    state.required_account(&headers).await?;
    state.store.delete_session(&token_hash(token)).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Face checks

fn purpose_code(purpose: FaceCheckPurpose) -> &'static str {
    match purpose {
        FaceCheckPurpose::Apply => "apply",
        FaceCheckPurpose::Reverify => "reverify",
        FaceCheckPurpose::Lookup => "lookup",
    }
}

async fn start_face_check(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(request): ApiJson<StartFaceCheckRequest>,
) -> Result<(StatusCode, Json<FaceCheckChallenge>), ApiError> {
    let account = state.optional_account(&headers).await?;
    let now_dt = state.now();
    let now = unix(now_dt);
    let id_number = parse_id_number(&request.id_number, now_dt)?;
    let name = parse_name(&request.name)?;
    let limits = state.settings.rate_limits;
    state
        .limiters
        .face_ip
        .hit(limits.face_checks_per_ip, &ip, now)
        .map_err(AppState::rate_limited)?;
    state
        .limiters
        .face_id
        .hit(limits.face_checks_per_id_number, id_number.as_str(), now)
        .map_err(AppState::rate_limited)?;
    let row = FaceCheckRow {
        face_check_id: URL_SAFE_NO_PAD.encode(random_bytes::<16>()?),
        challenge: URL_SAFE_NO_PAD.encode(random_bytes::<32>()?),
        id_number: id_number.as_str().to_string(),
        name,
        purpose: purpose_code(request.purpose).to_string(),
        account_id: account.map(|a| a.account_id),
        status: "pending".into(),
        challenge_expires_at: now + CHALLENGE_SECONDS,
        valid_until: None,
    };
    state.store.insert_face_check(&row, now).await?;
    tracing::info!(id_number = %id_number.masked(), purpose = %row.purpose, "face check started");
    Ok((
        StatusCode::CREATED,
        Json(FaceCheckChallenge {
            face_check_id: row.face_check_id,
            challenge: row.challenge,
            expires_at: row.challenge_expires_at,
        }),
    ))
}

async fn submit_evidence(
    State(state): State<Shared>,
    path: Result<Path<String>, PathRejection>,
    ApiJson(request): ApiJson<SubmitEvidenceRequest>,
) -> Result<Json<FaceCheckResult>, ApiError> {
    let Path(face_check_id) = path.map_err(|_| ApiError::new(ErrorCode::NotFound))?;
    let check = state
        .store
        .face_check(&face_check_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    if check.status != "pending" {
        return Err(ApiError::new(ErrorCode::ChallengeReplayed));
    }
    let now_dt = state.now();
    let now = unix(now_dt);
    if now >= check.challenge_expires_at {
        state
            .store
            .settle_face_check(&face_check_id, "failed", None)
            .await?;
        return Err(ApiError::new(ErrorCode::ChallengeExpired));
    }
    let id_number =
        IdNumber::parse(&check.id_number, cst_date(now_dt)).map_err(ApiError::internal)?;
    let claim = FaceCheckClaim {
        id_number: &id_number,
        name: &check.name,
        challenge: &check.challenge,
        evidence: request.evidence.trim(),
    };
    let verdict = state.authority.check(claim).await;
    let code = match verdict {
        Ok(()) => None,
        Err(AuthorityRefusal::Unavailable(cause)) => return Err(ApiError::internal(cause)),
        Err(AuthorityRefusal::IdentityMismatch) => Some(ErrorCode::IdentityMismatch),
        Err(AuthorityRefusal::FaceCheckFailed) => Some(ErrorCode::FaceCheckFailed),
        Err(AuthorityRefusal::ChallengeReplayed) => Some(ErrorCode::ChallengeReplayed),
        Err(AuthorityRefusal::BadEvidence) => Some(ErrorCode::BadEvidence),
    };
    let masked = id_number.masked();
    if let Some(code) = code {
        // A challenge is answered once: a refused attempt needs a new face check.
        state
            .store
            .settle_face_check(&face_check_id, "failed", None)
            .await?;
        tracing::info!(id_number = %masked, code = code.as_str(), "face check refused");
        return Err(ApiError::new(code));
    }
    let valid_until = now + FACE_CHECK_VALID_SECONDS;
    if !state
        .store
        .settle_face_check(&face_check_id, "passed", Some(valid_until))
        .await?
    {
        return Err(ApiError::new(ErrorCode::ChallengeReplayed));
    }
    tracing::info!(id_number = %masked, purpose = %check.purpose, "face check passed");
    let quota = state.quota_of(Some(id_number.as_str()), now_dt).await?;
    Ok(Json(FaceCheckResult {
        face_check_id,
        valid_until,
        quota,
    }))
}

// ---------------------------------------------------------------------------------------------
// Applications and certificates

fn check_city(city: &str) -> Result<String, ApiError> {
    let city = city.trim();
    if city.chars().count() > 64 || city.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "城市名称无效。",
            "The city is not valid (at most 64 characters).",
        ));
    }
    Ok(city.to_string())
}

fn certificate_response(
    row: &CertificateRow,
    quota: Quota,
) -> Result<CertificateResponse, ApiError> {
    let cti = CertificateId::from_hex(&row.cti)
        .ok_or_else(|| ApiError::internal("stored cti is not hex"))?;
    Ok(CertificateResponse {
        certificate: row.certificate.clone(),
        cti,
        issued_at: row.issued_at,
        expires_at: row.expires_at,
        quota,
    })
}

async fn apply(
    State(state): State<Shared>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<(StatusCode, Json<CertificateResponse>), ApiError> {
    let account = state.optional_account(&headers).await?;
    let request: ApplyRequest = parse_with_device_key(body)?;
    let now_dt = state.now();
    let now = unix(now_dt);
    let id_number = parse_id_number(&request.id_number, now_dt)?;
    let name = parse_name(&request.name)?;
    if !request.consent || !request.self_confirmed {
        return Err(ApiError::new(ErrorCode::ConsentRequired));
    }
    let city = check_city(&request.city)?;
    let cti = CertificateId(random_bytes::<8>()?);
    let keyring = state.keyring();
    let key = keyring.active();
    let claims = CertificateClaims {
        issuer: state.settings.issuer_name.clone(),
        issued_at: now,
        expires_at: now + VALIDITY_SECONDS,
        cti,
        holder: Holder {
            id_number: id_number.clone(),
            name: name.clone(),
        },
        device_key: request.device_key.clone(),
    };
    let certificate = Certificate::issue(claims, key);
    let new = NewCertificate {
        cti: cti.to_hex(),
        id_number: id_number.as_str().to_string(),
        name,
        month: quota_month(now_dt),
        city,
        account_id: account.map(|a| a.account_id),
        face_check_id: request.face_check_id.clone(),
        kid: key.kid().to_base64url(),
        device_key: serde_json::to_string(&request.device_key).map_err(ApiError::internal)?,
        certificate: URL_SAFE_NO_PAD.encode(certificate.to_cbor()),
        issued_at: now,
        expires_at: now + VALIDITY_SECONDS,
    };
    drop(keyring);
    let masked = id_number.masked();
    match state
        .store
        .apply(&new, now, MONTHLY_QUOTA, REAPPLY_WINDOW_SECONDS)
        .await?
    {
        ApplyOutcome::Issued { used } => {
            state.metrics.application_issued();
            tracing::info!(id_number = %masked, cti = %new.cti, used, "certificate issued");
            Ok((
                StatusCode::CREATED,
                Json(CertificateResponse {
                    certificate: new.certificate,
                    cti,
                    issued_at: new.issued_at,
                    expires_at: new.expires_at,
                    quota: quota_value(used, now_dt),
                }),
            ))
        }
        ApplyOutcome::FaceCheck(FaceCheckProblem::Required) => {
            Err(ApiError::new(ErrorCode::FaceCheckRequired))
        }
        ApplyOutcome::FaceCheck(FaceCheckProblem::AlreadyUsed) => {
            Err(ApiError::new(ErrorCode::ChallengeReplayed))
        }
        ApplyOutcome::StillValid { reapply_from } => {
            let mut error = ApiError::new(ErrorCode::CertificateStillValid);
            error.reapply_from = Some(reapply_from);
            Err(error)
        }
        ApplyOutcome::QuotaExhausted => {
            state.metrics.quota_refused();
            tracing::info!(id_number = %masked, "quota exhausted");
            let mut error = ApiError::new(ErrorCode::QuotaExhausted);
            error.resets_on = Some(quota_resets_on(now_dt));
            Err(error)
        }
    }
}

impl AppState {
    /// Whether the key that signed a stored certificate is revoked (or unknown).
    fn signing_key_revoked(&self, kid: &str) -> bool {
        let keyring = self.keyring();
        Kid::from_base64url(kid)
            .and_then(|kid| keyring.by_kid(kid))
            .is_none_or(|k| k.record.status() == KeyStatus::Revoked)
    }

    fn status_of(&self, row: &CertificateRow, now: i64) -> CertificateStatus {
        if row.revoked_at.is_some() || self.signing_key_revoked(&row.kid) {
            CertificateStatus::Revoked
        } else if row.superseded_at.is_some() {
            CertificateStatus::Superseded
        } else if now >= row.expires_at {
            CertificateStatus::Expired
        } else {
            CertificateStatus::Valid
        }
    }
}

async fn current_certificate(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Json<CertificateResponse>, ApiError> {
    let account = state.required_account(&headers).await?;
    let id_number = account
        .id_number
        .ok_or_else(|| ApiError::new(ErrorCode::NoCurrentCertificate))?;
    let row = state
        .store
        .current_certificate(&id_number)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NoCurrentCertificate))?;
    let now_dt = state.now();
    match state.status_of(&row, unix(now_dt)) {
        CertificateStatus::Valid => {}
        CertificateStatus::Revoked => return Err(ApiError::new(ErrorCode::CertificateRevoked)),
        CertificateStatus::Expired => return Err(ApiError::new(ErrorCode::CertificateExpired)),
        CertificateStatus::Superseded => {
            return Err(ApiError::new(ErrorCode::NoCurrentCertificate));
        }
    }
    let quota = state.quota_of(Some(&id_number), now_dt).await?;
    Ok(Json(certificate_response(&row, quota)?))
}

async fn certificate_status(
    State(state): State<Shared>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<CertificateStatusResponse>, ApiError> {
    let Path(cti) = path.map_err(|_| ApiError::new(ErrorCode::NotFound))?;
    let cti = CertificateId::from_hex(&cti.to_ascii_lowercase()).ok_or_else(|| {
        ApiError::bad_request(
            "证明编号应为 16 位十六进制数字。",
            "A certificate id (cti) is 16 hex digits.",
        )
    })?;
    let row = state
        .store
        .certificate(&cti.to_hex())
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let status = state.status_of(&row, unix(state.now()));
    Ok(Json(CertificateStatusResponse {
        cti,
        status,
        expires_at: row.expires_at,
    }))
}

async fn reverify(
    State(state): State<Shared>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Json<CertificateResponse>, ApiError> {
    state.optional_account(&headers).await?;
    let request: ReverifyRequest = parse_with_device_key(body)?;
    let now_dt = state.now();
    let now = unix(now_dt);
    let new_key = request.device_key.clone();
    let device_key_json = new_key
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(ApiError::internal)?;
    let keyring = state.keyring();
    let resign = |row: &CertificateRow| -> Result<Option<String>, ()> {
        let signer = Kid::from_base64url(&row.kid)
            .and_then(|kid| keyring.by_kid(kid))
            .ok_or(())?;
        if signer.record.status() == KeyStatus::Revoked {
            return Err(());
        }
        let Some(new_key) = new_key.clone() else {
            return Ok(None);
        };
        let bytes = URL_SAFE_NO_PAD.decode(&row.certificate).map_err(|_| ())?;
        let mut claims = Certificate::from_cbor(&bytes)
            .map_err(|_| ())?
            .claims()
            .clone();
        claims.device_key = new_key;
        // Re-signed by the key that signed it first: same cti, iat and exp, and the key's
        // trust-list window (nbf..exp) still covers it after a rotation.
        Ok(Some(
            URL_SAFE_NO_PAD.encode(Certificate::issue(claims, &signer.key).to_cbor()),
        ))
    };
    let rebind = Rebind {
        device_key: device_key_json,
        resign: &resign,
    };
    let outcome = state
        .store
        .reverify(&request.face_check_id, &request.cti.to_hex(), now, rebind)
        .await?;
    drop(keyring);
    match outcome {
        ReverifyOutcome::Done(row) => {
            state.metrics.reverified();
            tracing::info!(cti = %row.cti, rebound = request.device_key.is_some(), "re-verified");
            let quota = state.quota_of(Some(&row.id_number), now_dt).await?;
            Ok(Json(certificate_response(&row, quota)?))
        }
        ReverifyOutcome::FaceCheck(FaceCheckProblem::Required) => {
            Err(ApiError::new(ErrorCode::FaceCheckRequired))
        }
        ReverifyOutcome::FaceCheck(FaceCheckProblem::AlreadyUsed) => {
            Err(ApiError::new(ErrorCode::ChallengeReplayed))
        }
        ReverifyOutcome::NoCurrentCertificate => {
            Err(ApiError::new(ErrorCode::NoCurrentCertificate))
        }
        ReverifyOutcome::Expired => Err(ApiError::new(ErrorCode::CertificateExpired)),
        ReverifyOutcome::Revoked => Err(ApiError::new(ErrorCode::CertificateRevoked)),
    }
}

async fn history(
    State(state): State<Shared>,
    headers: HeaderMap,
    query: Result<Query<LookupQuery>, QueryRejection>,
) -> Result<Json<ApplicationHistory>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text(), e.body_text()))?;
    let Some(id_number) = state.reader_person(&headers, &query).await? else {
        return Ok(Json(ApplicationHistory {
            applications: Vec::new(),
        }));
    };
    let now = unix(state.now());
    let rows = state
        .store
        .history(&id_number, now - HISTORY_SECONDS)
        .await?;
    let mut applications = Vec::with_capacity(rows.len());
    for row in &rows {
        let cti = CertificateId::from_hex(&row.cti)
            .ok_or_else(|| ApiError::internal("stored cti is not hex"))?;
        let masked = IdNumber::parse(&row.id_number, time::Date::MAX)
            .map(|n| n.masked())
            .unwrap_or_else(|_| "******************".into());
        applications.push(ApplicationRecord {
            cti,
            issued_at: row.issued_at,
            expires_at: row.expires_at,
            city: row.city.clone(),
            status: state.status_of(row, now),
            id_number_masked: masked,
        });
    }
    Ok(Json(ApplicationHistory { applications }))
}

async fn quota(
    State(state): State<Shared>,
    headers: HeaderMap,
    query: Result<Query<LookupQuery>, QueryRejection>,
) -> Result<Json<Quota>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text(), e.body_text()))?;
    let id_number = state.reader_person(&headers, &query).await?;
    Ok(Json(
        state.quota_of(id_number.as_deref(), state.now()).await?,
    ))
}

// ---------------------------------------------------------------------------------------------
// Trust list, revocations, statistics

async fn trust_list(State(state): State<Shared>) -> Response {
    let now = unix(state.now());
    Json(state.keyring().trust_list(now)).into_response()
}

async fn revocations(State(state): State<Shared>) -> Result<Json<RevocationList>, ApiError> {
    let now = unix(state.now());
    let rows = state.store.revocations(now).await?;
    let entries = rows
        .into_iter()
        .filter_map(|(cti, revoked_at)| {
            CertificateId::from_hex(&cti).map(|cti| RevokedCertificate { cti, revoked_at })
        })
        .collect();
    Ok(Json(RevocationList::new(now, entries)))
}

async fn report_scans(
    State(state): State<Shared>,
    ApiJson(report): ApiJson<ScanReport>,
) -> Result<(StatusCode, Json<ScanReportAck>), ApiError> {
    let valid_id =
        |s: &str| (1..=128).contains(&s.chars().count()) && !s.chars().any(char::is_control);
    if !valid_id(&report.gate_id) || !valid_id(&report.batch_id) {
        return Err(ApiError::bad_request(
            "gate_id 和 batch_id 应为 1–128 个字符。",
            "gate_id and batch_id must have 1 to 128 characters.",
        ));
    }
    let mut totals: std::collections::BTreeMap<CheckpointKind, (i64, i64)> =
        std::collections::BTreeMap::new();
    for count in &report.counts {
        let (accepted, rejected) = totals.entry(count.checkpoint).or_default();
        let add = |total: &mut i64, n: u64| -> Option<()> {
            *total = total.checked_add(i64::try_from(n).ok()?)?;
            Some(())
        };
        add(accepted, count.accepted)
            .and_then(|()| add(rejected, count.rejected))
            .ok_or_else(|| ApiError::bad_request("计数过大。", "A count is too large."))?;
    }
    let counts: Vec<(String, i64, i64)> = totals
        .into_iter()
        .map(|(kind, (a, r))| (kind.code().to_string(), a, r))
        .collect();
    let now = unix(state.now());
    let counted = state
        .store
        .record_scans(&report.batch_id, &report.gate_id, &counts, now)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ScanReportAck {
            batch_id: report.batch_id,
            counted,
        }),
    ))
}

async fn statistics(State(state): State<Shared>) -> Result<Json<Statistics>, ApiError> {
    let (totals, issued) = state.store.statistics().await?;
    let by_checkpoint = totals
        .into_iter()
        .filter_map(|t| {
            Some(ScanCount {
                checkpoint: CheckpointKind::from_code(&t.checkpoint)?,
                accepted: u64::try_from(t.accepted).unwrap_or(0),
                rejected: u64::try_from(t.rejected).unwrap_or(0),
            })
        })
        .collect();
    Ok(Json(Statistics {
        by_checkpoint,
        certificates_issued: u64::try_from(issued).unwrap_or(0),
    }))
}

// ---------------------------------------------------------------------------------------------
// Operations

async fn healthz(State(state): State<Shared>) -> (StatusCode, Json<Health>) {
    let ok = state.store.ping().await;
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Health {
            status: if ok { "ok" } else { "database_unavailable" }.into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }),
    )
}

async fn metrics(State(state): State<Shared>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        state.metrics.render(),
    )
        .into_response()
}

async fn openapi() -> Response {
    Json(crate::openapi::document()).into_response()
}
