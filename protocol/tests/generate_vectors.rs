//! The test-vector generator. `write_test_vectors` (ignored; run it on purpose with
//! `cargo test -p tempid-protocol --test generate_vectors -- --ignored`) writes one JSON file per
//! case into `tests/vectors/`; `committed_vectors_are_what_the_generator_writes` proves the
//! committed files are byte for byte what the generator produces today, so the vectors can
//! neither drift from the code nor be edited by hand unnoticed.
//!
//! Every case states the verdict it is meant to show (the clock-skew table follows from a slot
//! tolerance of ±1); the generator refuses to write a case whose actual verdict differs, so a
//! verifier bug cannot be enshrined in the vectors.

#![allow(
    clippy::expect_used,
    reason = "test helpers are test code: a failed expectation is a failed test"
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::vector::{
    Claims, CnfJson, HolderJson, Keys, PolicyJson, Vector, VerificationTime, rfc3339,
};
use tempid_protocol::certificate::{CertificateClaims, CertificateId, Holder, VALIDITY_SECONDS};
use tempid_protocol::fixtures::{
    FIXTURE_DEVICE_SEED, FIXTURE_ID_NUMBER, FIXTURE_ISSUED_AT, FIXTURE_ISSUER_SEED, FIXTURE_NAME,
};
use tempid_protocol::id_number::with_check_character;
use tempid_protocol::{
    Certificate, DevicePublicKey, Ed25519DeviceKey, Frame, FrameSigner, IdNumber, IssuerKey,
    KeyStatus, P256DeviceKey, Policy, RejectReason, RevocationList, RevokedCertificate, TrustList,
    TrustedKey, Verdict, slot_of, verify,
};

/// The ES256 device key's private scalar (a fixed test value below the group order).
const P256_DEVICE_SCALAR: [u8; 32] = [0x33; 32];
/// An issuer key the trust list does not hold.
const UNTRUSTED_ISSUER_SEED: [u8; 32] = [0x44; 32];
/// A device key no certificate binds.
const STRANGER_DEVICE_SEED: [u8; 32] = [0x55; 32];
/// The trust list key's `nbf`: 2026-11-01T00:00:00Z.
const KEY_NBF: i64 = 1_793_491_200;
/// The usual gate time: two hours after issue, second 0 of its slot.
const GATE_TIME: i64 = FIXTURE_ISSUED_AT + 2 * 3600;

#[derive(Clone, Copy)]
enum Device {
    Ed25519([u8; 32]),
    P256([u8; 32]),
}

impl Device {
    fn signer(self) -> Box<dyn FrameSigner> {
        match self {
            Self::Ed25519(seed) => Box::new(Ed25519DeviceKey::from_seed(&seed)),
            Self::P256(scalar) => {
                Box::new(P256DeviceKey::from_scalar(&scalar).expect("a valid test scalar"))
            }
        }
    }
}

/// How the text differs from the frame's own text.
#[derive(Clone, Copy)]
enum TextChange {
    None,
    DropLastThreeCharacters,
    LowerCaseCharacter,
    FirstGroupOverflows,
    Prefix(&'static str),
}

/// The verdict a case is meant to show.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Intended {
    Accepted,
    Rejected(RejectReason),
}

#[derive(Clone)]
struct Case {
    name: String,
    description: String,
    certificate_issuer_seed: [u8; 32],
    trusted_key: (i64, KeyStatus),
    device: Device,
    frame_signer_seed: Option<[u8; 32]>,
    id_number: String,
    name_on_card: String,
    cti: [u8; 8],
    issued_at: i64,
    flip_issuer_signature_bit: bool,
    now: i64,
    device_clock_offset: Option<i64>,
    revocations: Option<RevocationList>,
    text_change: TextChange,
    intended: Intended,
}

impl Case {
    /// The fixture certificate shown at `now` by a device with a correct clock.
    fn fixture(name: &str, description: &str, now: i64, intended: Intended) -> Self {
        Self {
            name: name.to_string(),
            description: description.to_string(),
            certificate_issuer_seed: FIXTURE_ISSUER_SEED,
            trusted_key: (KEY_NBF, KeyStatus::Active),
            device: Device::Ed25519(FIXTURE_DEVICE_SEED),
            frame_signer_seed: None,
            id_number: FIXTURE_ID_NUMBER.to_string(),
            name_on_card: FIXTURE_NAME.to_string(),
            cti: *b"fixture1",
            issued_at: FIXTURE_ISSUED_AT,
            flip_issuer_signature_bit: false,
            now,
            device_clock_offset: None,
            revocations: None,
            text_change: TextChange::None,
            intended,
        }
    }

