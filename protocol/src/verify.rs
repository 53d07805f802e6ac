//! Offline verification of a frame: the verdict a gate acts on. Exactly one reason per refusal,
//! checked in a fixed order (structure, issuer key, issuer signature, revocation, validity,
//! device signature, slot), and never a panic, whatever the input.

use serde::{Deserialize, Serialize};

use crate::certificate::{Certificate, CertificateId};
use crate::frame::{Frame, slot_of};
use crate::id_number::IdNumber;
use crate::trust::{KeyStatus, RevocationList, TrustList, TrustedKey};

/// Why a frame is refused. The snake_case names are stable codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RejectReason {
    /// Not a tempid frame: wrong prefix, bad base45, bad CBOR or COSE structure, missing claim.
    Malformed,
    /// The certificate's kid is not in the trust list, or the key did not sign at that time.
    UnknownKey,
    /// The issuer signature does not verify.
    BadIssuerSignature,
    /// The certificate's `iat` lies in the future (beyond the clock leeway).
    NotYetValid,
    /// The certificate's `exp` has passed.
    Expired,
    /// The device signature does not verify with the certificate's `cnf` key.
    BadDeviceSignature,
    /// The frame's slot is outside the tolerance around the gate's slot (a screenshot or a
    /// badly wrong clock).
    StaleFrame,
    /// The certificate or its issuer key is revoked.
    Revoked,
    /// The gate already accepted a newer frame of this certificate.
    Replayed,
}

impl RejectReason {
    /// Every reason, in check order (replay last: the gate checks it).
    pub const ALL: [RejectReason; 9] = [
        Self::Malformed,
        Self::UnknownKey,
        Self::BadIssuerSignature,
        Self::Revoked,
        Self::NotYetValid,
        Self::Expired,
        Self::BadDeviceSignature,
        Self::StaleFrame,
        Self::Replayed,
    ];

    /// The stable code (`stale_frame`, …).
    pub fn code(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::UnknownKey => "unknown_key",
            Self::BadIssuerSignature => "bad_issuer_signature",
            Self::NotYetValid => "not_yet_valid",
            Self::Expired => "expired",
            Self::BadDeviceSignature => "bad_device_signature",
            Self::StaleFrame => "stale_frame",
            Self::Revoked => "revoked",
            Self::Replayed => "replayed",
        }
    }

    /// What the gate shows, in Chinese.
    pub fn message_zh(self) -> &'static str {
        match self {
            Self::Malformed => "无法识别的二维码，请出示临时乘车身份证明二维码",
            Self::UnknownKey => "证明签发机构无法确认，请到车站公安制证口办理",
            Self::BadIssuerSignature => "证明签名无效，请到车站公安制证口办理",
            Self::NotYetValid => "证明尚未生效，请稍后再试或到人工通道",
            Self::Expired => "证明已过期，请重新申领或到车站公安制证口办理",
            Self::BadDeviceSignature => "二维码不是由申领设备生成，请在本人手机上出示",
            Self::StaleFrame => "二维码已过时，请刷新后重新出示（截图无效）",
            Self::Revoked => "证明已被撤销，请到车站公安制证口办理",
            Self::Replayed => "二维码已使用，请刷新后重新出示",
        }
    }

    /// What the gate shows, in English.
    pub fn message_en(self) -> &'static str {
        match self {
            Self::Malformed => "Not a temporary ID code: show the temporary ride ID QR code",
            Self::UnknownKey => "Issuer not recognised: go to the station police window",
            Self::BadIssuerSignature => {
                "Certificate signature invalid: go to the station police window"
            }
            Self::NotYetValid => {
                "Certificate not yet valid: try again shortly or use a staffed lane"
            }
            Self::Expired => "Certificate expired: apply again or go to the station police window",
            Self::BadDeviceSignature => {
                "Code not produced by the applying phone: show it on your own phone"
            }
            Self::StaleFrame => {
                "Code out of date: refresh and show it again (screenshots do not work)"
            }
            Self::Revoked => "Certificate revoked: go to the station police window",
            Self::Replayed => "Code already used: refresh and show it again",
        }
    }
}

impl std::fmt::Display for RejectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// What an accepted frame tells the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    /// The holder's ID number, for matching tickets. Show [`IdNumber::masked`] on screens.
    pub id_number: IdNumber,
    /// The holder's name, masked (`张*丰`).
    pub masked_name: String,
    /// When the certificate expires (Unix seconds).
    pub expires_at: i64,
    /// When it was issued (Unix seconds).
    pub issued_at: i64,
    /// The certificate identifier.
    pub cti: CertificateId,
    /// The slot of the accepted frame.
    pub slot: u64,
}

