//! Property tests over random inputs: every structurally valid ID number (any province, any
//! birth date from 1900 to today, any region and sequence) round-trips through `parse`, the
//! packed integer and serde; certificates with random holders, names (1-10 CJK or Latin
//! characters), times, cti, issuer keys and Ed25519 or P-256 device keys round-trip through
//! CBOR with their signature intact; frames at random slots round-trip through CBOR and text
//! and verify as accepted with the right content around their own slot; and `verify` never
//! panics and never accepts arbitrary text or arbitrary bytes behind the `TID1:` prefix.

#![allow(
    clippy::expect_used,
    reason = "test helpers are test code: a failed expectation is a failed test"
)]

mod common;

use proptest::prelude::*;
use proptest::sample::select;
use tempid_protocol::certificate::{CertificateClaims, CertificateId, Holder, VALIDITY_SECONDS};
use tempid_protocol::fixtures::{fixture_certificate, fixture_device_key, fixture_trust_list};
use tempid_protocol::id_number::with_check_character;
use tempid_protocol::{
    Certificate, DevicePublicKey, Ed25519DeviceKey, Frame, FrameSigner, IdNumber, IssuerKey,
    KeyStatus, P256DeviceKey, Policy, Province, RejectReason, TrustList, TrustedKey, Verdict,
    slot_of, verify,
};
use time::Date;
use time::macros::date;

/// The calendar date the tests treat as today.
const TODAY: Date = date!(2026 - 11 - 25);
/// The QR alphanumeric character set (ISO/IEC 18004).
const QR_ALPHANUMERIC: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fn province_code() -> impl Strategy<Value = u8> {
    let codes: Vec<u8> = (0..=99)
        .filter(|code| Province::from_code(*code).is_some())
        .collect();
    select(codes)
}

fn birth_date() -> impl Strategy<Value = Date> {
    (date!(1900 - 01 - 01).to_julian_day()..=TODAY.to_julian_day())
        .prop_map(|day| Date::from_julian_day(day).expect("within the calendar"))
}

/// A valid ID number: a province, any 4 further region digits, a birth date, a 3-digit
/// sequence, completed with its check character.
fn id_number_text() -> impl Strategy<Value = String> {
    (province_code(), 0u32..10_000, birth_date(), 0u32..1000).prop_map(
        |(province, region, birth, sequence)| {
            let first17 = format!(
                "{province:02}{region:04}{:04}{:02}{:02}{sequence:03}",
                birth.year(),
                u8::from(birth.month()),
                birth.day()
            );
            with_check_character(&first17).expect("17 digits")
        },
    )
}

/// A name of 1-10 characters, each a CJK unified ideograph or a Latin letter.
fn name() -> impl Strategy<Value = String> {
    let character = prop_oneof![
        3 => proptest::char::range('\u{4e00}', '\u{9fa5}'),
        1 => proptest::char::range('A', 'Z'),
        1 => proptest::char::range('a', 'z'),
    ];
    proptest::collection::vec(character, 1..=10).prop_map(|chars| chars.into_iter().collect())
}

/// A device signer: Ed25519 from any seed, or P-256 from any valid scalar.
#[derive(Debug, Clone)]
enum DeviceSeed {
    Ed25519([u8; 32]),
    P256([u8; 32]),
}

impl DeviceSeed {
    fn signer(&self) -> Box<dyn FrameSigner> {
        match self {
            Self::Ed25519(seed) => Box::new(Ed25519DeviceKey::from_seed(seed)),
            Self::P256(scalar) => Box::new(P256DeviceKey::from_scalar(scalar).expect("filtered")),
        }
    }
}

fn device_seed() -> impl Strategy<Value = DeviceSeed> {
    prop_oneof![
        any::<[u8; 32]>().prop_map(DeviceSeed::Ed25519),
        any::<[u8; 32]>()
            .prop_filter("a P-256 scalar in [1, n)", |s| P256DeviceKey::from_scalar(
                s
            )
            .is_ok())
            .prop_map(DeviceSeed::P256),
    ]
}

#[derive(Debug, Clone)]
struct Issued {
    claims: CertificateClaims,
    issuer_seed: [u8; 32],
    device: DeviceSeed,
}

