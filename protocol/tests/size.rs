//! The size budget of a frame. For the fixture holder (a three-character Chinese name) it
//! breaks the frame down to the byte — frame, certificate, claims payload, each claim, both
//! signatures, the device key, the COSE overhead, the text — checks that the parts add up to
//! the whole, and derives the QR version the text needs at error-correction level M in
//! alphanumeric mode. It proves that names of up to four CJK characters, with an Ed25519 or a
//! P-256 device key, fit QR version 12-M: a change that grows the frame past it fails here.
//! Run with `--nocapture` to see the table.

#![allow(
    clippy::expect_used,
    reason = "test helpers are test code: a failed expectation is a failed test"
)]

mod common;

use ciborium::Value;
use coset::CborSerializable as _;
use tempid_protocol::certificate::{CertificateClaims, CertificateId, VALIDITY_SECONDS};
use tempid_protocol::fixtures::{
    FIXTURE_ISSUED_AT, fixture_certificate, fixture_device_key, fixture_holder, fixture_issuer_key,
};
use tempid_protocol::{Certificate, Frame, FrameSigner, P256DeviceKey, slot_of};

/// Characters a QR code holds in alphanumeric mode at error-correction level M, versions 1-15
/// (ISO/IEC 18004:2015, table 7).
const ALPHANUMERIC_CAPACITY_M: [(u8, usize); 15] = [
    (1, 20),
    (2, 38),
    (3, 61),
    (4, 90),
    (5, 122),
    (6, 154),
    (7, 178),
    (8, 221),
    (9, 262),
    (10, 311),
    (11, 366),
    (12, 419),
    (13, 483),
    (14, 528),
    (15, 600),
];
/// The version every frame with a name of up to four CJK characters must fit.
const BUDGET_VERSION: u8 = 12;
/// A realistic slot (2026-11-25T02:00Z): its size as a CBOR uint is what real frames carry.
const NOW: i64 = FIXTURE_ISSUED_AT + 7200;

/// The smallest QR version (1-15) holding `characters` alphanumeric characters at level M.
fn qr_version_m(characters: usize) -> Option<u8> {
    ALPHANUMERIC_CAPACITY_M
        .iter()
        .find(|(_, capacity)| characters <= *capacity)
        .map(|(v, _)| *v)
}

fn capacity_of(version: u8) -> usize {
    ALPHANUMERIC_CAPACITY_M[usize::from(version - 1)].1
}

fn encoded_len(value: &Value) -> usize {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("encode");
    out.len()
}

fn slot() -> u64 {
    u64::try_from(slot_of(NOW)).expect("positive")
}

/// A certificate for the fixture holder renamed to `name`, bound to `signer`, and its frame.
fn frame_for(name: &str, signer: &dyn FrameSigner) -> (Certificate, Frame) {
    let claims = CertificateClaims {
        issuer: "tempid".to_string(),
        issued_at: FIXTURE_ISSUED_AT,
        expires_at: FIXTURE_ISSUED_AT + VALIDITY_SECONDS,
        cti: CertificateId(*b"fixture1"),
        holder: tempid_protocol::Holder {
            name: name.to_string(),
            ..fixture_holder()
        },
        device_key: signer.public_key(),
    };
    let certificate = Certificate::issue(claims, &fixture_issuer_key());
    let frame = Frame::sign(&certificate, slot(), signer).expect("sign");
    (certificate, frame)
}

fn row(part: &str, bytes: usize, note: &str) {
    println!("| {part:<44} | {bytes:>5} | {note} |");
}

