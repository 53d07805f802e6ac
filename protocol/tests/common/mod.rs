//! Helpers shared by the integration tests: a small CBOR/COSE encoder, written from the layout
//! in `tests/vectors/README.md` and independent of the crate's own encoder, so tests can check
//! the documented layout against the real bytes and can build frames `Frame::sign` refuses (a
//! signature by a key other than the certificate's `cnf` key, a tampered certificate).

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

pub mod vector;

use ed25519_dalek::Signer as _;

/// The QR text prefix.
pub const PREFIX: &str = "TID1:";
/// COSE algorithm identifiers.
pub const ALG_EDDSA: i64 = -8;
/// COSE algorithm identifier of ES256.
pub const ALG_ES256: i64 = -7;
/// COSE header parameter `kcwt` (RFC 9528).
pub const KCWT: u64 = 13;
/// The private-use holder claim label.
pub const HOLDER_CLAIM: i64 = -65537;

/// A CBOR head: major type and argument, in the shortest form (RFC 8949 §4.2.1).
pub fn head(major: u8, argument: u64) -> Vec<u8> {
    let m = major << 5;
    match argument {
        0..=23 => vec![m | argument as u8],
        24..=0xff => vec![m | 24, argument as u8],
        0x100..=0xffff => [&[m | 25][..], &(argument as u16).to_be_bytes()].concat(),
        0x1_0000..=0xffff_ffff => [&[m | 26][..], &(argument as u32).to_be_bytes()].concat(),
        _ => [&[m | 27][..], &argument.to_be_bytes()].concat(),
    }
}

/// An unsigned integer.
pub fn uint(value: u64) -> Vec<u8> {
    head(0, value)
}

/// A signed integer (major type 0 or 1).
pub fn int(value: i64) -> Vec<u8> {
    if value >= 0 {
        head(0, value as u64)
    } else {
        head(1, (-1 - value) as u64)
    }
}

/// A byte string.
pub fn bstr(bytes: &[u8]) -> Vec<u8> {
    [head(2, bytes.len() as u64), bytes.to_vec()].concat()
}

/// A text string.
pub fn tstr(text: &str) -> Vec<u8> {
    [head(3, text.len() as u64), text.as_bytes().to_vec()].concat()
}

/// The head of an array of `len` items.
pub fn array(len: u64) -> Vec<u8> {
    head(4, len)
}

/// The head of a map of `len` pairs.
pub fn map(len: u64) -> Vec<u8> {
    head(5, len)
}

/// `true` or `false`.
pub fn boolean(value: bool) -> Vec<u8> {
    vec![if value { 0xf5 } else { 0xf4 }]
}

/// The COSE `Sig_structure` for a COSE_Sign1 without external AAD (RFC 9052 §4.4):
/// `["Signature1", protected, h'', payload]`.
pub fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    [
        array(4),
        tstr("Signature1"),
        bstr(protected),
        bstr(&[]),
        bstr(payload),
    ]
    .concat()
}

/// An untagged COSE_Sign1: `[protected bstr, {} unprotected, payload bstr, signature bstr]`.
pub fn cose_sign1(protected: &[u8], payload: &[u8], signature: &[u8]) -> Vec<u8> {
    [
        array(4),
        bstr(protected),
        map(0),
        bstr(payload),
        bstr(signature),
    ]
    .concat()
}

/// The certificate's protected header: `{1: -8, 4: kid}`.
pub fn certificate_protected(kid: &[u8; 4]) -> Vec<u8> {
    [map(2), uint(1), int(ALG_EDDSA), uint(4), bstr(kid)].concat()
}