/// Random claims, with `issued_at` anywhere from 1970 to 2096.
fn issued() -> impl Strategy<Value = Issued> {
    (
        id_number_text(),
        name(),
        0i64..4_000_000_000,
        any::<[u8; 8]>(),
        any::<[u8; 32]>(),
        device_seed(),
        "[a-z]{1,12}",
    )
        .prop_map(|(id, name, issued_at, cti, issuer_seed, device, issuer)| {
            let claims = CertificateClaims {
                issuer,
                issued_at,
                expires_at: issued_at + VALIDITY_SECONDS,
                cti: CertificateId(cti),
                holder: Holder {
                    id_number: IdNumber::parse(&id, TODAY).expect("a generated valid number"),
                    name,
                },
                device_key: device.signer().public_key(),
            };
            Issued {
                claims,
                issuer_seed,
                device,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: persistence(), ..ProptestConfig::with_cases(256) })]

    #[test]
    fn valid_id_numbers_round_trip(text in id_number_text()) {
        let number = IdNumber::parse(&text, TODAY).expect("a generated number is valid");
        prop_assert_eq!(number.as_str(), text.as_str());
        prop_assert_eq!(number.to_string(), text.clone());
        prop_assert_eq!(number.packed(), text[..17].parse::<u64>().expect("digits"));
        prop_assert_eq!(IdNumber::from_packed(number.packed()), Ok(number.clone()));
        let json = serde_json::to_string(&number).expect("serialise");
        prop_assert_eq!(&json, &format!("\"{text}\""));
        prop_assert_eq!(serde_json::from_str::<IdNumber>(&json).expect("deserialise"), number.clone());
        prop_assert_eq!(IdNumber::parse(&text.to_lowercase(), TODAY), Ok(number.clone()));
        let masked = number.masked();
        prop_assert_eq!(&masked[..6], &text[..6]);
        prop_assert_eq!(&masked[6..14], "********");
        prop_assert_eq!(&masked[14..], &text[14..]);
    }

    #[test]
    fn a_single_changed_digit_is_caught(text in id_number_text(), position in 0usize..17, delta in 1u8..10) {
        // ISO 7064 MOD 11-2 detects every single-digit substitution.
        let mut bytes = text.clone().into_bytes();
        bytes[position] = b'0' + (bytes[position] - b'0' + delta) % 10;
        let changed = String::from_utf8(bytes).expect("ASCII");
        prop_assert!(IdNumber::parse(&changed, TODAY).is_err(), "{} accepted", changed);
    }

    #[test]
    fn certificates_round_trip_through_cbor(issued in issued()) {
        let issuer = IssuerKey::from_seed(&issued.issuer_seed);
        let certificate = Certificate::issue(issued.claims.clone(), &issuer);
        let cbor = certificate.to_cbor();
        let decoded = Certificate::from_cbor(&cbor).expect("decodes");
        prop_assert_eq!(decoded.claims(), &issued.claims);
        prop_assert_eq!(decoded.kid(), issuer.kid());
        prop_assert_eq!(decoded.to_cbor(), cbor);
        prop_assert!(decoded.verify_issuer_signature(&issuer.public_key()));
        let other = IssuerKey::from_seed(&issued.issuer_seed.map(|b| b ^ 0x5a));
        prop_assert!(!decoded.verify_issuer_signature(&other.public_key()));
    }

    #[test]
    fn frames_round_trip_and_verify_around_their_slot(
        issued in issued(),
        slot in 0u64..u64::MAX / 2,
        drift in -3i64..=3,
    ) {
        let issuer = IssuerKey::from_seed(&issued.issuer_seed);
        let certificate = Certificate::issue(issued.claims.clone(), &issuer);
        let signer = issued.device.signer();
        let frame = Frame::sign(&certificate, slot, signer.as_ref()).expect("the cnf key signs");
        let text = frame.to_text();
        prop_assert!(text.starts_with("TID1:"));
        prop_assert!(text.chars().all(|c| QR_ALPHANUMERIC.contains(c)), "{} is not QR alphanumeric", text);
        let decoded = Frame::from_text(&text).expect("decodes");
        prop_assert_eq!(decoded.slot(), slot);
        prop_assert_eq!(decoded.certificate(), &certificate);
        prop_assert_eq!(decoded.algorithm(), issued.claims.device_key.algorithm());
        prop_assert_eq!(decoded.to_cbor(), frame.to_cbor());
        prop_assert!(decoded.verify_device_signature());
        prop_assert_eq!(Frame::from_cbor(&frame.to_cbor()).expect("decodes").to_text(), text.clone());

        // The verdict at a gate time within the certificate's life: accepted with the
        // certificate's content when the frame's slot is within ±1 of the gate's, stale
        // otherwise.
        let trust = TrustList::new(vec![TrustedKey::new(&issuer, 0, None, KeyStatus::Active)]).expect("trust list");
        let now = issued.claims.issued_at + 60 + (slot as i64).rem_euclid(VALIDITY_SECONDS - 120);
        let gate_slot = slot_of(now);
        let frame_slot = u64::try_from(gate_slot + drift).expect("positive");
        let frame = Frame::sign(&certificate, frame_slot, signer.as_ref()).expect("sign");
        let verdict = verify(&frame.to_text(), &trust, now, &Policy::default());
        if drift.abs() <= 1 {
            let Verdict::Accepted(accepted) = verdict else {
                return Err(TestCaseError::fail(format!("refused: {verdict:?}")));
            };
            prop_assert_eq!(accepted.id_number, issued.claims.holder.id_number.clone());
            prop_assert_eq!(accepted.masked_name, issued.claims.holder.masked_name());
            prop_assert_eq!(accepted.expires_at, issued.claims.expires_at);
            prop_assert_eq!(accepted.issued_at, issued.claims.issued_at);
            prop_assert_eq!(accepted.cti, issued.claims.cti);
            prop_assert_eq!(accepted.slot, frame_slot);
        } else {
            prop_assert_eq!(verdict.reason(), Some(RejectReason::StaleFrame));
        }
    }

    #[test]
    fn device_keys_round_trip_through_json(device in device_seed()) {
        let key = device.signer().public_key();
        let json = serde_json::to_string(&key).expect("serialise");
        prop_assert_eq!(serde_json::from_str::<DevicePublicKey>(&json).expect("deserialise"), key);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: persistence(), ..ProptestConfig::with_cases(1024) })]

    #[test]
    fn verify_never_panics_on_arbitrary_text(text in any::<String>()) {
        let verdict = verify(&text, &fixture_trust_list(), fixture_now(), &Policy::default());
        prop_assert_eq!(verdict.reason(), Some(RejectReason::Malformed));
    }

    #[test]
    fn verify_never_panics_on_arbitrary_base45(body in "[0-9A-Z $%*+\\-./:]{0,400}") {
        let verdict = verify(&format!("TID1:{body}"), &fixture_trust_list(), fixture_now(), &Policy::default());
        prop_assert!(!verdict.is_accepted(), "{:?}", verdict);
    }

    #[test]
    fn verify_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let text = common::text_of(&bytes);
        let verdict = verify(&text, &fixture_trust_list(), fixture_now(), &Policy::default());
        prop_assert!(!verdict.is_accepted(), "{:?}", verdict);
    }

    #[test]
    fn verify_never_panics_on_a_valid_frame_with_random_edits(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        // Close to valid is where decoders break: a real frame with a few bytes overwritten.
        let mut bytes = fixture_frame_cbor();
        for (index, value) in &edits {
            let i = index.index(bytes.len());
            bytes[i] = *value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        let original = fixture_frame_cbor();
        let verdict = verify(&common::text_of(&bytes), &fixture_trust_list(), fixture_now(), &Policy::default());
        if bytes != original {
            prop_assert!(!verdict.is_accepted(), "{:?}", verdict);
        }
    }
}

