//! The frame the QR code shows: an untagged COSE_Sign1 signed by the device key whose protected
//! header carries the algorithm and the certificate (header parameter 13, `kcwt`, RFC 9528: "a
//! CWT containing a COSE_Key in a cnf claim") and whose payload is the slot
//! (`floor(unix_seconds / 60)`) as a CBOR unsigned integer. The device signature thus covers
//! `[certificate, slot]`. Text form: `TID1:` + base45 (RFC 9285), for QR alphanumeric mode.

use ciborium::Value;
use coset::iana::{self, EnumI64 as _};
use coset::{CborSerializable as _, CoseSign1, HeaderBuilder, Label};

use crate::certificate::{Certificate, DecodeError, header_algorithm};
use crate::keys::{Algorithm, FrameSigner, KeyError};

/// The prefix of every frame's text form; the digit is the format version.
pub const FRAME_PREFIX: &str = "TID1:";
/// The length of a slot: a new frame every minute.
pub const SLOT_SECONDS: i64 = 60;
/// COSE header parameter `kcwt` (RFC 9528 §10.6): a CWT whose `cnf` holds the signer's key.
pub const KCWT_HEADER: i64 = 13;
/// The longest text accepted for decoding, well above a QR version 40 code; longer input is
/// malformed without being decoded.
pub const MAX_FRAME_TEXT: usize = 4296;

/// The slot of a Unix time.
pub fn slot_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(SLOT_SECONDS)
}

/// Seconds until the next slot begins (1..=60).
pub fn seconds_to_next_slot(unix_seconds: i64) -> i64 {
    SLOT_SECONDS - unix_seconds.rem_euclid(SLOT_SECONDS)
}

/// A signed frame: the certificate and slot, signed by the device key bound in the certificate.
#[derive(Debug, Clone)]
pub struct Frame {
    certificate: Certificate,
    slot: u64,
    algorithm: Algorithm,
    cose: CoseSign1,
}

/// Why a frame could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The signer's key is not the key the certificate is bound to.
    #[error("the device key does not match the certificate's cnf key")]
    KeyMismatch,
    /// The signer failed or returned a malformed signature.
    #[error(transparent)]
    Signer(#[from] KeyError),
}

impl Frame {
    /// Signs the frame for `slot` with the device key. The signer must hold the key the
    /// certificate binds.
    pub fn sign(
        certificate: &Certificate,
        slot: u64,
        signer: &dyn FrameSigner,
    ) -> Result<Self, FrameError> {
        let device_key = signer.public_key();
        if device_key != certificate.claims().device_key {
            return Err(FrameError::KeyMismatch);
        }
        let algorithm = device_key.algorithm();
        let alg = match algorithm {
            Algorithm::EdDSA => iana::Algorithm::EdDSA,
            Algorithm::ES256 => iana::Algorithm::ES256,
        };
        let protected = HeaderBuilder::new()
            .algorithm(alg)
            .value(KCWT_HEADER, certificate.to_value())
            .build();
        let mut payload = Vec::with_capacity(9);
        ciborium::into_writer(&slot, &mut payload).map_err(|_| FrameError::KeyMismatch)?;
        let mut cose = coset::CoseSign1Builder::new()
            .protected(protected)
            .payload(payload)
            .build();
        let signature = signer.sign(&cose.tbs_data(&[]))?;
        if signature.len() != 64 {
            return Err(KeyError::BadSignatureLength {
                algorithm,
                len: signature.len(),
            }
            .into());
        }
        cose.signature = signature;
        // Re-read so the protected header keeps the exact bytes that were signed.
        let bytes = cose.clone().to_vec().unwrap_or_default();
        let cose = CoseSign1::from_slice(&bytes).unwrap_or(cose);
        Ok(Self {
            certificate: certificate.clone(),
            slot,
            algorithm,
            cose,
        })
    }

    /// Decodes the text form (`TID1:` + base45). Structure only: nothing is verified here.
    pub fn from_text(text: &str) -> Result<Self, DecodeError> {
        if text.len() > MAX_FRAME_TEXT {
            return Err(DecodeError("frame text too long"));
        }
        let body = text
            .strip_prefix(FRAME_PREFIX)
            .ok_or(DecodeError("prefix is not TID1:"))?;
        let bytes = base45::decode(body).map_err(|_| DecodeError("base45"))?;
        // base45 3.2 reads a trailing pair above 255 modulo 256, which RFC 9285 does not allow:
        // insist on the one spelling, so one frame has exactly one text.
        if base45::encode(&bytes) != body {
            return Err(DecodeError("base45 not canonical"));
        }
        Self::from_cbor(&bytes)
    }

