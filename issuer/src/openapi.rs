//! The OpenAPI 3.1 document served at `/openapi.json`, generated with `utoipa`.
//!
//! The wire types live in `tempid_protocol::api`, which carries no `utoipa` dependency; the
//! schemas here mirror them field for field (a test serialises the protocol types and checks
//! every field against these schemas, so the two cannot drift silently).

#![allow(dead_code)] // the path functions exist only for their `#[utoipa::path]` attributes

use utoipa::{OpenApi, ToSchema};

/// Schemas mirroring `tempid_protocol::api` and the trust-list types.
pub mod schemas {
    #![allow(missing_docs)]
    use super::ToSchema;

    #[derive(ToSchema)]
    #[schema(rename_all = "snake_case")]
    pub enum ErrorCode {
        BadRequest,
        InvalidIdNumber,
        InvalidName,
        InvalidDeviceKey,
        ConsentRequired,
        Unauthorized,
        InvalidCredentials,
        AccountExists,
        WeakPassword,
        FaceCheckFailed,
        IdentityMismatch,
        ChallengeExpired,
        ChallengeReplayed,
        BadEvidence,
        FaceCheckRequired,
        QuotaExhausted,
        CertificateStillValid,
        NoCurrentCertificate,
        CertificateExpired,
        CertificateRevoked,
        UpdateRequired,
        RateLimited,
        PayloadTooLarge,
        NotFound,
        Internal,
    }

    /// The one error shape.
    #[derive(ToSchema)]
    pub struct ErrorBody {
        pub code: ErrorCode,
        pub message: String,
        pub hint: String,
        pub reason: Option<String>,
        pub resets_on: Option<String>,
        pub reapply_from: Option<i64>,
        pub min_app_version: Option<String>,
        pub retry_after_seconds: Option<u64>,
    }

    #[derive(ToSchema)]
    pub struct RegisterRequest {
        pub username: String,
        pub password: String,
    }
    #[derive(ToSchema)]
    pub struct AccountResponse {
        pub account_id: String,
        pub username: String,
    }
    #[derive(ToSchema)]
    pub struct LoginRequest {
        pub username: String,
        pub password: String,
    }
    #[derive(ToSchema)]
    pub struct SessionResponse {
        pub token: String,
        pub expires_at: i64,
        pub account_id: String,
    }

    #[derive(ToSchema)]
    #[schema(rename_all = "snake_case")]
    pub enum FaceCheckPurpose {
        Apply,
        Reverify,
        Lookup,
    }
    #[derive(ToSchema)]
    pub struct StartFaceCheckRequest {
        pub id_number: String,
        pub name: String,
        pub purpose: FaceCheckPurpose,
    }
    #[derive(ToSchema)]
    pub struct FaceCheckChallenge {
        pub face_check_id: String,
        pub challenge: String,
        pub expires_at: i64,
    }
    #[derive(ToSchema)]
    pub struct SubmitEvidenceRequest {
        pub evidence: String,
    }
    #[derive(ToSchema)]
    pub struct FaceCheckResult {
        pub face_check_id: String,
        pub valid_until: i64,
        pub quota: Quota,
    }

    #[derive(ToSchema)]
    pub enum Algorithm {
        EdDSA,
        ES256,
    }
    /// A device public key: base64url raw key (Ed25519 32 bytes; P-256 SEC1 point).
    #[derive(ToSchema)]
    pub struct DevicePublicKey {
        pub alg: Algorithm,
        pub public_key: String,
    }

    #[derive(ToSchema)]
    pub struct ApplyRequest {
        pub face_check_id: String,
        pub id_number: String,
        pub name: String,
        pub device_key: DevicePublicKey,
        pub city: String,
        pub consent: bool,
        pub self_confirmed: bool,
    }
    /// `cti` is 16 hex digits; `certificate` is the COSE_Sign1 CBOR, base64url.
    #[derive(ToSchema)]
    pub struct CertificateResponse {
        pub certificate: String,
        pub cti: String,
        pub issued_at: i64,
        pub expires_at: i64,
        pub quota: Quota,
    }
    #[derive(ToSchema)]
    pub struct ReverifyRequest {
        pub face_check_id: String,
        pub cti: String,
        pub device_key: Option<DevicePublicKey>,
    }
    #[derive(ToSchema)]
    #[schema(rename_all = "snake_case")]
    pub enum CertificateStatus {
        Valid,
        Expired,
        Revoked,
        Superseded,
    }
    #[derive(ToSchema)]
    pub struct CertificateStatusResponse {
        pub cti: String,
        pub status: CertificateStatus,
        pub expires_at: i64,
    }
    #[derive(ToSchema)]
    pub struct Quota {
        pub limit: u32,
        pub used: u32,
        pub remaining: u32,
        pub resets_on: String,
    }
    #[derive(ToSchema)]
    pub struct ApplicationRecord {
        pub cti: String,
        pub issued_at: i64,
        pub expires_at: i64,
        pub city: String,
        pub status: CertificateStatus,
        pub id_number_masked: String,
    }
    #[derive(ToSchema)]
    pub struct ApplicationHistory {
        pub applications: Vec<ApplicationRecord>,
    }

