//! Picture forms of the pass's QR code, for shells that prefer an image to drawing the
//! [`QrMatrix`] modules themselves. The drawing rules (quiet zone, whole-pixel modules) are the
//! core's.

use tempid_core::QrMatrix;
use tempid_core::qr::QrError;

/// The code as a PNG, `pixel_size × pixel_size`, black on white with the quiet zone.
#[uniffi::export]
pub fn qr_png(qr: QrMatrix, pixel_size: u32) -> Result<Vec<u8>, QrError> {
    qr.to_png(pixel_size)
}

/// The code as an SVG document (scales to any size).
#[uniffi::export]
pub fn qr_svg(qr: QrMatrix) -> String {
    qr.to_svg()
}
