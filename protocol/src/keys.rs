//! Keys and signature algorithms: the issuer's Ed25519 key, the device key a certificate is
//! bound to (Ed25519 by default, ES256/P-256 for hardware keystores), and the signer trait a
//! device key is used through. The algorithm always travels with the key; nothing is guessed
//! from a length.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A COSE signature algorithm tempid accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Algorithm {
    /// EdDSA with Ed25519 (COSE -8): the issuer's algorithm and the default device key.
    EdDSA,
    /// ECDSA with P-256 and SHA-256 (COSE -7): hardware device keys (Secure Enclave, StrongBox).
    ES256,
}

impl Algorithm {
    /// The COSE algorithm identifier.
    pub fn cose_id(self) -> i64 {
        match self {
            Self::EdDSA => -8,
            Self::ES256 => -7,
        }
    }

    /// The algorithm for a COSE identifier, if tempid accepts it.
    pub fn from_cose_id(id: i64) -> Option<Self> {
        match id {
            -8 => Some(Self::EdDSA),
            -7 => Some(Self::ES256),
            _ => None,
        }
    }
}

/// Why a key or a signature could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The bytes are not a public key of the named algorithm.
    #[error("not a valid {algorithm:?} public key")]
    InvalidPublicKey {
        /// The algorithm the key was declared for.
        algorithm: Algorithm,
    },
    /// The signer failed (a hardware keystore refused, the key is gone, …).
    #[error("the device signer failed: {reason}")]
    SignerFailed {
        /// What the signer reported.
        reason: String,
    },
    /// The signer returned a signature of the wrong shape.
    #[error("the device signer returned {len} bytes; {algorithm:?} signatures are 64 bytes")]
    BadSignatureLength {
        /// The signer's algorithm.
        algorithm: Algorithm,
        /// The length returned.
        len: usize,
    },
}

/// The public half of a device key, as bound into a certificate's `cnf` claim.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum DevicePublicKey {
    /// A 32-byte Ed25519 public key.
    Ed25519([u8; 32]),
    /// A P-256 public key, kept as its 33-byte SEC1 compressed point.
    P256([u8; 33]),
}

impl DevicePublicKey {
    /// Builds a key from its algorithm and raw bytes: 32 bytes for Ed25519; a SEC1 point
    /// (compressed 33 or uncompressed 65 bytes) for ES256. The point is checked to be on the curve.
    pub fn from_bytes(algorithm: Algorithm, bytes: &[u8]) -> Result<Self, KeyError> {
        let invalid = KeyError::InvalidPublicKey { algorithm };
        match algorithm {
            Algorithm::EdDSA => {
                let raw: [u8; 32] = bytes.try_into().map_err(|_| invalid.clone())?;
                // Rejects points that are not on the curve or are of small order.
                let key =
                    ed25519_dalek::VerifyingKey::from_bytes(&raw).map_err(|_| invalid.clone())?;
                if key.is_weak() {
                    return Err(invalid);
                }
                Ok(Self::Ed25519(raw))
            }
            Algorithm::ES256 => {
                let key = p256::PublicKey::from_sec1_bytes(bytes).map_err(|_| invalid.clone())?;
                let point =
                    p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&key, true);
                let raw: [u8; 33] = point.as_bytes().try_into().map_err(|_| invalid)?;
                Ok(Self::P256(raw))
            }
        }
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::Ed25519(_) => Algorithm::EdDSA,
            Self::P256(_) => Algorithm::ES256,
        }
    }

    /// The raw key bytes (Ed25519: 32 bytes; P-256: 33-byte compressed SEC1 point).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Ed25519(b) => b,
            Self::P256(b) => b,
        }
    }

    /// Verifies `signature` over `message` with this key under `algorithm` (from the COSE
    /// header). A mismatch between the header's algorithm and the key's is a failure.
    pub fn verify(&self, algorithm: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        match (self, algorithm) {
            (Self::Ed25519(raw), Algorithm::EdDSA) => verify_ed25519(raw, message, signature),
            (Self::P256(raw), Algorithm::ES256) => {
                use p256::ecdsa::signature::Verifier as _;
                let Ok(key) = p256::ecdsa::VerifyingKey::from_sec1_bytes(raw) else {
                    return false;
                };
                let Ok(sig) = p256::ecdsa::Signature::from_slice(signature) else {
                    return false;
                };
                key.verify(message, &sig).is_ok()
            }
            _ => false,
        }
    }

    /// A short non-reversible fingerprint (first 8 bytes of SHA-256, hex) for logs.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.as_bytes());
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for DevicePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DevicePublicKey({:?}, {})",
            self.algorithm(),
            self.fingerprint()
        )
    }
}

