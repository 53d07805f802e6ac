package org.tempid.ui

import org.tempid.core.model.QrMatrix

/**
 * Where to paint a [QrMatrix] in a square of `sizePx`: whole-pixel modules (crisp edges a
 * scanner likes), the quiet zone kept light, the code centred. Dark modules are merged into
 * horizontal runs so a Canvas draws a few hundred rectangles instead of thousands.
 */
data class QrLayout(
    /** Side of one module, in whole pixels. */
    val modulePx: Int,
    /** Left/top of the first (non-quiet-zone) module. */
    val originPx: Int,
    /** Dark runs: row, first column, length (in modules). */
    val runs: List<Run>,
    /** Modules per side including the quiet zone. */
    val totalModules: Int,
) {
    /** One horizontal run of dark modules. */
    data class Run(val row: Int, val column: Int, val length: Int)

    companion object {
        /** The layout for [matrix] in a `sizePx` square; module size at least 1 px. */
        fun of(matrix: QrMatrix, sizePx: Int): QrLayout {
            val width = matrix.width.toInt()
            val quiet = matrix.quietZone.toInt()
            val total = width + 2 * quiet
            val module = (sizePx / total).coerceAtLeast(1)
            val origin = ((sizePx - module * total) / 2).coerceAtLeast(0) + module * quiet
            val runs = ArrayList<Run>()
            for (y in 0 until width) {
                var x = 0
                while (x < width) {
                    if (matrix.modules[y * width + x]) {
                        val start = x
                        while (x < width && matrix.modules[y * width + x]) x++
                        runs += Run(y, start, x - start)
                    } else {
                        x++
                    }
                }
            }
            return QrLayout(module, origin, runs, total)
        }
    }
}
