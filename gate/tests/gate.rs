//! Library tests of the gate: every verdict reachable at a gate, the replay guard, the
//! certificate cache against the cold path, counters, and camera images.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: fail loudly on broken set-up

mod support;

use support::*;
use tempid_gate::{Admission, CameraError, Gate, GateConfig, Scan};
use tempid_protocol::fixtures::{
    FIXTURE_ISSUED_AT, fixture_certificate, fixture_device_key, fixture_issuer_key,
    fixture_trust_list,
};
use tempid_protocol::{
    CheckpointKind, IssuerKey, KeyStatus, P256DeviceKey, Policy, RejectReason, RevocationList,
    RevokedCertificate, TrustList, Verdict, verify,
};

fn gate() -> Gate {
    Gate::new(
        fixture_trust_list(),
        GateConfig::new(CheckpointKind::EntryGate),
    )
}

fn reason(scan: &Scan) -> Option<RejectReason> {
    scan.verdict.reason()
}

fn revoking(cti: tempid_protocol::CertificateId) -> RevocationList {
    RevocationList::new(
        NOW - 10,
        vec![RevokedCertificate {
            cti,
            revoked_at: NOW - 20,
        }],
    )
}

#[test]
fn a_good_frame_is_accepted_with_the_holder_and_checkpoint() {
    let mut gate = gate();
    let scan = gate.scan_text(&fixture_text(slot(NOW)), NOW);
    let Verdict::Accepted(ok) = &scan.verdict else {
        panic!("refused: {scan:?}")
    };
    assert_eq!(ok.id_number.as_str(), "11010519491231002X");
    assert_eq!(ok.id_number.masked(), "110105********002X");
    assert_eq!(ok.masked_name, "张*丰");
    assert_eq!(ok.expires_at, FIXTURE_ISSUED_AT + 24 * 3600);
    assert_eq!(ok.cti.0, *b"fixture1");
    assert_eq!(ok.slot, slot(NOW));
    assert_eq!(scan.checkpoint, CheckpointKind::EntryGate);
    assert_eq!(scan.admission, Some(Admission::First));
    assert!(!scan.cache_hit);
    assert_eq!(gate.counters().get(CheckpointKind::EntryGate), (1, 0));
}

#[test]
fn an_es256_device_key_is_accepted() {
    let device = P256DeviceKey::from_scalar(&[7; 32]).expect("scalar");
    let certificate = certificate(
        *b"es256dev",
        FIXTURE_ISSUED_AT,
        &fixture_issuer_key(),
        &device,
    );
    let text = frame(&certificate, slot(NOW), &device).to_text();
    assert!(gate().scan_text(&text, NOW).verdict.is_accepted());
}

#[test]
fn the_scanner_line_ending_does_not_matter() {
    let text = format!("{}\r\n", fixture_text(slot(NOW)));
    assert!(gate().scan_text(&text, NOW).verdict.is_accepted());
}

#[test]
fn malformed_input_is_refused() {
    let mut gate = gate();
    for text in [
        "",
        "hello",
        "TID1:",
        "TID1:%%%",
        "TID2:AAAA",
        &fixture_text(slot(NOW))[..200],
    ] {
        assert_eq!(
            reason(&gate.scan_text(text, NOW)),
            Some(RejectReason::Malformed),
            "{text:?}"
        );
    }
    assert_eq!(gate.counters().get(CheckpointKind::EntryGate), (0, 6));
}

#[test]
fn a_certificate_of_an_unknown_issuer_key_is_refused() {
    let stranger = IssuerKey::from_seed(&[0x33; 32]);
    let device = fixture_device_key();
    let certificate = certificate(*b"stranger", FIXTURE_ISSUED_AT, &stranger, &device);
    let text = frame(&certificate, slot(NOW), &device).to_text();
    assert_eq!(
        reason(&gate().scan_text(&text, NOW)),
        Some(RejectReason::UnknownKey)
    );
}

#[test]
fn a_key_outside_its_window_is_an_unknown_key() {
    // The key only signs from an hour after the certificate's issue time.
    let key = tempid_protocol::TrustedKey::new(
        &fixture_issuer_key(),
        FIXTURE_ISSUED_AT + 3600,
        None,
        KeyStatus::Active,
    );
    let mut gate = Gate::new(
        TrustList::new(vec![key]).expect("list"),
        GateConfig::new(CheckpointKind::Window),
    );
    assert_eq!(
        reason(&gate.scan_text(&fixture_text(slot(NOW)), NOW)),
        Some(RejectReason::UnknownKey)
    );
}

