//! The trust list a gate loads: the issuer's public keys as a JWK Set (RFC 7517; OKP/Ed25519
//! keys per RFC 8037), each with its `kid`, validity window and status; and the revocation list.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::certificate::CertificateId;
use crate::keys::{IssuerKey, Kid};

/// Where a key stands in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// The key the issuer signs new certificates with.
    Active,
    /// No longer signs; stays listed until the last certificate it signed has expired.
    Retired,
    /// Compromised or withdrawn: every certificate it signed is refused as `revoked`.
    Revoked,
}

/// One issuer key in the JWK Set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedKey {
    /// JWK key type: always `OKP`.
    pub kty: String,
    /// JWK curve: always `Ed25519`.
    pub crv: String,
    /// The public key, base64url without padding.
    pub x: String,
    /// The key identifier, base64url: the first 4 bytes of the RFC 7638 thumbprint.
    pub kid: String,
    /// The algorithm: always `EdDSA`.
    pub alg: String,
    /// The use: always `sig`.
    #[serde(rename = "use")]
    pub key_use: String,
    /// Certificates issued before this Unix time are not trusted under this key.
    pub nbf: i64,
    /// After this Unix time nothing this key signed is valid (absent while it still signs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// The key's status.
    pub status: KeyStatus,
    #[serde(skip)]
    decoded: Option<([u8; 32], Kid)>,
}

impl TrustedKey {
    /// The JWK of an issuer key.
    pub fn new(key: &IssuerKey, nbf: i64, exp: Option<i64>, status: KeyStatus) -> Self {
        Self::from_public(&key.public_key(), nbf, exp, status)
    }

    /// The JWK of an issuer public key.
    pub fn from_public(public: &[u8; 32], nbf: i64, exp: Option<i64>, status: KeyStatus) -> Self {
        let kid = Kid::of_ed25519(public);
        Self {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: URL_SAFE_NO_PAD.encode(public),
            kid: kid.to_base64url(),
            alg: "EdDSA".into(),
            key_use: "sig".into(),
            nbf,
            exp,
            status,
            decoded: Some((*public, kid)),
        }
    }

    fn decode(&self) -> Result<([u8; 32], Kid), TrustListError> {
        let bad = |reason: &'static str| TrustListError::BadKey {
            kid: self.kid.clone(),
            reason,
        };
        if self.kty != "OKP" || self.crv != "Ed25519" {
            return Err(bad("only OKP/Ed25519 keys are accepted"));
        }
        if self.alg != "EdDSA" || self.key_use != "sig" {
            return Err(bad("alg must be EdDSA and use must be sig"));
        }
        let x = URL_SAFE_NO_PAD
            .decode(&self.x)
            .map_err(|_| bad("x is not base64url"))?;
        let public: [u8; 32] = x.try_into().map_err(|_| bad("x is not 32 bytes"))?;
        ed25519_dalek::VerifyingKey::from_bytes(&public)
            .map_err(|_| bad("x is not an Ed25519 point"))?;
        let kid = Kid::of_ed25519(&public);
        if Kid::from_base64url(&self.kid) != Some(kid) {
            return Err(bad("kid is not the thumbprint of x"));
        }
        if self.exp.is_some_and(|exp| exp < self.nbf) {
            return Err(bad("exp lies before nbf"));
        }
        Ok((public, kid))
    }

    /// The public key bytes and kid (validated when the list was loaded).
    pub fn public_key(&self) -> Option<(&[u8; 32], Kid)> {
        self.decoded.as_ref().map(|(p, k)| (p, *k))
    }
}

/// Why a trust list or revocation list cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustListError {
    /// Not JSON of the expected shape.
    #[error("not a JWK Set: {0}")]
    Json(String),
    /// A key that cannot be used.
    #[error("key {kid}: {reason}")]
    BadKey {
        /// The key's kid as written.
        kid: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Two keys with one kid.
    #[error("kid {0} appears twice")]
    DuplicateKid(String),
    /// No key at all.
    #[error("the trust list holds no key")]
    Empty,
}

/// The JWK Set of the issuer's keys, validated on load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustList {
    /// The keys.
    pub keys: Vec<TrustedKey>,
}

impl TrustList {
    /// Builds and validates a list.
    pub fn new(keys: Vec<TrustedKey>) -> Result<Self, TrustListError> {
        let mut list = Self { keys };
        list.validate()?;
        Ok(list)
    }

    /// Parses and validates the JSON form.
    pub fn from_json(json: &str) -> Result<Self, TrustListError> {
        let list: Self =
            serde_json::from_str(json).map_err(|e| TrustListError::Json(e.to_string()))?;
        Self::new(list.keys)
    }

