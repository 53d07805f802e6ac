//! The JSON shape of one test vector (`tests/vectors/*.json`), shared by the generator and the
//! checker. `tests/vectors/README.md` documents every field.

use serde::{Deserialize, Serialize};
use tempid_protocol::Verdict;

/// One test case: every layer from keys to verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vector {
    /// What the case shows.
    pub description: String,
    /// The keys, as seeds and public keys.
    pub keys: Keys,
    /// The gate's trust list (a JWK Set, as the issuer serves it).
    pub trust_list: serde_json::Value,
    /// The gate's revocation list, if it holds one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_list: Option<serde_json::Value>,
    /// The certificate's claims, human-readable.
    pub claims: Claims,
    /// The claims payload (the certificate's COSE payload).
    pub certificate_claims_cbor_hex: String,
    /// The certificate: an untagged COSE_Sign1.
    pub certificate_cbor_hex: String,
    /// The `Sig_structure` the device signed.
    pub frame_to_be_signed_hex: String,
    /// The frame: an untagged COSE_Sign1.
    pub frame_cbor_hex: String,
    /// The frame's device-signature algorithm (COSE id: -8 EdDSA, -7 ES256).
    pub frame_alg: i64,
    /// The slot the frame carries.
    pub slot: u64,
    /// The device clock's error against the gate clock, for the clock-skew cases: the device
    /// signed `slot = floor((gate time + offset) / 60)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_clock_offset_seconds: Option<i64>,
    /// The QR text the gate scans.
    pub text: String,
    /// How `text` was derived from the frame when it is not `TID1:` + base45(frame).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_derivation: Option<String>,
    /// The gate's clock.
    pub verification_time: VerificationTime,
    /// The gate's policy.
    pub policy: PolicyJson,
    /// The verdict, exactly as `tempid_protocol::Verdict` serialises.
    pub expected: Verdict,
}

/// The keys of a case. Every private key is a fixed, public test value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    /// The Ed25519 seed (RFC 8032 private key) of the issuer key that signed the certificate.
    pub issuer_seed_hex: String,
    /// Its public key.
    pub issuer_public_key_hex: String,
    /// Its kid: the first 4 bytes of its RFC 7638 JWK thumbprint.
    pub kid_hex: String,
    /// The kid as base64url (its form in the trust list).
    pub kid_base64url: String,
    /// The device key's algorithm: `EdDSA` or `ES256`.
    pub device_algorithm: String,
    /// The Ed25519 device seed (EdDSA device keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_seed_hex: Option<String>,
    /// The P-256 private scalar, big-endian (ES256 device keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_p256_scalar_hex: Option<String>,
    /// The device public key bound in `cnf`: 32 bytes (Ed25519) or the 33-byte compressed SEC1
    /// point (P-256).
    pub device_public_key_hex: String,
    /// The Ed25519 seed that actually signed the frame, when it is not the device key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame_signer_seed_hex: Option<String>,
}

/// The claims, human-readable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// Claim 1.
    pub iss: String,
    /// Claim 6, Unix seconds.
    pub iat: i64,
    /// Claim 6 as RFC 3339.
    pub iat_rfc3339: String,
    /// Claim 4, Unix seconds.
    pub exp: i64,
    /// Claim 4 as RFC 3339.
    pub exp_rfc3339: String,
    /// Claim 7, 8 bytes.
    pub cti_hex: String,
    /// Claim -65537.
    pub holder: HolderJson,
    /// Claim 8.
    pub cnf: CnfJson,
}

/// The holder claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolderJson {
    /// The 18-character ID number.
    pub id_number: String,
    /// Its first 17 digits as the integer the claim carries.
    pub id_number_packed: u64,
    /// The name.
    pub name: String,
    /// The name as a gate shows it.
    pub masked_name: String,
}

/// The COSE_Key inside `cnf`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CnfJson {
    /// `OKP` or `EC2`.
    pub kty: String,
    /// `Ed25519` or `P-256`.
    pub crv: String,
    /// The x coordinate (32 bytes).
    pub x_hex: String,
    /// For EC2: the y sign bit (label -3 as a CBOR bool, RFC 9053 §7.1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y_sign: Option<bool>,
}

/// The gate's clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationTime {
    /// Unix seconds.
    pub unix_seconds: i64,
    /// The same instant as RFC 3339.
    pub rfc3339: String,
    /// `floor(unix_seconds / 60)`.
    pub slot: i64,
    /// `unix_seconds mod 60`: where in its slot the gate's clock stands.
    pub second_of_slot: i64,
}

/// The gate's policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyJson {
    /// Accepted slot distance.
    pub slot_tolerance: u32,
    /// Seconds `iat` may lie ahead of the gate's clock.
    pub clock_leeway_seconds: i64,
}

/// RFC 3339 for Unix seconds.
pub fn rfc3339(unix_seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