    #[derive(ToSchema)]
    #[schema(rename_all = "snake_case")]
    pub enum CheckpointKind {
        Window,
        RealNameCheck,
        EntryGate,
        ExitGate,
        OnTrain,
    }
    #[derive(ToSchema)]
    pub struct ScanCount {
        pub checkpoint: CheckpointKind,
        pub accepted: u64,
        pub rejected: u64,
    }
    #[derive(ToSchema)]
    pub struct ScanReport {
        pub gate_id: String,
        pub batch_id: String,
        pub counts: Vec<ScanCount>,
    }
    #[derive(ToSchema)]
    pub struct ScanReportAck {
        pub batch_id: String,
        pub counted: bool,
    }
    #[derive(ToSchema)]
    pub struct Statistics {
        pub by_checkpoint: Vec<ScanCount>,
        pub certificates_issued: u64,
    }
    #[derive(ToSchema)]
    pub struct Health {
        pub status: String,
        pub version: String,
    }

    #[derive(ToSchema)]
    #[schema(rename_all = "snake_case")]
    pub enum KeyStatus {
        Active,
        Retired,
        Revoked,
    }
    /// One issuer key (JWK, OKP/Ed25519).
    #[derive(ToSchema)]
    pub struct TrustedKey {
        pub kty: String,
        pub crv: String,
        pub x: String,
        pub kid: String,
        pub alg: String,
        #[schema(rename = "use")]
        pub key_use: String,
        pub nbf: i64,
        pub exp: Option<i64>,
        pub status: KeyStatus,
    }
    /// The JWK Set of the issuer's keys.
    #[derive(ToSchema)]
    pub struct TrustList {
        pub keys: Vec<TrustedKey>,
    }
    #[derive(ToSchema)]
    pub struct RevokedCertificate {
        pub cti: String,
        pub revoked_at: i64,
    }
    #[derive(ToSchema)]
    pub struct RevocationList {
        pub updated_at: i64,
        pub revoked: Vec<RevokedCertificate>,
    }
}

use schemas::*;

#[utoipa::path(post, path = "/v1/accounts", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = AccountResponse), (status = "4XX", body = ErrorBody)))]
fn register() {}
#[utoipa::path(post, path = "/v1/sessions", tag = "accounts", request_body = LoginRequest,
    responses((status = 201, body = SessionResponse), (status = "4XX", body = ErrorBody)))]
fn login() {}
#[utoipa::path(delete, path = "/v1/sessions/current", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
fn logout() {}
#[utoipa::path(post, path = "/v1/face-checks", tag = "face checks", request_body = StartFaceCheckRequest,
    responses((status = 201, body = FaceCheckChallenge), (status = "4XX", body = ErrorBody)))]
fn start_face_check() {}
#[utoipa::path(post, path = "/v1/face-checks/{id}/evidence", tag = "face checks", request_body = SubmitEvidenceRequest,
    params(("id" = String, Path, description = "face check id")),
    responses((status = 200, body = FaceCheckResult), (status = "4XX", body = ErrorBody)))]
fn submit_evidence() {}
#[utoipa::path(post, path = "/v1/applications", tag = "certificates", request_body = ApplyRequest,
    responses((status = 201, body = CertificateResponse), (status = "4XX", body = ErrorBody)))]
fn apply() {}
#[utoipa::path(get, path = "/v1/applications", tag = "certificates",
    params(("face_check_id" = Option<String>, Query, description = "a passed face check, instead of a bearer token")),
    responses((status = 200, body = ApplicationHistory), (status = "4XX", body = ErrorBody)))]
fn history() {}
#[utoipa::path(get, path = "/v1/certificates/current", tag = "certificates", security(("bearer" = [])),
    responses((status = 200, body = CertificateResponse), (status = "4XX", body = ErrorBody)))]
fn current_certificate() {}
#[utoipa::path(get, path = "/v1/certificates/{cti}/status", tag = "certificates",
    params(("cti" = String, Path, description = "16 hex digits")),
    responses((status = 200, body = CertificateStatusResponse), (status = "4XX", body = ErrorBody)))]
fn certificate_status() {}
#[utoipa::path(post, path = "/v1/reverifications", tag = "certificates", request_body = ReverifyRequest,
    responses((status = 200, body = CertificateResponse), (status = "4XX", body = ErrorBody)))]
fn reverify() {}
#[utoipa::path(get, path = "/v1/quota", tag = "certificates",
    params(("face_check_id" = Option<String>, Query, description = "a passed face check, instead of a bearer token")),
    responses((status = 200, body = Quota), (status = "4XX", body = ErrorBody)))]
