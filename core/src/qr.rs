//! QR rendering of a frame's text: the module matrix (for native drawing), PNG and RGBA at a
//! requested pixel size, and SVG. Error correction level M, a quiet zone of 4 modules, black on
//! white. The text (`TID1:` + base45) is all QR-alphanumeric, so the encoder picks alphanumeric
//! mode and the code stays a low version that every gate scanner reads.

use fast_qr::{ECL, QRBuilder};
use image::ImageEncoder as _;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};

/// The light border around the code, in modules (ISO/IEC 18004 requires 4).
pub const QUIET_ZONE_MODULES: u32 = 4;

/// Why a text could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Error))]
pub enum QrError {
    /// The text does not fit in a QR code at level M.
    #[error("the text is too long for a QR code")]
    TooLong,
    /// The requested size cannot hold one pixel per module.
    #[error("{pixel_size} px cannot hold {modules} modules")]
    TooSmall {
        /// The requested size.
        pixel_size: u32,
        /// Modules per side, quiet zone included.
        modules: u32,
    },
}

/// A QR code's modules, for drawing natively: `width × width` booleans, row by row, `true` for a
/// dark module. The quiet zone is not included; leave [`QrMatrix::quiet_zone`] light modules
/// around it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QrMatrix {
    /// Modules per side, without the quiet zone.
    pub width: u32,
    /// The QR version (1–40).
    pub version: u32,
    /// Light modules to leave on each side.
    pub quiet_zone: u32,
    /// Row-major modules, `true` = dark.
    pub modules: Vec<bool>,
}

impl QrMatrix {
    /// Encodes `text` at error correction level M.
    pub fn encode(text: &str) -> Result<Self, QrError> {
        // fast_qr: about 6x faster than the `qrcode` crate for a frame (see benches/pass.rs),
        // same version and mask rules; the smallest version that fits at level M.
        let code = QRBuilder::new(text.as_bytes())
            .ecl(ECL::M)
            .build()
            .map_err(|_| QrError::TooLong)?;
        let width = u32::try_from(code.size).map_err(|_| QrError::TooLong)?;
        let version = width.saturating_sub(17) / 4;
        let modules = code
            .data
            .get(..code.size * code.size)
            .ok_or(QrError::TooLong)?
            .iter()
            .map(|m| m.value())
            .collect();
        Ok(Self {
            width,
            version,
            quiet_zone: QUIET_ZONE_MODULES,
            modules,
        })
    }

    /// Modules per side including the quiet zone on both sides.
    pub fn total_width(&self) -> u32 {
        self.width + 2 * self.quiet_zone
    }

    /// Whether the module at (`x`, `y`) (quiet zone excluded) is dark.
    pub fn is_dark(&self, x: u32, y: u32) -> bool {
        x < self.width
            && y < self.width
            && self
                .modules
                .get((y * self.width + x) as usize)
                .copied()
                .unwrap_or(false)
    }

    /// The code as 8-bit grey pixels, `pixel_size × pixel_size`: each module a whole number of
    /// pixels, centred, the remainder light (so the code stays crisp).
    pub fn to_luma(&self, pixel_size: u32) -> Result<Vec<u8>, QrError> {
        let total = self.total_width();
        let scale = pixel_size / total;
        if scale == 0 {
            return Err(QrError::TooSmall {
                pixel_size,
                modules: total,
            });
        }
        let size = pixel_size as usize;
        let mut pixels = vec![255u8; size * size];
        let margin = ((pixel_size - scale * total) / 2 + scale * self.quiet_zone) as usize;
        let scale = scale as usize;
        let width = self.width as usize;
        for y in 0..width {
            let row = &self.modules[y * width..(y + 1) * width];
            // Draw one pixel row of this module row, then copy it down `scale` times.
            let start = (margin + y * scale) * size;
            {
                let line = &mut pixels[start..start + size];
                for (x, dark) in row.iter().enumerate() {
                    if *dark {
                        let from = margin + x * scale;
                        line[from..from + scale].fill(0);
                    }
                }
            }
            for k in 1..scale {
                pixels.copy_within(start..start + size, start + k * size);
            }
        }
        Ok(pixels)
    }

    /// The code as RGBA pixels (`pixel_size² × 4` bytes), for platforms that draw bitmaps.
    pub fn to_rgba(&self, pixel_size: u32) -> Result<Vec<u8>, QrError> {
        let luma = self.to_luma(pixel_size)?;
        let mut rgba = Vec::with_capacity(luma.len() * 4);
        for v in luma {
            rgba.extend_from_slice(&[v, v, v, 255]);
        }
        Ok(rgba)
    }

