//! HTTP tests on loopback for every endpoint and every refusal, on SQLite and (when
//! `TEMPID_TEST_POSTGRES_URL` is set) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Db, Harness, Options, device_key, device_public, ok, refused};
use reqwest::StatusCode;
use tempid_issuer::{Limit, RateLimits};
use tempid_protocol::api::*;
use tempid_protocol::{
    Certificate, CertificateId, Frame, FrameSigner, KeyStatus, Policy, RejectReason,
    RevocationList, TrustList, slot_of, verify,
};
use tempid_sandbox::LivenessOutcome;
use time::Duration;
use time::macros::datetime;

const ZHANG: (&str, &str) = ("11010519491231002X", "张三丰");

fn li() -> (String, String) {
    let li = tempid_sandbox::default_identities()
        .into_iter()
        .find(|i| i.name == "李四")
        .unwrap();
    (li.id_number, li.name)
}

async fn trust_list(h: &Harness) -> TrustList {
    let text = h.get("/v1/trust-list").await.text().await.unwrap();
    TrustList::from_json(&text).expect("trust list validates")
}

fn certificate(response: &CertificateResponse) -> Certificate {
    Certificate::from_cbor(&URL_SAFE_NO_PAD.decode(&response.certificate).unwrap())
        .expect("certificate decodes")
}

/// Signs a frame with `signer` at the harness clock and verifies it against the trust list.
async fn verdict(
    h: &Harness,
    response: &CertificateResponse,
    signer: &dyn FrameSigner,
) -> Result<(), RejectReason> {
    let list = trust_list(h).await;
    let now = tempid_issuer::Clock::now(&h.clock).unix_timestamp();
    let frame = Frame::sign(&certificate(response), slot_of(now) as u64, signer).expect("frame");
    match verify(&frame.to_text(), &list, now, &Policy::default()).reason() {
        None => Ok(()),
        Some(reason) => Err(reason),
    }
}

