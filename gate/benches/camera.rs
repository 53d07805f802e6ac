//! Camera image → verdict, against the reference decoder.
//!
//! Generates deterministic 1280×720 camera-like scenes (see `tests/support/scene.rs`) of real
//! frames (one distinct certificate per image), writes them as PNG with a `truth.tsv`, then
//! measures, per image, one untimed run (which decides success: the frame must be *accepted*,
//! or for decoding alone, its text found) and `REPS` timed runs whose median is the image's
//! time; the table gives the median and p99 over images, in wall time and in thread CPU time
//! (the machine is shared, so wall time carries other builds' noise):
//!
//! - ours, luma in memory → QR decode (ZXing-C++ via `zxing-cpp`) → verdict with an empty
//!   certificate cache (issuer and device signatures both checked), for several decoder
//!   settings, and decoding alone with the default settings;
//! - PNG → luma alone (a camera hands over luma; only file input pays this);
//! - the reference: `benches/zxing_reference.py` (PyPI `zxing-cpp`, default settings) on the
//!   same PNGs, same method, decoding only. Set `TEMPID_ZXING_PYTHON` to a Python that has
//!   `zxingcpp`, `numpy` and `PIL` (default `python3`).
//!
//! Run: `cargo bench -p tempid-gate --bench camera` (`TEMPID_BENCH_IMAGES`, default 100;
//! `TEMPID_BENCH_REPS`, default 10).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: fail loudly on broken set-up

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cpu_time::ThreadTime;
use image::GrayImage;
use support::scene::camera_scene;
use support::{NOW, distinct_frames, png, slot};
use tempid_gate::camera::{self, DecodeOptions};
use tempid_gate::{Gate, GateConfig};
use tempid_protocol::CheckpointKind;
use tempid_protocol::fixtures::fixture_trust_list;

const SEED: u64 = 0x7E3A_1D00;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let k = ((p / 100.0 * v.len() as f64).ceil() as usize).max(1) - 1;
    v.get(k).copied().unwrap_or(f64::NAN)
}

/// (wall, cpu) medians in ms over `reps` runs.
fn time_ms(reps: usize, mut run: impl FnMut()) -> (f64, f64) {
    let (mut wall, mut cpu) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
    for _ in 0..reps {
        let (w0, c0) = (Instant::now(), ThreadTime::now());
        run();
        cpu.push(c0.elapsed().as_secs_f64() * 1e3);
        wall.push(w0.elapsed().as_secs_f64() * 1e3);
    }
    (percentile(&wall, 50.0), percentile(&cpu, 50.0))
}

#[derive(Clone, Default)]
struct Row {
    name: String,
    ok: usize,
    n: usize,
    wall: (f64, f64),
    cpu: (f64, f64),
    failed: BTreeSet<String>,
}

impl Row {
    fn finish(mut self, times: &[(f64, f64)]) -> Self {
        let wall: Vec<f64> = times.iter().map(|t| t.0).collect();
        let cpu: Vec<f64> = times.iter().map(|t| t.1).collect();
        self.wall = (percentile(&wall, 50.0), percentile(&wall, 99.0));
        self.cpu = (percentile(&cpu, 50.0), percentile(&cpu, 99.0));
        self
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a name filter that excludes us skips the (long) run.
    if let Some(filter) = std::env::args().skip(1).find(|a| !a.starts_with('-'))
        && !"camera".contains(filter.as_str())
    {
        return;
    }
    let count = env_usize("TEMPID_BENCH_IMAGES", 100);
    let reps = env_usize("TEMPID_BENCH_REPS", 10).max(1);
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("gate-camera-bench");
    std::fs::create_dir_all(&dir).expect("bench directory");

    let started = Instant::now();
    let texts = distinct_frames(u32::try_from(count).expect("count"), slot(NOW));
    let (mut names, mut images, mut pngs) = (Vec::new(), Vec::<GrayImage>::new(), Vec::new());
    let mut truth =
        String::from("file\tpayload\tversion\tangle_deg\tfraction\tpx_per_module\tblur\tnoise\n");
    let mut versions = BTreeSet::new();
    for (i, text) in texts.iter().enumerate() {
        let (image, p) = camera_scene(text, SEED ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407));
        let name = format!("scene_{i:03}.png");
        let bytes = png(&image);
        std::fs::write(dir.join(&name), &bytes).expect("write png");
        truth.push_str(&format!(
            "{name}\t{text}\t{}\t{:.2}\t{:.3}\t{:.2}\t{:.2}\t{:.1}\n",
            p.version, p.angle_deg, p.fraction, p.px_per_module, p.blur, p.noise
        ));
        versions.insert(p.version);
        names.push(name);
        images.push(image);
        pngs.push(bytes);
    }
    std::fs::write(dir.join("truth.tsv"), truth).expect("write truth");
    eprintln!(
        "{count} scenes (QR version {versions:?}, {} characters) in {:.1} s -> {}",
        texts.first().map(String::len).unwrap_or_default(),
        started.elapsed().as_secs_f64(),
        dir.display()
    );

