//! The certificate: a CWT (RFC 8392) in an untagged COSE_Sign1 (RFC 9052) signed by the issuer
//! with EdDSA, `kid` in the protected header. Claims use integer labels: `iss` (1), `exp` (4),
//! `iat` (6), `cti` (7), `cnf` (8, RFC 8747, a COSE_Key) and the private-use holder claim
//! (-65537) = `[packed ID number, name]`.

use std::fmt;

use ciborium::Value;
use coset::cwt::{ClaimName, ClaimsSet, ClaimsSetBuilder, Timestamp};
use coset::iana::{self, EnumI64 as _};
use coset::{
    CborSerializable as _, CoseKey, CoseSign1, HeaderBuilder, KeyType, Label, ProtectedHeader,
};

use crate::id_number::{IdNumber, mask_name};
use crate::keys::{Algorithm, DevicePublicKey, IssuerKey, Kid};

/// The private-use CWT claim label of the holder (`[packed ID number, name]`). RFC 8392 reserves
/// labels below -65536 for private use.
pub const HOLDER_CLAIM: i64 = -65537;
/// How long a certificate is valid after its application.
pub const VALIDITY_SECONDS: i64 = 24 * 60 * 60;
/// The longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 40;

/// Why bytes are not a well-formed certificate or frame. Every case is `malformed` to a gate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed: {0}")]
pub struct DecodeError(pub &'static str);

/// Why a name cannot be put in a certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing but whitespace.
    #[error("the name is empty")]
    Empty,
    /// Longer than [`MAX_NAME_CHARS`].
    #[error("the name has {found} characters; at most {MAX_NAME_CHARS} are allowed")]
    TooLong {
        /// How many characters were given.
        found: usize,
    },
    /// Control characters or digits, which no name on an ID card contains.
    #[error("the name contains a character ('{found}') that no ID card name contains")]
    BadCharacter {
        /// The offending character.
        found: char,
    },
}

/// Validates a holder's name as printed on the ID card, returning it trimmed.
pub fn validate_name(name: &str) -> Result<String, NameError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(NameError::Empty);
    }
    let count = trimmed.chars().count();
    if count > MAX_NAME_CHARS {
        return Err(NameError::TooLong { found: count });
    }
    if let Some(found) = trimmed
        .chars()
        .find(|c| c.is_control() || c.is_ascii_digit())
    {
        return Err(NameError::BadCharacter { found });
    }
    Ok(trimmed.to_string())
}

/// A certificate identifier (`cti`): 8 bytes chosen by the issuer, unique per certificate.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CertificateId(pub [u8; 8]);

impl CertificateId {
    /// Lower-case hex, the identifier's form in JSON and logs.
    pub fn to_hex(self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses 16 hex digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        if text.len() != 16 || !text.is_ascii() {
            return None;
        }
        let mut out = [0u8; 8];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Self(out))
    }
}

impl fmt::Debug for CertificateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertificateId({})", self.to_hex())
    }
}

impl fmt::Display for CertificateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl serde::Serialize for CertificateId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for CertificateId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_hex(&text).ok_or_else(|| serde::de::Error::custom("cti is 16 hex digits"))
    }
}

/// The person a certificate is for.
#[derive(Clone, PartialEq, Eq)]
pub struct Holder {
    /// The resident ID number (tickets are matched by it).
    pub id_number: IdNumber,
    /// The name as printed on the ID card.
    pub name: String,
}

impl Holder {
    /// The name masked for bystanders (`张*丰`).
    pub fn masked_name(&self) -> String {
        mask_name(&self.name)
    }
}

impl fmt::Debug for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Holder({}, {})",
            self.id_number.masked(),
            self.masked_name()
        )
    }
}

/// The claims of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateClaims {
    /// `iss`: who issued it.
    pub issuer: String,
    /// `iat`: the application time (Unix seconds).
    pub issued_at: i64,
    /// `exp`: `issued_at` + 24 h (Unix seconds).
    pub expires_at: i64,
    /// `cti`: the certificate identifier.
    pub cti: CertificateId,
    /// The holder.
    pub holder: Holder,
    /// `cnf`: the device key that must sign every frame.
    pub device_key: DevicePublicKey,
}

/// A signed certificate: its claims, the kid and algorithm of the issuer signature, and the
/// exact bytes that were signed.
#[derive(Clone)]
pub struct Certificate {
    claims: CertificateClaims,
    kid: Kid,
    algorithm: Algorithm,
    cose: CoseSign1,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("kid", &self.kid)
            .field("claims", &self.claims)
            .finish()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.to_cbor() == other.to_cbor()
    }
}

