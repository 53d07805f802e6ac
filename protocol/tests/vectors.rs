//! Checks every test vector in `tests/vectors/*.json` the way another implementation would:
//! the keys derive from the seeds, the kid is the RFC 7638 thumbprint prefix, the claims,
//! certificate and frame bytes follow the layout `tests/vectors/README.md` documents (rebuilt
//! here by an encoder independent of the crate's), the text decodes to exactly the frame, the
//! signatures of accepted cases verify with the plain signature crates, and `verify` gives the
//! expected verdict. Fails if the folder holds no vector, or if some verdict is never shown.

#![allow(
    clippy::expect_used,
    reason = "test helpers are test code: a failed expectation is a failed test"
)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::vector::{Vector, rfc3339};
use sha2::{Digest as _, Sha256};
use tempid_protocol::{
    Certificate, Frame, IdNumber, Policy, RejectReason, RevocationList, TrustList, Verdict,
    mask_name, slot_of, verify,
};

fn unhex(text: &str, what: &str) -> Vec<u8> {
    hex::decode(text).unwrap_or_else(|_| panic!("{what} is not hex"))
}

fn array32(bytes: &[u8], what: &str) -> [u8; 32] {
    bytes
        .try_into()
        .unwrap_or_else(|_| panic!("{what} is not 32 bytes"))
}

/// RFC 7638 thumbprint of an OKP/Ed25519 key, first 4 bytes.
fn kid_of(public: &[u8]) -> Vec<u8> {
    let jwk = format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(public)
    );
    Sha256::digest(jwk.as_bytes())[..4].to_vec()
}

