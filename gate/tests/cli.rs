//! The `tempid-gate` command line: every exit status and every error message, with fixture
//! frames at a fixed `--at` time.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: fail loudly on broken set-up

mod support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use support::*;
use tempid_protocol::fixtures::{fixture_certificate, fixture_trust_list};
use tempid_protocol::{RejectReason, RevocationList, RevokedCertificate};

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(
            dir.path().join("trust-list.json"),
            fixture_trust_list().to_json(),
        )
        .expect("trust list");
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn trust_list(&self) -> PathBuf {
        self.path("trust-list.json")
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }
}

/// A run that must end with exit status 2 (usage or I/O error) and say each of `needles` on
/// standard error.
trait ExitsTwo {
    fn exits_2(&mut self, needles: &[&str]) -> assert_cmd::assert::Assert;
}

impl ExitsTwo for Command {
    fn exits_2(&mut self, needles: &[&str]) -> assert_cmd::assert::Assert {
        needles.iter().fold(self.assert().code(2), |run, needle| {
            run.stderr(contains(*needle))
        })
    }
}

fn gate() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("tempid-gate"))
}

fn verify(files: &Files) -> Command {
    let mut cmd = gate();
    cmd.arg("verify")
        .arg("--trust-list")
        .arg(files.trust_list())
        .args(["--at", NOW_RFC3339]);
    cmd
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn an_accepted_frame_exits_0_with_the_masked_holder() {
    let files = Files::new();
    verify(&files)
        .args(["--text", &fixture_text(slot(NOW))])
        .assert()
        .code(0)
        .stdout(contains("ACCEPTED"))
        .stdout(contains("110105********002X"))
        .stdout(contains("张*丰"))
        // Issued 2026-11-25T00:00Z, valid 24 h: 2026-11-26 08:00 in Asia/Shanghai.
        .stdout(contains("2026-11-26 08:00:00 (Asia/Shanghai)"))
        .stdout(contains("entry_gate"))
        .stdout(contains("11010519491231002X").not());
}

#[test]
fn json_output_is_one_object() {
    let files = Files::new();
    let output = verify(&files)
        .args([
            "--text",
            &fixture_text(slot(NOW)),
            "--json",
            "--checkpoint",
            "on_train",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&output).expect("one JSON object");
    assert_eq!(json["result"], "accepted");
    assert_eq!(json["checkpoint"], "on_train");
    assert_eq!(json["id_number_masked"], "110105********002X");
    assert_eq!(json["masked_name"], "张*丰");
    assert_eq!(json["expires_at"], "2026-11-26T08:00:00+08:00");
    assert_eq!(json["repeat"], false);
}

#[test]
fn a_refused_frame_exits_1_with_code_and_messages() {
    let files = Files::new();
    let expired_at = "2026-11-26T00:00:10Z";
    let expired_slot = slot(tempid_protocol::fixtures::FIXTURE_ISSUED_AT + 24 * 3600 + 10);
    let reason = RejectReason::Expired;
    gate()
        .arg("verify")
        .arg("--trust-list")
        .arg(files.trust_list())
        .args(["--at", expired_at, "--text", &fixture_text(expired_slot)])
        .assert()
        .code(1)
        .stdout(contains("REJECTED"))
        .stdout(contains("expired"))
        .stdout(contains(reason.message_zh()))
        .stdout(contains(reason.message_en()));

    let output = verify(&files)
        .args(["--text", "hello", "--json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&output).expect("json");
    assert_eq!(json["result"], "rejected");
    assert_eq!(json["reason"], "malformed");
    assert_eq!(json["message_zh"], RejectReason::Malformed.message_zh());
}

#[test]
fn a_revocation_file_is_applied() {
    let files = Files::new();
    let (certificate, _) = fixture_certificate();
    let revoked = RevocationList::new(
        NOW,
        vec![RevokedCertificate {
            cti: certificate.claims().cti,
            revoked_at: NOW,
        }],
    );
    let path = files.write(
        "revocations.json",
        serde_json::to_string(&revoked).expect("json"),
    );
    verify(&files)
        .args([
            "--text",
            &fixture_text(slot(NOW)),
            "--revocations",
            arg(&path),
        ])
        .assert()
        .code(1)
        .stdout(contains("revoked"));
}

#[test]
fn a_missing_trust_list_exits_2_naming_the_file() {
    let files = Files::new();
    gate()
        .args([
            "verify",
            "--trust-list",
            arg(&files.path("nowhere.json")),
            "--text",
            "x",
        ])
        .exits_2(&["trust list file", "nowhere.json", "does not exist"])
        .stdout("");
}

#[test]
fn a_malformed_trust_list_exits_2_with_the_reason() {
    let files = Files::new();
    let bad = files.write("bad.json", "{\"keys\": [");
    gate()
        .args(["verify", "--trust-list", arg(&bad), "--text", "x"])
        .exits_2(&["bad.json", "malformed", "line 1"]);
    let wrong = files.write("wrong.json", r#"{"keys":[{"kty":"RSA"}]}"#);
    gate()
        .args(["verify", "--trust-list", arg(&wrong), "--text", "x"])
        .exits_2(&["wrong.json", "malformed"]);
}

#[test]
fn a_missing_or_malformed_revocation_list_exits_2() {
    let files = Files::new();
    verify(&files)
        .args([
            "--text",
            "x",
            "--revocations",
            arg(&files.path("gone.json")),
        ])
        .exits_2(&["revocation list file", "gone.json", "does not exist"]);
    let bad = files.write("rev.json", "[]");
    verify(&files)
        .args(["--text", "x", "--revocations", arg(&bad)])
        .exits_2(&["rev.json", "malformed"]);
}

#[test]
fn a_camera_image_is_verified() {
    let files = Files::new();
    let image = files.write("frame.png", png(&qr_image(&fixture_text(slot(NOW)), 3)));
    verify(&files)
        .args(["--image", arg(&image)])
        .assert()
        .code(0)
        .stdout(contains("ACCEPTED"));
}

#[test]
fn a_colour_jpeg_is_verified() {
    let files = Files::new();
    let grey = qr_image(&fixture_text(slot(NOW)), 4);
    let colour = image::DynamicImage::ImageLuma8(grey).to_rgb8();
    let mut jpeg = std::io::Cursor::new(Vec::new());
    colour
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .expect("jpeg");
    let image = files.write("frame.jpg", jpeg.into_inner());
    verify(&files)
        .args(["--image", arg(&image)])
        .assert()
        .code(0)
        .stdout(contains("ACCEPTED"));
}

#[test]
fn a_missing_image_exits_2() {
    let files = Files::new();
    verify(&files)
        .args(["--image", arg(&files.path("nope.png"))])
        .exits_2(&["cannot read image", "nope.png"]);
}

#[test]
fn an_unreadable_image_exits_2() {
    let files = Files::new();
    let image = files.write("broken.png", b"\x89PNG\r\n\x1a\nnot really");
    verify(&files)
        .args(["--image", arg(&image)])
        .exits_2(&["broken.png", "not a readable PNG or JPEG image"]);
}

#[test]
fn an_image_without_a_qr_code_exits_2() {
    let files = Files::new();
    let image = files.write(
        "blank.png",
        png(&image::GrayImage::from_pixel(640, 480, image::Luma([180]))),
    );
    verify(&files)
        .args(["--image", arg(&image)])
        .exits_2(&["blank.png", "no readable QR code"]);
}

#[test]
fn a_bad_at_time_exits_2() {
    let files = Files::new();
    gate()
        .args([
            "verify",
            "--trust-list",
            arg(&files.trust_list()),
            "--text",
            "x",
            "--at",
            "yesterday",
        ])
        .exits_2(&["--at", "RFC 3339"]);
}

#[test]
fn an_unknown_checkpoint_exits_2_listing_the_kinds() {
    let files = Files::new();
    verify(&files)
        .args(["--text", "x", "--checkpoint", "platform"])
        .exits_2(&["unknown checkpoint kind 'platform'", "real_name_check"]);
}

#[test]
fn text_and_image_are_exclusive_and_one_is_required() {
    let files = Files::new();
    verify(&files).exits_2(&["--text"]);
    verify(&files)
        .args(["--text", "x", "--image", "y.png"])
        .exits_2(&["cannot be used with"]);
}

#[test]
fn text_can_come_from_standard_input() {
    let files = Files::new();
    verify(&files)
        .args(["--text", "-"])
        .write_stdin(format!("{}\n", fixture_text(slot(NOW))))
        .assert()
        .code(0)
        .stdout(contains("ACCEPTED"));
}

#[test]
fn every_subcommand_has_help() {
    for (sub, flag) in [
        ("verify", "--trust-list"),
        ("sync", "--issuer"),
        ("upload", "--state-dir"),
    ] {
        gate()
            .args([sub, "--help"])
            .assert()
            .code(0)
            .stdout(contains(flag));
    }
    gate()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(contains("verify"))
        .stdout(contains("upload"));
    gate().assert().code(2);
}

#[test]
fn a_state_dir_keeps_the_replay_guard_and_counts_across_runs() {
    let files = Files::new();
    let state = files.path("state");
    let run = |slot_offset: i64| {
        let mut cmd = verify(&files);
        let s = u64::try_from(i64::try_from(slot(NOW)).expect("slot") + slot_offset).expect("slot");
        cmd.args([
            "--text",
            &fixture_text(s),
            "--state-dir",
            arg(&state),
            "--checkpoint",
            "exit_gate",
        ]);
        cmd
    };
    run(0).assert().code(0);
    // The previous minute's frame after the owner passed: a replay.
    run(-1)
        .assert()
        .code(1)
        .stdout(contains("replayed"))
        .stdout(contains(RejectReason::Replayed.message_en()));
    // The same frame again: accepted as a repeat read, not counted again.
    run(0)
        .assert()
        .code(0)
        .stdout(contains("same frame read again"));
    run(1).assert().code(0);
    let counts = tempid_gate::StateDir::open(&state)
        .expect("state")
        .unsealed()
        .expect("journal");
    assert_eq!(
        counts.get(tempid_protocol::CheckpointKind::ExitGate),
        (2, 1)
    );
}

#[test]
fn sync_and_upload_report_an_unreachable_issuer_with_exit_2() {
    let files = Files::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let issuer = format!("http://127.0.0.1:{port}");
    gate()
        .args([
            "sync",
            "--issuer",
            &issuer,
            "--dir",
            arg(&files.path("lists")),
        ])
        .exits_2(&["/v1/trust-list", "no response"]);
    assert!(!files.path("lists").join("trust-list.json").exists());

    let state = files.path("state");
    tempid_gate::StateDir::open(&state)
        .expect("state")
        .append(&[tempid_protocol::api::ScanCount {
            checkpoint: tempid_protocol::CheckpointKind::Window,
            accepted: 1,
            rejected: 0,
        }])
        .expect("append");
    gate()
        .args([
            "upload",
            "--issuer",
            &issuer,
            "--state-dir",
            arg(&state),
            "--attempts",
            "2",
            "--backoff-ms",
            "1",
        ])
        .exits_2(&["not acknowledged after 2 attempt(s)"]);
    assert_eq!(
        tempid_gate::StateDir::open(&state)
            .expect("state")
            .pending()
            .expect("pending")
            .len(),
        1
    );
    gate()
        .args([
            "sync",
            "--issuer",
            "not a url",
            "--dir",
            arg(&files.path("lists")),
        ])
        .exits_2(&["not valid"]);
}