impl Eq for Certificate {}

impl Certificate {
    /// Signs `claims` with the issuer's key.
    pub fn issue(claims: CertificateClaims, key: &IssuerKey) -> Self {
        let protected = HeaderBuilder::new()
            .algorithm(iana::Algorithm::EdDSA)
            .key_id(key.kid().0.to_vec())
            .build();
        let payload = claims_to_cbor(&claims);
        let mut cose = coset::CoseSign1Builder::new()
            .protected(protected)
            .payload(payload)
            .build();
        let signature = key.sign(&cose.tbs_data(&[]));
        cose.signature = signature.to_vec();
        // Re-read so the protected header keeps the exact bytes that were signed.
        let bytes = cose.clone().to_vec().unwrap_or_default();
        let cose = CoseSign1::from_slice(&bytes).unwrap_or(cose);
        Self {
            claims,
            kid: key.kid(),
            algorithm: Algorithm::EdDSA,
            cose,
        }
    }

    /// Decodes an untagged (or CWT/COSE-tagged) COSE_Sign1 certificate. Checks structure only;
    /// the issuer signature is checked by [`Certificate::verify_issuer_signature`].
    pub fn from_cbor(bytes: &[u8]) -> Result<Self, DecodeError> {
        let value: Value =
            ciborium::from_reader(bytes).map_err(|_| DecodeError("certificate CBOR"))?;
        Self::from_value(value)
    }

    pub(crate) fn from_value(value: Value) -> Result<Self, DecodeError> {
        let value = strip_tags(value);
        let cose = <CoseSign1 as coset::AsCborValue>::from_cbor_value(value)
            .map_err(|_| DecodeError("certificate COSE_Sign1"))?;
        let algorithm = header_algorithm(&cose.protected)?;
        let kid = Kid(cose
            .protected
            .header
            .key_id
            .as_slice()
            .try_into()
            .map_err(|_| DecodeError("certificate kid"))?);
        let payload = cose
            .payload
            .as_deref()
            .ok_or(DecodeError("certificate payload"))?;
        let claims = claims_from_cbor(payload)?;
        Ok(Self {
            claims,
            kid,
            algorithm,
            cose,
        })
    }

    /// The certificate's CBOR (an untagged COSE_Sign1), as the issuer sends it.
    pub fn to_cbor(&self) -> Vec<u8> {
        self.cose.clone().to_vec().unwrap_or_default()
    }

    pub(crate) fn to_value(&self) -> Value {
        coset::AsCborValue::to_cbor_value(self.cose.clone()).unwrap_or(Value::Null)
    }

    /// The claims.
    pub fn claims(&self) -> &CertificateClaims {
        &self.claims
    }

    /// The kid of the issuer key that signed it.
    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// The signature algorithm named in the protected header.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Checks the issuer signature against an Ed25519 issuer public key. The header must name
    /// EdDSA: issuer keys are Ed25519 only.
    pub fn verify_issuer_signature(&self, issuer_public_key: &[u8; 32]) -> bool {
        self.algorithm == Algorithm::EdDSA
            && crate::keys::verify_ed25519(
                issuer_public_key,
                &self.cose.tbs_data(&[]),
                &self.cose.signature,
            )
    }
}

fn strip_tags(mut value: Value) -> Value {
    // CWT (61) and COSE_Sign1 (18) tags are optional; accept them on input, never emit them.
    while let Value::Tag(tag, inner) = value {
        if tag != 61 && tag != 18 {
            return Value::Tag(tag, inner);
        }
        value = *inner;
    }
    value
}

pub(crate) fn header_algorithm(protected: &ProtectedHeader) -> Result<Algorithm, DecodeError> {
    match &protected.header.alg {
        Some(coset::RegisteredLabelWithPrivate::Assigned(alg)) => {
            Algorithm::from_cose_id(alg.to_i64()).ok_or(DecodeError("unsupported algorithm"))
        }
        _ => Err(DecodeError("algorithm missing from protected header")),
    }
}

fn claims_to_cbor(claims: &CertificateClaims) -> Vec<u8> {
    let set = ClaimsSetBuilder::new()
        .issuer(claims.issuer.clone())
        .expiration_time(Timestamp::WholeSeconds(claims.expires_at))
        .issued_at(Timestamp::WholeSeconds(claims.issued_at))
        .cwt_id(claims.cti.0.to_vec())
        .claim(iana::CwtClaimName::Cnf, cnf_value(&claims.device_key))
        .private_claim(
            HOLDER_CLAIM,
            Value::Array(vec![
                Value::Integer(claims.holder.id_number.packed().into()),
                Value::Text(claims.holder.name.clone()),
            ]),
        )
        .build();
    set.to_vec().unwrap_or_default()
}