    /// Decodes the frame's CBOR. Structure only: nothing is verified here.
    pub fn from_cbor(bytes: &[u8]) -> Result<Self, DecodeError> {
        let cose = CoseSign1::from_slice(bytes).map_err(|_| DecodeError("frame COSE_Sign1"))?;
        let algorithm = header_algorithm(&cose.protected)?;
        let mut certificate = None;
        for (label, value) in &cose.protected.header.rest {
            if *label == Label::Int(KCWT_HEADER) {
                certificate = Some(Certificate::from_value(value.clone())?);
            }
        }
        let certificate = certificate.ok_or(DecodeError("certificate missing from frame"))?;
        let payload = cose
            .payload
            .as_deref()
            .ok_or(DecodeError("frame payload"))?;
        let slot: Value = ciborium::from_reader(payload).map_err(|_| DecodeError("frame slot"))?;
        let slot = slot
            .as_integer()
            .and_then(|i| u64::try_from(i).ok())
            .ok_or(DecodeError("frame slot"))?;
        // The slot must be the whole payload, canonically encoded: re-encoding gives the same bytes.
        let mut canonical = Vec::with_capacity(9);
        ciborium::into_writer(&slot, &mut canonical).map_err(|_| DecodeError("frame slot"))?;
        if canonical != payload {
            return Err(DecodeError("frame slot encoding"));
        }
        Ok(Self {
            certificate,
            slot,
            algorithm,
            cose,
        })
    }

    /// The frame's CBOR.
    pub fn to_cbor(&self) -> Vec<u8> {
        self.cose.clone().to_vec().unwrap_or_default()
    }

    /// The text the QR code carries: `TID1:` + base45 of the CBOR.
    pub fn to_text(&self) -> String {
        let mut text = String::from(FRAME_PREFIX);
        text.push_str(&base45::encode(self.to_cbor()));
        text
    }

    /// The embedded certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The slot the device signed.
    pub fn slot(&self) -> u64 {
        self.slot
    }

    /// The device signature algorithm named in the protected header.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Checks the device signature with the key bound in the certificate (`cnf`), under the
    /// algorithm the frame's header names.
    pub fn verify_device_signature(&self) -> bool {
        self.certificate.claims().device_key.verify(
            self.algorithm,
            &self.cose.tbs_data(&[]),
            &self.cose.signature,
        )
    }

    /// The COSE algorithm id in the header (for diagnostics and test vectors).
    pub fn cose_algorithm_id(&self) -> i64 {
        match self.algorithm {
            Algorithm::EdDSA => iana::Algorithm::EdDSA.to_i64(),
            Algorithm::ES256 => iana::Algorithm::ES256.to_i64(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{fixture_certificate, fixture_device_key};

    #[test]
    fn sign_text_decode_verify() {
        let (cert, _) = fixture_certificate();
        let device = fixture_device_key();
        let frame = Frame::sign(&cert, 29_400_000, &device).expect("sign");
        let text = frame.to_text();
        assert!(text.starts_with(FRAME_PREFIX));
        let back = Frame::from_text(&text).expect("decode");
        assert_eq!(back.slot(), 29_400_000);
        assert_eq!(back.certificate(), &cert);
        assert!(back.verify_device_signature());
    }

    #[test]
    fn a_different_key_cannot_sign() {
        let (cert, _) = fixture_certificate();
        let other = crate::keys::Ed25519DeviceKey::from_seed(&[42; 32]);
        assert_eq!(
            Frame::sign(&cert, 1, &other).err(),
            Some(FrameError::KeyMismatch)
        );
    }

    #[test]
    fn slots() {
        assert_eq!(slot_of(0), 0);
        assert_eq!(slot_of(59), 0);
        assert_eq!(slot_of(60), 1);
        assert_eq!(slot_of(-1), -1);
        assert_eq!(seconds_to_next_slot(0), 60);
        assert_eq!(seconds_to_next_slot(59), 1);
        assert_eq!(seconds_to_next_slot(61), 59);
    }

    #[test]
    fn bad_text_is_malformed() {
        assert!(Frame::from_text("").is_err());
        assert!(Frame::from_text("TID2:AAAA").is_err());
        assert!(Frame::from_text("TID1:%%%").is_err());
        assert!(Frame::from_text("TID1:").is_err());
        assert!(Frame::from_text(&"TID1:".repeat(2000)).is_err());
    }
}