/// The outcome of verifying a frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Verdict {
    /// The frame is good.
    Accepted(Accepted),
    /// The frame is refused for one reason.
    Rejected {
        /// Why.
        reason: RejectReason,
    },
}

impl Verdict {
    /// The refusal reason, if refused.
    pub fn reason(&self) -> Option<RejectReason> {
        match self {
            Self::Accepted(_) => None,
            Self::Rejected { reason } => Some(*reason),
        }
    }

    /// Whether the frame was accepted.
    pub fn is_accepted(&self) -> bool {
        matches!(self, Self::Accepted(_))
    }
}

impl From<RejectReason> for Verdict {
    fn from(reason: RejectReason) -> Self {
        Self::Rejected { reason }
    }
}

/// How strict a verifier is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Accepted distance, in slots, between the frame's slot and the gate's (default 1: the
    /// previous, current and next minute).
    pub slot_tolerance: u32,
    /// Seconds a certificate's `iat` may lie ahead of the gate's clock (issuer/gate clock
    /// difference) before it is `not_yet_valid`.
    pub clock_leeway_seconds: i64,
    /// Revoked certificates.
    pub revocations: RevocationList,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            slot_tolerance: 1,
            clock_leeway_seconds: 60,
            revocations: RevocationList::default(),
        }
    }
}

/// Verifies a frame's text at Unix time `now` (the gate's clock).
pub fn verify(text: &str, trust_list: &TrustList, now: i64, policy: &Policy) -> Verdict {
    match Frame::from_text(text) {
        Ok(frame) => verify_frame(&frame, trust_list, now, policy),
        Err(_) => RejectReason::Malformed.into(),
    }
}

/// Verifies a decoded frame.
pub fn verify_frame(frame: &Frame, trust_list: &TrustList, now: i64, policy: &Policy) -> Verdict {
    let outcome = verify_issuer(frame.certificate(), trust_list)
        .and_then(|key| check_certificate_status(frame.certificate(), key, now, policy))
        .and_then(|()| check_frame(frame, now, policy));
    match outcome {
        Ok(()) => Verdict::Accepted(accepted(frame)),
        Err(reason) => reason.into(),
    }
}

/// Step 1 (cacheable per certificate): finds the issuer key by kid and checks the issuer
/// signature. A repeat scan of the same certificate may skip this step.
pub fn verify_issuer<'a>(
    certificate: &Certificate,
    trust_list: &'a TrustList,
) -> Result<&'a TrustedKey, RejectReason> {
    let key = trust_list
        .find(certificate.kid())
        .ok_or(RejectReason::UnknownKey)?;
    let (public, _) = key.public_key().ok_or(RejectReason::UnknownKey)?;
    if !certificate.verify_issuer_signature(public) {
        return Err(RejectReason::BadIssuerSignature);
    }
    Ok(key)
}

/// Step 2 (time-dependent, never cached): revocation, the key's window, and the certificate's
/// validity at `now`.
pub fn check_certificate_status(
    certificate: &Certificate,
    key: &TrustedKey,
    now: i64,
    policy: &Policy,
) -> Result<(), RejectReason> {
    let claims = certificate.claims();
    if key.status == KeyStatus::Revoked || policy.revocations.contains(claims.cti) {
        return Err(RejectReason::Revoked);
    }
    if claims.issued_at < key.nbf || key.exp.is_some_and(|exp| claims.issued_at > exp) {
        return Err(RejectReason::UnknownKey);
    }
    if claims.issued_at > now.saturating_add(policy.clock_leeway_seconds) {
        return Err(RejectReason::NotYetValid);
    }
    if now >= claims.expires_at || key.exp.is_some_and(|exp| now >= exp) {
        return Err(RejectReason::Expired);
    }
    Ok(())
}

/// Step 3 (per frame): the device signature and the slot.
pub fn check_frame(frame: &Frame, now: i64, policy: &Policy) -> Result<(), RejectReason> {
    if !frame.verify_device_signature() {
        return Err(RejectReason::BadDeviceSignature);
    }
    let distance = i128::from(frame.slot()) - i128::from(slot_of(now));
    if distance.unsigned_abs() > u128::from(policy.slot_tolerance) {
        return Err(RejectReason::StaleFrame);
    }
    Ok(())
}

/// The accepted verdict's content for a verified frame.
pub fn accepted(frame: &Frame) -> Accepted {
    let claims = frame.certificate().claims();
    Accepted {
        id_number: claims.holder.id_number.clone(),
        masked_name: claims.holder.masked_name(),
        expires_at: claims.expires_at,
        issued_at: claims.issued_at,
        cti: claims.cti,
        slot: frame.slot(),
    }
}