    fn device_time(&self) -> i64 {
        self.now + self.device_clock_offset.unwrap_or(0)
    }
}

fn cases() -> Vec<Case> {
    use Intended::{Accepted, Rejected};
    use RejectReason::*;
    let mid_slot = GATE_TIME + 30;
    let expiry = FIXTURE_ISSUED_AT + VALIDITY_SECONDS;
    let mut cases = vec![
        Case::fixture(
            "valid_ed25519",
            "A valid frame: the fixture certificate (Ed25519 device key) shown mid-slot by a device with a correct clock.",
            mid_slot,
            Accepted,
        ),
        Case {
            device: Device::P256(P256_DEVICE_SCALAR),
            cti: *b"vector02",
            ..Case::fixture(
                "valid_es256",
                "A valid frame whose device key is P-256: the frame is signed with ES256 (deterministic ECDSA, RFC 6979), as a hardware keystore would.",
                mid_slot,
                Accepted,
            )
        },
    ];

    // Slot tolerance ±1: the gate accepts device slots k-1, k, k+1 around its own slot k. With
    // the gate at second `s` of its slot, a device clock off by `d` seconds signs slot
    // floor((60k + s + d) / 60), accepted exactly when -60 - s <= d <= 119 - s.
    for (second, offsets) in [
        (
            0,
            [
                (-90_i64, Rejected(StaleFrame)),
                (-61, Rejected(StaleFrame)),
                (-59, Accepted),
                (0, Accepted),
                (59, Accepted),
                (61, Accepted),
            ],
        ),
        (
            59,
            [
                (-90_i64, Accepted),
                (-61, Accepted),
                (-59, Accepted),
                (0, Accepted),
                (59, Accepted),
                (61, Rejected(StaleFrame)),
            ],
        ),
    ] {
        for (offset, intended) in offsets {
            let sign = if offset < 0 { "minus" } else { "plus" };
            let name = format!(
                "clock_skew_gate_second_{second:02}_device_{sign}_{:02}s",
                offset.abs()
            );
            let verdict = match intended {
                Accepted => "accepted".to_string(),
                Rejected(reason) => format!("rejected as {reason}"),
            };
            cases.push(Case {
                device_clock_offset: Some(offset),
                ..Case::fixture(
                    &name,
                    &format!(
                        "Clock skew: the gate's clock stands at second {second} of its slot and the device's clock is {offset:+} s off; the device signs slot floor((gate time {offset:+} s) / 60), {verdict} under slot tolerance ±1."
                    ),
                    GATE_TIME + second,
                    intended,
                )
            });
        }
    }

    cases.extend([
        Case::fixture(
            "valid_last_second",
            "The last second of validity: the gate's clock reads exp - 1.",
            expiry - 1,
            Accepted,
        ),
        Case::fixture(
            "expired",
            "Expired: the gate's clock reads exactly exp (a certificate is valid while now < exp).",
            expiry,
            Rejected(Expired),
        ),
        Case::fixture(
            "valid_within_issue_leeway",
            "The gate's clock is 60 s behind the issuer's: iat lies 60 s ahead of the gate, within the 60 s clock leeway.",
            FIXTURE_ISSUED_AT - 60,
            Accepted,
        ),
        Case::fixture(
            "not_yet_valid",
            "Not yet valid: iat lies 61 s ahead of the gate's clock, beyond the 60 s clock leeway.",
            FIXTURE_ISSUED_AT - 61,
            Rejected(NotYetValid),
        ),
        Case {
            certificate_issuer_seed: UNTRUSTED_ISSUER_SEED,
            ..Case::fixture(
                "unknown_kid",
                "Unknown kid: the certificate is signed by an issuer key the trust list does not hold.",
                mid_slot,
                Rejected(UnknownKey),
            )
        },
        Case {
            trusted_key: (FIXTURE_ISSUED_AT + 1, KeyStatus::Active),
            ..Case::fixture(
                "issued_before_key_validity",
                "The certificate's iat lies before the issuer key's nbf in the trust list: the key did not sign at that time.",
                mid_slot,
                Rejected(UnknownKey),
            )
        },
        Case {
            flip_issuer_signature_bit: true,
            ..Case::fixture(
                "bad_issuer_signature",
                "Bad issuer signature: the lowest bit of the issuer signature's first byte is flipped; the device signs the frame over the altered certificate, so only the issuer signature is wrong.",
                mid_slot,
                Rejected(BadIssuerSignature),
            )
        },
        Case {
            frame_signer_seed: Some(STRANGER_DEVICE_SEED),
            ..Case::fixture(
                "wrong_device_key",
                "Wrong device key: a valid certificate, but the frame is signed by an Ed25519 key other than the cnf key (a copied certificate on another phone).",
                mid_slot,
                Rejected(BadDeviceSignature),
            )
        },
        Case {
            revocations: Some(RevocationList::new(
                GATE_TIME,
                vec![
                    RevokedCertificate { cti: CertificateId(*b"fixture1"), revoked_at: FIXTURE_ISSUED_AT + 3600 },
                    RevokedCertificate { cti: CertificateId(*b"other-01"), revoked_at: FIXTURE_ISSUED_AT },
                ],
            )),
            ..Case::fixture(
                "revoked",
                "Revoked: the certificate's cti is in the gate's revocation list.",
                mid_slot,
                Rejected(Revoked),
            )
        },
        Case {
            trusted_key: (KEY_NBF, KeyStatus::Revoked),
            ..Case::fixture(
                "issuer_key_revoked",
                "The issuer key itself is revoked in the trust list: every certificate it signed is revoked.",
                mid_slot,
                Rejected(Revoked),
            )
        },
        Case {
            text_change: TextChange::DropLastThreeCharacters,
            ..Case::fixture(
                "truncated_text",
                "Truncated text: the last 3 characters are missing, so the base45 still decodes but the CBOR ends 2 bytes early.",
                mid_slot,
                Rejected(Malformed),
            )
        },
        Case {
            text_change: TextChange::LowerCaseCharacter,
            ..Case::fixture(
                "bad_base45_character",
                "Bad base45: the first character after the prefix is replaced by a lower-case letter, which the base45 alphabet does not contain.",
                mid_slot,
                Rejected(Malformed),
            )
        },
        Case {
            text_change: TextChange::FirstGroupOverflows,
            ..Case::fixture(
                "bad_base45_value",
                "Bad base45: the first three characters are GGW, whose value 65536 does not fit two bytes (RFC 9285 requires rejecting it).",
                mid_slot,
                Rejected(Malformed),
            )
        },
        Case {
            text_change: TextChange::Prefix("TID2:"),
            ..Case::fixture(
                "bad_prefix",
                "Bad prefix: a valid frame behind the prefix TID2: (a format version this verifier does not know).",
                mid_slot,
                Rejected(Malformed),
            )
        },
        Case {
            name_on_card: "欧阳娜娜".to_string(),
            cti: *b"vector03",
            ..Case::fixture(
                "four_character_name",
                "A four-character name: accepted, shown masked as first and last character.",
                mid_slot,
                Accepted,
            )
        },
        Case {
            id_number: with_check_character("11010820200704001").expect("17 digits"),
            name_on_card: "李小明".to_string(),
            cti: *b"vector04",
            ..Case::fixture(
                "minor",
                "A minor's ID number (born 2020-07-04): minors who hold an ID card may travel on a temporary certificate; there is no age check.",
                mid_slot,
                Accepted,
            )
        },
    ]);
    cases
}

