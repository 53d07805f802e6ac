package org.tempid.ui

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertInstanceOf
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.tempid.core.model.CertificateState
import org.tempid.core.model.FaceCheckKind
import org.tempid.core.model.HistoryEntry
import org.tempid.core.model.PassState
import org.tempid.core.model.RevocationKind

class ScreenMapperTest {
    private fun screen(state: PassState?, route: Route = Route.HOME, problem: Problem? = null) =
        ScreenMapper.screen(state, route, problem)

    @Test
    fun `nothing yet, signed out, and the simple states`() {
        assertEquals(Screen.Starting, screen(null))
        assertEquals(Screen.SignIn, screen(PassState.SignedOut))
        assertEquals(Screen.Locating, screen(PassState.Locating))
        assertEquals(Screen.LocationDenied, screen(PassState.LocationDenied))
        assertEquals(Screen.LocationUnavailable("no fix"), screen(PassState.LocationUnavailable("no fix")))
        assertEquals(Screen.Consent, screen(PassState.AwaitingConsent))
        assertEquals(Screen.Working(Work.APPLYING), screen(PassState.Applying))
        assertEquals(Screen.Working(Work.REVERIFYING), screen(PassState.Reverifying))
        assertEquals(Screen.FaceCheck(FaceCheckKind.REVERIFY), screen(PassState.AwaitingFaceCheck(FaceCheckKind.REVERIFY)))
        assertEquals(Screen.UpdateRequired("2.0.0"), screen(PassState.UpdateRequired("2.0.0")))
        assertEquals(Screen.Revoked(superseded = true), screen(PassState.Revoked(RevocationKind.SUPERSEDED)))
        assertEquals(Screen.Revoked(superseded = false), screen(PassState.Revoked(RevocationKind.REVOKED)))
        assertEquals(Screen.Offline(null), screen(PassState.Offline(null)))
        assertEquals(Screen.Offline("2026-11-26 14:05"), screen(PassState.Offline(Fixtures.EXPIRES_AT)))
    }

    @Test
    fun `home shows the core's quota and offers applying only when the core does`() {
        val home = screen(Fixtures.ready()) as Screen.Home
        assertEquals(2u, home.quotaRemaining)
        assertEquals(3u, home.quotaLimit)
        assertEquals("2026-12-01", home.quotaResetsOn)
        assertEquals("北京", home.city)
        assertTrue(home.applyEnabled, "no pass: apply")
        assertNull(home.pass)

        val withPass = screen(Fixtures.ready(pass = Fixtures.summary(canReapply = false))) as Screen.Home
        assertFalse(withPass.applyEnabled, "a valid pass more than 3 h from expiry: no new application offered")
        assertEquals("2026-11-26 14:05", withPass.pass?.expiresAt)
        assertEquals("2026-11-26 11:05", withPass.pass?.reapplyFrom)
        assertEquals("张*丰", withPass.pass?.holderNameMasked)

        val reapply = screen(Fixtures.ready(pass = Fixtures.summary(canReapply = true, needsFaceCheck = true))) as Screen.Home
        assertTrue(reapply.applyEnabled, "the core offers re-applying")
        assertTrue(reapply.pass!!.needsFaceCheck)
    }

    @Test
    fun `the apply route asks for consent first, then the form with the core's inline reason`() {
        assertEquals(Screen.Consent, screen(Fixtures.ready(consentGiven = false), Route.FORM))
        assertEquals(Screen.Form(null, null), screen(Fixtures.ready(consentGiven = true), Route.CONSENT))
        val reason = Problem("invalid_id_number", "校验码不正确", "请核对身份证号码", NextStep.FIX_INPUT, Field.ID_NUMBER, "wrong_check_character")
        val form = screen(Fixtures.ready(consentGiven = true), Route.FORM, reason) as Screen.Form
        assertEquals(reason, form.idNumberError)
        assertNull(form.nameError)
    }

    @Test
    fun `the pass shows countdowns as a clock, expiry in Beijing time and the masked holder`() {
        val pass = screen(Fixtures.showing()) as Screen.Pass
        assertEquals("0:42", pass.refreshIn)
        assertEquals(42L, pass.refreshInSeconds)
        assertEquals("29:59", pass.reverifyIn)
        assertEquals("2026-11-26 14:05", pass.expiresAt)
        assertEquals("110105 ******** 002X", pass.idNumberMasked)
        assertEquals("张*丰", pass.holderNameMasked)
        assertEquals("TID1:ABC", pass.frameText)
        assertFalse(pass.canReapply)
        assertTrue((screen(Fixtures.showing(canReapply = true)) as Screen.Pass).canReapply)
    }

    @Test
    fun `re-verification, expiry and quota come straight from the core`() {
        val reverify = screen(PassState.ReverificationRequired(Fixtures.EXPIRES_AT, false, true)) as Screen.Reverify
        assertTrue(reverify.newDevice)
        assertEquals("2026-11-26 14:05", reverify.expiresAt)
        assertEquals(Screen.Expired("2026-11-26 14:05", true), screen(PassState.Expired(Fixtures.EXPIRES_AT, true)))
        val quota = screen(PassState.QuotaExhausted("2026-12-01", "请到车站公安制证口办理")) as Screen.QuotaExhausted
        assertEquals("2026-12-01", quota.resetsOn)
        assertEquals("请到车站公安制证口办理", quota.hint)
    }

    @Test
    fun `history rows are formatted, and loading shows no rows yet`() {
        assertEquals(Screen.History(null), ScreenMapper.screen(Fixtures.ready(), Route.HISTORY, null, null))
        val entry = HistoryEntry("00112233aabbccdd", Fixtures.EXPIRES_AT - 86_400, Fixtures.EXPIRES_AT, "上海", CertificateState.VALID, "110105********002X")
        val history = ScreenMapper.screen(Fixtures.ready(), Route.HISTORY, null, listOf(entry))
        assertInstanceOf(Screen.History::class.java, history)
        val row = (history as Screen.History).entries!!.single()
        assertEquals("2026-11-25 14:05", row.issuedAt)
        assertEquals("110105 ******** 002X", row.idNumberMasked)
        assertEquals(CertificateState.VALID, row.state)
    }
}
