//! Tamper resistance, exhaustively over single mutations of a valid frame (the fixture
//! certificate shown by the fixture device key, and the same holder with a P-256 device key):
//! every byte of the frame's CBOR xor 0xff and +1, every bit of the device signature, every bit
//! of the issuer signature inside the frame, and — the holder's own attack, who holds the
//! device key and can sign any frame — every byte and every issuer-signature bit of the
//! certificate, re-signed into a fresh frame by the device key. Each mutation must be refused
//! or give a verdict identical to the original's: never a different holder, expiry, cti or
//! slot. Prints how many mutations were refused for each reason (`--nocapture`).

#![allow(
    clippy::expect_used,
    reason = "test helpers are test code: a failed expectation is a failed test"
)]

mod common;

use std::collections::BTreeMap;

use tempid_protocol::certificate::{CertificateClaims, CertificateId, VALIDITY_SECONDS};
use tempid_protocol::fixtures::{
    FIXTURE_DEVICE_SEED, FIXTURE_ISSUED_AT, fixture_certificate, fixture_device_key,
    fixture_holder, fixture_issuer_key, fixture_trust_list,
};
use tempid_protocol::{
    Certificate, Ed25519DeviceKey, Frame, FrameSigner, P256DeviceKey, Policy, RejectReason,
    Verdict, slot_of, verify,
};

/// The gate's clock: two hours after issue, mid-slot.
const NOW: i64 = FIXTURE_ISSUED_AT + 7200 + 30;

/// How the mutations of one kind ended.
#[derive(Default)]
struct Tally {
    /// Refusals per reason.
    refused: BTreeMap<&'static str, usize>,
    /// Mutations that still verify, with a verdict identical to the original's.
    identical: usize,
    /// Mutations accepted with a different verdict: must stay empty.
    different: Vec<String>,
}

impl Tally {
    fn total(&self) -> usize {
        self.refused.values().sum::<usize>() + self.identical + self.different.len()
    }

    fn record(&mut self, original: &Verdict, verdict: Verdict, what: impl FnOnce() -> String) {
        match verdict {
            Verdict::Rejected { reason } => *self.refused.entry(reason.code()).or_default() += 1,
            accepted if accepted == *original => self.identical += 1,
            accepted => self.different.push(format!("{}: {accepted:?}", what())),
        }
    }

    fn refused_only_as(&self, reason: RejectReason) -> bool {
        self.identical == 0
            && self.different.is_empty()
            && self.refused.keys().all(|code| *code == reason.code())
    }
}

fn gate(text: &str) -> Verdict {
    verify(text, &fixture_trust_list(), NOW, &Policy::default())
}

fn slot() -> u64 {
    u64::try_from(slot_of(NOW)).expect("positive")
}

/// The fixture holder's certificate bound to `signer`'s key, and a frame it signed.
fn valid_frame(signer: &dyn FrameSigner) -> (Certificate, Vec<u8>) {
    let certificate = if signer.public_key() == fixture_device_key().public_key() {
        fixture_certificate().0
    } else {
        let claims = CertificateClaims {
            issuer: "tempid".to_string(),
            issued_at: FIXTURE_ISSUED_AT,
            expires_at: FIXTURE_ISSUED_AT + VALIDITY_SECONDS,
            cti: CertificateId(*b"tamper02"),
            holder: fixture_holder(),
            device_key: signer.public_key(),
        };
        Certificate::issue(claims, &fixture_issuer_key())
    };
    let frame = Frame::sign(&certificate, slot(), signer)
        .expect("sign")
        .to_cbor();
    (certificate, frame)
}

/// The byte mutations: xor 0xff and +1 at every offset.
fn byte_mutations(bytes: &[u8]) -> impl Iterator<Item = (String, Vec<u8>)> + '_ {
    (0..bytes.len()).flat_map(move |i| {
        [
            ("xor ff", bytes[i] ^ 0xff),
            ("+1", bytes[i].wrapping_add(1)),
        ]
        .map(|(how, value)| {
            let mut mutated = bytes.to_vec();
            mutated[i] = value;
            (format!("byte {i} {how}"), mutated)
        })
    })
}

/// Every single-bit flip within `range` of `bytes`.
fn bit_flips(
    bytes: &[u8],
    range: std::ops::Range<usize>,
) -> impl Iterator<Item = (String, Vec<u8>)> + '_ {
    range.flat_map(move |i| {
        (0..8).map(move |bit| {
            let mut mutated = bytes.to_vec();
            mutated[i] ^= 1 << bit;
            (format!("byte {i} bit {bit}"), mutated)
        })
    })
}

fn print(title: &str, tally: &Tally) {
    let refused: Vec<String> = tally
        .refused
        .iter()
        .map(|(code, n)| format!("{code} {n}"))
        .collect();
    println!(
        "{title:<58} {:>5} mutations: refused [{}], identical verdict {}, different verdict {}",
        tally.total(),
        refused.join(", "),
        tally.identical,
        tally.different.len()
    );
}