fn check_vector(name: &str, raw: &str) -> Verdict {
    let v: Vector =
        serde_json::from_str(raw).unwrap_or_else(|e| panic!("{name}: not a vector: {e}"));
    let raw_json: serde_json::Value = serde_json::from_str(raw).expect("JSON");

    // Keys.
    let issuer_seed = array32(
        &unhex(&v.keys.issuer_seed_hex, "issuer seed"),
        "issuer seed",
    );
    let issuer_public = ed25519_dalek::SigningKey::from_bytes(&issuer_seed)
        .verifying_key()
        .to_bytes();
    assert_eq!(
        common::hex(&issuer_public),
        v.keys.issuer_public_key_hex,
        "{name}: issuer public key"
    );
    let kid = kid_of(&issuer_public);
    assert_eq!(
        common::hex(&kid),
        v.keys.kid_hex,
        "{name}: kid is the thumbprint prefix"
    );
    assert_eq!(
        URL_SAFE_NO_PAD.encode(&kid),
        v.keys.kid_base64url,
        "{name}: kid base64url"
    );
    let device_public = unhex(&v.keys.device_public_key_hex, "device public key");
    match (
        v.keys.device_algorithm.as_str(),
        &v.keys.device_seed_hex,
        &v.keys.device_p256_scalar_hex,
    ) {
        ("EdDSA", Some(seed), None) => {
            let seed = array32(&unhex(seed, "device seed"), "device seed");
            let public = ed25519_dalek::SigningKey::from_bytes(&seed)
                .verifying_key()
                .to_bytes();
            assert_eq!(
                public.as_slice(),
                device_public,
                "{name}: Ed25519 device key"
            );
            assert_eq!(v.frame_alg, common::ALG_EDDSA, "{name}: frame alg");
        }
        ("ES256", None, Some(scalar)) => {
            let scalar = array32(&unhex(scalar, "P-256 scalar"), "P-256 scalar");
            let key =
                p256::ecdsa::SigningKey::from_bytes((&scalar).into()).expect("a P-256 scalar");
            let point = key.verifying_key().to_encoded_point(true);
            assert_eq!(point.as_bytes(), device_public, "{name}: P-256 device key");
            assert_eq!(v.frame_alg, common::ALG_ES256, "{name}: frame alg");
        }
        other => panic!("{name}: device keys {other:?}"),
    }

    // Claims: the human-readable claims encode to exactly the claims payload.
    let c = &v.claims;
    assert_eq!(c.iat_rfc3339, rfc3339(c.iat), "{name}: iat RFC 3339");
    assert_eq!(c.exp_rfc3339, rfc3339(c.exp), "{name}: exp RFC 3339");
    let id_number = IdNumber::parse(&c.holder.id_number, time::macros::date!(2026 - 11 - 25))
        .unwrap_or_else(|e| panic!("{name}: holder ID number: {e}"));
    assert_eq!(
        id_number.packed(),
        c.holder.id_number_packed,
        "{name}: packed ID number"
    );
    assert_eq!(
        IdNumber::from_packed(c.holder.id_number_packed),
        Ok(id_number.clone())
    );
    assert_eq!(
        mask_name(&c.holder.name),
        c.holder.masked_name,
        "{name}: masked name"
    );
    let x = unhex(&c.cnf.x_hex, "cnf x");
    let (cnf_alg, expected_point) = match (c.cnf.kty.as_str(), c.cnf.crv.as_str(), c.cnf.y_sign) {
        ("OKP", "Ed25519", None) => (common::ALG_EDDSA, x.clone()),
        ("EC2", "P-256", Some(odd)) => (
            common::ALG_ES256,
            [vec![if odd { 0x03 } else { 0x02 }], x.clone()].concat(),
        ),
        other => panic!("{name}: cnf {other:?}"),
    };
    assert_eq!(
        expected_point, device_public,
        "{name}: cnf holds the device key"
    );
    let cti: [u8; 8] = unhex(&c.cti_hex, "cti").try_into().expect("cti is 8 bytes");
    let claims_cbor = common::claims(&common::RawClaims {
        iss: &c.iss,
        exp: c.exp,
        iat: c.iat,
        cti,
        cnf: common::cnf(cnf_alg, &x, c.cnf.y_sign),
        id_number_packed: c.holder.id_number_packed,
        name: &c.holder.name,
    });
    assert_eq!(
        common::hex(&claims_cbor),
        v.certificate_claims_cbor_hex,
        "{name}: claims layout"
    );

    // Certificate: {1: -8, 4: kid} protected, empty unprotected, claims payload, signature.
    let certificate_cbor = unhex(&v.certificate_cbor_hex, "certificate");
    let issuer_signature = &certificate_cbor[certificate_cbor.len() - 64..];
    let kid4: [u8; 4] = kid.as_slice().try_into().expect("4 bytes");
    let certificate_protected = common::certificate_protected(&kid4);
    assert_eq!(
        common::cose_sign1(&certificate_protected, &claims_cbor, issuer_signature),
        certificate_cbor,
        "{name}: certificate layout"
    );
    let certificate = Certificate::from_cbor(&certificate_cbor).expect("the certificate decodes");
    let decoded = certificate.claims();
    assert_eq!(decoded.issuer, c.iss, "{name}");
    assert_eq!(
        (decoded.issued_at, decoded.expires_at),
        (c.iat, c.exp),
        "{name}"
    );
    assert_eq!(decoded.cti.0, cti, "{name}");
    assert_eq!(decoded.holder.id_number, id_number, "{name}");
    assert_eq!(decoded.holder.name, c.holder.name, "{name}");
    assert_eq!(decoded.device_key.as_bytes(), device_public, "{name}");

    // Frame: {1: alg, 13: certificate} protected, empty unprotected, slot payload, signature.
    let frame_cbor = unhex(&v.frame_cbor_hex, "frame");
    let device_signature = &frame_cbor[frame_cbor.len() - 64..];
    assert_eq!(
        common::frame_with_signature(v.frame_alg, &certificate_cbor, v.slot, device_signature),
        frame_cbor,
        "{name}: frame layout"
    );
    let to_be_signed = common::frame_to_be_signed(v.frame_alg, &certificate_cbor, v.slot);
    assert_eq!(
        common::hex(&to_be_signed),
        v.frame_to_be_signed_hex,
        "{name}: Sig_structure"
    );
    let frame = Frame::from_cbor(&frame_cbor).expect("the frame decodes");
    assert_eq!(frame.slot(), v.slot, "{name}");
    assert_eq!(frame.certificate().to_cbor(), certificate_cbor, "{name}");
    if let Some(offset) = v.device_clock_offset_seconds {
        assert_eq!(
            slot_of(v.verification_time.unix_seconds + offset),
            v.slot as i64,
            "{name}: skew"
        );
    }

    // Text: the frame's text, or (for malformed cases) a derivation that must not decode.
    let frame_text = common::text_of(&frame_cbor);
    let rejected_as_malformed = v.expected.reason() == Some(RejectReason::Malformed);
    match &v.text_derivation {
        None => {
            assert_eq!(v.text, frame_text, "{name}: text is TID1: + base45(frame)");
            let body = v.text.strip_prefix(common::PREFIX).expect("prefix");
            assert_eq!(base45::decode(body).expect("base45"), frame_cbor, "{name}");
            let decoded = Frame::from_text(&v.text).expect("the text decodes");
            assert_eq!(
                decoded.to_cbor(),
                frame_cbor,
                "{name}: text and frame hex agree"
            );
            assert_eq!(decoded.certificate().to_cbor(), certificate_cbor, "{name}");
        }
        Some(_) => {
            assert_ne!(
                v.text, frame_text,
                "{name}: a derived text differs from the frame's"
            );
            assert!(
                rejected_as_malformed,
                "{name}: derived texts are malformed cases"
            );
        }
    }
    if rejected_as_malformed {
        assert!(
            Frame::from_text(&v.text).is_err(),
            "{name}: a malformed text must not decode"
        );
    }

    // Accepted cases: both signatures verify with the plain signature crates.
    if v.expected.is_accepted() {
        let issuer = ed25519_dalek::VerifyingKey::from_bytes(&issuer_public).expect("key");
        let signature = ed25519_dalek::Signature::from_slice(issuer_signature).expect("64 bytes");
        issuer
            .verify_strict(
                &common::sig_structure(&certificate_protected, &claims_cbor),
                &signature,
            )
            .unwrap_or_else(|_| panic!("{name}: issuer signature"));
        if v.frame_alg == common::ALG_EDDSA {
            let device = ed25519_dalek::VerifyingKey::from_bytes(&array32(&device_public, "key"))
                .expect("key");
            let signature =
                ed25519_dalek::Signature::from_slice(device_signature).expect("64 bytes");
            device
                .verify_strict(&to_be_signed, &signature)
                .unwrap_or_else(|_| panic!("{name}: device signature"));
        } else {
            use p256::ecdsa::signature::Verifier as _;
            let device = p256::ecdsa::VerifyingKey::from_sec1_bytes(&device_public).expect("key");
            let signature = p256::ecdsa::Signature::from_slice(device_signature).expect("r||s");
            device
                .verify(&to_be_signed, &signature)
                .unwrap_or_else(|_| panic!("{name}: ES256 signature"));
        }
    }

    // The gate.
    let t = &v.verification_time;
    assert_eq!(
        t.rfc3339,
        rfc3339(t.unix_seconds),
        "{name}: verification time RFC 3339"
    );
    assert_eq!(t.slot, slot_of(t.unix_seconds), "{name}: gate slot");
    assert_eq!(
        t.second_of_slot,
        t.unix_seconds.rem_euclid(60),
        "{name}: second of slot"
    );
    let trust_list = TrustList::from_json(&v.trust_list.to_string())
        .unwrap_or_else(|e| panic!("{name}: trust list: {e}"));
    let revocations = match &v.revocation_list {
        Some(list) => RevocationList::from_json(&list.to_string()).expect("revocation list"),
        None => RevocationList::default(),
    };
    let policy = Policy {
        slot_tolerance: v.policy.slot_tolerance,
        clock_leeway_seconds: v.policy.clock_leeway_seconds,
        revocations,
    };
    let verdict = verify(&v.text, &trust_list, t.unix_seconds, &policy);
    assert_eq!(verdict, v.expected, "{name}: verdict");
    assert_eq!(
        serde_json::to_value(&verdict).expect("JSON"),
        raw_json["expected"],
        "{name}: the expected verdict is spelt exactly as Verdict serialises"
    );
    verdict
}

