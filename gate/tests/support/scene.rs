//! Deterministic camera-like scenes: a phone showing a frame's QR code, held up to a 1280×720
//! grey camera in a cluttered station. The code (with its quiet zone) spans 27–33% of the
//! frame height, is rotated by up to ±8°, and the frame is blurred (σ 0.5–1.3 px), unevenly
//! lit (gradient, vignette, compressed contrast, sometimes glare) and noisy (σ 3–10 grey
//! levels). Everything derives from a seed (SplitMix64), so every run sees the same images.
//!
//! Adapted from the QR decoder probe's generator (`/work/probes/qr/gen`), which draws random
//! payloads; here the payload is a real frame text so a scan ends in a real verdict.

use image::{GrayImage, Luma};
use qrcode::{EcLevel, QrCode};

/// SplitMix64: small, fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }

    fn int(&mut self, lo: i32, hi: i32) -> i32 {
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i32
    }

    fn gauss(&mut self) -> f32 {
        let u1 = self.unit().max(1e-7);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
    }
}

/// What a scene was made of (for reports).
#[derive(Debug, Clone, Copy)]
pub struct SceneParams {
    /// QR version of the code.
    pub version: i16,
    /// Rotation in degrees.
    pub angle_deg: f32,
    /// Code side (with quiet zone) over frame height.
    pub fraction: f32,
    /// Pixels per module.
    pub px_per_module: f32,
    /// Blur sigma in pixels.
    pub blur: f32,
    /// Noise sigma in grey levels.
    pub noise: f32,
}

struct Canvas {
    w: usize,
    h: usize,
    p: Vec<f32>,
}