/// Failing cases are saved beside this file (`properties.proptest-regressions`) and replayed
/// first on the next run; the default looks for `src/lib.rs`, which an integration test lacks.
fn persistence() -> Option<Box<dyn proptest::test_runner::FailurePersistence>> {
    Some(Box::new(
        proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
    ))
}

/// The fixture frame's gate time: two hours after issue.
fn fixture_now() -> i64 {
    tempid_protocol::fixtures::FIXTURE_ISSUED_AT + 7200
}

fn fixture_frame_cbor() -> Vec<u8> {
    let (certificate, _) = fixture_certificate();
    let slot = u64::try_from(slot_of(fixture_now())).expect("positive");
    Frame::sign(&certificate, slot, &fixture_device_key())
        .expect("sign")
        .to_cbor()
}

#[test]
fn a_frame_has_exactly_one_text() {
    // A base45 group has one spelling: a trailing pair above 255 or a triple above 65535 is
    // not an encoding (RFC 9285 §4). The base45 crate reads a trailing pair modulo 256, so
    // without a check two texts would decode to one frame.
    let alphabet: Vec<char> = QR_ALPHANUMERIC.chars().collect();
    let value_of = |c: char| alphabet.iter().position(|a| *a == c).expect("base45");
    let (certificate, issuer) = fixture_certificate();
    let slot = u64::try_from(slot_of(fixture_now())).expect("positive");
    let mut odd_frames_checked = 0;
    // A two- and a three-character name: one of the two frames has an odd length.
    for name in ["张三", "张三丰"] {
        let mut claims = certificate.claims().clone();
        claims.holder.name = name.to_string();
        let certificate = Certificate::issue(claims, &issuer);
        let frame = Frame::sign(&certificate, slot, &fixture_device_key()).expect("sign");
        let text = frame.to_text();
        assert_eq!(
            Frame::from_text(&text).expect("decodes").to_cbor(),
            frame.to_cbor()
        );
        let chars: Vec<char> = text.chars().collect();
        if frame.to_cbor().len().is_multiple_of(2) {
            continue;
        }
        // The last byte b is spelt (c, d) with b = c + 45 d; b + 256 spells it again.
        let n = chars.len();
        let value = value_of(chars[n - 2]) + 45 * value_of(chars[n - 1]) + 256;
        assert!(value < 45 * 45, "a pair spells values up to 2024");
        let respelt: String = chars[..n - 2]
            .iter()
            .chain([&alphabet[value % 45], &alphabet[value / 45]])
            .collect();
        let body = &respelt[common::PREFIX.len()..];
        assert_eq!(
            base45::decode(body).ok(),
            Some(frame.to_cbor()),
            "both spellings decode alike"
        );
        assert!(
            Frame::from_text(&respelt).is_err(),
            "{respelt} is a second text for one frame"
        );
        odd_frames_checked += 1;
    }
    assert_eq!(odd_frames_checked, 1);
}