    let trust = fixture_trust_list();
    let mut rows = Vec::new();
    let configs = [
        (
            "ours: decode + verdict, default (QR only, 1.5x upscale retry)",
            DecodeOptions::default(),
        ),
        (
            "ours: decode + verdict, QR only, no retry",
            DecodeOptions {
                thorough: false,
                upscale_retry: None,
            },
        ),
        (
            "ours: decode + verdict, ZXing defaults, no retry",
            DecodeOptions {
                thorough: true,
                upscale_retry: None,
            },
        ),
        (
            "ours: decode + verdict, ZXing defaults + 1.5x retry",
            DecodeOptions {
                thorough: true,
                upscale_retry: Some(1.5),
            },
        ),
    ];
    for (label, decode) in configs {
        let mut config = GateConfig::new(CheckpointKind::EntryGate);
        config.decode = decode;
        let mut gate = Gate::new(trust.clone(), config);
        let mut row = Row {
            name: label.into(),
            n: count,
            ..Row::default()
        };
        let mut times = Vec::new();
        for (name, image) in names.iter().zip(&images) {
            gate.set_trust_list(trust.clone()); // empties the certificate cache
            if gate
                .scan_luma(image, NOW)
                .is_ok_and(|scan| scan.verdict.is_accepted())
            {
                row.ok += 1;
            } else {
                row.failed.insert(name.clone());
            }
            times.push(time_ms(reps, || {
                gate.set_trust_list(trust.clone());
                let _ = std::hint::black_box(gate.scan_luma(image, NOW));
            }));
        }
        eprintln!("{label}: {}/{count}", row.ok);
        rows.push(row.finish(&times));
    }

    let decode = DecodeOptions::default();
    let mut row = Row {
        name: "ours: decode only, default".into(),
        n: count,
        ..Row::default()
    };
    let mut times = Vec::new();
    for ((name, image), text) in names.iter().zip(&images).zip(&texts) {
        if camera::scan_luma(image, &decode).is_ok_and(|found| found.contains(text)) {
            row.ok += 1;
        } else {
            row.failed.insert(name.clone());
        }
        times.push(time_ms(reps, || {
            let _ = std::hint::black_box(camera::scan_luma(image, &decode));
        }));
    }
    rows.push(row.finish(&times));

    let times: Vec<(f64, f64)> = pngs
        .iter()
        .map(|bytes| {
            time_ms(reps, || {
                drop(std::hint::black_box(camera::load_luma(bytes)))
            })
        })
        .collect();
    rows.push(
        Row {
            name: "PNG -> luma (file input only)".into(),
            ok: count,
            n: count,
            ..Row::default()
        }
        .finish(&times),
    );

    let reference = run_reference(&dir, reps);
    if let Some(reference) = &reference {
        rows.push(reference.clone());
    }

    println!();
    println!(
        "1280x720 scenes: {count} images, per-image median of {reps} runs; median and p99 over images"
    );
    println!();
    println!("| pipeline | read | wall median ms | wall p99 ms | CPU median ms | CPU p99 ms |");
    println!("|---|---|---|---|---|---|");
    for row in &rows {
        println!(
            "| {} | {}/{} | {:.2} | {:.2} | {:.2} | {:.2} |",
            row.name, row.ok, row.n, row.wall.0, row.wall.1, row.cpu.0, row.cpu.1
        );
    }
    println!();
    for row in &rows {
        if !row.failed.is_empty() {
            println!(
                "{}: missed {}",
                row.name,
                row.failed.iter().cloned().collect::<Vec<_>>().join(" ")
            );
        }
    }
    let Some(reference) = &reference else {
        println!("\nreference not run (see above)");
        return;
    };
    println!();
    for ours in &rows[..4] {
        let missed: Vec<_> = ours.failed.difference(&reference.failed).cloned().collect();
        let faster = ours.cpu.0 <= reference.cpu.0 && ours.cpu.1 <= reference.cpu.1;
        println!(
            "{}: CPU median {:.2} vs {:.2} ms, p99 {:.2} vs {:.2} ms -> {}; missed images the reference reads: {}",
            ours.name,
            ours.cpu.0,
            reference.cpu.0,
            ours.cpu.1,
            reference.cpu.1,
            if faster { "no slower" } else { "SLOWER" },
            if missed.is_empty() {
                "none".to_string()
            } else {
                missed.join(" ")
            }
        );
    }
}

fn run_reference(dir: &Path, reps: usize) -> Option<Row> {
    let python = std::env::var("TEMPID_ZXING_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/zxing_reference.py");
    let output = match Command::new(&python)
        .arg(&script)
        .arg(dir)
        .arg(reps.to_string())
        .output()
    {
        Ok(output) if output.status.success() => output,
        Ok(output) => {
            eprintln!(
                "reference skipped: {python} {} failed: {}\n(pip install zxing-cpp numpy pillow, then set TEMPID_ZXING_PYTHON)",
                script.display(),
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .last()
                    .unwrap_or_default()
            );
            return None;
        }
        Err(e) => {
            eprintln!("reference skipped: cannot run {python}: {e}");
            return None;
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let result = stdout.lines().find(|l| l.starts_with("RESULT "))?;
    let field = |key: &str| {
        result
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=').map(str::to_string))
    };
    let number = |key: &str| field(key).and_then(|v| v.parse::<f64>().ok());
    let failed = stdout
        .lines()
        .find_map(|l| l.strip_prefix("FAILED"))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    Some(Row {
        name: format!(
            "reference: PyPI zxing-cpp {} decode only, default",
            field("version").unwrap_or_default()
        ),
        ok: field("ok")?.parse().ok()?,
        n: field("n")?.parse().ok()?,
        wall: (number("wall_median_ms")?, number("wall_p99_ms")?),
        cpu: (number("cpu_median_ms")?, number("cpu_p99_ms")?),
        failed,
    })
}