#[test]
fn the_fixture_frame_byte_by_byte() {
    let (certificate, _) = fixture_certificate();
    let frame = Frame::sign(&certificate, slot(), &fixture_device_key()).expect("sign");
    let frame_cbor = frame.to_cbor();
    let certificate_cbor = certificate.to_cbor();
    let certificate_cose = coset::CoseSign1::from_slice(&certificate_cbor).expect("COSE_Sign1");
    let claims = certificate_cose.payload.clone().expect("payload");
    let frame_cose = coset::CoseSign1::from_slice(&frame_cbor).expect("COSE_Sign1");
    let slot_payload = frame_cose.payload.clone().expect("payload");
    let text = frame.to_text();

    // The parts the format fixes.
    assert_eq!(
        certificate_cose.signature.len(),
        64,
        "Ed25519 issuer signature"
    );
    assert_eq!(frame_cose.signature.len(), 64, "Ed25519 device signature");
    assert_eq!(
        frame.certificate().claims().device_key.as_bytes().len(),
        32,
        "Ed25519 device key"
    );
    assert_eq!(certificate_cose.protected.header.key_id.len(), 4, "kid");

    // Each claim: its label and its value, as encoded.
    let Value::Map(entries) = ciborium::from_reader::<Value, _>(claims.as_slice()).expect("CBOR")
    else {
        panic!("the claims are a map")
    };
    let claim_name = |label: &Value| match label.as_integer().map(i128::from) {
        Some(1) => "iss (1)",
        Some(4) => "exp (4)",
        Some(6) => "iat (6)",
        Some(7) => "cti (7)",
        Some(8) => "cnf (8): {1: COSE_Key}",
        Some(-65537) => "holder (-65537): [ID number, name]",
        _ => "unknown",
    };
    let claim_sizes: Vec<(&str, usize)> = entries
        .iter()
        .map(|(label, value)| (claim_name(label), encoded_len(label) + encoded_len(value)))
        .collect();
    let claims_map_head = common::map(entries.len() as u64).len();
    assert_eq!(
        claims_map_head + claim_sizes.iter().map(|(_, n)| n).sum::<usize>(),
        claims.len(),
        "the claims add up to the payload"
    );
    assert!(
        claim_sizes.iter().all(|(name, _)| *name != "unknown"),
        "{claim_sizes:?}"
    );

    // COSE overhead: everything that is neither payload nor signature.
    let certificate_overhead = certificate_cbor.len() - claims.len() - 64;
    let frame_overhead = frame_cbor.len() - certificate_cbor.len() - slot_payload.len() - 64;
    let base45_len = text.len() - common::PREFIX.len();
    assert_eq!(
        base45_len,
        frame_cbor.len() / 2 * 3 + frame_cbor.len() % 2 * 2,
        "base45 length"
    );
    let version = qr_version_m(text.len()).expect("fits version 15");

    println!();
    println!("Frame of the fixture holder (张三丰, 18-digit ID number), Ed25519 device key:");
    println!("| {:<44} | {:>5} | note |", "part", "bytes");
    println!("|{}|{}|------|", "-".repeat(46), "-".repeat(7));
    row(
        "frame CBOR (COSE_Sign1, untagged)",
        frame_cbor.len(),
        "everything below",
    );
    row(
        "  certificate (COSE_Sign1 in header 13)",
        certificate_cbor.len(),
        "",
    );
    row("    claims payload (CWT claims map)", claims.len(), "");
    for (name, size) in &claim_sizes {
        row(&format!("      {name}"), *size, "label + value");
    }
    row("      map head", claims_map_head, "");
    row(
        "    issuer signature (Ed25519)",
        64,
        "+2 bstr head, counted as overhead",
    );
    row(
        "    certificate COSE overhead",
        certificate_overhead,
        "array, {1:-8, 4:kid}, {}, bstr heads",
    );
    row("  slot payload (bstr-wrapped uint)", slot_payload.len(), "");
    row(
        "  device signature (Ed25519)",
        64,
        "+2 bstr head, counted as overhead",
    );
    row(
        "  frame COSE overhead",
        frame_overhead,
        "array, {1:-8, 13:…}, {}, bstr heads",
    );
    row("device public key (in cnf)", 32, "raw Ed25519 key");
    row(
        "text: TID1: + base45",
        text.len(),
        &format!("{base45_len} base45 characters"),
    );
    println!(
        "QR code: version {version}-M in alphanumeric mode ({} of {} characters, {} spare)",
        text.len(),
        capacity_of(version),
        capacity_of(version) - text.len()
    );
    assert!(version <= BUDGET_VERSION);
}

#[test]
fn names_of_up_to_four_cjk_characters_fit_version_12_m() {
    let ed25519 = fixture_device_key();
    let p256 = P256DeviceKey::from_scalar(&[0x33; 32]).expect("scalar");
    let devices: [(&str, &dyn FrameSigner); 2] = [("Ed25519", &ed25519), ("ES256", &p256)];
    println!();
    println!("| name (characters)      | device  | frame B | text chars | QR version (M) |");
    println!("|------------------------|---------|---------|------------|----------------|");
    let budgeted = ["王", "李四", "张三丰", "欧阳娜娜"];
    let longer = ["阿卜杜热合曼", "阿卜杜热合曼·买买提"];
    let mut budget_rows = 0;
    for name in budgeted.iter().chain(&longer) {
        for (label, signer) in devices {
            let (_, frame) = frame_for(name, signer);
            let text = frame.to_text();
            let version = qr_version_m(text.len());
            let shown = version.map_or_else(|| "> 15".to_string(), |v| v.to_string());
            println!(
                "| {:<22} | {label:<7} | {:>7} | {:>10} | {shown:>14} |",
                format!("{name} ({})", name.chars().count()),
                frame.to_cbor().len(),
                text.len()
            );
            if budgeted.contains(name) {
                budget_rows += 1;
                assert!(
                    text.len() <= capacity_of(BUDGET_VERSION),
                    "{name} with {label}: {} characters exceed version {BUDGET_VERSION}-M ({})",
                    text.len(),
                    capacity_of(BUDGET_VERSION)
                );
            }
        }
    }
    assert_eq!(budget_rows, 8);
}

#[test]
fn the_capacity_table_is_what_the_version_lookup_uses() {
    assert_eq!(qr_version_m(311), Some(10));
    assert_eq!(qr_version_m(312), Some(11));
    assert_eq!(qr_version_m(419), Some(12));
    assert_eq!(qr_version_m(420), Some(13));
    assert_eq!(qr_version_m(600), Some(15));
    assert_eq!(qr_version_m(601), None);
    assert!(
        ALPHANUMERIC_CAPACITY_M
            .windows(2)
            .all(|w| w[0].0 + 1 == w[1].0 && w[0].1 < w[1].1)
    );
}