fn quota() {}
#[utoipa::path(get, path = "/v1/trust-list", tag = "trust", responses((status = 200, body = TrustList)))]
fn trust_list() {}
#[utoipa::path(get, path = "/v1/revocations", tag = "trust", responses((status = 200, body = RevocationList)))]
fn revocations() {}
#[utoipa::path(post, path = "/v1/statistics/scans", tag = "statistics", request_body = ScanReport,
    responses((status = 202, body = ScanReportAck), (status = "4XX", body = ErrorBody)))]
fn report_scans() {}
#[utoipa::path(get, path = "/v1/statistics", tag = "statistics", responses((status = 200, body = Statistics)))]
fn statistics() {}
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health), (status = 503, body = Health)))]
fn healthz() {}
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text format")))]
fn metrics() {}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tempid issuer",
        description = "Every /v1 request carries `x-tempid-app-version` (older than the minimum: 426 `update_required`); every response carries `x-tempid-server-time` (Unix ms). Refusals are an `ErrorBody`; `Accept-Language`: zh-CN (default) or en."
    ),
    paths(
        register,
        login,
        logout,
        start_face_check,
        submit_evidence,
        apply,
        history,
        current_certificate,
        certificate_status,
        reverify,
        quota,
        trust_list,
        revocations,
        report_scans,
        statistics,
        healthz,
        metrics
    )
)]
struct ApiDoc;

/// The document, as JSON.
pub fn document() -> serde_json::Value {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    let mut components = doc.components.take().unwrap_or_default();
    components.add_security_scheme(
        "bearer",
        utoipa::openapi::security::SecurityScheme::Http(utoipa::openapi::security::Http::new(
            utoipa::openapi::security::HttpAuthScheme::Bearer,
        )),
    );
    doc.components = Some(components);
    serde_json::to_value(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempid_protocol::api as wire;

    fn properties(doc: &serde_json::Value, schema: &str) -> Vec<String> {
        let mut keys: Vec<String> = doc["components"]["schemas"][schema]["properties"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    }

    fn fields<T: serde::Serialize>(value: &T) -> Vec<String> {
        let mut keys: Vec<String> = serde_json::to_value(value)
            .ok()
            .and_then(|v| v.as_object().map(|o| o.keys().cloned().collect()))
            .unwrap_or_default();
        keys.sort();
        keys
    }

    #[test]
    fn schemas_match_the_protocol_types() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        let quota = wire::Quota {
            limit: 3,
            used: 1,
            remaining: 2,
            resets_on: "2026-12-01".into(),
        };
        let cti = tempid_protocol::CertificateId([1; 8]);
        let key = tempid_protocol::DevicePublicKey::Ed25519(
            tempid_protocol::FrameSigner::public_key(
                &tempid_protocol::Ed25519DeviceKey::from_seed(&[1; 32]),
            )
            .as_bytes()
            .try_into()
            .unwrap_or([0; 32]),
        );
        let error = wire::ErrorBody {
            code: wire::ErrorCode::QuotaExhausted,
            message: String::new(),
            hint: String::new(),
            reason: Some(String::new()),
            resets_on: Some(String::new()),
            reapply_from: Some(0),
            min_app_version: Some(String::new()),
            retry_after_seconds: Some(0),
        };
        let apply = wire::ApplyRequest {
            face_check_id: String::new(),
            id_number: String::new(),
            name: String::new(),
            device_key: key.clone(),
            city: String::new(),
            consent: true,
            self_confirmed: true,
        };
        let response = wire::CertificateResponse {
            certificate: String::new(),
            cti,
            issued_at: 0,
            expires_at: 0,
            quota: quota.clone(),
        };
        let reverify = wire::ReverifyRequest {
            face_check_id: String::new(),
            cti,
            device_key: Some(key.clone()),
        };
        let record = wire::ApplicationRecord {
            cti,
            issued_at: 0,
            expires_at: 0,
            city: String::new(),
            status: wire::CertificateStatus::Valid,
            id_number_masked: String::new(),
        };
        let trusted = tempid_protocol::TrustedKey::new(
            &tempid_protocol::IssuerKey::from_seed(&[2; 32]),
            0,
            Some(1),
            tempid_protocol::KeyStatus::Retired,
        );
        let revocations = tempid_protocol::RevocationList::new(0, Vec::new());
        let cases: Vec<(&str, Vec<String>)> = vec![
            ("ErrorBody", fields(&error)),
            ("Quota", fields(&quota)),
            ("ApplyRequest", fields(&apply)),
            ("DevicePublicKey", fields(&key)),
            ("CertificateResponse", fields(&response)),
            ("ReverifyRequest", fields(&reverify)),
            ("ApplicationRecord", fields(&record)),
            ("TrustedKey", fields(&trusted)),
            ("RevocationList", fields(&revocations)),
        ];
        for (schema, expected) in cases {
            assert_eq!(
                properties(&doc, schema),
                expected,
                "schema {schema} drifted from the protocol type"
            );
        }
        for code in ["quota_exhausted", "update_required", "challenge_replayed"] {
            let codes = doc["components"]["schemas"]["ErrorCode"].to_string();
            assert!(codes.contains(code), "{code} documented");
        }
    }
}
