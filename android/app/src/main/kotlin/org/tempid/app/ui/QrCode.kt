package org.tempid.app.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.role
import androidx.compose.ui.semantics.semantics
import org.tempid.core.model.QrMatrix
import org.tempid.ui.QrLayout

/**
 * The QR code drawn natively from the core's module matrix: black on white, whole-pixel modules,
 * the quiet zone kept white. [description] tells TalkBack what the code is for.
 */
@Composable
fun QrCode(matrix: QrMatrix, description: String, modifier: Modifier = Modifier) {
    Canvas(
        modifier
            .fillMaxWidth()
            .aspectRatio(1f)
            .background(Color.White)
            .semantics {
                contentDescription = description
                role = Role.Image
            },
    ) {
        val layout = QrLayout.of(matrix, size.minDimension.toInt())
        val m = layout.modulePx.toFloat()
        for (run in layout.runs) {
            drawRect(
                color = Color.Black,
                topLeft = Offset(layout.originPx + run.column * m, layout.originPx + run.row * m),
                size = Size(run.length * m, m),
            )
        }
    }
}