    /// The code as a greyscale PNG of `pixel_size × pixel_size`.
    pub fn to_png(&self, pixel_size: u32) -> Result<Vec<u8>, QrError> {
        let luma = self.to_luma(pixel_size)?;
        let mut png = Vec::with_capacity(8 * 1024);
        // Fast deflate: a QR image compresses well anyway (a few KB), and this is on the
        // per-frame path.
        PngEncoder::new_with_quality(&mut png, CompressionType::Fast, FilterType::Sub)
            .write_image(&luma, pixel_size, pixel_size, image::ExtendedColorType::L8)
            .map_err(|_| QrError::TooSmall {
                pixel_size,
                modules: self.total_width(),
            })?;
        Ok(png)
    }

    /// The code as an SVG document whose unit is one module (quiet zone included); it scales to
    /// any size without blurring.
    pub fn to_svg(&self) -> String {
        let total = self.total_width();
        let mut path = String::with_capacity(self.modules.len() * 4);
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if self.is_dark(x, y) {
                    let start = x;
                    while x < self.width && self.is_dark(x, y) {
                        x += 1;
                    }
                    let q = self.quiet_zone;
                    path.push_str(&format!(
                        "M{} {}h{}v1h-{}z",
                        start + q,
                        y + q,
                        x - start,
                        x - start
                    ));
                } else {
                    x += 1;
                }
            }
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {total} {total}\" shape-rendering=\"crispEdges\">\
             <rect width=\"{total}\" height=\"{total}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempid_protocol::Frame;
    use tempid_protocol::fixtures::{fixture_certificate, fixture_device_key};

    fn frame_text() -> String {
        let (cert, _) = fixture_certificate();
        Frame::sign(&cert, 29_926_080, &fixture_device_key())
            .expect("sign")
            .to_text()
    }

    #[test]
    fn a_frame_is_a_low_version_code_with_a_quiet_zone() {
        let matrix = QrMatrix::encode(&frame_text()).expect("encode");
        assert!(matrix.version <= 12, "version {}", matrix.version);
        assert_eq!(matrix.width, 17 + 4 * matrix.version);
        assert_eq!(matrix.modules.len(), (matrix.width * matrix.width) as usize);
        assert_eq!(matrix.quiet_zone, 4);
        assert_eq!(matrix.total_width(), matrix.width + 8);
        // The three finder patterns: dark corners.
        assert!(
            matrix.is_dark(0, 0)
                && matrix.is_dark(matrix.width - 1, 0)
                && matrix.is_dark(0, matrix.width - 1)
        );
    }

    #[test]
    fn png_decodes_back_to_the_frame_text() {
        let text = frame_text();
        let matrix = QrMatrix::encode(&text).expect("encode");
        let png = matrix.to_png(512).expect("png");
        let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .expect("decodes")
            .to_luma8();
        assert_eq!(image.dimensions(), (512, 512));
        // The quiet zone: the border rows and columns are light.
        let scale = 512 / matrix.total_width();
        let margin = (512 - scale * matrix.total_width()) / 2 + scale * 4;
        for i in 0..512 {
            for edge in 0..margin {
                assert_eq!(image.get_pixel(i, edge).0[0], 255);
                assert_eq!(image.get_pixel(edge, i).0[0], 255);
            }
        }
        assert_eq!(
            image.get_pixel(margin, margin).0[0],
            0,
            "the finder pattern starts after the quiet zone"
        );
        let mut prepared = rqrr::PreparedImage::prepare(image);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().expect("decodes");
        assert_eq!(content, text);
    }

    #[test]
    fn rgba_and_svg_have_the_requested_shape() {
        let matrix = QrMatrix::encode(&frame_text()).expect("encode");
        assert_eq!(matrix.to_rgba(300).expect("rgba").len(), 300 * 300 * 4);
        let svg = matrix.to_svg();
        assert!(
            svg.starts_with("<svg")
                && svg.contains(&format!(
                    "viewBox=\"0 0 {t} {t}\"",
                    t = matrix.total_width()
                ))
        );
        assert!(matches!(matrix.to_png(10), Err(QrError::TooSmall { .. })));
    }

    #[test]
    fn the_text_encodes_in_alphanumeric_mode() {
        // Byte mode would need 8 bits a character: a 300-character text would not fit version 10
        // at level M. In alphanumeric mode it does.
        let text = format!("TID1:{}", "A".repeat(300));
        assert!(QrMatrix::encode(&text).expect("encode").version <= 10);
    }
}
