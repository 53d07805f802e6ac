//! The issuer's HTTP contract (`/v1`, JSON): paths, headers, request and response bodies and
//! the one error shape. The issuer serves these types and the core sends them, so the two
//! cannot drift apart. No I/O here.
//!
//! | method | path | body → response | auth |
//! |---|---|---|---|
//! | POST | `/v1/accounts` | [`RegisterRequest`] → 201 [`AccountResponse`] | – |
//! | POST | `/v1/sessions` | [`LoginRequest`] → 201 [`SessionResponse`] | – |
//! | DELETE | `/v1/sessions/current` | → 204 | bearer |
//! | POST | `/v1/face-checks` | [`StartFaceCheckRequest`] → 201 [`FaceCheckChallenge`] | optional |
//! | POST | `/v1/face-checks/{id}/evidence` | [`SubmitEvidenceRequest`] → 200 [`FaceCheckResult`] | optional |
//! | POST | `/v1/applications` | [`ApplyRequest`] → 201 [`CertificateResponse`] | optional |
//! | GET | `/v1/applications` | → 200 [`ApplicationHistory`] (last month) | bearer, or `?face_check_id=` |
//! | GET | `/v1/certificates/current` | → 200 [`CertificateResponse`] | bearer |
//! | GET | `/v1/certificates/{cti}/status` | → 200 [`CertificateStatusResponse`] | – |
//! | POST | `/v1/reverifications` | [`ReverifyRequest`] → 200 [`CertificateResponse`] | optional |
//! | GET | `/v1/quota` | → 200 [`Quota`] | bearer, or `?face_check_id=` |
//! | GET | `/v1/trust-list` | → 200 [`crate::TrustList`] | – |
//! | GET | `/v1/revocations` | → 200 [`crate::RevocationList`] | – |
//! | POST | `/v1/statistics/scans` | [`ScanReport`] → 202 [`ScanReportAck`] | – |
//! | GET | `/v1/statistics` | → 200 [`Statistics`] | – |
//! | GET | `/healthz`, `/metrics`, `/openapi.json` | – | – |
//!
//! Every `/v1` request carries [`APP_VERSION_HEADER`] (below the issuer's minimum:
//! `update_required`, HTTP 426) and may carry `Accept-Language` (`zh-CN` default, `en`). Every
//! response carries [`SERVER_TIME_HEADER`], from which the app learns its clock offset.
//! Refusals are an [`ErrorBody`] with a stable [`ErrorCode`].

use serde::{Deserialize, Serialize};

use crate::certificate::CertificateId;
use crate::checkpoint::CheckpointKind;
use crate::keys::DevicePublicKey;

/// Request header: the app's version (`MAJOR.MINOR.PATCH`).
pub const APP_VERSION_HEADER: &str = "x-tempid-app-version";
/// Response header: the issuer's clock, Unix milliseconds.
pub const SERVER_TIME_HEADER: &str = "x-tempid-server-time";
/// Applications allowed per ID number per calendar month (China Standard Time).
pub const MONTHLY_QUOTA: u32 = 3;
/// A new application is allowed from this many seconds before the current certificate expires.
pub const REAPPLY_WINDOW_SECONDS: i64 = 3 * 60 * 60;
/// The offset of China Standard Time from UTC, in which quota months are counted.
pub const CHINA_STANDARD_TIME_OFFSET_SECONDS: i32 = 8 * 60 * 60;

/// Stable refusal codes. The snake_case names are the wire form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not JSON, or a field is missing or of the wrong type.
    BadRequest,
    /// The ID number is not valid; `reason` names the [`crate::IdNumberError`] code.
    InvalidIdNumber,
    /// The name is not valid.
    InvalidName,
    /// The device public key is not valid.
    InvalidDeviceKey,
    /// Consent and the self-confirmation ("I am the holder") are both required.
    ConsentRequired,
    /// No valid session: log in again.
    Unauthorized,
    /// Wrong user name or password.
    InvalidCredentials,
    /// The user name is taken.
    AccountExists,
    /// The password is too weak.
    WeakPassword,
    /// The liveness check did not pass (spoof, no face, poor quality).
    FaceCheckFailed,
    /// The face does not belong to the person with this ID number and name.
    IdentityMismatch,
    /// The face-check challenge expired; start a new one.
    ChallengeExpired,
    /// The evidence or face check was already used.
    ChallengeReplayed,
    /// The evidence is not genuine (bad signature, wrong format).
    BadEvidence,
    /// The request needs a passed, unused face check for this person and purpose.
    FaceCheckRequired,
    /// This month's applications are used up; `resets_on` gives the date.
    QuotaExhausted,
    /// The current certificate is valid for more than 3 hours; `reapply_from` gives when a new
    /// application opens.
    CertificateStillValid,
    /// No current certificate to re-verify or fetch.
    NoCurrentCertificate,
    /// The certificate has expired: apply again.
    CertificateExpired,
    /// The certificate was revoked.
    CertificateRevoked,
    /// The app is older than the issuer's minimum; `min_app_version` gives it.
    UpdateRequired,
    /// Too many attempts; retry after `retry_after_seconds`.
    RateLimited,
    /// The body is larger than allowed.
    PayloadTooLarge,
    /// No such resource.
    NotFound,
    /// The issuer failed; nothing was changed.
    Internal,
}