    /// The JSON form (a JWK Set).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    fn validate(&mut self) -> Result<(), TrustListError> {
        if self.keys.is_empty() {
            return Err(TrustListError::Empty);
        }
        for i in 0..self.keys.len() {
            let decoded = self.keys[i].decode()?;
            if self.keys[..i]
                .iter()
                .any(|k| k.decoded.map(|d| d.1) == Some(decoded.1))
            {
                return Err(TrustListError::DuplicateKid(self.keys[i].kid.clone()));
            }
            self.keys[i].decoded = Some(decoded);
        }
        Ok(())
    }

    /// The key with this kid.
    pub fn find(&self, kid: Kid) -> Option<&TrustedKey> {
        self.keys
            .iter()
            .find(|k| k.decoded.map(|d| d.1) == Some(kid))
    }
}

/// One revoked certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedCertificate {
    /// The certificate's `cti`.
    pub cti: CertificateId,
    /// When it was revoked (Unix seconds).
    pub revoked_at: i64,
}

/// The certificates the issuer has revoked, sorted for lookup.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RevocationListWire")]
pub struct RevocationList {
    /// When the issuer produced this list (Unix seconds).
    pub updated_at: i64,
    revoked: Vec<RevokedCertificate>,
}

#[derive(Deserialize)]
struct RevocationListWire {
    updated_at: i64,
    revoked: Vec<RevokedCertificate>,
}

impl From<RevocationListWire> for RevocationList {
    fn from(wire: RevocationListWire) -> Self {
        Self::new(wire.updated_at, wire.revoked)
    }
}

impl RevocationList {
    /// Builds a list from entries in any order.
    pub fn new(updated_at: i64, mut revoked: Vec<RevokedCertificate>) -> Self {
        revoked.sort_by_key(|r| r.cti);
        revoked.dedup_by_key(|r| r.cti);
        Self {
            updated_at,
            revoked,
        }
    }

    /// Parses the JSON form.
    pub fn from_json(json: &str) -> Result<Self, TrustListError> {
        serde_json::from_str(json).map_err(|e| TrustListError::Json(e.to_string()))
    }

    /// Whether the certificate is revoked.
    pub fn contains(&self, cti: CertificateId) -> bool {
        self.revoked.binary_search_by_key(&cti, |r| r.cti).is_ok()
    }

    /// The entries, sorted by `cti`.
    pub fn entries(&self) -> &[RevokedCertificate] {
        &self.revoked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_lookup() {
        let a = IssuerKey::from_seed(&[1; 32]);
        let b = IssuerKey::from_seed(&[2; 32]);
        let list = TrustList::new(vec![
            TrustedKey::new(&a, 100, Some(200), KeyStatus::Retired),
            TrustedKey::new(&b, 150, None, KeyStatus::Active),
        ])
        .expect("valid");
        let json = list.to_json();
        assert!(json.contains("\"kty\": \"OKP\""));
        assert!(!json.contains("decoded"));
        let back = TrustList::from_json(&json).expect("parse");
        assert_eq!(back, list);
        assert_eq!(
            back.find(b.kid()).map(|k| k.status),
            Some(KeyStatus::Active)
        );
        assert!(back.find(Kid([0; 4])).is_none());
    }

    #[test]
    fn bad_lists_are_refused_with_a_reason() {
        assert_eq!(
            TrustList::from_json(r#"{"keys":[]}"#),
            Err(TrustListError::Empty)
        );
        assert!(matches!(
            TrustList::from_json("[1,2"),
            Err(TrustListError::Json(_))
        ));
        let a = IssuerKey::from_seed(&[1; 32]);
        let mut key = TrustedKey::new(&a, 0, None, KeyStatus::Active);
        key.kid = Kid([9; 4]).to_base64url();
        assert!(matches!(
            TrustList::new(vec![key]),
            Err(TrustListError::BadKey { .. })
        ));
        let key = TrustedKey::new(&a, 0, None, KeyStatus::Active);
        assert!(matches!(
            TrustList::new(vec![key.clone(), key]),
            Err(TrustListError::DuplicateKid(_))
        ));
        let mut key = TrustedKey::new(&a, 0, None, KeyStatus::Active);
        key.crv = "P-256".into();
        assert!(matches!(
            TrustList::new(vec![key]),
            Err(TrustListError::BadKey { .. })
        ));
    }

    #[test]
    fn revocations_sort_and_find() {
        let list = RevocationList::new(
            5,
            vec![
                RevokedCertificate {
                    cti: CertificateId([9; 8]),
                    revoked_at: 1,
                },
                RevokedCertificate {
                    cti: CertificateId([1; 8]),
                    revoked_at: 2,
                },
            ],
        );
        assert!(list.contains(CertificateId([9; 8])));
        assert!(!list.contains(CertificateId([2; 8])));
        let json = serde_json::to_string(&list).expect("json");
        assert_eq!(RevocationList::from_json(&json).expect("parse"), list);
    }
}