#[test]
fn a_forged_issuer_signature_is_refused() {
    let (certificate, _) = fixture_certificate();
    let forged = tamper_issuer_signature(&certificate);
    let text = frame(&forged, slot(NOW), &fixture_device_key()).to_text();
    assert_eq!(
        reason(&gate().scan_text(&text, NOW)),
        Some(RejectReason::BadIssuerSignature)
    );
}

#[test]
fn a_revoked_certificate_or_issuer_key_is_refused() {
    let (certificate, _) = fixture_certificate();
    let mut gate = gate();
    gate.set_revocations(revoking(certificate.claims().cti));
    assert_eq!(
        reason(&gate.scan_text(&fixture_text(slot(NOW)), NOW)),
        Some(RejectReason::Revoked)
    );

    let mut gate = Gate::new(
        trust_list_with_status(KeyStatus::Revoked),
        GateConfig::new(CheckpointKind::OnTrain),
    );
    assert_eq!(
        reason(&gate.scan_text(&fixture_text(slot(NOW)), NOW)),
        Some(RejectReason::Revoked)
    );
}

#[test]
fn a_certificate_from_the_future_is_not_yet_valid() {
    let issued = NOW + 3600;
    let device = fixture_device_key();
    let certificate = certificate(*b"future01", issued, &fixture_issuer_key(), &device);
    let text = frame(&certificate, slot(NOW), &device).to_text();
    assert_eq!(
        reason(&gate().scan_text(&text, NOW)),
        Some(RejectReason::NotYetValid)
    );
    // Within the clock leeway (60 s) it is fine.
    let certificate = certificate_at(NOW + 50);
    let text = frame(&certificate, slot(NOW), &device).to_text();
    assert!(gate().scan_text(&text, NOW).verdict.is_accepted());
}

fn certificate_at(issued_at: i64) -> tempid_protocol::Certificate {
    certificate(
        *b"leeway01",
        issued_at,
        &fixture_issuer_key(),
        &fixture_device_key(),
    )
}

#[test]
fn an_expired_certificate_is_refused() {
    let expires = FIXTURE_ISSUED_AT + 24 * 3600;
    let mut gate = gate();
    assert_eq!(
        reason(&gate.scan_text(&fixture_text(slot(expires)), expires)),
        Some(RejectReason::Expired)
    );
    // One second earlier it is still good.
    assert!(
        gate.scan_text(&fixture_text(slot(expires - 1)), expires - 1)
            .verdict
            .is_accepted()
    );
}

#[test]
fn a_frame_not_signed_by_the_bound_device_is_refused() {
    let (certificate, _) = fixture_certificate();
    let frame = tamper_device_signature(&frame(&certificate, slot(NOW), &fixture_device_key()));
    assert_eq!(
        reason(&gate().scan_text(&frame.to_text(), NOW)),
        Some(RejectReason::BadDeviceSignature)
    );
}

#[test]
fn frames_outside_the_slot_tolerance_are_stale() {
    let mut gate = gate();
    let now_slot = slot(NOW);
    for s in [now_slot - 2, now_slot + 2, 0] {
        assert_eq!(
            reason(&gate.scan_text(&fixture_text(s), NOW)),
            Some(RejectReason::StaleFrame),
            "slot {s}"
        );
    }
    // ±1 is inside the default tolerance; with tolerance 0 only the current slot is.
    assert!(
        gate.scan_text(&fixture_text(now_slot + 1), NOW)
            .verdict
            .is_accepted()
    );
    let mut config = GateConfig::new(CheckpointKind::EntryGate);
    config.policy = Policy {
        slot_tolerance: 0,
        ..Policy::default()
    };
    let mut strict = Gate::new(fixture_trust_list(), config);
    assert_eq!(
        reason(&strict.scan_text(&fixture_text(now_slot - 1), NOW)),
        Some(RejectReason::StaleFrame)
    );
    assert!(
        strict
            .scan_text(&fixture_text(now_slot), NOW)
            .verdict
            .is_accepted()
    );
}

