//! Camera input: an image (PNG or JPEG, grey or colour) → luma → QR decoder → the texts of the
//! QR codes in view.
//!
//! The decoder is ZXing-C++ (through the `zxing-cpp` crate, built from its bundled sources),
//! the library the reference decoder is measured against. By default it looks for QR codes
//! only, without the extra passes for rotated 1D barcodes, inverted (light-on-dark) codes and
//! downscaled copies: a QR detector is rotation-invariant and the app always draws dark modules
//! on a light screen, so those passes cost time and find nothing more. If the first pass finds
//! nothing, a second pass runs on a 1.5× upscaled copy, which recovers small, blurred codes
//! (about 3 pixels per module) whose finder patterns the first pass misses; a gate reading a
//! live camera stream may turn that off and simply take the next frame. See
//! `gate/benches/README.md` for the measurements behind these choices.

use std::io::Cursor;

use image::{DynamicImage, GrayImage, ImageReader, Limits};
use tempid_protocol::FRAME_PREFIX;
use zxingcpp::{BarcodeFormat, ImageFormat, ImageView};

/// The largest image accepted, per side (a 4K camera frame fits; a decompression bomb does
/// not).
pub const MAX_IMAGE_SIDE: u32 = 8192;
/// The factor of the second, upscaled pass.
pub const UPSCALE_RETRY: f32 = 1.5;

/// How hard the decoder looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodeOptions {
    /// Also run ZXing's rotation, inversion and downscaling passes (its defaults).
    pub thorough: bool,
    /// If the first pass finds nothing, look again on a copy upscaled by this factor.
    pub upscale_retry: Option<f32>,
}

impl Default for DecodeOptions {
    /// QR only, no extra passes, a 1.5× upscaled second pass.
    fn default() -> Self {
        Self {
            thorough: false,
            upscale_retry: Some(UPSCALE_RETRY),
        }
    }
}

/// Why an image gave no QR text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CameraError {
    /// Not a PNG or JPEG image, truncated, or too large.
    #[error("not a readable PNG or JPEG image: {0}")]
    Unreadable(String),
    /// The image holds no readable QR code.
    #[error("no readable QR code in the image")]
    NoQrCode,
}

/// Decodes an image file's bytes to luma. Transparent pixels count as white (a code drawn on
/// a transparent background).
pub fn load_luma(bytes: &[u8]) -> Result<GrayImage, CameraError> {
    let unreadable = |e: image::ImageError| CameraError::Unreadable(e.to_string());
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| CameraError::Unreadable(e.to_string()))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    reader.limits(limits);
    let image = reader.decode().map_err(unreadable)?;
    Ok(to_luma(&image))
}

fn to_luma(image: &DynamicImage) -> GrayImage {
    match image {
        DynamicImage::ImageLuma8(grey) => grey.clone(),
        image if image.color().has_alpha() => {
            let rgba = image.to_rgba8();
            let mut grey = image.to_luma8();
            for (out, px) in grey.pixels_mut().zip(rgba.pixels()) {
                let alpha = u16::from(px.0[3]);
                let luma = u16::from(out.0[0]);
                out.0[0] =
                    u8::try_from((luma * alpha + 255 * (255 - alpha)) / 255).unwrap_or(u8::MAX);
            }
            grey
        }
        image => image.to_luma8(),
    }
}

/// The texts of the QR codes in an image file (PNG or JPEG).
pub fn decode_qr_texts(bytes: &[u8], options: &DecodeOptions) -> Result<Vec<String>, CameraError> {
    scan_luma(&load_luma(bytes)?, options)
}

/// The texts of the QR codes in a luma image (a camera's Y plane).
pub fn scan_luma(image: &GrayImage, options: &DecodeOptions) -> Result<Vec<String>, CameraError> {
    let texts = read_qr(image, options.thorough)?;
    if !texts.is_empty() {
        return Ok(texts);
    }
    let texts = match options.upscale_retry {
        Some(factor) if factor > 1.0 => read_qr(&upscale(image, factor), options.thorough)?,
        _ => texts,
    };
    if texts.is_empty() {
        Err(CameraError::NoQrCode)
    } else {
        Ok(texts)
    }
}

