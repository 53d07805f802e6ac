package org.tempid.ui

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import org.tempid.core.model.CertificateState
import org.tempid.core.model.HistoryEntry
import org.tempid.core.model.PassState
import org.tempid.core.model.TempIdException

class PassPresenterTest {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private val states = MutableStateFlow<PassState>(PassState.SignedOut)
    private val presenter = PassPresenter(states, scope, "出错了", "请稍后重试")

    @AfterEach
    fun stop() = scope.cancel()

    private fun awaitUi(predicate: (UiModel) -> Boolean): UiModel =
        runBlocking { withTimeout(5_000) { presenter.ui.first(predicate) } }

    /** The core pushes [state]; the test, like a person, acts once the screen shows it. */
    private fun push(state: PassState, shown: (Screen) -> Boolean) {
        states.value = state
        awaitUi { shown(it.screen) }
    }

    @Test
    fun `the screen follows the core's states`() {
        awaitUi { it.screen == Screen.SignIn }
        states.value = Fixtures.ready()
        awaitUi { it.screen is Screen.Home }
        states.value = Fixtures.showing(secondsToRefresh = 7u)
        val pass = awaitUi { it.screen is Screen.Pass }.screen as Screen.Pass
        assertEquals("0:07", pass.refreshIn)
        states.value = PassState.ReverificationRequired(Fixtures.EXPIRES_AT, false, false)
        awaitUi { it.screen is Screen.Reverify }
    }

    @Test
    fun `an invalid ID number is shown inline with the core's reason, and the form stays open`() {
        push(Fixtures.ready(consentGiven = true)) { it is Screen.Home }
        presenter.navigate(Route.FORM)
        awaitUi { it.screen is Screen.Form }
        presenter.submitApplication {
            throw TempIdException.InvalidIdNumber("wrong_check_character", "身份证号码校验码不正确", "请核对最后一位")
        }
        val ui = awaitUi { (it.screen as? Screen.Form)?.idNumberError != null && !it.busy }
        val form = ui.screen as Screen.Form
        assertEquals("wrong_check_character", form.idNumberError?.reason)
        assertNull(ui.problem, "inline, not a banner")
        presenter.clearFormProblem()
        awaitUi { it.screen == Screen.Form(null, null) }
    }

    @Test
    fun `other refusals become a banner with the next step, those the screen explains do not`() {
        push(Fixtures.ready(consentGiven = true)) { it is Screen.Home }
        presenter.perform { throw TempIdException.FaceCheckFailed("identity_mismatch", "人脸核验未通过", "请本人重新核验") }
        val ui = awaitUi { it.problem != null }
        assertEquals(NextStep.FACE_CHECK, ui.problem?.next)
        presenter.dismissProblem()
        awaitUi { it.problem == null }

        push(PassState.QuotaExhausted("2026-12-01", "请到车站公安制证口办理")) { it is Screen.QuotaExhausted }
        presenter.perform { throw TempIdException.QuotaExhausted("2026-12-01", "本月次数已用完", "请到车站公安制证口办理") }
        val quota = awaitUi { it.screen is Screen.QuotaExhausted && !it.busy }
        assertNull(quota.problem, "the quota screen already says it")
    }

    @Test
    fun `a refusal for missing consent opens the consent step`() {
        push(Fixtures.ready(consentGiven = false)) { it is Screen.Home }
        presenter.navigate(Route.FORM)
        presenter.submitApplication { throw TempIdException.ConsentRequired("请先同意", "勾选两项") }
        awaitUi { it.screen == Screen.Consent && !it.busy }
    }

    @Test
    fun `showing the pass closes the home flow's forms`() {
        push(Fixtures.ready(consentGiven = true)) { it is Screen.Home }
        presenter.navigate(Route.FORM)
        awaitUi { it.screen is Screen.Form }
        states.value = Fixtures.showing()
        awaitUi { it.screen is Screen.Pass }
        states.value = Fixtures.ready(consentGiven = true, pass = Fixtures.summary(canReapply = false))
        awaitUi { it.screen is Screen.Home }
    }

    @Test
    fun `history is loaded into its screen, and refresh reports online or offline`() {
        push(Fixtures.ready()) { it is Screen.Home }
        val entry = HistoryEntry("00112233aabbccdd", 1L, 2L, "上海", CertificateState.EXPIRED, "110105********002X")
        presenter.showHistory { listOf(entry) }
        val history = awaitUi { (it.screen as? Screen.History)?.entries != null }.screen as Screen.History
        assertEquals(CertificateState.EXPIRED, history.entries!!.single().state)

        push(Fixtures.showing()) { it is Screen.Pass }
        presenter.refresh { false }
        assertEquals(Notice.REFRESHED_OFFLINE, awaitUi { it.notice != null }.notice)
        presenter.refresh { true }
        assertEquals(Notice.REFRESHED_ONLINE, awaitUi { it.notice == Notice.REFRESHED_ONLINE }.notice)
        assertFalse(awaitUi { !it.busy }.busy)
    }
}