impl ErrorCode {
    /// The stable code as text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::InvalidIdNumber => "invalid_id_number",
            Self::InvalidName => "invalid_name",
            Self::InvalidDeviceKey => "invalid_device_key",
            Self::ConsentRequired => "consent_required",
            Self::Unauthorized => "unauthorized",
            Self::InvalidCredentials => "invalid_credentials",
            Self::AccountExists => "account_exists",
            Self::WeakPassword => "weak_password",
            Self::FaceCheckFailed => "face_check_failed",
            Self::IdentityMismatch => "identity_mismatch",
            Self::ChallengeExpired => "challenge_expired",
            Self::ChallengeReplayed => "challenge_replayed",
            Self::BadEvidence => "bad_evidence",
            Self::FaceCheckRequired => "face_check_required",
            Self::QuotaExhausted => "quota_exhausted",
            Self::CertificateStillValid => "certificate_still_valid",
            Self::NoCurrentCertificate => "no_current_certificate",
            Self::CertificateExpired => "certificate_expired",
            Self::CertificateRevoked => "certificate_revoked",
            Self::UpdateRequired => "update_required",
            Self::RateLimited => "rate_limited",
            Self::PayloadTooLarge => "payload_too_large",
            Self::NotFound => "not_found",
            Self::Internal => "internal",
        }
    }
}

/// The one error shape of the issuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable code.
    pub code: ErrorCode,
    /// What happened, in the request's language (zh-CN default, en).
    pub message: String,
    /// What to do next, in the request's language.
    pub hint: String,
    /// For `invalid_id_number`: the precise reason code (`wrong_check_character`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For `quota_exhausted`: the first day (China Standard Time) a new application is allowed, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resets_on: Option<String>,
    /// For `certificate_still_valid`: from when (Unix seconds) a new application is allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reapply_from: Option<i64>,
    /// For `update_required`: the minimum app version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_app_version: Option<String>,
    /// For `rate_limited`: seconds to wait (also in `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

/// `POST /v1/accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRequest {
    /// Login name (typically a phone number), 3–64 characters.
    pub username: String,
    /// Password, at least 8 characters.
    pub password: String,
}

/// The created account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountResponse {
    /// The account id.
    pub account_id: String,
    /// The login name.
    pub username: String,
}

/// `POST /v1/sessions` (log in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A session: send `Authorization: Bearer <token>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionResponse {
    /// 256-bit random token, base64url.
    pub token: String,
    /// When the session ends (Unix seconds).
    pub expires_at: i64,
    /// The account id.
    pub account_id: String,
}

/// What a face check is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaceCheckPurpose {
    /// Before an application.
    Apply,
    /// The 30-minute re-check, or reopening the pass on a new device key.
    Reverify,
    /// To read history or quota as a guest.
    Lookup,
}

/// `POST /v1/face-checks`: start a check for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartFaceCheckRequest {
    /// The ID number (checked like everywhere else).
    pub id_number: String,
    /// The name as on the ID card.
    pub name: String,
    /// What the check is for.
    pub purpose: FaceCheckPurpose,
}

/// The challenge the liveness SDK must answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceCheckChallenge {
    /// The face check id.
    pub face_check_id: String,
    /// A random nonce, base64url, that the evidence must cover.
    pub challenge: String,
    /// When the challenge expires (Unix seconds).
    pub expires_at: i64,
}

/// `POST /v1/face-checks/{id}/evidence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitEvidenceRequest {
    /// The liveness SDK's signed evidence, base64url (opaque to the app).
    pub evidence: String,
}

/// A passed face check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceCheckResult {
    /// The face check id, to use in the application or re-verification.
    pub face_check_id: String,
    /// Until when it may be used (Unix seconds).
    pub valid_until: i64,
    /// The person's quota this month.
    pub quota: Quota,
}

