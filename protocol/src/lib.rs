//! `tempid-protocol`: the vocabulary every part of tempid speaks: the resident ID number, the
//! certificate (CWT in COSE_Sign1), the frame a QR code shows, the trust list, the verifier's
//! verdict, the checkpoint kinds and the issuer's HTTP contract. No I/O, no async, no clock:
//! time is always an argument.

pub mod api;
pub mod certificate;
pub mod checkpoint;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod frame;
pub mod id_number;
pub mod keys;
pub mod trust;
pub mod verify;

pub use certificate::{
    Certificate, CertificateClaims, CertificateId, DecodeError, Holder, NameError,
    VALIDITY_SECONDS, validate_name,
};
pub use checkpoint::CheckpointKind;
pub use frame::{FRAME_PREFIX, Frame, FrameError, SLOT_SECONDS, seconds_to_next_slot, slot_of};
pub use id_number::{IdNumber, IdNumberError, Province, mask_name};
pub use keys::{
    Algorithm, DevicePublicKey, Ed25519DeviceKey, FrameSigner, IssuerKey, KeyError, Kid,
    P256DeviceKey,
};
pub use trust::{
    KeyStatus, RevocationList, RevokedCertificate, TrustList, TrustListError, TrustedKey,
};
pub use verify::{Accepted, Policy, RejectReason, Verdict, verify, verify_frame};

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();