async fn accounts(db: Db) {
    let Some(h) = Harness::start(db).await else {
        return;
    };
    let register = RegisterRequest {
        username: "13800138000".into(),
        password: "correct horse".into(),
    };
    let account: AccountResponse =
        ok(h.post("/v1/accounts", &register).await, StatusCode::CREATED).await;
    assert_eq!(account.username, "13800138000");
    refused(
        h.post("/v1/accounts", &register).await,
        StatusCode::CONFLICT,
        ErrorCode::AccountExists,
    )
    .await;
    let weak = RegisterRequest {
        username: "weakling".into(),
        password: "short".into(),
    };
    refused(
        h.post("/v1/accounts", &weak).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::WeakPassword,
    )
    .await;
    let bad_name = RegisterRequest {
        username: "ab".into(),
        password: "long enough".into(),
    };
    refused(
        h.post("/v1/accounts", &bad_name).await,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;

    let wrong = LoginRequest {
        username: "13800138000".into(),
        password: "wrong horse".into(),
    };
    refused(
        h.post("/v1/sessions", &wrong).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
    )
    .await;
    let nobody = LoginRequest {
        username: "nobody".into(),
        password: "wrong horse".into(),
    };
    refused(
        h.post("/v1/sessions", &nobody).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
    )
    .await;
    let login = LoginRequest {
        username: "13800138000".into(),
        password: "correct horse".into(),
    };
    let session: SessionResponse =
        ok(h.post("/v1/sessions", &login).await, StatusCode::CREATED).await;
    assert_eq!(session.account_id, account.account_id);
    assert_eq!(
        URL_SAFE_NO_PAD.decode(&session.token).unwrap().len(),
        32,
        "256-bit token"
    );

    // No application yet: full quota, no current certificate, empty history.
    let quota: Quota = ok(
        h.get_auth("/v1/quota", &session.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((quota.used, quota.remaining), (0, 3));
    refused(
        h.get_auth("/v1/certificates/current", &session.token).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NoCurrentCertificate,
    )
    .await;
    let history: ApplicationHistory = ok(
        h.get_auth("/v1/applications", &session.token).await,
        StatusCode::OK,
    )
    .await;
    assert!(history.applications.is_empty());

    // The account is linked to the holder of its first application.
    let fc = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply).await;
    let request = h.apply_request(&fc, ZHANG.0, ZHANG.1, &device_public(1));
    let issued: CertificateResponse = ok(
        h.post_auth("/v1/applications", &session.token, &request)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let current: CertificateResponse = ok(
        h.get_auth("/v1/certificates/current", &session.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(current.cti, issued.cti);
    assert_eq!(current.quota.used, 1);
    let history: ApplicationHistory = ok(
        h.get_auth("/v1/applications", &session.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(history.applications.len(), 1);
    assert_eq!(
        history.applications[0].id_number_masked,
        "110105********002X"
    );
    assert_eq!(history.applications[0].city, "北京");

    // Log out: the token is dead.
    let response = h
        .client
        .delete(h.url("/v1/sessions/current"))
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = h
        .client
        .delete(h.url("/v1/sessions/current"))
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap();
    refused(response, StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized).await;
    refused(
        h.get_auth("/v1/certificates/current", &session.token).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    )
    .await;
    // A garbage token on an optional-auth route is refused, not treated as a guest.
    let start = StartFaceCheckRequest {
        id_number: ZHANG.0.into(),
        name: ZHANG.1.into(),
        purpose: FaceCheckPurpose::Lookup,
    };
    refused(
        h.post_auth("/v1/face-checks", "nonsense", &start).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    )
    .await;

    // Sessions expire.
    let session: SessionResponse =
        ok(h.post("/v1/sessions", &login).await, StatusCode::CREATED).await;
    h.clock.advance(Duration::days(31));
    refused(
        h.get_auth("/v1/quota", &session.token).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    )
    .await;
    refused(
        h.get("/v1/quota").await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    )
    .await;
    h.stop().await;
}

async fn malformed_requests(db: Db) {
    let Some(h) = Harness::start(db).await else {
        return;
    };
    let send_raw = |body: &'static str, content_type: Option<&'static str>| {
        let mut request = h.client.post(h.url("/v1/applications")).body(body);
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        request.send()
    };
    let body = refused(
        send_raw("{", Some("application/json")).await.unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    assert!(body.message.contains("请求格式不正确"));
    refused(
        send_raw("{}", None).await.unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    let body = refused(
        send_raw(
            r#"{"face_check_id":"x","id_number":"x"}"#,
            Some("application/json"),
        )
        .await
        .unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    assert!(body.message.contains("missing field"), "{}", body.message);
    // A bad device key is its own refusal.
    let mut value =
        serde_json::to_value(h.apply_request("fc", ZHANG.0, ZHANG.1, &device_public(1))).unwrap();
    value["device_key"]["public_key"] = "AAAA".into();
    refused(
        h.post("/v1/applications", &value).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidDeviceKey,
    )
    .await;
    // Wrong types.
    refused(
        h.post("/v1/statistics/scans", &serde_json::json!({"gate_id": 1}))
            .await,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    // Unknown routes and methods answer with an ErrorBody too.
    refused(
        h.get("/v1/nope").await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    refused(
        h.client.put(h.url("/v1/quota")).send().await.unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    refused(
        h.get("/v1/certificates/xyz/status").await,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    refused(
        h.get("/v1/certificates/0011223344556677/status").await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    // Payload too large.
    let big = serde_json::json!({ "evidence": "x".repeat(20 * 1024) });
    refused(
        h.post("/v1/face-checks/abc/evidence", &big).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
    )
    .await;
    h.stop().await;
}

async fn invalid_input(db: Db) {
    let Some(h) = Harness::start(db).await else {
        return;
    };
    let start = |id: &str, name: &str| StartFaceCheckRequest {
        id_number: id.into(),
        name: name.into(),
        purpose: FaceCheckPurpose::Apply,
    };
    let body = refused(
        h.post("/v1/face-checks", &start("110105194912310021", "张三丰"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidIdNumber,
    )
    .await;
    assert_eq!(body.reason.as_deref(), Some("wrong_check_character"));
    assert!(body.message.contains("校验位"), "{}", body.message);
    // English on request.
    let response = h
        .client
        .post(h.url("/v1/face-checks"))
        .header("accept-language", "en-US,en;q=0.9")
        .json(&start("1101051949", "张三丰"))
        .send()
        .await
        .unwrap();
    let body = refused(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidIdNumber,
    )
    .await;
    assert_eq!(body.reason.as_deref(), Some("wrong_length"));
    assert!(body.message.contains("18 characters"), "{}", body.message);
    // A future birth date, by the issuer's (virtual) calendar.
    let future = tempid_protocol::id_number::with_check_character("11010520300101001").unwrap();
    let body = refused(
        h.post("/v1/face-checks", &start(&future, "张三")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidIdNumber,
    )
    .await;
    assert_eq!(body.reason.as_deref(), Some("future_birth_date"));
    refused(
        h.post("/v1/face-checks", &start(ZHANG.0, "张3")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidName,
    )
    .await;
    // The application checks the same.
    let mut request = h.apply_request("fc", "11010519491231002", ZHANG.1, &device_public(1));
    let body = refused(
        h.post("/v1/applications", &request).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidIdNumber,
    )
    .await;
    assert_eq!(body.reason.as_deref(), Some("wrong_length"));
    // Consent and self-confirmation.
    let fc = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply).await;
    request = h.apply_request(&fc, ZHANG.0, ZHANG.1, &device_public(1));
    request.consent = false;
    refused(
        h.post("/v1/applications", &request).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::ConsentRequired,
    )
    .await;
    request.consent = true;
    request.self_confirmed = false;
    refused(
        h.post("/v1/applications", &request).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::ConsentRequired,
    )
    .await;
    // The refusals consumed nothing: the face check still works.
    request.self_confirmed = true;
    let _: CertificateResponse = ok(
        h.post("/v1/applications", &request).await,
        StatusCode::CREATED,
    )
    .await;
    h.stop().await;
}

async fn face_check_refusals(db: Db) {
    let Some(h) = Harness::start(db).await else {
        return;
    };
    let (li_id, li_name) = li();
    let hr = &h;
    let submit = |fc: &FaceCheckChallenge, evidence: String| {
        let id = fc.face_check_id.clone();
        async move { hr.submit(&id, &evidence).await }
    };
    // Bad format and bad signature.
    let fc = h
        .start_check(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply)
        .await;
    refused(
        submit(&fc, "garbage".into()).await,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadEvidence,
    )
    .await;
    let fc = h
        .start_check(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply)
        .await;
    let genuine = h.evidence(&fc, ZHANG.0, LivenessOutcome::Live);
    let (payload, _) = genuine.split_once('.').unwrap();
    let forged = format!("{payload}.{}", URL_SAFE_NO_PAD.encode([7u8; 64]));
    refused(
        submit(&fc, forged).await,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadEvidence,
    )
    .await;
    // Spoof and no face.
    for outcome in [LivenessOutcome::Spoof, LivenessOutcome::NoFace] {
        let fc = h
            .start_check(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply)
            .await;
        let evidence = h.evidence(&fc, ZHANG.0, outcome);
        refused(
            submit(&fc, evidence).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::FaceCheckFailed,
        )
        .await;
    }
    // Someone else's face; a name that does not belong; a valid but unknown ID number.
    let fc = h
        .start_check(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply)
        .await;
    let evidence = h.evidence(&fc, &li_id, LivenessOutcome::Live);
    refused(
        submit(&fc, evidence).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::IdentityMismatch,
    )
    .await;
    let fc = h
        .start_check(ZHANG.0, &li_name, FaceCheckPurpose::Apply)
        .await;
    let evidence = h.evidence(&fc, ZHANG.0, LivenessOutcome::Live);
    refused(
        submit(&fc, evidence).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::IdentityMismatch,
    )
    .await;
    let unknown = tempid_protocol::id_number::with_check_character("11010519800101123").unwrap();
    let fc = h
        .start_check(&unknown, "路人甲", FaceCheckPurpose::Apply)
        .await;
    let evidence = h.evidence(&fc, &unknown, LivenessOutcome::Live);
    refused(
        submit(&fc, evidence).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::IdentityMismatch,
    )
    .await;
    // Expired challenge.
    let fc = h
        .start_check(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply)
        .await;
    assert_eq!(fc.expires_at, common::START.unix_timestamp() + 300);
    h.clock.advance(Duration::seconds(301));
    let evidence = h.evidence(&fc, ZHANG.0, LivenessOutcome::Live);
    refused(
        submit(&fc, evidence).await,
        StatusCode::GONE,
        ErrorCode::ChallengeExpired,
    )
    .await;
    // Replays: the same evidence again, and evidence of one challenge for another.
    let fc = h
        .start_check(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply)
        .await;
    let evidence = h.evidence(&fc, ZHANG.0, LivenessOutcome::Live);
    let passed: FaceCheckResult = ok(submit(&fc, evidence.clone()).await, StatusCode::OK).await;
    assert_eq!(passed.quota.remaining, 3);
    refused(
        submit(&fc, evidence.clone()).await,
        StatusCode::CONFLICT,
        ErrorCode::ChallengeReplayed,
    )
    .await;
    let other = h
        .start_check(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply)
        .await;
    refused(
        submit(&other, evidence).await,
        StatusCode::CONFLICT,
        ErrorCode::ChallengeReplayed,
    )
    .await;
    refused(
        h.submit("no-such-check", "x.y").await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;

    // A passed check is single-use and bound to person and purpose.
    let key = device_public(1);
    let issued: CertificateResponse = ok(
        h.post(
            "/v1/applications",
            &h.apply_request(&passed.face_check_id, ZHANG.0, ZHANG.1, &key),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(issued.quota.used, 1);
    h.clock.advance(Duration::hours(22));
    refused(
        h.post(
            "/v1/applications",
            &h.apply_request(&passed.face_check_id, ZHANG.0, ZHANG.1, &key),
        )
        .await,
        StatusCode::CONFLICT,
        ErrorCode::ChallengeReplayed,
    )
    .await;
    let fc = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply).await;
    let _: CertificateResponse = ok(
        h.post(
            "/v1/applications",
            &h.apply_request(&fc, ZHANG.0, ZHANG.1, &key),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    h.clock.advance(Duration::hours(22));
    refused(
        h.post(
            "/v1/applications",
            &h.apply_request(&fc, ZHANG.0, ZHANG.1, &key),
        )
        .await,
        StatusCode::CONFLICT,
        ErrorCode::ChallengeReplayed,
    )
    .await;
    let for_li = h.pass(&li_id, &li_name, FaceCheckPurpose::Apply).await;
    refused(
        h.post(
            "/v1/applications",
            &h.apply_request(&for_li, ZHANG.0, ZHANG.1, &key),
        )
        .await,
        StatusCode::FORBIDDEN,
        ErrorCode::FaceCheckRequired,
    )
    .await;
    let lookup = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Lookup).await;
    refused(
        h.post(
            "/v1/applications",
            &h.apply_request(&lookup, ZHANG.0, ZHANG.1, &key),
        )
        .await,
        StatusCode::FORBIDDEN,
        ErrorCode::FaceCheckRequired,
    )
    .await;
    let stale = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply).await;
    h.clock.advance(Duration::minutes(11));
    refused(
        h.post(
            "/v1/applications",
            &h.apply_request(&stale, ZHANG.0, ZHANG.1, &key),
        )
        .await,
        StatusCode::FORBIDDEN,
        ErrorCode::FaceCheckRequired,
    )
    .await;
    h.stop().await;
}

async fn apply_and_read(db: Db) {
    let Some(h) = Harness::start(db).await else {
        return;
    };
    let signer = device_key(9);
    let issued = h.apply_ok(ZHANG.0, ZHANG.1, &signer.public_key()).await;
    assert_eq!(issued.issued_at, common::START.unix_timestamp());
    assert_eq!(issued.expires_at, issued.issued_at + 24 * 3600);
    assert_eq!(
        (
            issued.quota.limit,
            issued.quota.used,
            issued.quota.remaining
        ),
        (3, 1, 2)
    );
    assert_eq!(issued.quota.resets_on, "2026-12-01");
    let cert = certificate(&issued);
    assert_eq!(cert.claims().issuer, "tempid");
    assert_eq!(cert.claims().cti, issued.cti);
    assert_eq!(cert.claims().holder.name, ZHANG.1);
    verdict(&h, &issued, &signer)
        .await
        .expect("the certificate verifies");
    // P-256 device keys are accepted too.
    let (li_id, li_name) = li();
    let p256 = tempid_protocol::P256DeviceKey::from_scalar(&[5; 32]).unwrap();
    let issued_p256 = h.apply_ok(&li_id, &li_name, &p256.public_key()).await;
    verdict(&h, &issued_p256, &p256)
        .await
        .expect("ES256 frames verify");

    let status: CertificateStatusResponse = ok(
        h.get(&format!("/v1/certificates/{}/status", issued.cti))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status.status, CertificateStatus::Valid);
    // History and quota for a guest, with a passed lookup face check.
    let lookup = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Lookup).await;
    let history: ApplicationHistory = ok(
        h.get(&format!("/v1/applications?face_check_id={lookup}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(history.applications.len(), 1);
    assert_eq!(history.applications[0].cti, issued.cti);
    let quota: Quota = ok(
        h.get(&format!("/v1/quota?face_check_id={lookup}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(quota.used, 1);
    refused(
        h.get("/v1/quota?face_check_id=unknown").await,
        StatusCode::FORBIDDEN,
        ErrorCode::FaceCheckRequired,
    )
    .await;
    refused(
        h.get("/v1/applications").await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
    )
    .await;
    // Expiry shows in the status.
    h.clock.advance(Duration::hours(24));
    let status: CertificateStatusResponse = ok(
        h.get(&format!("/v1/certificates/{}/status", issued.cti))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status.status, CertificateStatus::Expired);
    h.stop().await;
}

async fn reapply_window_and_quota(db: Db) {
    let Some(h) = Harness::start(db).await else {
        return;
    };
    let key = device_public(1);
    let first = h.apply_ok(ZHANG.0, ZHANG.1, &key).await;
    // Still valid for more than 3 h: refused, and the face check is not used up.
    let fc = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply).await;
    let request = h.apply_request(&fc, ZHANG.0, ZHANG.1, &key);
    let body = refused(
        h.post("/v1/applications", &request).await,
        StatusCode::CONFLICT,
        ErrorCode::CertificateStillValid,
    )
    .await;
    assert_eq!(body.reapply_from, Some(first.expires_at - 3 * 3600));
    h.clock.advance(Duration::hours(21) - Duration::seconds(1));
    let fc = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply).await;
    refused(
        h.post(
            "/v1/applications",
            &h.apply_request(&fc, ZHANG.0, ZHANG.1, &key),
        )
        .await,
        StatusCode::CONFLICT,
        ErrorCode::CertificateStillValid,
    )
    .await;
    // From 3 h before expiry: a new application, which supersedes the old certificate.
    h.clock.advance(Duration::seconds(1));
    let second: CertificateResponse = ok(
        h.post(
            "/v1/applications",
            &h.apply_request(&fc, ZHANG.0, ZHANG.1, &key),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(second.quota.used, 2);
    let status: CertificateStatusResponse = ok(
        h.get(&format!("/v1/certificates/{}/status", first.cti))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status.status, CertificateStatus::Superseded);
    h.clock.advance(Duration::hours(21));
    let third = h.apply_ok(ZHANG.0, ZHANG.1, &key).await;
    assert_eq!((third.quota.used, third.quota.remaining), (3, 0));
    // The fourth in the month is refused with the reset date and the police window.
    h.clock.advance(Duration::hours(21));
    let fc = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply).await;
    let body = refused(
        h.post(
            "/v1/applications",
            &h.apply_request(&fc, ZHANG.0, ZHANG.1, &key),
        )
        .await,
        StatusCode::FORBIDDEN,
        ErrorCode::QuotaExhausted,
    )
    .await;
    assert_eq!(body.resets_on.as_deref(), Some("2026-12-01"));
    assert!(body.hint.contains("公安"), "{}", body.hint);
    let lookup = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Lookup).await;
    let quota: Quota = ok(
        h.get(&format!("/v1/quota?face_check_id={lookup}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((quota.used, quota.remaining), (3, 0));
    let history: ApplicationHistory = ok(
        h.get(&format!("/v1/applications?face_check_id={lookup}"))
            .await,
        StatusCode::OK,
    )
    .await;
    let ctis: Vec<_> = history.applications.iter().map(|a| a.cti).collect();
    assert_eq!(ctis, vec![third.cti, second.cti, first.cti], "newest first");
    h.stop().await;
}

async fn month_boundaries(db: Db) {
    let Some(h) = Harness::start(db).await else {
        return;
    };
    let people = common::identities(50);
    let key = device_public(3);
    let person = |i: usize| (people[i].id_number.clone(), people[i].name.clone());
    // 23:59:59 on the last day belongs to that month; 00:00:00 to the next, Nov→Dec and Dec→Jan.
    for (last_second, first_second, resets_late, resets_early, base) in [
        (
            datetime!(2026-11-30 23:59:59 +8),
            datetime!(2026-12-01 00:00:00 +8),
            "2026-12-01",
            "2027-01-01",
            0,
        ),
        (
            datetime!(2026-12-31 23:59:59 +8),
            datetime!(2027-01-01 00:00:00 +8),
            "2027-01-01",
            "2027-02-01",
            10,
        ),
    ] {
        let (a_id, a_name) = person(base);
        let (b_id, b_name) = person(base + 1);
        h.clock.set(last_second);
        let a = h.apply_ok(&a_id, &a_name, &key).await;
        assert_eq!(a.quota.resets_on, resets_late);
        h.clock.set(first_second);
        let b = h.apply_ok(&b_id, &b_name, &key).await;
        assert_eq!(b.quota.resets_on, resets_early);
        // A's application counts in the old month: the new month starts empty for A.
        let lookup = h.pass(&a_id, &a_name, FaceCheckPurpose::Lookup).await;
        let quota: Quota = ok(
            h.get(&format!("/v1/quota?face_check_id={lookup}")).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!((quota.used, quota.resets_on.as_str()), (0, resets_early));

        // C uses up the old month's quota; the fourth is refused at 23:59:59 and allowed at 00:00:00.
        let (c_id, c_name) = person(base + 2);
        for hours_before in [72, 51, 30] {
            h.clock.set(last_second - Duration::hours(hours_before));
            h.apply_ok(&c_id, &c_name, &key).await;
        }
        h.clock.set(last_second);
        let fc = h.pass(&c_id, &c_name, FaceCheckPurpose::Apply).await;
        let body = refused(
            h.post(
                "/v1/applications",
                &h.apply_request(&fc, &c_id, &c_name, &key),
            )
            .await,
            StatusCode::FORBIDDEN,
            ErrorCode::QuotaExhausted,
        )
        .await;
        assert_eq!(body.resets_on.as_deref(), Some(resets_late));
        h.clock.set(first_second);
        let fresh: CertificateResponse = ok(
            h.post(
                "/v1/applications",
                &h.apply_request(&fc, &c_id, &c_name, &key),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(
            (fresh.quota.used, fresh.quota.resets_on.as_str()),
            (1, resets_early)
        );
    }
    h.stop().await;
}

async fn reverification(db: Db) {
    let Some(h) = Harness::start(db).await else {
        return;
    };
    let old_signer = device_key(1);
    let issued = h.apply_ok(ZHANG.0, ZHANG.1, &old_signer.public_key()).await;
    h.clock.advance(Duration::minutes(30));
    // Without a new key: the same certificate, no quota used.
    let fc = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Reverify).await;
    let request = ReverifyRequest {
        face_check_id: fc.clone(),
        cti: issued.cti,
        device_key: None,
    };
    let same: CertificateResponse = ok(
        h.post("/v1/reverifications", &request).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(same.certificate, issued.certificate);
    assert_eq!(same.quota.used, 1);
    refused(
        h.post("/v1/reverifications", &request).await,
        StatusCode::CONFLICT,
        ErrorCode::ChallengeReplayed,
    )
    .await;
    // With a new device key: re-issued for the new key, same cti/iat/exp.
    let new_signer = device_key(2);
    let fc = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Reverify).await;
    let request = ReverifyRequest {
        face_check_id: fc,
        cti: issued.cti,
        device_key: Some(new_signer.public_key()),
    };
    let rebound: CertificateResponse = ok(
        h.post("/v1/reverifications", &request).await,
        StatusCode::OK,
    )
    .await;
    assert_ne!(rebound.certificate, issued.certificate);
    assert_eq!(
        (rebound.cti, rebound.issued_at, rebound.expires_at),
        (issued.cti, issued.issued_at, issued.expires_at)
    );
    assert_eq!(
        rebound.quota.used, 1,
        "re-verification never consumes quota"
    );
    assert_eq!(
        certificate(&rebound).claims().device_key,
        new_signer.public_key()
    );
    verdict(&h, &rebound, &new_signer)
        .await
        .expect("the new key's frames verify");
    // The old key can no longer make frames for it.
    assert!(Frame::sign(&certificate(&rebound), 0, &old_signer).is_err());
    let lookup = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Lookup).await;
    let quota: Quota = ok(
        h.get(&format!("/v1/quota?face_check_id={lookup}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(quota.used, 1);

    // Refusals: wrong purpose, someone else's certificate, unknown certificate.
    let wrong_purpose = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply).await;
    let request = ReverifyRequest {
        face_check_id: wrong_purpose,
        cti: issued.cti,
        device_key: None,
    };
    refused(
        h.post("/v1/reverifications", &request).await,
        StatusCode::FORBIDDEN,
        ErrorCode::FaceCheckRequired,
    )
    .await;
    let (li_id, li_name) = li();
    let li_fc = h.pass(&li_id, &li_name, FaceCheckPurpose::Reverify).await;
    let request = ReverifyRequest {
        face_check_id: li_fc.clone(),
        cti: issued.cti,
        device_key: None,
    };
    refused(
        h.post("/v1/reverifications", &request).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NoCurrentCertificate,
    )
    .await;
    let request = ReverifyRequest {
        face_check_id: li_fc,
        cti: CertificateId([1; 8]),
        device_key: None,
    };
    refused(
        h.post("/v1/reverifications", &request).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NoCurrentCertificate,
    )
    .await;
    // Revoked.
    assert_eq!(
        h.running()
            .issuer()
            .store()
            .revoke(&issued.cti.to_hex(), 0)
            .await
            .unwrap(),
        Some(true)
    );
    let fc = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Reverify).await;
    let request = ReverifyRequest {
        face_check_id: fc,
        cti: issued.cti,
        device_key: None,
    };
    refused(
        h.post("/v1/reverifications", &request).await,
        StatusCode::GONE,
        ErrorCode::CertificateRevoked,
    )
    .await;
    let list: RevocationList = ok(h.get("/v1/revocations").await, StatusCode::OK).await;
    assert!(list.contains(issued.cti));
    let status: CertificateStatusResponse = ok(
        h.get(&format!("/v1/certificates/{}/status", issued.cti))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status.status, CertificateStatus::Revoked);
    // Expired.
    let (other_id, other_name) = (
        common::identities(1)[0].id_number.clone(),
        common::identities(1)[0].name.clone(),
    );
    let other = h.apply_ok(&other_id, &other_name, &device_public(4)).await;
    h.clock.advance(Duration::hours(24));
    let fc = h
        .pass(&other_id, &other_name, FaceCheckPurpose::Reverify)
        .await;
    let request = ReverifyRequest {
        face_check_id: fc,
        cti: other.cti,
        device_key: None,
    };
    refused(
        h.post("/v1/reverifications", &request).await,
        StatusCode::GONE,
        ErrorCode::CertificateExpired,
    )
    .await;
    h.stop().await;
}

async fn key_rotation(db: Db) {
    let Some(h) = Harness::start(db).await else {
        return;
    };
    let signer = device_key(1);
    let before = h.apply_ok(ZHANG.0, ZHANG.1, &signer.public_key()).await;
    let old_kid = certificate(&before).kid();
    h.clock.advance(Duration::hours(1));
    let new_kid = h.running().issuer().rotate_keys().unwrap();
    assert_ne!(old_kid, new_kid);
    let (li_id, li_name) = li();
    let after = h.apply_ok(&li_id, &li_name, &signer.public_key()).await;
    assert_eq!(
        certificate(&after).kid(),
        new_kid,
        "the new key signs from now on"
    );
    let list = trust_list(&h).await;
    let old = list.find(old_kid).expect("the old key stays listed");
    assert_eq!(old.status, KeyStatus::Retired);
    assert_eq!(
        old.exp,
        Some(common::START.unix_timestamp() + 3600 + 24 * 3600)
    );
    assert_eq!(
        list.find(new_kid).map(|k| k.status),
        Some(KeyStatus::Active)
    );
    verdict(&h, &before, &signer)
        .await
        .expect("old certificates still verify");
    verdict(&h, &after, &signer)
        .await
        .expect("new certificates verify");
    // Rebinding an old certificate keeps the key that signed it, so it still verifies.
    let new_signer = device_key(2);
    let fc = h.pass(ZHANG.0, ZHANG.1, FaceCheckPurpose::Reverify).await;
    let request = ReverifyRequest {
        face_check_id: fc,
        cti: before.cti,
        device_key: Some(new_signer.public_key()),
    };
    let rebound: CertificateResponse = ok(
        h.post("/v1/reverifications", &request).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(certificate(&rebound).kid(), old_kid);
    verdict(&h, &rebound, &new_signer)
        .await
        .expect("rebound certificate verifies");
    // Revoking the old key refuses what it signed.
    h.running()
        .issuer()
        .revoke_key(&old_kid.to_base64url())
        .unwrap();
    assert_eq!(
        verdict(&h, &before, &signer).await,
        Err(RejectReason::Revoked)
    );
    let status: CertificateStatusResponse = ok(
        h.get(&format!("/v1/certificates/{}/status", before.cti))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status.status, CertificateStatus::Revoked);
    h.stop().await;
}

async fn statistics(db: Db) {
    let Some(h) = Harness::start(db).await else {
        return;
    };
    h.apply_ok(ZHANG.0, ZHANG.1, &device_public(1)).await;
    let report = ScanReport {
        gate_id: "beijingnan-entry-07".into(),
        batch_id: "batch-1".into(),
        counts: vec![
            ScanCount {
                checkpoint: tempid_protocol::CheckpointKind::EntryGate,
                accepted: 10,
                rejected: 2,
            },
            ScanCount {
                checkpoint: tempid_protocol::CheckpointKind::OnTrain,
                accepted: 3,
                rejected: 0,
            },
        ],
    };
    let ack: ScanReportAck = ok(
        h.post("/v1/statistics/scans", &report).await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert!(ack.counted);
    let ack: ScanReportAck = ok(
        h.post("/v1/statistics/scans", &report).await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert!(
        !ack.counted,
        "a retried batch is acknowledged, not counted again"
    );
    let second = ScanReport {
        batch_id: "batch-2".into(),
        counts: report.counts[..1].to_vec(),
        ..report.clone()
    };
    let _: ScanReportAck = ok(
        h.post("/v1/statistics/scans", &second).await,
        StatusCode::ACCEPTED,
    )
    .await;
    let stats: Statistics = ok(h.get("/v1/statistics").await, StatusCode::OK).await;
    assert_eq!(stats.certificates_issued, 1);
    let entry = stats
        .by_checkpoint
        .iter()
        .find(|c| c.checkpoint == tempid_protocol::CheckpointKind::EntryGate)
        .unwrap();
    assert_eq!((entry.accepted, entry.rejected), (20, 4));
    let on_train = stats
        .by_checkpoint
        .iter()
        .find(|c| c.checkpoint == tempid_protocol::CheckpointKind::OnTrain)
        .unwrap();
    assert_eq!((on_train.accepted, on_train.rejected), (3, 0));
    let bad = serde_json::json!({"gate_id": "", "batch_id": "b", "counts": []});
    refused(
        h.post("/v1/statistics/scans", &bad).await,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    h.stop().await;
}

async fn rate_limits(db: Db) {
    let limits = RateLimits {
        login_per_ip: Some(Limit::new(100, 60)),
        login_per_username: Some(Limit::new(2, 600)),
        face_checks_per_ip: Some(Limit::new(100, 60)),
        face_checks_per_id_number: Some(Limit::new(3, 600)),
    };
    let Some(h) = Harness::with(
        db,
        Options {
            rate_limits: limits,
            ..Options::default()
        },
    )
    .await
    else {
        return;
    };
    for _ in 0..3 {
        h.start_check(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply)
            .await;
    }
    let start = StartFaceCheckRequest {
        id_number: ZHANG.0.into(),
        name: ZHANG.1.into(),
        purpose: FaceCheckPurpose::Apply,
    };
    let response = h.post("/v1/face-checks", &start).await;
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("600")
    );
    let body = refused(
        response,
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
    )
    .await;
    assert_eq!(body.retry_after_seconds, Some(600));
    // Another person is not affected; the window passes.
    let (li_id, li_name) = li();
    h.start_check(&li_id, &li_name, FaceCheckPurpose::Apply)
        .await;
    h.clock.advance(Duration::minutes(10));
    h.start_check(ZHANG.0, ZHANG.1, FaceCheckPurpose::Apply)
        .await;
    // Log-in attempts per user name.
    let login = LoginRequest {
        username: "someone".into(),
        password: "wrong password".into(),
    };
    for _ in 0..2 {
        refused(
            h.post("/v1/sessions", &login).await,
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
        )
        .await;
    }
    let response = h.post("/v1/sessions", &login).await;
    assert!(response.headers().get("retry-after").is_some());
    refused(
        response,
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
    )
    .await;
    h.stop().await;
}

async fn app_version_and_ops(db: Db) {
    let Some(h) = Harness::start(db).await else {
        return;
    };
    let plain = common::plain_client();
    let response = plain.get(h.url("/v1/quota")).send().await.unwrap();
    let body = refused(
        response,
        StatusCode::UPGRADE_REQUIRED,
        ErrorCode::UpdateRequired,
    )
    .await;
    assert_eq!(body.min_app_version.as_deref(), Some("1.0.0"));
    let response = plain
        .post(h.url("/v1/face-checks"))
        .header(APP_VERSION_HEADER, "0.9.9")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    refused(
        response,
        StatusCode::UPGRADE_REQUIRED,
        ErrorCode::UpdateRequired,
    )
    .await;
    // The verifier's endpoints are not the app: a gate of any version reads the lists.
    for path in ["/v1/trust-list", "/v1/revocations"] {
        let response = plain
            .get(h.url(path))
            .header(APP_VERSION_HEADER, "0.1.0")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let response = plain
        .get(h.url("/v1/trust-list"))
        .header(APP_VERSION_HEADER, "1.2.0")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let server_time = response
        .headers()
        .get(SERVER_TIME_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .to_string();
    assert_eq!(
        server_time,
        (common::START.unix_timestamp() * 1000).to_string(),
        "server time follows the issuer clock"
    );
    // Health, metrics and the OpenAPI document need no app version.
    let health: Health = ok(
        plain.get(h.url("/healthz")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(health.status, "ok");
    h.apply_ok(ZHANG.0, ZHANG.1, &device_public(1)).await;
    let metrics = plain.get(h.url("/metrics")).send().await.unwrap();
    assert!(metrics.headers().get(SERVER_TIME_HEADER).is_some());
    let metrics = metrics.text().await.unwrap();
    assert!(
        metrics.contains("tempid_applications_issued_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("route=\"/v1/applications\",status=\"201\""),
        "{metrics}"
    );
    assert!(
        metrics.contains("tempid_http_request_duration_seconds_bucket"),
        "{metrics}"
    );
    assert!(!metrics.contains(ZHANG.0));
    let openapi: serde_json::Value = ok(
        plain.get(h.url("/openapi.json")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(openapi["openapi"], "3.1.0");
    for path in [
        "/v1/applications",
        "/v1/face-checks/{id}/evidence",
        "/v1/reverifications",
        "/v1/trust-list",
    ] {
        assert!(openapi["paths"].get(path).is_some(), "{path} documented");
    }
    h.stop().await;
}

on_both!(
    accounts,
    malformed_requests,
    invalid_input,
    face_check_refusals,
    apply_and_read,
    reapply_window_and_quota,
    month_boundaries,
    reverification,
    key_rotation,
    statistics,
    rate_limits,
    app_version_and_ops,
);

#[test]
fn fixture_identity_constant_is_the_sandbox_one() {
    assert!(
        tempid_sandbox::default_identities()
            .iter()
            .any(|i| i.id_number == ZHANG.0 && i.name == ZHANG.1)
    );
}
