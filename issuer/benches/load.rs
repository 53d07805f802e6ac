//! Load generator: applications per second and latency percentiles on loopback, with SQLite
//! (temp file) and, when `TEMPID_TEST_POSTGRES_URL` is set, PostgreSQL.
//!
//! Each application has its own face check passed beforehand, for distinct people (a custom
//! sandbox registry of generated identities). Only `POST /v1/applications` is timed.
//!
//! `cargo bench -p tempid-issuer --bench load` (env: `TEMPID_BENCH_N`, default 10000;
//! `TEMPID_BENCH_CONCURRENCY`, default 64).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tempid_issuer::{IssuerConfig, RateLimits, spawn};
use tempid_protocol::api::{
    APP_VERSION_HEADER, ApplyRequest, FaceCheckChallenge, FaceCheckPurpose, FaceCheckResult,
    StartFaceCheckRequest, SubmitEvidenceRequest,
};
use tempid_protocol::id_number::with_check_character;
use tempid_protocol::{Ed25519DeviceKey, FrameSigner as _};
use tempid_sandbox::{LivenessOutcome, SandboxIdentity, SandboxLiveness};

fn identities(count: usize) -> Vec<SandboxIdentity> {
    (0..count)
        .map(|i| {
            let birth = time::Date::from_calendar_date(1950, time::Month::January, 1).unwrap()
                + time::Duration::days((i / 900) as i64 + 1);
            let first17 = format!(
                "330106{:04}{:02}{:02}{:03}",
                birth.year(),
                u8::from(birth.month()),
                birth.day(),
                i % 900 + 100
            );
            SandboxIdentity {
                id_number: with_check_character(&first17).unwrap(),
                name: "测试人".into(),
                note: String::new(),
            }
        })
        .collect()
}

fn client() -> reqwest::Client {
    // With the whole workspace built, reqwest's `rustls-no-provider` (from the core) is on.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        APP_VERSION_HEADER,
        reqwest::header::HeaderValue::from_static("1.0.0"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .pool_max_idle_per_host(1024)
        .build()
        .unwrap()
}

async fn prepare(client: &reqwest::Client, base: &str, person: &SandboxIdentity) -> String {
    let liveness = SandboxLiveness::new();
    let start = StartFaceCheckRequest {
        id_number: person.id_number.clone(),
        name: person.name.clone(),
        purpose: FaceCheckPurpose::Apply,
    };
    let challenge: FaceCheckChallenge = client
        .post(format!("{base}/v1/face-checks"))
        .json(&start)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let evidence = liveness.capture(
        &challenge.challenge,
        &person.id_number,
        LivenessOutcome::Live,
        0,
    );
    let result: FaceCheckResult = client
        .post(format!(
            "{base}/v1/face-checks/{}/evidence",
            challenge.face_check_id
        ))
        .json(&SubmitEvidenceRequest { evidence })
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    result.face_check_id
}

async fn run(label: &str, database_url: String, n: usize, concurrency: usize) {
    let keys = tempfile::tempdir().unwrap();
    let people = identities(n);
    let mut config = IssuerConfig::new(database_url, keys.path().join("keys"))
        .with_identities(people.clone())
        .with_rate_limits(RateLimits::disabled());
    config.max_connections = 16;
    let issuer = spawn(config, "127.0.0.1:0").await.unwrap();
    let base = issuer.url();
    let client = client();
    let key = Ed25519DeviceKey::from_seed(&[1; 32]).public_key();

    // Face checks first, not timed.
    let started = Instant::now();
    let people = Arc::new(people);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (people, next, client, base) =
            (people.clone(), next.clone(), client.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= people.len() {
                    break;
                }
                out.push((i, prepare(&client, &base, &people[i]).await));
            }
            out
        }));
    }
    let mut checks = vec![String::new(); n];
    for task in tasks {
        for (i, fc) in task.await.unwrap() {
            checks[i] = fc;
        }
    }
    eprintln!(
        "[{label}] prepared {n} face checks in {:.1?}",
        started.elapsed()
    );

    let bodies: Arc<Vec<ApplyRequest>> = Arc::new(
        people
            .iter()
            .zip(&checks)
            .map(|(p, fc)| ApplyRequest {
                face_check_id: fc.clone(),
                id_number: p.id_number.clone(),
                name: p.name.clone(),
                device_key: key.clone(),
                city: "杭州".into(),
                consent: true,
                self_confirmed: true,
            })
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (bodies, next, client, base) =
            (bodies.clone(), next.clone(), client.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= bodies.len() {
                    break;
                }
                let t = Instant::now();
                let response = client
                    .post(format!("{base}/v1/applications"))
                    .json(&bodies[i])
                    .send()
                    .await
                    .unwrap();
                let ok = response.status() == reqwest::StatusCode::CREATED;
                let _ = response.bytes().await;
                latencies.push(t.elapsed());
                if !ok {
                    failures += 1;
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(n);
    let mut failures = 0;
    for task in tasks {
        let (l, f) = task.await.unwrap();
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "[{label}] {n} applications, {concurrency} concurrent: {:.0}/s, p50 {:.2?}, p99 {:.2?}, max {:.2?}, failures {failures}",
        n as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        latencies.last().copied().unwrap_or_default(),
    );
    issuer.shutdown().await;
}

fn main() {
    let n: usize = std::env::var("TEMPID_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let concurrency: usize = std::env::var("TEMPID_BENCH_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        run("sqlite", url, n, concurrency).await;
        match std::env::var("TEMPID_TEST_POSTGRES_URL") {
            Ok(admin) if !admin.is_empty() => {
                sqlx::any::install_default_drivers();
                let name = format!("tempid_bench_{}", std::process::id());
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let (base, _) = admin.rsplit_once('/').unwrap();
                run("postgres", format!("{base}/{name}"), n, concurrency).await;
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await;
            }
            _ => {
                eprintln!("PostgreSQL skipped: set TEMPID_TEST_POSTGRES_URL (scripts/postgres.sh)")
            }
        }
    });
}
