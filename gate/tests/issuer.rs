//! `sync` and `upload` against the real issuer (`tempid-issuer`), started in-process on a
//! loopback port with a virtual clock: a certificate the issuer signs is verified offline after
//! a sync, a revocation reaches the gate with the next sync, and scan counts are counted once
//! per batch however often a batch is sent.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: fail loudly on broken set-up

mod support;

use std::path::Path;

use assert_cmd::Command;
use predicates::str::contains;
use reqwest::blocking::Client;
use support::frame;
use tempid_gate::{IssuerClient, StateDir};
use tempid_issuer::{Clock as _, IssuerConfig, ManualClock, RunningIssuer, spawn};
use tempid_protocol::api::{
    APP_VERSION_HEADER, ApplyRequest, CertificateResponse, FaceCheckChallenge, FaceCheckPurpose,
    FaceCheckResult, ScanCount, StartFaceCheckRequest, Statistics, SubmitEvidenceRequest,
};
use tempid_protocol::{Certificate, CheckpointKind, Ed25519DeviceKey, FrameSigner as _, slot_of};
use tempid_sandbox::{LivenessOutcome, SandboxLiveness};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;

/// The issuer's (virtual) time: 2026-11-25 09:00 China Standard Time.
const START: OffsetDateTime = datetime!(2026-11-25 09:00 +8);
/// The sandbox identity used (the GB 11643-1999 worked example).
const ID_NUMBER: &str = "11010519491231002X";
const NAME: &str = "张三丰";

struct TestIssuer {
    runtime: tokio::runtime::Runtime,
    running: Option<RunningIssuer>,
    clock: ManualClock,
    http: Client,
    _dir: tempfile::TempDir,
}

impl TestIssuer {
    fn start() -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let clock = ManualClock::new(START);
        let database = format!("sqlite://{}", dir.path().join("issuer.db").display());
        // The issuer's defaults, minimum app version included: it is the passenger app's and
        // does not apply to the gate's endpoints.
        let config = IssuerConfig::new(database, dir.path().join("keys")).with_clock(clock.clone());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let running = runtime
            .block_on(spawn(config, "127.0.0.1:0"))
            .expect("issuer starts");
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = Client::builder().build().expect("client");
        Self {
            runtime,
            running: Some(running),
            clock,
            http,
            _dir: dir,
        }
    }

    fn running(&self) -> &RunningIssuer {
        self.running.as_ref().expect("running")
    }

    fn url(&self) -> String {
        self.running().url()
    }

    fn post<T: serde::Serialize, R: serde::de::DeserializeOwned>(&self, path: &str, body: &T) -> R {
        let response = self
            .http
            .post(format!("{}{path}", self.url()))
            .header(APP_VERSION_HEADER, "1.0.0")
            .json(body)
            .send()
            .expect("request");
        let status = response.status();
        let text = response.text().expect("body");
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).expect("response body")
    }

    fn statistics(&self) -> Vec<ScanCount> {
        let response = self
            .http
            .get(format!("{}/v1/statistics", self.url()))
            .header(APP_VERSION_HEADER, "1.0.0")
            .send()
            .expect("request");
        let statistics: Statistics = response.json().expect("statistics");
        statistics
            .by_checkpoint
            .into_iter()
            .filter(|c| c.accepted + c.rejected > 0)
            .collect()
    }

    /// Passes a sandbox face check and applies: the certificate the issuer signs for `device`.
    fn issue(&self, device: &Ed25519DeviceKey) -> Certificate {
        let challenge: FaceCheckChallenge = self.post(
            "/v1/face-checks",
            &StartFaceCheckRequest {
                id_number: ID_NUMBER.into(),
                name: NAME.into(),
                purpose: FaceCheckPurpose::Apply,
            },
        );
        let evidence = SandboxLiveness::new().capture(
            &challenge.challenge,
            ID_NUMBER,
            LivenessOutcome::Live,
            START.unix_timestamp(),
        );
        let passed: FaceCheckResult = self.post(
            &format!("/v1/face-checks/{}/evidence", challenge.face_check_id),
            &SubmitEvidenceRequest { evidence },
        );
        let issued: CertificateResponse = self.post(
            "/v1/applications",
            &ApplyRequest {
                face_check_id: passed.face_check_id,
                id_number: ID_NUMBER.into(),
                name: NAME.into(),
                device_key: device.public_key(),
                city: "北京".into(),
                consent: true,
                self_confirmed: true,
            },
        );
        let bytes = base64_url(&issued.certificate);
        Certificate::from_cbor(&bytes).expect("the issuer's certificate decodes")
    }
}

impl Drop for TestIssuer {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            self.runtime.block_on(running.shutdown());
        }
    }
}

fn base64_url(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .expect("base64url")
}

fn gate() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("tempid-gate"))
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn at(time: OffsetDateTime) -> String {
    time.format(&Rfc3339).expect("rfc3339")
}

fn verify(dir: &Path, text: &str, now: OffsetDateTime) -> Command {
    let mut cmd = gate();
    cmd.arg("verify")
        .arg("--trust-list")
        .arg(dir.join("trust-list.json"))
        .arg("--revocations")
        .arg(dir.join("revocations.json"))
        .args(["--at", &at(now), "--text", text]);
    cmd
}