/// The wire form of a device public key: `{"alg": "EdDSA", "public_key": "<base64url>"}`.
#[derive(Serialize, Deserialize)]
struct DevicePublicKeyWire {
    alg: Algorithm,
    public_key: String,
}

impl Serialize for DevicePublicKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        DevicePublicKeyWire {
            alg: self.algorithm(),
            public_key: URL_SAFE_NO_PAD.encode(self.as_bytes()),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for DevicePublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = DevicePublicKeyWire::deserialize(deserializer)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(wire.public_key.trim_end_matches('='))
            .map_err(|_| serde::de::Error::custom("public_key is not base64url"))?;
        Self::from_bytes(wire.alg, &bytes).map_err(serde::de::Error::custom)
    }
}

pub(crate) fn verify_ed25519(public: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(public) else {
        return false;
    };
    let Ok(sig) = <[u8; 64]>::try_from(signature) else {
        return false;
    };
    // Strict verification refuses malleable signatures and weak keys.
    key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&sig))
        .is_ok()
}

/// Something that signs frames with a device key: a software key, or a hardware keystore
/// through a shell callback. Implementations must name their algorithm truthfully.
pub trait FrameSigner: Send + Sync {
    /// The public key that certificates bind (the `cnf` claim).
    fn public_key(&self) -> DevicePublicKey;
    /// Signs `message`; returns a 64-byte signature (Ed25519, or ES256 as r‖s).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError>;
}

/// An Ed25519 device key held in memory (the default device key; its seed lives in the secure
/// store between runs).
pub struct Ed25519DeviceKey(ed25519_dalek::SigningKey);

impl Ed25519DeviceKey {
    /// The key for a 32-byte seed (from the OS random source, or the secure store).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// The seed, to persist in a secure store.
    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }
}

impl FrameSigner for Ed25519DeviceKey {
    fn public_key(&self) -> DevicePublicKey {
        DevicePublicKey::Ed25519(self.0.verifying_key().to_bytes())
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        Ok(self.0.sign(message).to_bytes().to_vec())
    }
}

/// A P-256 device key held in memory: stands in for a hardware key in tests and shows the
/// ES256 path end to end.
pub struct P256DeviceKey(p256::ecdsa::SigningKey);

impl P256DeviceKey {
    /// The key for a 32-byte scalar; fails if the scalar is zero or not below the group order.
    pub fn from_scalar(scalar: &[u8; 32]) -> Result<Self, KeyError> {
        p256::ecdsa::SigningKey::from_bytes(scalar.into())
            .map(Self)
            .map_err(|_| KeyError::InvalidPublicKey {
                algorithm: Algorithm::ES256,
            })
    }
}

impl FrameSigner for P256DeviceKey {
    fn public_key(&self) -> DevicePublicKey {
        let point = self.0.verifying_key().to_encoded_point(true);
        let mut raw = [0u8; 33];
        raw.copy_from_slice(point.as_bytes());
        DevicePublicKey::P256(raw)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        use p256::ecdsa::signature::Signer as _;
        let sig: p256::ecdsa::Signature = self.0.sign(message);
        Ok(sig.to_bytes().to_vec())
    }
}

/// A key identifier: the first 4 bytes of the key's RFC 7638 JWK thumbprint, so anyone holding
/// the trust list can recompute it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kid(pub [u8; 4]);