fn check_device(label: &str, signer: &dyn FrameSigner) {
    let (certificate, frame) = valid_frame(signer);
    let original = gate(&common::text_of(&frame));
    assert!(
        original.is_accepted(),
        "{label}: the untampered frame is accepted: {original:?}"
    );
    let certificate_cbor = certificate.to_cbor();
    let issuer_signature = &certificate_cbor[certificate_cbor.len() - 64..];
    let issuer_signature_at =
        common::find_unique(&frame, issuer_signature).expect("the issuer signature occurs once");
    let device_signature_at = frame.len() - 64;
    assert_eq!(
        Frame::from_cbor(&frame).expect("decodes").to_cbor()[device_signature_at..],
        frame[device_signature_at..],
        "the device signature is the frame's last 64 bytes"
    );

    // 1. The frame's bytes, in place.
    let mut frame_bytes = Tally::default();
    for (what, mutated) in byte_mutations(&frame) {
        frame_bytes.record(&original, gate(&common::text_of(&mutated)), || what);
    }
    print(
        &format!("{label}: frame CBOR bytes (xor ff, +1)"),
        &frame_bytes,
    );
    assert_eq!(frame_bytes.total(), 2 * frame.len());
    assert!(
        frame_bytes.different.is_empty(),
        "{label}: {:?}",
        frame_bytes.different
    );

    // 2. The device signature's bits: the structure stays intact, only that signature breaks.
    let mut device_bits = Tally::default();
    for (what, mutated) in bit_flips(&frame, device_signature_at..frame.len()) {
        device_bits.record(&original, gate(&common::text_of(&mutated)), || what);
    }
    print(&format!("{label}: device signature bits"), &device_bits);
    assert_eq!(device_bits.total(), 512);
    assert!(
        device_bits.refused_only_as(RejectReason::BadDeviceSignature),
        "{label}"
    );

    // 3. The issuer signature's bits inside the frame (the issuer is checked first).
    let mut issuer_bits = Tally::default();
    for (what, mutated) in bit_flips(&frame, issuer_signature_at..issuer_signature_at + 64) {
        issuer_bits.record(&original, gate(&common::text_of(&mutated)), || what);
    }
    print(
        &format!("{label}: issuer signature bits, in the frame"),
        &issuer_bits,
    );
    assert_eq!(issuer_bits.total(), 512);
    assert!(
        issuer_bits.refused_only_as(RejectReason::BadIssuerSignature),
        "{label}"
    );
}

/// The holder's attack: alter the certificate, then sign a fresh, correct frame over it with
/// the real device key (built by hand: `Frame::sign` would refuse a certificate whose `cnf`
/// no longer matches).
fn resigned(certificate: &[u8]) -> Verdict {
    gate(&common::text_of(&common::frame_signed_by_ed25519(
        certificate,
        slot(),
        &FIXTURE_DEVICE_SEED,
    )))
}

#[test]
fn tampered_ed25519_frames_are_refused() {
    check_device("Ed25519 device", &fixture_device_key());
}

#[test]
fn tampered_es256_frames_are_refused() {
    check_device(
        "ES256 device",
        &P256DeviceKey::from_scalar(&[0x33; 32]).expect("scalar"),
    );
}

#[test]
fn a_holder_cannot_alter_the_certificate_and_sign_frames_over_it() {
    let (certificate, _) = fixture_certificate();
    let certificate_cbor = certificate.to_cbor();
    let original = resigned(&certificate_cbor);
    assert!(
        original.is_accepted(),
        "the hand-built frame over the real certificate is accepted"
    );
    let signature_at = certificate_cbor.len() - 64;

    let mut certificate_bytes = Tally::default();
    for (what, mutated) in byte_mutations(&certificate_cbor) {
        certificate_bytes.record(&original, resigned(&mutated), || what);
    }
    print(
        "holder re-signs: certificate bytes (xor ff, +1)",
        &certificate_bytes,
    );
    assert_eq!(certificate_bytes.total(), 2 * certificate_cbor.len());
    assert!(
        certificate_bytes.different.is_empty(),
        "{:?}",
        certificate_bytes.different
    );
    // The claims are what a holder wants to change: each altered claims byte must be caught by
    // the issuer signature (or make the certificate unreadable), never slip through.
    assert!(
        certificate_bytes
            .refused
            .get("bad_issuer_signature")
            .copied()
            .unwrap_or(0)
            > 0
    );

    let mut issuer_bits = Tally::default();
    for (what, mutated) in bit_flips(&certificate_cbor, signature_at..certificate_cbor.len()) {
        issuer_bits.record(&original, resigned(&mutated), || what);
    }
    print("holder re-signs: issuer signature bits", &issuer_bits);
    assert_eq!(issuer_bits.total(), 512);
    assert!(issuer_bits.refused_only_as(RejectReason::BadIssuerSignature));
}

#[test]
fn a_stranger_cannot_sign_frames_for_a_copied_certificate() {
    let (certificate, _) = fixture_certificate();
    let stranger = Ed25519DeviceKey::from_seed(&[0x55; 32]);
    assert!(
        Frame::sign(&certificate, slot(), &stranger).is_err(),
        "Frame::sign checks cnf"
    );
    let forged = common::frame_signed_by_ed25519(&certificate.to_cbor(), slot(), &stranger.seed());
    assert_eq!(
        gate(&common::text_of(&forged)).reason(),
        Some(RejectReason::BadDeviceSignature)
    );
}