fn hex(bytes: &[u8]) -> String {
    common::hex(bytes)
}

fn device_public_key(device: Device) -> DevicePublicKey {
    device.signer().public_key()
}

fn cnf_json(key: &DevicePublicKey) -> CnfJson {
    match key {
        DevicePublicKey::Ed25519(x) => CnfJson {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x_hex: hex(x),
            y_sign: None,
        },
        DevicePublicKey::P256(point) => CnfJson {
            kty: "EC2".into(),
            crv: "P-256".into(),
            x_hex: hex(&point[1..]),
            y_sign: Some(point[0] == 0x03),
        },
    }
}

fn build(case: &Case) -> Vector {
    let issuer = IssuerKey::from_seed(&case.certificate_issuer_seed);
    let device_key = device_public_key(case.device);
    let id_number = IdNumber::parse(&case.id_number, time::macros::date!(2026 - 11 - 25))
        .expect("a valid test ID number");
    let claims = CertificateClaims {
        issuer: "tempid".to_string(),
        issued_at: case.issued_at,
        expires_at: case.issued_at + VALIDITY_SECONDS,
        cti: CertificateId(case.cti),
        holder: Holder {
            id_number: id_number.clone(),
            name: case.name_on_card.clone(),
        },
        device_key: device_key.clone(),
    };
    let certificate = Certificate::issue(claims.clone(), &issuer);
    let mut certificate_cbor = certificate.to_cbor();
    if case.flip_issuer_signature_bit {
        let first_signature_byte = certificate_cbor.len() - 64;
        certificate_cbor[first_signature_byte] ^= 0x01;
    }
    let certificate = Certificate::from_cbor(&certificate_cbor).expect("still well-formed");
    assert_eq!(
        certificate.to_cbor(),
        certificate_cbor,
        "{}: decoding keeps the bytes",
        case.name
    );

    let slot = u64::try_from(slot_of(case.device_time())).expect("a positive slot");
    let frame_alg = device_key.algorithm().cose_id();
    let frame_cbor = match case.frame_signer_seed {
        // Frame::sign refuses a key other than cnf: build that frame by hand.
        Some(seed) => common::frame_signed_by_ed25519(&certificate_cbor, slot, &seed),
        None => {
            let frame =
                Frame::sign(&certificate, slot, case.device.signer().as_ref()).expect("sign");
            let bytes = frame.to_cbor();
            // The documented layout describes the real bytes.
            let signature = &bytes[bytes.len() - 64..];
            assert_eq!(
                common::frame_with_signature(frame_alg, &certificate_cbor, slot, signature),
                bytes,
                "{}: the frame layout matches the README",
                case.name
            );
            assert_eq!(frame.to_text(), common::text_of(&bytes));
            bytes
        }
    };
    let frame_text = common::text_of(&frame_cbor);
    let body = &frame_text[common::PREFIX.len()..];
    let text = match case.text_change {
        TextChange::None => frame_text.clone(),
        TextChange::DropLastThreeCharacters => frame_text[..frame_text.len() - 3].to_string(),
        TextChange::LowerCaseCharacter => format!("{}a{}", common::PREFIX, &body[1..]),
        TextChange::FirstGroupOverflows => format!("{}GGW{}", common::PREFIX, &body[3..]),
        TextChange::Prefix(prefix) => format!("{prefix}{body}"),
    };
    let text_derivation = match case.text_change {
        TextChange::None => None,
        TextChange::DropLastThreeCharacters => {
            Some("TID1: + base45(frame), without its last 3 characters".to_string())
        }
        TextChange::LowerCaseCharacter => {
            Some("TID1: + base45(frame), its first base45 character replaced by 'a'".to_string())
        }
        TextChange::FirstGroupOverflows => Some(
            "TID1: + base45(frame), its first 3 base45 characters replaced by 'GGW'".to_string(),
        ),
        TextChange::Prefix(prefix) => Some(format!("{prefix} + base45(frame)")),
    };

    let trusted_issuer = IssuerKey::from_seed(&FIXTURE_ISSUER_SEED);
    let (nbf, status) = case.trusted_key;
    let trust_list = TrustList::new(vec![TrustedKey::new(&trusted_issuer, nbf, None, status)])
        .expect("a valid trust list");
    let policy = Policy {
        revocations: case.revocations.clone().unwrap_or_default(),
        ..Policy::default()
    };
    let verdict = verify(&text, &trust_list, case.now, &policy);

    // The case shows what it claims to show.
    match (case.intended, &verdict) {
        (Intended::Accepted, Verdict::Accepted(accepted)) => {
            assert_eq!(accepted.id_number, claims.holder.id_number, "{}", case.name);
            assert_eq!(accepted.cti, claims.cti, "{}", case.name);
            assert_eq!(accepted.expires_at, claims.expires_at, "{}", case.name);
            assert_eq!(accepted.slot, slot, "{}", case.name);
        }
        (Intended::Rejected(intended), Verdict::Rejected { reason }) => {
            assert_eq!(*reason, intended, "{}", case.name);
        }
        (intended, actual) => panic!("{}: meant {intended:?}, verify says {actual:?}", case.name),
    }

    let (device_seed_hex, device_p256_scalar_hex) = match case.device {
        Device::Ed25519(seed) => (Some(hex(&seed)), None),
        Device::P256(scalar) => (None, Some(hex(&scalar))),
    };
    let claims_cbor = {
        let cose: coset::CoseSign1 =
            coset::CborSerializable::from_slice(&certificate_cbor).expect("COSE_Sign1");
        cose.payload.expect("payload")
    };
    Vector {
        description: case.description.clone(),
        keys: Keys {
            issuer_seed_hex: hex(&case.certificate_issuer_seed),
            issuer_public_key_hex: hex(&issuer.public_key()),
            kid_hex: hex(&issuer.kid().0),
            kid_base64url: issuer.kid().to_base64url(),
            device_algorithm: format!("{:?}", device_key.algorithm()),
            device_seed_hex,
            device_p256_scalar_hex,
            device_public_key_hex: hex(device_key.as_bytes()),
            frame_signer_seed_hex: case.frame_signer_seed.map(|s| hex(&s)),
        },
        trust_list: serde_json::to_value(&trust_list).expect("JSON"),
        revocation_list: case
            .revocations
            .as_ref()
            .map(|r| serde_json::to_value(r).expect("JSON")),
        claims: Claims {
            iss: claims.issuer.clone(),
            iat: claims.issued_at,
            iat_rfc3339: rfc3339(claims.issued_at),
            exp: claims.expires_at,
            exp_rfc3339: rfc3339(claims.expires_at),
            cti_hex: claims.cti.to_hex(),
            holder: HolderJson {
                id_number: id_number.to_string(),
                id_number_packed: id_number.packed(),
                name: claims.holder.name.clone(),
                masked_name: claims.holder.masked_name(),
            },
            cnf: cnf_json(&device_key),
        },
        certificate_claims_cbor_hex: hex(&claims_cbor),
        certificate_cbor_hex: hex(&certificate_cbor),
        frame_to_be_signed_hex: hex(&common::frame_to_be_signed(
            frame_alg,
            &certificate_cbor,
            slot,
        )),
        frame_cbor_hex: hex(&frame_cbor),
        frame_alg,
        slot,
        device_clock_offset_seconds: case.device_clock_offset,
        text,
        text_derivation,
        verification_time: VerificationTime {
            unix_seconds: case.now,
            rfc3339: rfc3339(case.now),
            slot: slot_of(case.now),
            second_of_slot: case.now.rem_euclid(60),
        },
        policy: PolicyJson {
            slot_tolerance: policy.slot_tolerance,
            clock_leeway_seconds: policy.clock_leeway_seconds,
        },
        expected: verdict,
    }
}

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("vectors")
}

