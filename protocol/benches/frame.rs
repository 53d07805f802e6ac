//! How long a phone takes to draw a frame and a gate to judge one: frame encode (device
//! signature + CBOR + base45 → text) and verify (text → verdict) with an Ed25519 device key,
//! verify with an ES256 device key, and the three verify steps on their own
//! (`verify_issuer`, cacheable per certificate; `check_certificate_status`; `check_frame`).
//!
//! `cargo bench -p tempid-protocol --bench frame -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tempid_protocol::certificate::{CertificateClaims, CertificateId, VALIDITY_SECONDS};
use tempid_protocol::fixtures::{
    FIXTURE_ISSUED_AT, fixture_certificate, fixture_device_key, fixture_holder, fixture_issuer_key,
    fixture_trust_list,
};
use tempid_protocol::verify::{check_certificate_status, check_frame, verify_issuer};
use tempid_protocol::{
    Certificate, Frame, FrameSigner as _, P256DeviceKey, Policy, slot_of, verify,
};

/// The gate's clock: two hours after issue.
const NOW: i64 = FIXTURE_ISSUED_AT + 7200;

fn slot() -> u64 {
    u64::try_from(slot_of(NOW)).unwrap_or_default()
}

fn frames(c: &mut Criterion) {
    let (certificate, _) = fixture_certificate();
    let device = fixture_device_key();
    let trust = fixture_trust_list();
    let policy = Policy::default();
    let Ok(frame) = Frame::sign(&certificate, slot(), &device) else {
        panic!("the fixture device key signs the fixture certificate")
    };
    let text = frame.to_text();
    assert!(
        verify(&text, &trust, NOW, &policy).is_accepted(),
        "the benchmarked frame is valid"
    );

    let Ok(p256) = P256DeviceKey::from_scalar(&[0x33; 32]) else {
        panic!("a valid scalar")
    };
    let es256_certificate = Certificate::issue(
        CertificateClaims {
            issuer: "tempid".to_string(),
            issued_at: FIXTURE_ISSUED_AT,
            expires_at: FIXTURE_ISSUED_AT + VALIDITY_SECONDS,
            cti: CertificateId(*b"bench-02"),
            holder: fixture_holder(),
            device_key: p256.public_key(),
        },
        &fixture_issuer_key(),
    );
    let Ok(es256_frame) = Frame::sign(&es256_certificate, slot(), &p256) else {
        panic!("the P-256 key signs its certificate")
    };
    let es256_text = es256_frame.to_text();
    assert!(
        verify(&es256_text, &trust, NOW, &policy).is_accepted(),
        "the ES256 frame is valid"
    );

    let mut group = c.benchmark_group("frame");
    group.bench_function("encode_ed25519 (sign + CBOR + base45)", |b| {
        b.iter(|| {
            Frame::sign(black_box(&certificate), black_box(slot()), &device).map(|f| f.to_text())
        })
    });
    group.bench_function("encode_es256 (sign + CBOR + base45)", |b| {
        b.iter(|| {
            Frame::sign(black_box(&es256_certificate), black_box(slot()), &p256)
                .map(|f| f.to_text())
        })
    });
    group.bench_function("verify_ed25519 (text -> verdict)", |b| {
        b.iter(|| verify(black_box(&text), &trust, black_box(NOW), &policy))
    });
    group.bench_function("verify_es256 (text -> verdict)", |b| {
        b.iter(|| verify(black_box(&es256_text), &trust, black_box(NOW), &policy))
    });
    group.bench_function("decode (text -> Frame)", |b| {
        b.iter(|| Frame::from_text(black_box(&text)))
    });
    group.finish();

    let Ok(key) = verify_issuer(frame.certificate(), &trust) else {
        panic!("trusted")
    };
    let mut steps = c.benchmark_group("verify_steps");
    steps.bench_function("1 verify_issuer (kid lookup + Ed25519)", |b| {
        b.iter(|| verify_issuer(black_box(frame.certificate()), &trust).is_ok())
    });
    steps.bench_function("2 check_certificate_status", |b| {
        b.iter(|| {
            check_certificate_status(black_box(frame.certificate()), key, black_box(NOW), &policy)
        })
    });
    steps.bench_function("3 check_frame (Ed25519 device)", |b| {
        b.iter(|| check_frame(black_box(&frame), black_box(NOW), &policy))
    });
    steps.bench_function("3 check_frame (ES256 device)", |b| {
        b.iter(|| check_frame(black_box(&es256_frame), black_box(NOW), &policy))
    });
    steps.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
