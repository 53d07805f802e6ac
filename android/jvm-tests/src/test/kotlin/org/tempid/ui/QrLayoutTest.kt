package org.tempid.ui

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class QrLayoutTest {
    @Test
    fun `modules are whole pixels, centred, with the quiet zone light`() {
        val layout = QrLayout.of(Fixtures.matrix, 300)
        assertEquals(29, layout.totalModules)
        assertEquals(10, layout.modulePx) // 300 / 29
        // (300 - 290) / 2 = 5 px of slack, then 4 modules of quiet zone.
        assertEquals(5 + 40, layout.originPx)
        // The first row is one run of 21; below, a checkerboard (single modules).
        assertEquals(QrLayout.Run(0, 0, 21), layout.runs.first())
        assertTrue(layout.runs.drop(1).all { it.length == 1 })
        val dark = Fixtures.matrix.modules.count { it }
        assertEquals(dark, layout.runs.sumOf { it.length })
    }

    @Test
    fun `a tiny canvas still gets one pixel per module`() {
        assertEquals(1, QrLayout.of(Fixtures.matrix, 10).modulePx)
    }
}