#[test]
fn sync_fetches_lists_that_verify_the_issuers_certificates_and_revocations() {
    let issuer = TestIssuer::start();
    let device = Ed25519DeviceKey::from_seed(&[0x42; 32]);
    let certificate = issuer.issue(&device);
    let lists = tempfile::tempdir().expect("dir");
    let dir = lists.path().join("gate");

    gate()
        .args(["sync", "--issuer", &issuer.url(), "--dir", arg(&dir)])
        .assert()
        .code(0)
        .stdout(contains("trust list: 1 key(s)"))
        .stdout(contains("revocations: 0 revoked"));
    let (trust_list, _) = IssuerClient::new(&issuer.url())
        .expect("client")
        .trust_list()
        .expect("trust list");
    assert_eq!(
        tempid_gate::load_trust_list(&dir.join("trust-list.json")).expect("synced"),
        trust_list
    );

    // A frame of the issuer's certificate, a minute after issue, verifies offline.
    let now = START + time::Duration::minutes(1);
    let slot = u64::try_from(slot_of(now.unix_timestamp())).expect("slot");
    let text = frame(&certificate, slot, &device).to_text();
    verify(&dir, &text, now)
        .assert()
        .code(0)
        .stdout(contains("110105********002X"));

    // The issuer revokes it; the next sync brings the revocation to the gate.
    let cti = certificate.claims().cti.to_hex();
    let revoked_at = issuer.clock.now().unix_timestamp();
    let revoked = issuer
        .runtime
        .block_on(issuer.running().issuer().store().revoke(&cti, revoked_at));
    assert_eq!(revoked.expect("revoke"), Some(true));
    verify(&dir, &text, now).assert().code(0); // not synced yet: the gate cannot know
    issuer.clock.advance(time::Duration::seconds(30));
    gate()
        .args(["sync", "--issuer", &issuer.url(), "--dir", arg(&dir)])
        .assert()
        .code(0)
        .stdout(contains("revocations: 1 revoked"));
    verify(&dir, &text, now)
        .assert()
        .code(1)
        .stdout(contains("revoked"));

    // Nothing but the two lists is left in the directory (no temporary files).
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["revocations.json", "trust-list.json"]);
}

#[test]
fn upload_counts_each_batch_once_even_when_it_is_sent_again() {
    let issuer = TestIssuer::start();
    let root = tempfile::tempdir().expect("dir");
    let state_path = root.path().join("state");
    let state = StateDir::open(&state_path).expect("state");
    state
        .append(&[ScanCount {
            checkpoint: CheckpointKind::EntryGate,
            accepted: 5,
            rejected: 2,
        }])
        .expect("append");

    // The issuer cannot be reached: the batch is sealed with its id and kept.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    gate()
        .args([
            "upload",
            "--issuer",
            &format!("http://127.0.0.1:{closed}"),
            "--state-dir",
            arg(&state_path),
        ])
        .args(["--attempts", "2", "--backoff-ms", "1"])
        .assert()
        .code(2);
    let pending = state.pending().expect("pending");
    assert_eq!(pending.len(), 1);
    let batch = pending[0].clone();
    let batch_file = std::fs::read(
        state_path
            .join("pending")
            .join(format!("{}.json", batch.batch_id)),
    )
    .expect("batch");

    // More scans arrive meanwhile; they go into a second batch.
    state
        .append(&[ScanCount {
            checkpoint: CheckpointKind::OnTrain,
            accepted: 1,
            rejected: 0,
        }])
        .expect("append");
    gate()
        .args([
            "upload",
            "--issuer",
            &issuer.url(),
            "--state-dir",
            arg(&state_path),
        ])
        .assert()
        .code(0)
        .stdout(contains(
            "sealed 1 batch(es); 2 acknowledged (2 counted now, 0 counted before)",
        ));
    assert!(state.pending().expect("pending").is_empty());
    let expected = vec![
        ScanCount {
            checkpoint: CheckpointKind::EntryGate,
            accepted: 5,
            rejected: 2,
        },
        ScanCount {
            checkpoint: CheckpointKind::OnTrain,
            accepted: 1,
            rejected: 0,
        },
    ];
    assert_eq!(sorted(issuer.statistics()), expected);

    // The ack of the first batch was "lost": the gate still holds it and sends it again.
    std::fs::write(
        state_path
            .join("pending")
            .join(format!("{}.json", batch.batch_id)),
        batch_file,
    )
    .expect("restore");
    gate()
        .args([
            "upload",
            "--issuer",
            &issuer.url(),
            "--state-dir",
            arg(&state_path),
        ])
        .assert()
        .code(0)
        .stdout(contains("1 acknowledged (0 counted now, 1 counted before)"));
    assert!(state.pending().expect("pending").is_empty());
    assert_eq!(
        sorted(issuer.statistics()),
        expected,
        "a re-sent batch is not counted twice"
    );

    // The gate id was made once and is reported with every batch.
    let gate_id = state.gate_id().expect("gate id");
    assert_eq!(batch.gate_id, gate_id);
}

fn sorted(mut counts: Vec<ScanCount>) -> Vec<ScanCount> {
    counts.sort_by_key(|c| c.checkpoint);
    counts
}
