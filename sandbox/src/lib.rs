//! `tempid-sandbox`: the **sandbox** identity authority's shared pieces, the only stand-in in
//! tempid. The real face check belongs to the national identity authority; this crate gives
//! development and tests something of the same shape:
//!
//! - a registry of **sandbox test identities** (ID number + name), with a built-in default set
//!   that includes minors, loadable from a JSON file;
//! - the **sandbox liveness component** ([`SandboxLiveness`]): what a face SDK would do on the
//!   phone, reduced to "whose face is in front of the camera, and is it live", producing signed
//!   evidence over the issuer's challenge;
//! - [`verify_evidence`], which the issuer's sandbox authority uses to check that evidence.
//!
//! Evidence is a compact JWS-like string: `base64url(payload JSON) "." base64url(Ed25519
//! signature over the payload bytes)`, signed with the sandbox liveness key, whose seed is
//! public ([`SANDBOX_LIVENESS_SEED_LABEL`]). Nothing signed by it proves anything about a real
//! person.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tempid_protocol::id_number::with_check_character;
use tempid_protocol::{Algorithm, DevicePublicKey, Ed25519DeviceKey, FrameSigner as _};

/// The text whose SHA-256 is the sandbox liveness key's seed. Public on purpose: the sandbox
/// proves nothing.
pub const SANDBOX_LIVENESS_SEED_LABEL: &str = "tempid sandbox liveness evidence key v1";
/// The evidence format version.
pub const EVIDENCE_VERSION: u32 = 1;

/// A test identity known to the sandbox authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxIdentity {
    /// The 18-character ID number.
    pub id_number: String,
    /// The name registered for it.
    pub name: String,
    /// What the identity is for in tests.
    #[serde(default)]
    pub note: String,
}

/// The built-in sandbox identities. Each has a valid check character; the set includes a minor
/// born last year, a school-age minor, a four-character name and a name with a middle dot.
pub fn default_identities() -> Vec<SandboxIdentity> {
    [
        (
            "11010519491231002",
            "张三丰",
            "the GB 11643-1999 worked example; three-character name",
        ),
        ("44030419851112301", "李四", "two-character name, Guangdong"),
        ("31010120150601123", "王小明", "a minor (born 2015)"),
        ("11010820250704001", "赵宝宝", "a minor born last year"),
        (
            "33010219900307456",
            "欧阳娜娜",
            "four-character name, Zhejiang",
        ),
        (
            "65010219701001456",
            "阿卜杜·买买提",
            "name with a middle dot, Xinjiang",
        ),
        (
            "51010719951120789",
            "陈静",
            "spare identity for quota tests",
        ),
        (
            "42010619880808234",
            "刘洋",
            "spare identity for concurrency tests",
        ),
    ]
    .into_iter()
    .filter_map(|(first17, name, note)| {
        Some(SandboxIdentity {
            id_number: with_check_character(first17)?,
            name: name.to_string(),
            note: note.to_string(),
        })
    })
    .collect()
}

/// Why a registry file cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Not a JSON array of identities.
    #[error("the sandbox identity file is not a JSON array of {{id_number, name}}: {0}")]
    Json(#[from] serde_json::Error),
}

/// Parses a registry file: a JSON array of [`SandboxIdentity`].
pub fn identities_from_json(json: &str) -> Result<Vec<SandboxIdentity>, RegistryError> {
    Ok(serde_json::from_str(json)?)
}

/// What the sandbox camera sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LivenessOutcome {
    /// A live face.
    Live,
    /// A photo, screen or mask: the liveness check fails.
    Spoof,
    /// No usable face in the frame.
    NoFace,
}

/// The signed statement of the sandbox liveness component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidencePayload {
    /// Format version ([`EVIDENCE_VERSION`]).
    pub v: u32,
    /// The issuer's challenge, as received (base64url).
    pub challenge: String,
    /// Whose face was captured: the ID number of a sandbox identity.
    pub face_of: String,
    /// What the camera saw.
    pub outcome: LivenessOutcome,
    /// When it was captured (Unix seconds, the phone's clock).
    pub captured_at: i64,
}

/// The sandbox liveness component: stands in for the phone's face SDK.
pub struct SandboxLiveness {
    key: Ed25519DeviceKey,
}

impl Default for SandboxLiveness {
    fn default() -> Self {
        Self::new()
    }
}

impl SandboxLiveness {
    /// The component with the public sandbox key.
    pub fn new() -> Self {
        Self {
            key: Ed25519DeviceKey::from_seed(&sandbox_seed()),
        }
    }