#[test]
fn frames_only_move_forward_in_time() {
    let mut gate = gate();
    let s = slot(NOW);
    let first = gate.scan_text(&fixture_text(s), NOW);
    assert_eq!(first.admission, Some(Admission::First));
    // A screenshot of the previous minute after the owner passed with a newer frame.
    assert_eq!(
        reason(&gate.scan_text(&fixture_text(s - 1), NOW)),
        Some(RejectReason::Replayed)
    );
    // The next minute's frame is accepted.
    let next = gate.scan_text(&fixture_text(s + 1), NOW + 20);
    assert_eq!(next.admission, Some(Admission::Newer));
    assert!(next.verdict.is_accepted());
    // Now the frame of slot s is old too.
    assert_eq!(
        reason(&gate.scan_text(&fixture_text(s), NOW + 20)),
        Some(RejectReason::Replayed)
    );
    // Reading the newest frame again is a double scan: accepted, marked, not counted again.
    let again = gate.scan_text(&fixture_text(s + 1), NOW + 25);
    assert!(again.verdict.is_accepted());
    assert!(again.is_repeat());
    assert_eq!(gate.counters().get(CheckpointKind::EntryGate), (2, 2));
}

#[test]
fn each_certificate_has_its_own_replay_history() {
    let mut gate = gate();
    let texts = distinct_frames(2, slot(NOW));
    let older = distinct_frames(2, slot(NOW) - 1);
    assert!(gate.scan_text(&texts[0], NOW).verdict.is_accepted());
    assert!(
        gate.scan_text(&older[1], NOW).verdict.is_accepted(),
        "another certificate is unaffected"
    );
    assert_eq!(
        reason(&gate.scan_text(&older[0], NOW)),
        Some(RejectReason::Replayed)
    );
}

#[test]
fn stale_wins_over_replayed_and_the_guard_forgets_in_time() {
    let mut gate = gate();
    let s = slot(NOW);
    assert!(gate.scan_text(&fixture_text(s), NOW).verdict.is_accepted());
    // Three minutes later the old frame is stale, whatever the guard remembers.
    assert_eq!(
        reason(&gate.scan_text(&fixture_text(s), NOW + 180)),
        Some(RejectReason::StaleFrame)
    );
    assert_eq!(
        gate.replay_guard().len(),
        0,
        "the entry could no longer refuse anything and was swept"
    );
}

/// Every case a gate can meet, as (text, now). The replay guard is left out (one frame per
/// certificate per gate) so verdicts depend on the frame and the time only.
fn cases() -> Vec<(&'static str, String, i64)> {
    let (certificate, _) = fixture_certificate();
    let device = fixture_device_key();
    let stranger = IssuerKey::from_seed(&[0x33; 32]);
    let expires = FIXTURE_ISSUED_AT + 24 * 3600;
    vec![
        ("accept", fixture_text(slot(NOW)), NOW),
        ("malformed", "TID1:0000".to_string(), NOW),
        (
            "unknown key",
            frame(
                &support::certificate(*b"stranger", FIXTURE_ISSUED_AT, &stranger, &device),
                slot(NOW),
                &device,
            )
            .to_text(),
            NOW,
        ),
        (
            "bad issuer signature",
            frame(&tamper_issuer_signature(&certificate), slot(NOW), &device).to_text(),
            NOW,
        ),
        (
            "not yet valid",
            fixture_text(slot(FIXTURE_ISSUED_AT - 3600)),
            FIXTURE_ISSUED_AT - 3600,
        ),
        ("expired", fixture_text(slot(expires + 30)), expires + 30),
        (
            "bad device signature",
            tamper_device_signature(&frame(&certificate, slot(NOW), &device)).to_text(),
            NOW,
        ),
        ("stale", fixture_text(slot(NOW) - 5), NOW),
    ]
}

#[test]
fn cache_hits_give_the_verdicts_of_the_cold_path() {
    let trust = fixture_trust_list();
    let policy = Policy::default();
    for (name, text, now) in cases() {
        let reference = verify(&text, &trust, now, &policy);
        let cold = gate().scan_text(&text, now);
        assert!(!cold.cache_hit, "{name}");
        // Warm: the same frame was scanned before, so its certificate's issuer step is cached.
        // (A second read of an accepted frame is a repeat, which is still the same verdict.)
        let mut warm = gate();
        warm.scan_text(&text, now);
        assert_eq!(
            warm.cache_stats().len,
            usize::from(name != "malformed"),
            "{name}"
        );
        let hot = warm.scan_text(&text, now);
        assert_eq!(hot.cache_hit, name != "malformed", "{name}");
        assert_eq!(cold.verdict, reference, "{name}: cold path vs protocol");
        assert_eq!(hot.verdict, reference, "{name}: cache hit vs protocol");
    }
}