fn cnf_value(key: &DevicePublicKey) -> Value {
    let cose_key = match key {
        DevicePublicKey::Ed25519(x) => CoseKey {
            kty: KeyType::Assigned(iana::KeyType::OKP),
            params: vec![
                (
                    Label::Int(iana::OkpKeyParameter::Crv.to_i64()),
                    Value::from(iana::EllipticCurve::Ed25519.to_i64()),
                ),
                (
                    Label::Int(iana::OkpKeyParameter::X.to_i64()),
                    Value::Bytes(x.to_vec()),
                ),
            ],
            ..Default::default()
        },
        DevicePublicKey::P256(point) => CoseKey {
            kty: KeyType::Assigned(iana::KeyType::EC2),
            params: vec![
                (
                    Label::Int(iana::Ec2KeyParameter::Crv.to_i64()),
                    Value::from(iana::EllipticCurve::P_256.to_i64()),
                ),
                (
                    Label::Int(iana::Ec2KeyParameter::X.to_i64()),
                    Value::Bytes(point[1..].to_vec()),
                ),
                // RFC 9053 §7.1.1: y may be the sign bit of the compressed point.
                (
                    Label::Int(iana::Ec2KeyParameter::Y.to_i64()),
                    Value::Bool(point[0] == 0x03),
                ),
            ],
            ..Default::default()
        },
    };
    let key_value = coset::AsCborValue::to_cbor_value(cose_key).unwrap_or(Value::Null);
    // RFC 8747 §3.2: cnf = { 1 (COSE_Key): key }.
    Value::Map(vec![(Value::from(1), key_value)])
}

fn device_key_from_cnf(value: &Value) -> Result<DevicePublicKey, DecodeError> {
    let err = DecodeError("cnf claim");
    let Value::Map(entries) = value else {
        return Err(err);
    };
    let [(label, key_value)] = entries.as_slice() else {
        return Err(err);
    };
    if label.as_integer() != Some(1.into()) {
        return Err(err);
    }
    let key = <CoseKey as coset::AsCborValue>::from_cbor_value(key_value.clone())
        .map_err(|_| err.clone())?;
    let param = |label: i64| {
        key.params
            .iter()
            .find(|(l, _)| *l == Label::Int(label))
            .map(|(_, v)| v)
    };
    let crv = param(-1)
        .and_then(Value::as_integer)
        .and_then(|i| i64::try_from(i).ok());
    let x = param(-2).and_then(Value::as_bytes);
    match (&key.kty, crv, x) {
        (KeyType::Assigned(iana::KeyType::OKP), Some(6), Some(x)) => {
            DevicePublicKey::from_bytes(Algorithm::EdDSA, x)
                .map_err(|_| DecodeError("cnf Ed25519 key"))
        }
        (KeyType::Assigned(iana::KeyType::EC2), Some(1), Some(x)) if x.len() == 32 => {
            let mut sec1 = Vec::with_capacity(65);
            match param(-3) {
                Some(Value::Bool(odd)) => {
                    sec1.push(if *odd { 0x03 } else { 0x02 });
                    sec1.extend_from_slice(x);
                }
                Some(Value::Bytes(y)) if y.len() == 32 => {
                    sec1.push(0x04);
                    sec1.extend_from_slice(x);
                    sec1.extend_from_slice(y);
                }
                _ => return Err(DecodeError("cnf P-256 y")),
            }
            DevicePublicKey::from_bytes(Algorithm::ES256, &sec1)
                .map_err(|_| DecodeError("cnf P-256 key"))
        }
        _ => Err(DecodeError("cnf key type")),
    }
}

