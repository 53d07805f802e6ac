//! Benchmarks of the pass: a cold open with a cached certificate (a new client on a pre-filled
//! store, no network, up to the first 512 px PNG) and the steady-state frame (sign, text, QR
//! matrix, 512 px PNG).

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use tempid_core::test_support::seed_registered_pass;
use tempid_core::{
    Capabilities, ClientConfig, FaceCheckRefusal, FaceCheckRequest, LivenessVerifier,
    LocationOutcome, LocationProvider, MemoryStore, PassState, QrMatrix, TempIdClient, TestClock,
};
use tempid_protocol::fixtures::{
    FIXTURE_DEVICE_SEED, FIXTURE_ISSUED_AT, fixture_certificate, fixture_device_key,
};
use tempid_protocol::{Frame, slot_of};

struct NoFace;
impl LivenessVerifier for NoFace {
    fn check_face(&self, _: FaceCheckRequest) -> Result<String, FaceCheckRefusal> {
        Err(FaceCheckRefusal::CameraUnavailable)
    }
}
struct Nowhere;
impl LocationProvider for Nowhere {
    fn current_city(&self) -> LocationOutcome {
        LocationOutcome::PermissionDenied
    }
}

fn cold_open(c: &mut Criterion) {
    let (certificate, _) = fixture_certificate();
    let store = MemoryStore::new();
    if seed_registered_pass(
        Arc::new(store.clone()),
        "bench",
        &certificate,
        &FIXTURE_DEVICE_SEED,
    )
    .is_err()
    {
        return;
    }
    let clock = TestClock::new((FIXTURE_ISSUED_AT + 90) * 1_000);
    let caller = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let Ok(caller) = caller else { return };
    // Port 9 (discard) on loopback refuses connections: the background re-sync fails at once.
    let config = ClientConfig::new("http://127.0.0.1:9", "1.0.0", "bench");
    c.bench_function("cold_open_cached_certificate_to_png512", |b| {
        b.iter(|| {
            let capabilities = Capabilities::new(Arc::new(NoFace), Arc::new(Nowhere))
                .with_secure_store(Arc::new(store.clone()))
                .with_clock(Arc::new(clock.clone()));
            let client = TempIdClient::new(config.clone(), capabilities).map_err(|e| e.to_string());
            let png = client.and_then(|client| match caller.block_on(client.start()) {
                Ok(PassState::Showing { qr, .. }) => qr.to_png(512).map_err(|e| e.to_string()),
                other => Err(format!("{other:?}")),
            });
            assert!(png.is_ok(), "{png:?}");
            png
        })
    });
}

fn steady_frame(c: &mut Criterion) {
    let (certificate, _) = fixture_certificate();
    let device = fixture_device_key();
    let mut slot = u64::try_from(slot_of(FIXTURE_ISSUED_AT)).unwrap_or(0);
    c.bench_function("frame_sign_text_matrix_png512", |b| {
        b.iter(|| {
            slot += 1;
            let frame = Frame::sign(&certificate, slot, &device).map_err(|e| e.to_string());
            let png = frame.and_then(|f| {
                QrMatrix::encode(&f.to_text())
                    .and_then(|m| m.to_png(512))
                    .map_err(|e| e.to_string())
            });
            assert!(png.is_ok());
            png
        })
    });
    let frame = Frame::sign(&certificate, slot, &device)
        .map(|f| f.to_text())
        .unwrap_or_default();
    c.bench_function("qr_matrix_only", |b| b.iter(|| QrMatrix::encode(&frame)));
    c.bench_function("qrcode_crate_matrix_only_comparison", |b| {
        b.iter(|| {
            qrcode::QrCode::with_error_correction_level(frame.as_bytes(), qrcode::EcLevel::M)
                .map(|q| q.width())
        })
    });
    // The encoder must give a code that reads back as the frame, at the same version as the
    // `qrcode` crate's.
    let ours = QrMatrix::encode(&frame).ok();
    let theirs = qrcode::QrCode::with_error_correction_level(frame.as_bytes(), qrcode::EcLevel::M)
        .map(|q| q.width())
        .ok();
    let decoded = ours
        .as_ref()
        .and_then(|m| m.to_png(512).ok())
        .and_then(|png| image::load_from_memory(&png).ok())
        .and_then(|i| {
            let mut prepared = rqrr::PreparedImage::prepare(i.to_luma8());
            prepared
                .detect_grids()
                .first()
                .and_then(|g| g.decode().ok())
                .map(|(_, text)| text)
        });
    println!(
        "QrMatrix (fast_qr): version {:?}, width {:?}; qrcode crate width {:?}; reads back: {}",
        ours.as_ref().map(|m| m.version),
        ours.as_ref().map(|m| m.width),
        theirs,
        decoded.as_deref() == Some(frame.as_str())
    );
    let matrix = QrMatrix::encode(&frame);
    if let Ok(matrix) = matrix {
        c.bench_function("png512_only", |b| b.iter(|| matrix.to_png(512)));
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(4)).sample_size(60);
    targets = cold_open, steady_frame
}
criterion_main!(benches);