#[test]
fn every_vector_in_the_folder_verifies_as_expected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("vectors");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/vectors exists")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "tests/vectors holds no *.json vector");

    let mut shown = BTreeSet::new();
    for name in &names {
        let raw = std::fs::read_to_string(dir.join(name)).expect("readable");
        let verdict = check_vector(name, &raw);
        shown.insert(verdict.reason().map_or("accepted", RejectReason::code));
    }
    // Replay is the gate's own state, not a property of one frame.
    let mut wanted: BTreeSet<&str> = RejectReason::ALL
        .into_iter()
        .filter(|r| *r != RejectReason::Replayed)
        .map(RejectReason::code)
        .collect();
    wanted.insert("accepted");
    assert_eq!(
        shown, wanted,
        "the vectors show every verdict a single frame can get"
    );
    println!("{} vectors verified", names.len());
}

#[test]
fn a_vector_with_a_wrong_verdict_is_caught() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("vectors");
    let raw = std::fs::read_to_string(dir.join("valid_ed25519.json")).expect("the valid vector");
    let mut json: serde_json::Value = serde_json::from_str(&raw).expect("JSON");
    json["expected"] = serde_json::json!({"result": "rejected", "reason": "stale_frame"});
    let tampered = serde_json::to_string(&json).expect("JSON");
    let outcome = std::panic::catch_unwind(|| check_vector("tampered", &tampered));
    assert!(
        outcome.is_err(),
        "the checker must refuse a vector whose verdict is wrong"
    );
}