fn claims_from_cbor(payload: &[u8]) -> Result<CertificateClaims, DecodeError> {
    let set = ClaimsSet::from_slice(payload).map_err(|_| DecodeError("claims"))?;
    let seconds = |t: Option<Timestamp>, what| match t {
        Some(Timestamp::WholeSeconds(s)) => Ok(s),
        _ => Err(DecodeError(what)),
    };
    let issuer = set.issuer.ok_or(DecodeError("iss claim"))?;
    let expires_at = seconds(set.expiration_time, "exp claim")?;
    let issued_at = seconds(set.issued_at, "iat claim")?;
    let cti = CertificateId(
        set.cwt_id
            .as_deref()
            .and_then(|c| c.try_into().ok())
            .ok_or(DecodeError("cti claim"))?,
    );
    let mut device_key = None;
    let mut holder = None;
    for (name, value) in &set.rest {
        match name {
            ClaimName::Assigned(iana::CwtClaimName::Cnf) => {
                device_key = Some(device_key_from_cnf(value)?)
            }
            ClaimName::PrivateUse(HOLDER_CLAIM) => holder = Some(holder_from_value(value)?),
            // Unknown claims are signed like the rest; they are ignored, not trusted.
            _ => {}
        }
    }
    Ok(CertificateClaims {
        issuer,
        issued_at,
        expires_at,
        cti,
        holder: holder.ok_or(DecodeError("holder claim"))?,
        device_key: device_key.ok_or(DecodeError("cnf claim"))?,
    })
}

fn holder_from_value(value: &Value) -> Result<Holder, DecodeError> {
    let err = DecodeError("holder claim");
    let Value::Array(items) = value else {
        return Err(err);
    };
    let [Value::Integer(packed), Value::Text(name)] = items.as_slice() else {
        return Err(err);
    };
    let packed = u64::try_from(*packed).map_err(|_| err.clone())?;
    let id_number = IdNumber::from_packed(packed).map_err(|_| DecodeError("holder ID number"))?;
    let name = validate_name(name).map_err(|_| DecodeError("holder name"))?;
    Ok(Holder { id_number, name })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{Ed25519DeviceKey, FrameSigner as _, P256DeviceKey};
    use time::macros::date;

    fn claims(device_key: DevicePublicKey) -> CertificateClaims {
        CertificateClaims {
            issuer: "tempid".into(),
            issued_at: 1_764_000_000,
            expires_at: 1_764_000_000 + VALIDITY_SECONDS,
            cti: CertificateId([1, 2, 3, 4, 5, 6, 7, 8]),
            holder: Holder {
                id_number: IdNumber::parse("11010519491231002X", date!(2026 - 01 - 01))
                    .expect("valid"),
                name: "张三丰".into(),
            },
            device_key,
        }
    }

    #[test]
    fn issue_decode_verify() {
        let issuer = IssuerKey::from_seed(&[1; 32]);
        for device in [
            Ed25519DeviceKey::from_seed(&[2; 32]).public_key(),
            P256DeviceKey::from_scalar(&[3; 32])
                .expect("scalar")
                .public_key(),
        ] {
            let cert = Certificate::issue(claims(device.clone()), &issuer);
            let decoded = Certificate::from_cbor(&cert.to_cbor()).expect("decode");
            assert_eq!(decoded.claims(), cert.claims());
            assert_eq!(decoded.claims().device_key, device);
            assert_eq!(decoded.kid(), issuer.kid());
            assert!(decoded.verify_issuer_signature(&issuer.public_key()));
            let other = IssuerKey::from_seed(&[9; 32]);
            assert!(!decoded.verify_issuer_signature(&other.public_key()));
        }
    }

    #[test]
    fn tags_are_accepted_on_input() {
        let issuer = IssuerKey::from_seed(&[1; 32]);
        let cert = Certificate::issue(
            claims(Ed25519DeviceKey::from_seed(&[2; 32]).public_key()),
            &issuer,
        );
        let mut tagged = vec![0xd8, 0x3d, 0xd2]; // tag 61, tag 18
        tagged.extend(cert.to_cbor());
        let decoded = Certificate::from_cbor(&tagged).expect("decode");
        assert!(decoded.verify_issuer_signature(&issuer.public_key()));
    }

    #[test]
    fn names_are_validated() {
        assert_eq!(validate_name(" 张三 "), Ok("张三".into()));
        assert_eq!(validate_name("阿卜杜·买买提"), Ok("阿卜杜·买买提".into()));
        assert_eq!(validate_name("  "), Err(NameError::Empty));
        assert_eq!(
            validate_name("张3"),
            Err(NameError::BadCharacter { found: '3' })
        );
        assert_eq!(
            validate_name(&"长".repeat(41)),
            Err(NameError::TooLong { found: 41 })
        );
    }

    #[test]
    fn cti_hex_round_trips() {
        let cti = CertificateId([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3]);
        assert_eq!(cti.to_hex(), "deadbeef00010203");
        assert_eq!(CertificateId::from_hex("deadbeef00010203"), Some(cti));
        assert_eq!(CertificateId::from_hex("deadbeef0001020"), None);
        assert_eq!(CertificateId::from_hex("zzadbeef00010203"), None);
    }
}