#[test]
fn a_cache_hit_still_refuses_a_revoked_or_expired_certificate() {
    let (certificate, _) = fixture_certificate();
    let mut gate = gate();
    assert!(
        gate.scan_text(&fixture_text(slot(NOW)), NOW)
            .verdict
            .is_accepted()
    );

    // Revoked after the first scan.
    gate.set_revocations(revoking(certificate.claims().cti));
    let revoked = gate.scan_text(&fixture_text(slot(NOW) + 1), NOW + 60);
    assert!(revoked.cache_hit);
    assert_eq!(reason(&revoked), Some(RejectReason::Revoked));

    // Expired since the first scan.
    gate.set_revocations(RevocationList::default());
    let expires = certificate.claims().expires_at;
    let expired = gate.scan_text(&fixture_text(slot(expires)), expires);
    assert!(expired.cache_hit);
    assert_eq!(reason(&expired), Some(RejectReason::Expired));

    // The issuer key revoked in a new trust list: the cache is dropped with the old list.
    gate.set_trust_list(trust_list_with_status(KeyStatus::Revoked));
    let key_revoked = gate.scan_text(&fixture_text(slot(NOW) + 2), NOW + 120);
    assert!(!key_revoked.cache_hit);
    assert_eq!(reason(&key_revoked), Some(RejectReason::Revoked));
    assert_eq!(gate.cache_stats().hits, 2);
}

#[test]
fn a_cached_refusal_stays_a_refusal() {
    let (certificate, _) = fixture_certificate();
    let text = frame(
        &tamper_issuer_signature(&certificate),
        slot(NOW),
        &fixture_device_key(),
    )
    .to_text();
    let mut gate = gate();
    assert_eq!(
        reason(&gate.scan_text(&text, NOW)),
        Some(RejectReason::BadIssuerSignature)
    );
    let second = gate.scan_text(&text, NOW);
    assert!(second.cache_hit);
    assert_eq!(reason(&second), Some(RejectReason::BadIssuerSignature));
}

#[test]
fn counts_are_kept_per_checkpoint_kind_and_taken_once() {
    let mut gate = gate();
    gate.scan_text(&fixture_text(slot(NOW)), NOW);
    gate.scan_text("nope", NOW);
    gate.set_checkpoint(CheckpointKind::OnTrain);
    let on_train = gate.scan_text("nope", NOW);
    assert_eq!(on_train.checkpoint, CheckpointKind::OnTrain);
    let counts = gate.take_counts();
    let summary: Vec<_> = counts
        .iter()
        .map(|c| (c.checkpoint, c.accepted, c.rejected))
        .collect();
    assert_eq!(
        summary,
        vec![
            (CheckpointKind::EntryGate, 1, 1),
            (CheckpointKind::OnTrain, 0, 1)
        ]
    );
    assert!(gate.take_counts().is_empty());
}

#[test]
fn a_camera_image_is_verified() {
    let text = fixture_text(slot(NOW));
    let image = png(&qr_image(&text, 4));
    let scan = gate().scan_image(&image, NOW).expect("a QR code");
    assert!(scan.verdict.is_accepted(), "{scan:?}");
}

#[test]
fn a_qr_code_of_something_else_is_malformed() {
    let image = png(&qr_image("HTTPS://EXAMPLE.COM/TICKET", 6));
    let scan = gate().scan_image(&image, NOW).expect("a QR code");
    assert_eq!(reason(&scan), Some(RejectReason::Malformed));
}

#[test]
fn images_without_a_code_or_not_images_are_errors() {
    let blank = png(&image::GrayImage::from_pixel(320, 240, image::Luma([200])));
    assert!(matches!(
        gate().scan_image(&blank, NOW),
        Err(CameraError::NoQrCode)
    ));
    assert!(matches!(
        gate().scan_image(b"not an image", NOW),
        Err(CameraError::Unreadable(_))
    ));
    let mut truncated = png(&qr_image(&fixture_text(slot(NOW)), 4));
    truncated.truncate(truncated.len() / 2);
    assert!(matches!(
        gate().scan_image(&truncated, NOW),
        Err(CameraError::Unreadable(_))
    ));
}
