//! Crash safety: the real `tempid-issuer serve` binary is SIGKILLed in the middle of a stream
//! of applications and restarted on the same database, five times. Every application the
//! client saw succeed is still there, and every person-month's quota count equals its
//! certificates. On SQLite (a temp file) and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Db, TestDb, device_public};
use reqwest::StatusCode;
use tempid_protocol::api::{
    ApplyRequest, CertificateResponse, CertificateStatus, CertificateStatusResponse,
    FaceCheckChallenge, FaceCheckPurpose, FaceCheckResult, StartFaceCheckRequest,
    SubmitEvidenceRequest,
};
use tempid_sandbox::{LivenessOutcome, SandboxIdentity, SandboxLiveness};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

const ROUNDS: usize = 5;
const PER_ROUND: usize = 300;
const WORKERS: usize = 8;

struct Server {
    child: Child,
    base: String,
}

async fn start_server(
    database: &str,
    key_dir: &std::path::Path,
    identities: &std::path::Path,
) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tempid-issuer"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database",
            database,
            "--no-rate-limits",
        ])
        .arg("--key-dir")
        .arg(key_dir)
        .arg("--sandbox-identities")
        .arg(identities)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start tempid-issuer");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("the issuer starts within 60 s")
        .expect("read stdout")
        .expect("a listening line");
    let base = line
        .strip_prefix("listening on ")
        .expect("listening line")
        .trim()
        .to_string();
    Server { child, base }
}

/// Applies for one person: face check, evidence, application. `Some(cti)` when the client saw
/// the certificate issued.
async fn apply_one(
    client: &reqwest::Client,
    base: &str,
    person: &SandboxIdentity,
) -> Option<String> {
    let liveness = SandboxLiveness::new();
    let start = StartFaceCheckRequest {
        id_number: person.id_number.clone(),
        name: person.name.clone(),
        purpose: FaceCheckPurpose::Apply,
    };
    let response = client
        .post(format!("{base}/v1/face-checks"))
        .json(&start)
        .send()
        .await
        .ok()?;
    let challenge: FaceCheckChallenge = response.json().await.ok()?;
    let evidence = liveness.capture(
        &challenge.challenge,
        &person.id_number,
        LivenessOutcome::Live,
        0,
    );
    let response = client
        .post(format!(
            "{base}/v1/face-checks/{}/evidence",
            challenge.face_check_id
        ))
        .json(&SubmitEvidenceRequest { evidence })
        .send()
        .await
        .ok()?;
    let passed: FaceCheckResult = response.json().await.ok()?;
    let request = ApplyRequest {
        face_check_id: passed.face_check_id,
        id_number: person.id_number.clone(),
        name: person.name.clone(),
        device_key: device_public(7),
        city: "上海".into(),
        consent: true,
        self_confirmed: true,
    };
    let response = client
        .post(format!("{base}/v1/applications"))
        .json(&request)
        .send()
        .await
        .ok()?;
    if response.status() != StatusCode::CREATED {
        return None;
    }
    let issued: CertificateResponse = response.json().await.ok()?;
    Some(issued.cti.to_hex())
}

async fn crash_and_restart(db: Db) {
    let Some(test_db) = TestDb::new(db).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key_dir = dir.path().join("keys");
    let people = common::identities(ROUNDS * PER_ROUND);
    let identities_file = dir.path().join("identities.json");
    std::fs::write(&identities_file, serde_json::to_string(&people).unwrap()).unwrap();
    let client = common::client();
    let mut acknowledged: Vec<String> = Vec::new();

    for round in 0..ROUNDS {
        let mut server = start_server(&test_db.url, &key_dir, &identities_file).await;
        // Everything acknowledged so far survived the previous kill.
        for status in statuses(
            &client,
            &server.base,
            &acknowledged,
            &format!("round {round}"),
        )
        .await
        {
            assert_eq!(status, CertificateStatus::Valid);
        }
        let queue: Arc<Mutex<Vec<SandboxIdentity>>> = Arc::new(Mutex::new(
            people[round * PER_ROUND..(round + 1) * PER_ROUND].to_vec(),
        ));
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let mut workers = Vec::new();
        for _ in 0..WORKERS {
            let (queue, seen, client, base) = (
                queue.clone(),
                seen.clone(),
                client.clone(),
                server.base.clone(),
            );
            workers.push(tokio::spawn(async move {
                loop {
                    let Some(person) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    match apply_one(&client, &base, &person).await {
                        Some(cti) => seen.lock().unwrap().push(cti),
                        None => break, // the server is gone
                    }
                }
            }));
        }
        // Kill mid-stream, once some applications went through.
        let target = 20 + round * 13;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while seen.lock().unwrap().len() < target && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.child.start_kill().expect("SIGKILL");
        let _ = server.child.wait().await;
        for worker in workers {
            let _ = worker.await;
        }
        let seen = seen.lock().unwrap().clone();
        assert!(
            seen.len() >= target,
            "round {round}: only {} applications before the deadline",
            seen.len()
        );
        assert!(
            seen.len() < PER_ROUND,
            "round {round}: the kill came after the stream ended"
        );
        acknowledged.extend(seen);
    }

    // Final check on a restarted server, and the quota audit straight from the database.
    let mut server = start_server(&test_db.url, &key_dir, &identities_file).await;
    statuses(
        &client,
        &server.base,
        &acknowledged,
        "after the last restart",
    )
    .await;
    let store = tempid_issuer::Store::open(&test_db.url, 1).await.unwrap();
    let audit = store.quota_audit().await.unwrap();
    assert!(audit.len() >= acknowledged.len());
    for (_, month, issued, used) in &audit {
        assert_eq!(
            issued, used,
            "quota count and certificates disagree in {month}"
        );
    }
    store.close().await;
    server.child.start_kill().unwrap();
    let _ = server.child.wait().await;
    test_db.cleanup().await;
}

on_both!(crash_and_restart);

/// The issuer's status of each certificate in `ctis`; panics naming `when` if one is lost.
async fn statuses(
    client: &reqwest::Client,
    base: &str,
    ctis: &[String],
    when: &str,
) -> Vec<CertificateStatus> {
    let mut out = Vec::with_capacity(ctis.len());
    for cti in ctis {
        let response = client
            .get(format!("{base}/v1/certificates/{cti}/status"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{when}: acknowledged certificate {cti} lost"
        );
        let status: CertificateStatusResponse = response.json().await.unwrap();
        out.push(status.status);
    }
    out
}
