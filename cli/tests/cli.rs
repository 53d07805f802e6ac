//! The `tempid` binary from the outside: the demo runs to the end and its artefacts verify at a
//! gate; every command has help; bad input and unreachable issuers fail clearly; a face check
//! without the sandbox is refused; and the real-use commands work against a live issuer.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use tempid_gate::{Gate, GateConfig, load_trust_list};
use tempid_protocol::{CheckpointKind, RejectReason, Verdict};

fn tempid() -> Command {
    let mut command = Command::cargo_bin("tempid").unwrap_or_else(|e| panic!("binary: {e}"));
    // The person's keyring is never touched by the tests.
    command
        .timeout(Duration::from_secs(120))
        .env("NO_COLOR", "1")
        .env("TEMPID_SECURE_STORE", "memory");
    command
}

fn decode_png(path: &Path) -> String {
    let image = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in qr.png");
    let (_, content) = grids[0].decode().unwrap_or_else(|e| panic!("decode: {e}"));
    content
}

#[test]
fn the_demo_runs_to_the_end_and_its_first_code_verifies_at_a_gate() {
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = out.path().join("demo");
    let started = std::time::Instant::now();
    let assert = tempid()
        .args(["demo", "--lang", "en", "--out"])
        .arg(&dir)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
    for expected in [
        "ACCEPTED",
        "replayed",
        "stale_frame",
        "ReverificationRequired",
        "Expired",
        "QuotaExhausted",
        "2026-12-01",
        "station police window",
        "Summary",
    ] {
        assert!(
            stdout.contains(expected),
            "the demo output lacks {expected:?}:\n{stdout}"
        );
    }
    // The QR code in the terminal: half blocks with the quiet zone.
    assert!(stdout.contains('▀') && stdout.contains('▄') && stdout.contains('█'));

    let text = std::fs::read_to_string(dir.join("frame.txt")).unwrap_or_else(|e| panic!("{e}"));
    assert!(text.starts_with("TID1:"), "{text}");
    assert_eq!(
        decode_png(&dir.join("qr.png")),
        text,
        "qr.png holds frame.txt"
    );

    // `tempid-gate verify --trust-list DIR/trust-list.json --text … --at <first frame>`.
    let first: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("first-frame.json")).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let at = first["shown_at_unix"]
        .as_i64()
        .unwrap_or_else(|| panic!("shown_at_unix in {first}"));
    let shown_at = first["shown_at"].as_str().unwrap_or_default();
    assert!(
        stdout.contains(&format!("--at {shown_at}")),
        "the summary gives the gate command"
    );
    let trust = load_trust_list(&dir.join("trust-list.json")).unwrap_or_else(|e| panic!("{e}"));
    let mut gate = Gate::new(trust.clone(), GateConfig::new(CheckpointKind::EntryGate));
    let scan = gate.scan_text(&text, at);
    let Verdict::Accepted(accepted) = &scan.verdict else {
        panic!("refused: {:?}", scan.verdict)
    };
    assert_eq!(accepted.id_number.masked(), "110105********002X");
    // Three minutes later the same code is stale at a fresh gate.
    let mut later = Gate::new(trust, GateConfig::new(CheckpointKind::ExitGate));
    assert_eq!(
        later.scan_text(&text, at + 180).verdict.reason(),
        Some(RejectReason::StaleFrame)
    );

    // A second run into the same directory replaces the files.
    tempid()
        .args(["demo", "--lang", "zh-CN", "--out"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("小结"));
    let again = std::fs::read_to_string(dir.join("frame.txt")).unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(
        again, text,
        "a new issuer key and device key make a new code"
    );
    assert_eq!(decode_png(&dir.join("qr.png")), again);
}