/// Every case's file name and content.
fn generated_files() -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for case in cases() {
        let vector = build(&case);
        let json = serde_json::to_string_pretty(&vector).expect("JSON") + "\n";
        let previous = files.insert(format!("{}.json", case.name), json);
        assert!(previous.is_none(), "two cases are named {}", case.name);
    }
    files
}

fn json_files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/vectors exists")
        .map(|entry| {
            entry
                .expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
}

#[test]
#[ignore = "writes tests/vectors/*.json; run on purpose after a deliberate format change"]
fn write_test_vectors() {
    let dir = vectors_dir();
    std::fs::create_dir_all(&dir).expect("create tests/vectors");
    let files = generated_files();
    for stale in json_files_in(&dir)
        .into_iter()
        .filter(|name| !files.contains_key(name))
    {
        std::fs::remove_file(dir.join(stale)).expect("remove a stale vector");
    }
    for (name, json) in &files {
        std::fs::write(dir.join(name), json).expect("write a vector");
    }
    println!("wrote {} vectors to {}", files.len(), dir.display());
}

#[test]
fn committed_vectors_are_what_the_generator_writes() {
    let dir = vectors_dir();
    let files = generated_files();
    let regenerate = "regenerate with `cargo test -p tempid-protocol --test generate_vectors -- --ignored` and review the diff";
    for (name, json) in &files {
        let committed = std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|_| panic!("tests/vectors/{name} is missing: {regenerate}"));
        assert!(
            committed == *json,
            "tests/vectors/{name} differs from the generator: {regenerate}"
        );
    }
    let strays: Vec<String> = json_files_in(&dir)
        .into_iter()
        .filter(|name| !files.contains_key(name))
        .collect();
    assert!(
        strays.is_empty(),
        "vectors no case generates: {strays:?}: {regenerate}"
    );
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(generated_files(), generated_files());
}