/// The `cnf` value for a device key: `{1: COSE_Key}`, the key being `{1: 1, -1: 6, -2: x}`
/// (OKP/Ed25519) or `{1: 2, -1: 1, -2: x, -3: y-sign}` (EC2/P-256, compressed point).
pub fn cnf(algorithm: i64, x: &[u8], y_sign: Option<bool>) -> Vec<u8> {
    let key = match (algorithm, y_sign) {
        (ALG_EDDSA, None) => {
            [map(3), uint(1), uint(1), int(-1), uint(6), int(-2), bstr(x)].concat()
        }
        (ALG_ES256, Some(odd)) => [
            map(4),
            uint(1),
            uint(2),
            int(-1),
            uint(1),
            int(-2),
            bstr(x),
            int(-3),
            boolean(odd),
        ]
        .concat(),
        _ => panic!("unsupported device key shape"),
    };
    [map(1), uint(1), key].concat()
}

/// The fields of a certificate's claims, as the vectors' JSON spells them.
#[derive(Debug, Clone)]
pub struct RawClaims<'a> {
    pub iss: &'a str,
    pub exp: i64,
    pub iat: i64,
    pub cti: [u8; 8],
    pub cnf: Vec<u8>,
    pub id_number_packed: u64,
    pub name: &'a str,
}

/// The claims payload: a map of 6 pairs in the order 1 iss, 4 exp, 6 iat, 7 cti, 8 cnf,
/// -65537 holder.
pub fn claims(c: &RawClaims<'_>) -> Vec<u8> {
    [
        map(6),
        uint(1),
        tstr(c.iss),
        uint(4),
        int(c.exp),
        uint(6),
        int(c.iat),
        uint(7),
        bstr(&c.cti),
        uint(8),
        c.cnf.clone(),
        int(HOLDER_CLAIM),
        array(2),
        uint(c.id_number_packed),
        tstr(c.name),
    ]
    .concat()
}

/// A certificate signed with an Ed25519 issuer seed (the signature over the real
/// `Sig_structure`, whatever `kid` says).
pub fn certificate(kid: &[u8; 4], claims_payload: &[u8], issuer_seed: &[u8; 32]) -> Vec<u8> {
    let protected = certificate_protected(kid);
    let key = ed25519_dalek::SigningKey::from_bytes(issuer_seed);
    let signature = key
        .sign(&sig_structure(&protected, claims_payload))
        .to_bytes();
    cose_sign1(&protected, claims_payload, &signature)
}

/// The frame's protected header: `{1: alg, 13: certificate}`, the certificate embedded as the
/// CBOR item itself (not wrapped in a byte string).
pub fn frame_protected(algorithm: i64, certificate: &[u8]) -> Vec<u8> {
    [
        map(2),
        uint(1),
        int(algorithm),
        uint(KCWT),
        certificate.to_vec(),
    ]
    .concat()
}

/// The bytes a device signs for a frame.
pub fn frame_to_be_signed(algorithm: i64, certificate: &[u8], slot: u64) -> Vec<u8> {
    sig_structure(&frame_protected(algorithm, certificate), &uint(slot))
}

/// A frame with the given signature (64 bytes: Ed25519, or ES256 as r‖s).
pub fn frame_with_signature(
    algorithm: i64,
    certificate: &[u8],
    slot: u64,
    signature: &[u8],
) -> Vec<u8> {
    cose_sign1(
        &frame_protected(algorithm, certificate),
        &uint(slot),
        signature,
    )
}

/// A frame signed with an Ed25519 seed, whichever key the certificate binds.
pub fn frame_signed_by_ed25519(certificate: &[u8], slot: u64, seed: &[u8; 32]) -> Vec<u8> {
    let key = ed25519_dalek::SigningKey::from_bytes(seed);
    let signature = key
        .sign(&frame_to_be_signed(ALG_EDDSA, certificate, slot))
        .to_bytes();
    frame_with_signature(ALG_EDDSA, certificate, slot, &signature)
}

/// The QR text of frame CBOR.
pub fn text_of(frame_cbor: &[u8]) -> String {
    format!("{PREFIX}{}", base45::encode(frame_cbor))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    ::hex::encode(bytes)
}

/// Where `needle` occurs in `haystack`, if exactly once.
pub fn find_unique(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let mut hits = haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle);
    let first = hits.next()?.0;
    hits.next().is_none().then_some(first)
}
