package org.tempid.app

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import kotlinx.coroutines.flow.StateFlow
import org.tempid.core.model.ApplicationForm
import org.tempid.core.passStates
import org.tempid.ui.PassPresenter
import org.tempid.ui.Route
import org.tempid.ui.UiModel

/**
 * A thin wrapper: the presenter (pure Kotlin, JVM-tested) holds the screen logic; this forwards
 * taps to the core. No rule lives here.
 */
class PassViewModel(application: Application) : AndroidViewModel(application) {
    private val app = application as TempIdApplication
    private val client = app.client
    private val presenter = PassPresenter(
        states = client.passStates(),
        scope = viewModelScope,
        fallbackMessage = application.getString(R.string.error_generic),
        fallbackHint = application.getString(R.string.error_generic_hint),
    )

    /** What to draw. */
    val ui: StateFlow<UiModel> = presenter.ui

    init {
        presenter.perform { client.start() }
    }

    fun login(username: String, password: String) = presenter.perform { client.login(username, password) }
    fun register(username: String, password: String) = presenter.perform { client.register(username, password) }
    fun continueAsGuest() = presenter.perform { client.continueAsGuest() }
    fun relocate() = presenter.perform { client.locate() }
    fun startApplication() = presenter.navigate(Route.FORM)
    fun giveConsent() {
        client.giveConsent(true, true)
        presenter.navigate(Route.FORM)
    }
    fun backHome() = presenter.navigate(Route.HOME)
    /** "Back" / "OK" of a notice the core shows (quota exhausted, location denied or unavailable). */
    fun leaveNotice() {
        client.dismiss()
        presenter.navigate(Route.HOME)
    }
    fun apply(idNumber: String, name: String) = presenter.submitApplication { client.apply(ApplicationForm(idNumber, name)) }
    fun editedForm() = presenter.clearFormProblem()
    fun openPass() = presenter.perform { client.openPass() }
    fun closePass() = client.closePass()
    fun reverify() = presenter.perform { client.reverify() }
    fun refresh() = presenter.refresh { client.refresh().synced }
    fun history() = presenter.showHistory { client.history() }
    fun logout() = presenter.perform { client.logout() }
    fun clearCache() = presenter.perform { client.clearCache() }
    fun dismissProblem() = presenter.dismissProblem()
}