impl Kid {
    /// The kid of an Ed25519 issuer public key.
    pub fn of_ed25519(public: &[u8; 32]) -> Self {
        // RFC 7638: the required members in lexicographic order, no whitespace.
        let canonical = format!(
            r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
            URL_SAFE_NO_PAD.encode(public)
        );
        let digest = Sha256::digest(canonical.as_bytes());
        let mut kid = [0u8; 4];
        kid.copy_from_slice(&digest[..4]);
        Self(kid)
    }

    /// The kid as base64url (its form in the JWK Set).
    pub fn to_base64url(self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// Parses the base64url form.
    pub fn from_base64url(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }
}

impl fmt::Debug for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kid({})", self.to_base64url())
    }
}

impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64url())
    }
}

/// The issuer's Ed25519 signing key with its kid.
pub struct IssuerKey {
    signing: ed25519_dalek::SigningKey,
    kid: Kid,
}

impl IssuerKey {
    /// The key for a 32-byte seed.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let signing = ed25519_dalek::SigningKey::from_bytes(seed);
        let kid = Kid::of_ed25519(&signing.verifying_key().to_bytes());
        Self { signing, kid }
    }

    /// The seed, to persist in the issuer's key directory.
    pub fn seed(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    /// The key identifier carried in certificates' protected header.
    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// The public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

impl fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IssuerKey({})", self.kid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_sign_and_verify() {
        let key = Ed25519DeviceKey::from_seed(&[7; 32]);
        let sig = key.sign(b"frame").expect("sign");
        let public = key.public_key();
        assert!(public.verify(Algorithm::EdDSA, b"frame", &sig));
        assert!(!public.verify(Algorithm::EdDSA, b"framf", &sig));
        assert!(
            !public.verify(Algorithm::ES256, b"frame", &sig),
            "header algorithm must match the key"
        );
    }

    #[test]
    fn p256_sign_and_verify() {
        let key = P256DeviceKey::from_scalar(&[9; 32]).expect("scalar");
        let sig = key.sign(b"frame").expect("sign");
        assert_eq!(sig.len(), 64);
        let public = key.public_key();
        assert_eq!(public.algorithm(), Algorithm::ES256);
        assert!(public.verify(Algorithm::ES256, b"frame", &sig));
        assert!(!public.verify(Algorithm::EdDSA, b"frame", &sig));
        assert!(!public.verify(Algorithm::ES256, b"other", &sig));
    }

    #[test]
    fn device_keys_round_trip_through_json() {
        for key in [
            Ed25519DeviceKey::from_seed(&[1; 32]).public_key(),
            P256DeviceKey::from_scalar(&[2; 32])
                .expect("scalar")
                .public_key(),
        ] {
            let json = serde_json::to_string(&key).expect("serialise");
            let back: DevicePublicKey = serde_json::from_str(&json).expect("deserialise");
            assert_eq!(back, key);
        }
    }

    #[test]
    fn malformed_device_keys_are_refused() {
        assert!(DevicePublicKey::from_bytes(Algorithm::EdDSA, &[0; 31]).is_err());
        // The identity point has small order.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(DevicePublicKey::from_bytes(Algorithm::EdDSA, &identity).is_err());
        assert!(DevicePublicKey::from_bytes(Algorithm::ES256, &[0; 33]).is_err());
        let json = r#"{"alg":"EdDSA","public_key":"not base64!"}"#;
        assert!(serde_json::from_str::<DevicePublicKey>(json).is_err());
    }

    #[test]
    fn uncompressed_p256_points_are_normalised() {
        let key = p256::ecdsa::SigningKey::from_bytes((&[3u8; 32]).into()).expect("scalar");
        let uncompressed = key.verifying_key().to_encoded_point(false);
        let parsed =
            DevicePublicKey::from_bytes(Algorithm::ES256, uncompressed.as_bytes()).expect("point");
        assert_eq!(parsed.as_bytes().len(), 33);
    }

    #[test]
    fn kid_is_a_thumbprint_prefix() {
        let key = IssuerKey::from_seed(&[5; 32]);
        assert_eq!(key.kid(), Kid::of_ed25519(&key.public_key()));
        assert_eq!(
            Kid::from_base64url(&key.kid().to_base64url()),
            Some(key.kid())
        );
    }
}
