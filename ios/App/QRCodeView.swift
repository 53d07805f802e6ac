import SwiftUI
import TempIdCore

/// The QR code drawn natively from the core's module matrix: black on white, whole-point
/// modules, the quiet zone kept white, dark runs merged into rectangles. `label` tells
/// VoiceOver what the code is for.
struct QRCodeView: View {
    let matrix: QrMatrix
    let label: String

    var body: some View {
        Canvas { context, size in
            let width = Int(matrix.width)
            let total = width + 2 * Int(matrix.quietZone)
            let side = min(size.width, size.height)
            let module = max(1, floor(side / CGFloat(total)))
            let origin = floor((side - module * CGFloat(total)) / 2) + module * CGFloat(matrix.quietZone)
            context.fill(Path(CGRect(x: 0, y: 0, width: side, height: side)), with: .color(.white))
            var path = Path()
            for y in 0..<width {
                var x = 0
                while x < width {
                    if matrix.modules[y * width + x] {
                        let start = x
                        while x < width && matrix.modules[y * width + x] { x += 1 }
                        path.addRect(CGRect(x: origin + CGFloat(start) * module, y: origin + CGFloat(y) * module,
                                            width: CGFloat(x - start) * module, height: module))
                    } else {
                        x += 1
                    }
                }
            }
            context.fill(path, with: .color(.black))
        }
        .aspectRatio(1, contentMode: .fit)
        .accessibilityElement()
        .accessibilityAddTraits(.isImage)
        .accessibilityLabel(label)
    }
}
