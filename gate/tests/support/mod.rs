//! Shared test and benchmark helpers: certificates and frames built from the protocol's
//! fixture keys (or fresh fixed-seed keys), tampered variants for every refusal, and QR PNGs of
//! a frame's text.

#![allow(dead_code)]
// each test binary uses a different part
// Helpers of tests and benches: a broken fixture should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod scene;

use std::io::Cursor;

use image::{GrayImage, ImageFormat, Luma};
use qrcode::{EcLevel, QrCode};
use tempid_protocol::fixtures::{
    FIXTURE_ISSUED_AT, fixture_certificate, fixture_device_key, fixture_holder, fixture_issuer_key,
};
use tempid_protocol::{
    Certificate, CertificateClaims, CertificateId, Ed25519DeviceKey, Frame, FrameSigner, IssuerKey,
    KeyStatus, TrustList, TrustedKey, VALIDITY_SECONDS, slot_of,
};

/// The gate's clock in most tests: an hour and 30 s after the fixture certificate was issued.
pub const NOW: i64 = FIXTURE_ISSUED_AT + 3600 + 30;
/// [`NOW`] as the CLI's `--at`.
pub const NOW_RFC3339: &str = "2026-11-25T01:00:30Z";

/// The gate's slot at `now`.
pub fn slot(now: i64) -> u64 {
    u64::try_from(slot_of(now)).unwrap_or(0)
}

/// A frame of the fixture certificate for `slot`, as QR text.
pub fn fixture_text(slot: u64) -> String {
    let (certificate, _) = fixture_certificate();
    frame(&certificate, slot, &fixture_device_key()).to_text()
}

/// Signs a frame.
pub fn frame(certificate: &Certificate, slot: u64, device: &dyn FrameSigner) -> Frame {
    Frame::sign(certificate, slot, device).expect("the device key matches the certificate")
}

/// A certificate for the fixture holder with its own `cti`, issue time, issuer and device key.
pub fn certificate(
    cti: [u8; 8],
    issued_at: i64,
    issuer: &IssuerKey,
    device: &dyn FrameSigner,
) -> Certificate {
    let claims = CertificateClaims {
        issuer: "tempid".to_string(),
        issued_at,
        expires_at: issued_at + VALIDITY_SECONDS,
        cti: CertificateId(cti),
        holder: fixture_holder(),
        device_key: device.public_key(),
    };
    Certificate::issue(claims, issuer)
}

/// A distinct device key per index (fixed seeds).
pub fn device_key(index: u32) -> Ed25519DeviceKey {
    let mut seed = [0x5a; 32];
    seed[..4].copy_from_slice(&index.to_be_bytes());
    Ed25519DeviceKey::from_seed(&seed)
}

/// `count` distinct certificates (own cti and device key each) by the fixture issuer, issued at
/// the fixture time, each with a frame for `slot`, as QR text.
pub fn distinct_frames(count: u32, slot: u64) -> Vec<String> {
    let issuer = fixture_issuer_key();
    (0..count)
        .map(|i| {
            let device = device_key(i);
            let mut cti = *b"bench\0\0\0";
            cti[5..8].copy_from_slice(&i.to_be_bytes()[1..]);
            frame(
                &certificate(cti, FIXTURE_ISSUED_AT, &issuer, &device),
                slot,
                &device,
            )
            .to_text()
        })
        .collect()
}

/// The certificate with its issuer signature's last byte flipped.
pub fn tamper_issuer_signature(certificate: &Certificate) -> Certificate {
    let mut bytes = certificate.to_cbor();
    if let Some(last) = bytes.last_mut() {
        *last ^= 0x01;
    }
    Certificate::from_cbor(&bytes).expect("still well-formed")
}

/// The frame with its device signature's last byte flipped.
pub fn tamper_device_signature(frame: &Frame) -> Frame {
    let mut bytes = frame.to_cbor();
    if let Some(last) = bytes.last_mut() {
        *last ^= 0x01;
    }
    Frame::from_cbor(&bytes).expect("still well-formed")
}

/// A trust list of the fixture issuer key with the given status.
pub fn trust_list_with_status(status: KeyStatus) -> TrustList {
    TrustList::new(vec![TrustedKey::new(
        &fixture_issuer_key(),
        0,
        None,
        status,
    )])
    .expect("valid list")
}

/// The QR code of `text` (EC level M) as a grey image: `module_px` pixels per module and a
/// quiet zone of 4 modules.
pub fn qr_image(text: &str, module_px: u32) -> GrayImage {
    let code =
        QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).expect("fits a QR code");
    let width = u32::try_from(code.width()).expect("width");
    let colors = code.to_colors();
    let side = (width + 8) * module_px;
    GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (
            (x / module_px).wrapping_sub(4),
            (y / module_px).wrapping_sub(4),
        );
        let dark =
            mx < width && my < width && colors[(my * width + mx) as usize] == qrcode::Color::Dark;
        Luma([if dark { 0 } else { 255 }])
    })
}

/// A grey image encoded as PNG.
pub fn png(image: &GrayImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).expect("png");
    out.into_inner()
}
