//! Fixed-seed keys and a certificate for tests, benchmarks and the test vectors. Enabled by the
//! `fixtures` feature; these keys are public knowledge and must never be trusted outside tests.

use time::macros::date;

use crate::certificate::{Certificate, CertificateClaims, CertificateId, Holder, VALIDITY_SECONDS};
use crate::id_number::IdNumber;
use crate::keys::{Ed25519DeviceKey, FrameSigner as _, IssuerKey};
use crate::trust::{KeyStatus, TrustList, TrustedKey};

/// The fixture certificate's issue time: 2026-11-25T00:00:00Z.
pub const FIXTURE_ISSUED_AT: i64 = 1_795_564_800;
/// The fixture issuer key's seed.
pub const FIXTURE_ISSUER_SEED: [u8; 32] = [0x11; 32];
/// The fixture device key's seed.
pub const FIXTURE_DEVICE_SEED: [u8; 32] = [0x22; 32];
/// The fixture holder's ID number (the GB 11643-1999 worked example).
pub const FIXTURE_ID_NUMBER: &str = "11010519491231002X";
/// The fixture holder's name: a typical three-character name.
pub const FIXTURE_NAME: &str = "张三丰";

/// The fixture issuer key.
pub fn fixture_issuer_key() -> IssuerKey {
    IssuerKey::from_seed(&FIXTURE_ISSUER_SEED)
}

/// The fixture device key.
pub fn fixture_device_key() -> Ed25519DeviceKey {
    Ed25519DeviceKey::from_seed(&FIXTURE_DEVICE_SEED)
}

/// A trust list holding only the fixture issuer key.
pub fn fixture_trust_list() -> TrustList {
    TrustList::new(vec![TrustedKey::new(
        &fixture_issuer_key(),
        0,
        None,
        KeyStatus::Active,
    )])
    .unwrap_or_else(|_| TrustList { keys: Vec::new() })
}

/// The fixture holder.
pub fn fixture_holder() -> Holder {
    let id_number = IdNumber::parse(FIXTURE_ID_NUMBER, date!(2026 - 01 - 01))
        .unwrap_or_else(|_| unreachable_fixture());
    Holder {
        id_number,
        name: FIXTURE_NAME.to_string(),
    }
}

/// A certificate for the fixture holder bound to the fixture device key, issued at
/// [`FIXTURE_ISSUED_AT`] by the fixture issuer key; with that key.
pub fn fixture_certificate() -> (Certificate, IssuerKey) {
    let issuer = fixture_issuer_key();
    let claims = CertificateClaims {
        issuer: "tempid".to_string(),
        issued_at: FIXTURE_ISSUED_AT,
        expires_at: FIXTURE_ISSUED_AT + VALIDITY_SECONDS,
        cti: CertificateId(*b"fixture1"),
        holder: fixture_holder(),
        device_key: fixture_device_key().public_key(),
    };
    (Certificate::issue(claims, &issuer), issuer)
}

fn unreachable_fixture() -> ! {
    panic!("the fixture ID number is valid")
}