    /// Evidence that the face of `face_of` (a sandbox ID number) was captured with `outcome`,
    /// answering `challenge`.
    pub fn capture(
        &self,
        challenge: &str,
        face_of: &str,
        outcome: LivenessOutcome,
        captured_at: i64,
    ) -> String {
        let payload = EvidencePayload {
            v: EVIDENCE_VERSION,
            challenge: challenge.to_string(),
            face_of: face_of.to_string(),
            outcome,
            captured_at,
        };
        let bytes = serde_json::to_vec(&payload).unwrap_or_default();
        // An Ed25519 software key never fails to sign.
        let signature = self.key.sign(&bytes).unwrap_or_default();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&bytes),
            URL_SAFE_NO_PAD.encode(signature)
        )
    }
}

/// Why evidence is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    /// Not `payload.signature` in base64url, or not the expected JSON.
    #[error("the evidence is not in the sandbox evidence format")]
    Format,
    /// The signature is not the sandbox liveness key's.
    #[error("the evidence signature does not verify")]
    Signature,
    /// A version this authority does not know.
    #[error("unknown evidence version {0}")]
    Version(u32),
    /// The evidence answers another challenge.
    #[error("the evidence answers a different challenge")]
    ChallengeMismatch,
}

/// Checks evidence (format, signature, version, challenge) and returns what it states. Whether
/// the face matches the person and whether it was live is the authority's decision.
pub fn verify_evidence(
    evidence: &str,
    expected_challenge: &str,
) -> Result<EvidencePayload, EvidenceError> {
    let (payload_b64, signature_b64) = evidence.split_once('.').ok_or(EvidenceError::Format)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload_b64)
        .map_err(|_| EvidenceError::Format)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature_b64)
        .map_err(|_| EvidenceError::Format)?;
    let public = Ed25519DeviceKey::from_seed(&sandbox_seed()).public_key();
    if !verify_with(&public, &payload, &signature) {
        return Err(EvidenceError::Signature);
    }
    let parsed: EvidencePayload =
        serde_json::from_slice(&payload).map_err(|_| EvidenceError::Format)?;
    if parsed.v != EVIDENCE_VERSION {
        return Err(EvidenceError::Version(parsed.v));
    }
    if parsed.challenge != expected_challenge {
        return Err(EvidenceError::ChallengeMismatch);
    }
    Ok(parsed)
}

fn verify_with(public: &DevicePublicKey, message: &[u8], signature: &[u8]) -> bool {
    public.verify(Algorithm::EdDSA, message, signature)
}

fn sandbox_seed() -> [u8; 32] {
    Sha256::digest(SANDBOX_LIVENESS_SEED_LABEL.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempid_protocol::IdNumber;

    #[test]
    fn default_identities_are_valid_and_include_minors() {
        let ids = default_identities();
        assert_eq!(ids.len(), 8);
        let today = time::Date::from_calendar_date(2026, time::Month::November, 25).expect("date");
        let mut minors = 0;
        for identity in &ids {
            let n = IdNumber::parse(&identity.id_number, today).expect("valid sandbox identity");
            if n.birth_date().year() > 2008 {
                minors += 1;
            }
        }
        assert!(minors >= 2, "the default set includes minors");
    }

    #[test]
    fn evidence_round_trips() {
        let sdk = SandboxLiveness::new();
        let evidence = sdk.capture("abc", "11010519491231002X", LivenessOutcome::Live, 1000);
        let payload = verify_evidence(&evidence, "abc").expect("genuine");
        assert_eq!(payload.face_of, "11010519491231002X");
        assert_eq!(payload.outcome, LivenessOutcome::Live);
        assert_eq!(
            verify_evidence(&evidence, "abd"),
            Err(EvidenceError::ChallengeMismatch)
        );
    }

    #[test]
    fn forged_evidence_is_refused() {
        let sdk = SandboxLiveness::new();
        let evidence = sdk.capture("abc", "11010519491231002X", LivenessOutcome::Spoof, 1000);
        let (payload, signature) = evidence.split_once('.').expect("two parts");
        let forged_payload = URL_SAFE_NO_PAD.encode(
            String::from_utf8(URL_SAFE_NO_PAD.decode(payload).expect("b64"))
                .expect("json")
                .replace("spoof", "live"),
        );
        assert_eq!(
            verify_evidence(&format!("{forged_payload}.{signature}"), "abc"),
            Err(EvidenceError::Signature)
        );
        assert_eq!(
            verify_evidence("garbage", "abc"),
            Err(EvidenceError::Format)
        );
        assert_eq!(verify_evidence("a.b", "abc"), Err(EvidenceError::Format));
    }

    #[test]
    fn registry_loads_from_json() {
        let json = r#"[{"id_number":"11010519491231002X","name":"张三丰"}]"#;
        let ids = identities_from_json(json).expect("parse");
        assert_eq!(ids[0].name, "张三丰");
        assert!(identities_from_json("{").is_err());
    }
}
