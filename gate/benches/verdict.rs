//! Text → verdict throughput of one gate on one core: distinct certificates (every scan misses
//! the certificate cache) and repeat scans (the cache holds the certificate, so only the
//! device signature is checked), with the parts of a verdict measured alone for the report.
//! The derived rate per core is 1 / (median time per verdict).
//!
//! Run: `cargo bench -p tempid-gate --bench verdict`
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: fail loudly on broken set-up

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ed25519_dalek::{Signer as _, SigningKey};
use support::{NOW, distinct_frames, slot};
use tempid_gate::{Gate, GateConfig};
use tempid_protocol::fixtures::fixture_trust_list;
use tempid_protocol::verify::verify_issuer;
use tempid_protocol::{CheckpointKind, Frame, Policy, verify};

const DISTINCT: u32 = 512;

fn verdicts(c: &mut Criterion) {
    let texts = distinct_frames(DISTINCT, slot(NOW));
    let trust = fixture_trust_list();
    let mut group = c.benchmark_group("verdict");

    // Cold: a one-entry cache and 512 certificates in turn, so every scan misses.
    let mut config = GateConfig::new(CheckpointKind::EntryGate);
    config.cache_capacity = 1;
    let mut cold = Gate::new(trust.clone(), config);
    let mut i = 0;
    group.bench_function("gate_cold_distinct_certificates", |b| {
        b.iter(|| {
            i = (i + 1) % texts.len();
            let scan = cold.scan_text(black_box(&texts[i]), NOW);
            debug_assert!(scan.verdict.is_accepted() && !scan.cache_hit);
            scan
        })
    });
    assert_eq!(
        cold.cache_stats().hits,
        0,
        "the cold benchmark must never hit the cache"
    );

    // Warm: the same 512 certificates, all cached; each scan is a repeat scan.
    let mut warm = Gate::new(trust.clone(), GateConfig::new(CheckpointKind::EntryGate));
    for text in &texts {
        assert!(warm.scan_text(text, NOW).verdict.is_accepted());
    }
    let misses = warm.cache_stats().misses;
    group.bench_function("gate_warm_repeat_scans", |b| {
        b.iter(|| {
            i = (i + 1) % texts.len();
            let scan = warm.scan_text(black_box(&texts[i]), NOW);
            debug_assert!(scan.verdict.is_accepted() && scan.cache_hit);
            scan
        })
    });
    assert_eq!(
        warm.cache_stats().misses,
        misses,
        "the warm benchmark must always hit the cache"
    );

    // The protocol's stateless verifier, for comparison with the cold gate.
    let policy = Policy::default();
    group.bench_function("protocol_verify", |b| {
        b.iter(|| {
            i = (i + 1) % texts.len();
            verify(black_box(&texts[i]), &trust, NOW, &policy)
        })
    });
    group.finish();

    // The parts.
    let mut parts = c.benchmark_group("parts");
    let frames: Vec<Frame> = texts
        .iter()
        .map(|t| Frame::from_text(t).expect("frame"))
        .collect();
    parts.bench_function("decode_text", |b| {
        b.iter(|| {
            i = (i + 1) % texts.len();
            Frame::from_text(black_box(&texts[i]))
        })
    });
    parts.bench_function("certificate_hash", |b| {
        use sha2::Digest as _;
        b.iter(|| {
            i = (i + 1) % frames.len();
            sha2::Sha256::digest(black_box(&frames[i]).certificate().to_cbor())
        })
    });
    parts.bench_function("issuer_signature", |b| {
        b.iter(|| {
            i = (i + 1) % frames.len();
            verify_issuer(black_box(&frames[i]).certificate(), &trust).is_ok()
        })
    });
    parts.bench_function("device_signature", |b| {
        b.iter(|| {
            i = (i + 1) % frames.len();
            black_box(&frames[i]).verify_device_signature()
        })
    });

    // Would batch verification help the cold path? Two Ed25519 signatures (issuer + device)
    // checked one by one (strict, as the protocol does) versus as one batch.
    let keys = [
        SigningKey::from_bytes(&[1; 32]),
        SigningKey::from_bytes(&[2; 32]),
    ];
    let messages: [&[u8]; 2] = [&[0x55; 180], &[0x66; 300]];
    let signatures = [keys[0].sign(messages[0]), keys[1].sign(messages[1])];
    let verifying = [keys[0].verifying_key(), keys[1].verifying_key()];
    parts.bench_function("two_ed25519_verify_strict", |b| {
        b.iter(|| {
            (0..2).all(|k| {
                verifying[k]
                    .verify_strict(black_box(messages[k]), &signatures[k])
                    .is_ok()
            })
        })
    });
    parts.bench_function("two_ed25519_verify_batch", |b| {
        b.iter_batched(
            || (messages, signatures, verifying),
            |(m, s, v)| ed25519_dalek::verify_batch(black_box(&m), &s, &v).is_ok(),
            BatchSize::SmallInput,
        )
    });
    parts.finish();
}

criterion_group!(benches, verdicts);
criterion_main!(benches);