fn read_qr(image: &GrayImage, thorough: bool) -> Result<Vec<String>, CameraError> {
    let view = ImageView::from_slice(
        image.as_raw(),
        image.width(),
        image.height(),
        ImageFormat::Lum,
    )
    .map_err(|e| CameraError::Unreadable(e.to_string()))?;
    let mut reader = zxingcpp::read().formats([BarcodeFormat::QRCode]);
    if !thorough {
        reader = reader
            .try_rotate(false)
            .try_invert(false)
            .try_downscale(false);
    }
    let codes = reader
        .from(view)
        .map_err(|e| CameraError::Unreadable(e.to_string()))?;
    Ok(codes
        .iter()
        .map(|code| code.text())
        .filter(|text| !text.is_empty())
        .collect())
}

/// The text to verify among the codes found: the first tempid frame, else the first code (which
/// is then refused as `malformed`).
pub fn pick_frame_text(texts: &[String]) -> String {
    texts
        .iter()
        .find(|t| t.starts_with(FRAME_PREFIX))
        .or_else(|| texts.first())
        .cloned()
        .unwrap_or_default()
}

/// Bilinear resampling by `factor` (pixel centres aligned).
pub fn upscale(image: &GrayImage, factor: f32) -> GrayImage {
    let (w, h) = (image.width(), image.height());
    if w == 0 || h == 0 {
        return image.clone();
    }
    let new_w = ((w as f32) * factor).round().max(1.0) as u32;
    let new_h = ((h as f32) * factor).round().max(1.0) as u32;
    let src = image.as_raw();
    let (w, h) = (w as usize, h as usize);
    let sample = |pos: u32, len: usize| {
        let s = ((pos as f32 + 0.5) / factor - 0.5).clamp(0.0, (len - 1) as f32);
        let i0 = s.floor() as usize;
        (i0, (i0 + 1).min(len - 1), s - i0 as f32)
    };
    let columns: Vec<(usize, usize, f32)> = (0..new_w).map(|x| sample(x, w)).collect();
    let mut out = Vec::with_capacity(new_w as usize * new_h as usize);
    for y in 0..new_h {
        let (y0, y1, fy) = sample(y, h);
        let (row0, row1) = (&src[y0 * w..(y0 + 1) * w], &src[y1 * w..(y1 + 1) * w]);
        for &(x0, x1, fx) in &columns {
            let top = f32::from(row0[x0]) + (f32::from(row0[x1]) - f32::from(row0[x0])) * fx;
            let bottom = f32::from(row1[x0]) + (f32::from(row1[x1]) - f32::from(row1[x0])) * fx;
            out.push((top + (bottom - top) * fy + 0.5) as u8);
        }
    }
    GrayImage::from_raw(new_w, new_h, out).unwrap_or_else(|| image.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upscaling_keeps_flat_areas_and_scales_the_size() {
        let image = GrayImage::from_pixel(10, 4, image::Luma([77]));
        let big = upscale(&image, 1.5);
        assert_eq!(big.dimensions(), (15, 6));
        assert!(big.pixels().all(|p| p.0[0] == 77));
    }

    #[test]
    fn transparency_is_white() {
        let rgba = image::RgbaImage::from_pixel(2, 2, image::Rgba([0, 0, 0, 0]));
        let grey = to_luma(&DynamicImage::ImageRgba8(rgba));
        assert!(grey.pixels().all(|p| p.0[0] == 255));
    }

    #[test]
    fn the_tempid_frame_is_picked_among_codes() {
        let texts = vec!["HTTPS://X".to_string(), "TID1:ABC".to_string()];
        assert_eq!(pick_frame_text(&texts), "TID1:ABC");
        assert_eq!(pick_frame_text(&texts[..1]), "HTTPS://X");
    }
}