impl Canvas {
    fn rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, v: f32) {
        let (xa, xb) = (
            x0.max(0.0) as usize,
            x1.min(self.w as f32).max(0.0) as usize,
        );
        let (ya, yb) = (
            y0.max(0.0) as usize,
            y1.min(self.h as f32).max(0.0) as usize,
        );
        for y in ya..yb {
            self.p[y * self.w + xa..y * self.w + xb.max(xa)].fill(v);
        }
    }

    fn circle(&mut self, cx: f32, cy: f32, r: f32, v: f32) {
        let (xa, xb) = (
            (cx - r).max(0.0) as usize,
            (cx + r).min(self.w as f32 - 1.0).max(0.0) as usize,
        );
        let (ya, yb) = (
            (cy - r).max(0.0) as usize,
            (cy + r).min(self.h as f32 - 1.0).max(0.0) as usize,
        );
        for y in ya..=yb {
            for x in xa..=xb {
                let (dx, dy) = (x as f32 - cx, y as f32 - cy);
                if dx * dx + dy * dy <= r * r {
                    self.p[y * self.w + x] = v;
                }
            }
        }
    }

    fn line(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, thick: f32, v: f32) {
        let steps = (((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt().max(1.0) * 2.0) as usize;
        for i in 0..=steps {
            let t = i as f32 / steps as f32;
            self.circle(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, thick / 2.0, v);
        }
    }

    fn blur(&mut self, sigma: f32) {
        let r = (sigma * 3.0).ceil() as i32;
        let mut k: Vec<f32> = (-r..=r)
            .map(|i| (-((i * i) as f32) / (2.0 * sigma * sigma)).exp())
            .collect();
        let sum: f32 = k.iter().sum();
        k.iter_mut().for_each(|v| *v /= sum);
        let (w, h) = (self.w as i32, self.h as i32);
        let mut tmp = vec![0f32; self.p.len()];
        for y in 0..h {
            for x in 0..w {
                tmp[(y * w + x) as usize] = k
                    .iter()
                    .enumerate()
                    .map(|(j, kv)| {
                        kv * self.p[(y * w + (x + j as i32 - r).clamp(0, w - 1)) as usize]
                    })
                    .sum();
            }
        }
        for y in 0..h {
            for x in 0..w {
                self.p[(y * w + x) as usize] = k
                    .iter()
                    .enumerate()
                    .map(|(j, kv)| kv * tmp[((y + j as i32 - r).clamp(0, h - 1) * w + x) as usize])
                    .sum();
            }
        }
    }
}

fn background(rng: &mut Rng, w: usize, h: usize) -> Canvas {
    let mut c = Canvas {
        w,
        h,
        p: vec![rng.range(70.0, 170.0); w * h],
    };
    let (gx, gy) = (rng.range(-60.0, 60.0), rng.range(-60.0, 60.0));
    for y in 0..h {
        for x in 0..w {
            c.p[y * w + x] += gx * (x as f32 / w as f32 - 0.5) + gy * (y as f32 / h as f32 - 0.5);
        }
    }
    for _ in 0..rng.int(8, 16) {
        let (x, y) = (rng.range(-200.0, w as f32), rng.range(-200.0, h as f32));
        let (ww, hh, v) = (
            rng.range(40.0, 400.0),
            rng.range(40.0, 400.0),
            rng.range(20.0, 240.0),
        );
        c.rect(x, y, x + ww, y + hh, v);
    }
    for _ in 0..rng.int(5, 12) {
        let (x, y, r, v) = (
            rng.range(0.0, w as f32),
            rng.range(0.0, h as f32),
            rng.range(10.0, 90.0),
            rng.range(20.0, 240.0),
        );
        c.circle(x, y, r, v);
    }
    for _ in 0..rng.int(6, 14) {
        let (x0, y0) = (rng.range(0.0, w as f32), rng.range(0.0, h as f32));
        let (dx, dy, t, v) = (
            rng.range(-400.0, 400.0),
            rng.range(-400.0, 400.0),
            rng.range(1.5, 8.0),
            rng.range(0.0, 255.0),
        );
        c.line(x0, y0, x0 + dx, y0 + dy, t, v);
    }
    // Signage text: rows of small glyph-like blocks (high-frequency distractors).
    for _ in 0..rng.int(3, 7) {
        let (x0, y0) = (
            rng.range(0.0, w as f32 - 200.0),
            rng.range(0.0, h as f32 - 60.0),
        );
        let (bg, fg) = (rng.range(170.0, 240.0), rng.range(10.0, 80.0));
        let (cw, ch) = (rng.range(4.0, 9.0), rng.range(6.0, 14.0));
        let (rows, cols) = (rng.int(2, 6), rng.int(10, 30));
        c.rect(
            x0 - 4.0,
            y0 - 4.0,
            x0 + cols as f32 * cw * 1.3 + 4.0,
            y0 + rows as f32 * ch * 1.6 + 4.0,
            bg,
        );
        for r in 0..rows {
            for col in 0..cols {
                if rng.unit() < 0.75 {
                    let (x, y) = (x0 + col as f32 * cw * 1.3, y0 + r as f32 * ch * 1.6);
                    c.rect(x, y, x + cw, y + ch, fg);
                }
            }
        }
    }
    // Floor tiles.
    if rng.unit() < 0.6 {
        let (x0, y0) = (
            rng.range(0.0, w as f32 - 150.0),
            rng.range(0.0, h as f32 - 150.0),
        );
        let (cell, n) = (rng.range(5.0, 20.0), rng.int(4, 12));
        let (a, b) = (rng.range(30.0, 100.0), rng.range(150.0, 230.0));
        for i in 0..n {
            for j in 0..n {
                let v = if (i + j) % 2 == 0 { a } else { b };
                c.rect(
                    x0 + i as f32 * cell,
                    y0 + j as f32 * cell,
                    x0 + (i + 1) as f32 * cell,
                    y0 + (j + 1) as f32 * cell,
                    v,
                );
            }
        }
    }
    c
}

/// A 1280×720 grey camera frame of a phone showing `text` as a QR code (EC level M, as the
/// app draws it), made from `seed`.
pub fn camera_scene(text: &str, seed: u64) -> (GrayImage, SceneParams) {
    let mut rng = Rng::new(seed);
    let code =
        QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).expect("fits a QR code");
    let version = match code.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
    };
    let n = code.width();
    let colors = code.to_colors();
    let dark = |mx: i32, my: i32| {
        let (x, y) = (mx - 4, my - 4);
        x >= 0
            && y >= 0
            && (x as usize) < n
            && (y as usize) < n
            && colors[y as usize * n + x as usize] == qrcode::Color::Dark
    };

    let (w, h) = (1280usize, 720usize);
    let mut img = background(&mut rng, w, h);
    let fraction = rng.range(0.27, 0.33);
    let s = fraction * h as f32; // code side with quiet zone, px
    let m = s / (n + 8) as f32; // px per module
    let angle_deg = rng.range(-8.0, 8.0);
    let (sin, cos) = angle_deg.to_radians().sin_cos();

    // The phone in its own coordinates (origin at the code's centre).
    let screen_w = s * rng.range(1.10, 1.25);
    let screen_top = -s * rng.range(0.75, 1.0);
    let screen_bot = s * rng.range(0.6, 0.8);
    let bezel = s * rng.range(0.05, 0.09);
    let bezel_v = rng.range(10.0, 40.0);
    let screen_white = rng.range(225.0, 255.0);
    let screen_dark = rng.range(0.0, 30.0);
    let header_v = rng.range(40.0, 120.0);
    let half_diag = s * 0.5 * 1.42;
    let cx = rng.range(half_diag + 10.0, w as f32 - half_diag - 10.0);
    let cy = rng.range(half_diag + 10.0, h as f32 - half_diag - 10.0);

    let phone = |lx: f32, ly: f32| -> Option<f32> {
        let hw = screen_w / 2.0;
        if lx < -hw - bezel
            || lx > hw + bezel
            || ly < screen_top - bezel * 1.5
            || ly > screen_bot + bezel * 1.5
        {
            return None;
        }
        if lx < -hw || lx > hw || ly < screen_top || ly > screen_bot {
            return Some(bezel_v);
        }
        let half = s / 2.0;
        if (-half..half).contains(&lx) && (-half..half).contains(&ly) {
            let (mx, my) = (
                ((lx + half) / m).floor() as i32,
                ((ly + half) / m).floor() as i32,
            );
            return Some(if dark(mx, my) {
                screen_dark
            } else {
                screen_white
            });
        }
        let header = s * 0.12;
        if ly < screen_top + header {
            return Some(header_v);
        }
        let t1 = screen_top + header + s * 0.08;
        if ly > t1 && ly < t1 + s * 0.05 && lx > -hw * 0.8 && lx < hw * 0.3 {
            return Some(screen_dark + 40.0);
        }
        let t2 = t1 + s * 0.09;
        if ly > t2 && ly < t2 + s * 0.04 && lx > -hw * 0.8 && lx < hw * 0.55 {
            return Some(screen_dark + 70.0);
        }
        let button = half + s * 0.12;
        if ly > button && ly < button + s * 0.14 && lx > -hw * 0.7 && lx < hw * 0.7 {
            return Some(header_v);
        }
        Some(screen_white)
    };

    // Rasterise the phone with 4×4 supersampling.
    let ext = (screen_w / 2.0 + bezel).hypot(screen_top.abs().max(screen_bot) + bezel * 1.5) + 2.0;
    let (x0, x1) = (
        (cx - ext).max(0.0) as usize,
        ((cx + ext) as usize).min(w - 1),
    );
    let (y0, y1) = (
        (cy - ext).max(0.0) as usize,
        ((cy + ext) as usize).min(h - 1),
    );
    const SS: usize = 4;
    for y in y0..=y1 {
        for x in x0..=x1 {
            let (mut acc, mut hit) = (0.0, false);
            for sy in 0..SS {
                for sx in 0..SS {
                    let px = x as f32 + (sx as f32 + 0.5) / SS as f32 - cx;
                    let py = y as f32 + (sy as f32 + 0.5) / SS as f32 - cy;
                    match phone(cos * px + sin * py, -sin * px + cos * py) {
                        Some(v) => {
                            acc += v;
                            hit = true;
                        }
                        None => acc += img.p[y * w + x],
                    }
                }
            }
            if hit {
                img.p[y * w + x] = acc / (SS * SS) as f32;
            }
        }
    }

    let blur = rng.range(0.5, 1.3);
    img.blur(blur);

    let (lgx, lgy, vignette) = (
        rng.range(-0.35, 0.35),
        rng.range(-0.35, 0.35),
        rng.range(0.1, 0.35),
    );
    let (black, white) = (rng.range(10.0, 60.0), rng.range(175.0, 245.0));
    let glare = if rng.unit() < 0.4 {
        rng.range(15.0, 45.0)
    } else {
        0.0
    };
    let (gx, gy, gr) = (
        rng.range(0.0, w as f32),
        rng.range(0.0, h as f32),
        rng.range(60.0, 220.0),
    );
    let noise = rng.range(3.0, 10.0);
    for y in 0..h {
        for x in 0..w {
            let (nx, ny) = (x as f32 / w as f32 - 0.5, y as f32 / h as f32 - 0.5);
            let light = (1.0 + lgx * nx * 2.0 + lgy * ny * 2.0
                - vignette * (nx * nx + ny * ny) * 2.0)
                .max(0.3);
            let mut v = black + img.p[y * w + x] / 255.0 * light * (white - black);
            if glare > 0.0 {
                v += glare
                    * (-((x as f32 - gx).powi(2) + (y as f32 - gy).powi(2)) / (2.0 * gr * gr))
                        .exp();
            }
            img.p[y * w + x] = v + noise * rng.gauss();
        }
    }
    let image = GrayImage::from_fn(w as u32, h as u32, |x, y| {
        Luma([img.p[y as usize * w + x as usize].round().clamp(0.0, 255.0) as u8])
    });
    (
        image,
        SceneParams {
            version,
            angle_deg,
            fraction,
            px_per_module: m,
            blur,
            noise,
        },
    )
}
