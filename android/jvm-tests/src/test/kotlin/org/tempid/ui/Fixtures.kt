package org.tempid.ui

import org.tempid.core.model.PassState
import org.tempid.core.model.PassSummary
import org.tempid.core.model.QrMatrix
import org.tempid.core.model.QuotaInfo

/** States as the core pushes them, for the UI tests. 2026-11-26 06:05:00 UTC = 14:05 in Beijing. */
internal object Fixtures {
    const val EXPIRES_AT = 1_795_673_100L
    const val REAPPLY_FROM = EXPIRES_AT - 3 * 3600

    val quota = QuotaInfo(limit = 3u, used = 1u, remaining = 2u, resetsOn = "2026-12-01")

    fun ready(
        consentGiven: Boolean = false,
        pass: PassSummary? = null,
        city: String? = "北京",
        offline: Boolean = false,
    ): PassState = PassState.Ready(
        quota = quota,
        city = city,
        guest = false,
        consentGiven = consentGiven,
        currentPass = pass,
        offline = offline,
    )

    fun summary(canReapply: Boolean, needsFaceCheck: Boolean = false) = PassSummary(
        expiresAt = EXPIRES_AT,
        reapplyFrom = REAPPLY_FROM,
        canReapply = canReapply,
        needsFaceCheck = needsFaceCheck,
        holderNameMasked = "张*丰",
    )

    /** A 21×21 matrix: a dark first row and a checkerboard below. */
    val matrix = QrMatrix(
        width = 21u,
        version = 1u,
        quietZone = 4u,
        modules = List(21 * 21) { i -> i < 21 || ((i / 21) + (i % 21)) % 2 == 0 },
    )

    fun showing(secondsToRefresh: UInt = 42u, secondsToReverify: UInt = 1799u, canReapply: Boolean = false) =
        PassState.Showing(
            frameText = "TID1:ABC",
            qr = matrix,
            slot = 29_927_885L,
            secondsToRefresh = secondsToRefresh,
            secondsToReverify = secondsToReverify,
            expiresAt = EXPIRES_AT,
            holderNameMasked = "张*丰",
            idNumberMasked = "110105********002X",
            canReapply = canReapply,
            reapplyFrom = REAPPLY_FROM,
            offline = false,
            lastSynced = null,
        )
}