#[test]
fn every_command_has_help() {
    tempid()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("demo").and(predicate::str::contains("Usage")));
    for command in [
        "demo", "register", "login", "apply", "show", "reverify", "logout", "history", "quota",
    ] {
        tempid()
            .args([command, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Usage").and(predicate::str::contains("--lang")));
    }
    tempid()
        .args(["apply", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--sandbox-face"));
}

#[test]
fn a_bad_issuer_url_is_a_usage_error() {
    tempid()
        .args(["quota", "--issuer", "not-a-url"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("is not a URL")
                .and(predicate::str::contains("https://issuer.example")),
        );
    tempid()
        .args(["show", "--issuer", "ftp://issuer.example"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("http(s)"));
}

fn unused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .port()
}

#[test]
fn an_unreachable_issuer_is_a_clear_error() {
    let url = format!("http://127.0.0.1:{}", unused_port());
    tempid()
        .args([
            "login",
            "--lang",
            "en",
            "--username",
            "13800000000",
            "--password-stdin",
            "--issuer",
            &url,
        ])
        .write_stdin("correct horse battery\n")
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("[offline]")
                .and(predicate::str::contains("No network connection")),
        );
    tempid()
        .args([
            "register",
            "--lang",
            "zh-CN",
            "--username",
            "13800000000",
            "--password-stdin",
            "--issuer",
            &url,
        ])
        .write_stdin("correct horse battery\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("网络不可用").and(predicate::str::contains("下一步")));
}

#[test]
fn apply_without_the_sandbox_face_is_refused_before_anything_is_sent() {
    // The issuer address is unreachable: the refusal comes before any request.
    let url = format!("http://127.0.0.1:{}", unused_port());
    let args = [
        "apply",
        "--issuer",
        &url,
        "--guest",
        "--id-number",
        "11010519491231002X",
        "--name",
        "张三丰",
        "--city",
        "北京",
        "--consent",
        "--i-am-the-holder",
    ];
    tempid()
        .args(args)
        .args(["--lang", "en"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("face_check_needs_phone")
                .and(predicate::str::contains("phone app"))
                .and(predicate::str::contains("--sandbox-face")),
        );
    tempid()
        .args(args)
        .args(["--lang", "zh-CN"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("手机 App"));
    tempid()
        .args(["reverify", "--issuer", &url, "--lang", "en"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("face_check_needs_phone"));
}

#[test]
fn real_use_commands_work_against_a_live_issuer() {
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let database = format!("sqlite://{}", data.path().join("issuer.db").display());
    let config = tempid_issuer::IssuerConfig::new(database, data.path().join("keys"));
    let issuer = runtime
        .block_on(tempid_issuer::spawn(config, "127.0.0.1:0"))
        .unwrap_or_else(|e| panic!("issuer: {e}"));
    let url = issuer.url();

    tempid()
        .args([
            "register",
            "--lang",
            "en",
            "--username",
            "13800000042",
            "--password-stdin",
            "--issuer",
            &url,
        ])
        .write_stdin("correct horse battery\n")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Registered and logged in")
                .and(predicate::str::contains("0 of 3")),
        );

    let who = "440304198511123011";
    let guest_apply = || {
        let mut command = tempid();
        command.args([
            "apply",
            "--lang",
            "en",
            "--issuer",
            &url,
            "--guest",
            "--id-number",
            who,
            "--name",
            "李四",
        ]);
        command
    };
    // Consent is required before the face check: the core refuses without it.
    guest_apply()
        .args(["--city", "深圳", "--sandbox-face", who])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("[consent_required]"));

    // A guest applies with the sandbox face check and gets a code it can show.
    let assert = guest_apply()
        .args([
            "--city",
            "深圳",
            "--consent",
            "--i-am-the-holder",
            "--sandbox-face",
            who,
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Application accepted")
                .and(predicate::str::contains("440304********3011")),
        );
    assert!(String::from_utf8_lossy(&assert.get_output().stdout).contains('█'));

    // Someone else's face (a minor's, 王小明) in front of the camera: the face check fails.
    tempid()
        .args([
            "apply",
            "--lang",
            "en",
            "--issuer",
            &url,
            "--guest",
            "--id-number",
            "11010519491231002X",
            "--name",
            "张三丰",
        ])
        .args([
            "--city",
            "北京",
            "--consent",
            "--i-am-the-holder",
            "--sandbox-face",
            "31010120150601123X",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("[face_check_failed]"));

    // An invalid ID number is refused with its precise reason.
    tempid()
        .args([
            "apply",
            "--lang",
            "en",
            "--issuer",
            &url,
            "--guest",
            "--id-number",
            "110105194912310021",
            "--name",
            "张三丰",
        ])
        .args([
            "--city",
            "北京",
            "--consent",
            "--i-am-the-holder",
            "--sandbox-face",
            who,
        ])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("[invalid_id_number]")
                .and(predicate::str::contains("check character")),
        );

    runtime.block_on(issuer.shutdown());
}