/// `POST /v1/applications`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyRequest {
    /// A passed face check of purpose `apply` for this ID number and name.
    pub face_check_id: String,
    /// The ID number.
    pub id_number: String,
    /// The name as on the ID card.
    pub name: String,
    /// The device key the certificate binds.
    pub device_key: DevicePublicKey,
    /// The city the app located (shown in history).
    pub city: String,
    /// The person agreed to the terms.
    pub consent: bool,
    /// The person confirmed "I am the holder of this ID number".
    pub self_confirmed: bool,
}

/// A certificate as the issuer returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateResponse {
    /// The certificate's CBOR (COSE_Sign1), base64url.
    pub certificate: String,
    /// Its identifier.
    pub cti: CertificateId,
    /// Issue time (Unix seconds).
    pub issued_at: i64,
    /// Expiry (Unix seconds).
    pub expires_at: i64,
    /// The person's quota after this call.
    pub quota: Quota,
}

/// `POST /v1/reverifications`: a fresh face check for the current certificate. Never consumes
/// quota. With `device_key`, the certificate is re-issued bound to the new key (same `cti`,
/// `iat` and `exp`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReverifyRequest {
    /// A passed face check of purpose `reverify`.
    pub face_check_id: String,
    /// The certificate being re-verified.
    pub cti: CertificateId,
    /// A new device key to bind (guest reopening, cleared cache).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<DevicePublicKey>,
}

/// A certificate's status, for the app's re-sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    /// Valid.
    Valid,
    /// Past its expiry.
    Expired,
    /// Revoked.
    Revoked,
    /// Replaced by a newer application.
    Superseded,
}

/// `GET /v1/certificates/{cti}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateStatusResponse {
    /// The certificate.
    pub cti: CertificateId,
    /// Its status.
    pub status: CertificateStatus,
    /// Its expiry (Unix seconds).
    pub expires_at: i64,
}

/// A person's applications this calendar month (China Standard Time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    /// Applications allowed a month.
    pub limit: u32,
    /// Applications used this month.
    pub used: u32,
    /// Applications left this month.
    pub remaining: u32,
    /// First day of next month, China Standard Time, `YYYY-MM-DD`.
    pub resets_on: String,
}

/// One past application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationRecord {
    /// The certificate issued.
    pub cti: CertificateId,
    /// When (Unix seconds).
    pub issued_at: i64,
    /// Expiry (Unix seconds).
    pub expires_at: i64,
    /// The city the app reported.
    pub city: String,
    /// Its status now.
    pub status: CertificateStatus,
    /// The ID number, masked.
    pub id_number_masked: String,
}

/// `GET /v1/applications`: the last month's applications, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationHistory {
    /// The applications.
    pub applications: Vec<ApplicationRecord>,
}

/// Scans counted by a gate for one checkpoint kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanCount {
    /// The checkpoint kind.
    pub checkpoint: CheckpointKind,
    /// Frames accepted.
    pub accepted: u64,
    /// Frames refused.
    pub rejected: u64,
}

/// `POST /v1/statistics/scans`: a gate's batch of counts. `batch_id` makes a retried upload
/// count once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanReport {
    /// The reporting gate.
    pub gate_id: String,
    /// Unique per batch (e.g. a UUID); a repeated id is acknowledged and not counted again.
    pub batch_id: String,
    /// The counts.
    pub counts: Vec<ScanCount>,
}

/// The issuer's answer to a scan report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanReportAck {
    /// The batch.
    pub batch_id: String,
    /// False when this batch had been counted before.
    pub counted: bool,
}

/// `GET /v1/statistics`: totals by checkpoint kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
    /// One entry per kind that has scans.
    pub by_checkpoint: Vec<ScanCount>,
    /// Certificates issued in total.
    pub certificates_issued: u64,
}

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` when the database answers.
    pub status: String,
    /// The service version.
    pub version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_serialise_as_their_stable_names() {
        for code in [
            ErrorCode::QuotaExhausted,
            ErrorCode::UpdateRequired,
            ErrorCode::InvalidIdNumber,
        ] {
            let json = serde_json::to_string(&code).expect("json");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
        let body = ErrorBody {
            code: ErrorCode::QuotaExhausted,
            message: "m".into(),
            hint: "h".into(),
            reason: None,
            resets_on: Some("2026-12-01".into()),
            reapply_from: None,
            min_app_version: None,
            retry_after_seconds: None,
        };
        let json = serde_json::to_string(&body).expect("json");
        assert_eq!(
            json,
            r#"{"code":"quota_exhausted","message":"m","hint":"h","resets_on":"2026-12-01"}"#
        );
    }
}
