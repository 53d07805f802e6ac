package org.tempid.ui

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.combine
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.flow.filterNotNull
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.stateIn
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import org.tempid.core.model.HistoryEntry
import org.tempid.core.model.PassState

/**
 * The screens' presenter, shared by the Android ViewModel (and mirrored by the iOS model): it
 * turns the core's `Flow<PassState>` plus the little the UI keeps itself (which form is open,
 * the last refusal, whether a tap is being handled) into one [UiModel].
 *
 * It decides nothing the core decides: taps are forwarded as suspend calls into the binding
 * ([perform] and friends), and what they throw is shown with the core's own words.
 *
 * @param fallbackMessage text for a failure that is not the core's (a shell bug).
 * @param fallbackHint what to do about it.
 */
class PassPresenter(
    states: Flow<PassState>,
    private val scope: CoroutineScope,
    private val fallbackMessage: String,
    private val fallbackHint: String,
) {
    private data class Local(
        val route: Route = Route.HOME,
        val formProblem: Problem? = null,
        val history: List<HistoryEntry>? = null,
        val problem: Problem? = null,
        val busy: Boolean = false,
        val notice: Notice? = null,
    )

    private val local = MutableStateFlow(Local())

    /** The last state the core pushed (null before the first). */
    val state: StateFlow<PassState?> = states.stateIn(scope, SharingStarted.Eagerly, null)

    /** What to draw. */
    val ui: StateFlow<UiModel> = combine(state, local) { s, l ->
        UiModel(ScreenMapper.screen(s, l.route, l.formProblem, l.history), l.problem, l.busy, l.notice)
    }.stateIn(scope, SharingStarted.Eagerly, UiModel(Screen.Starting))

    init {
        // Leaving the home flow (the pass is shown, signed out …) closes any form that was open,
        // so coming back lands on the home screen. Only the moment of leaving counts: a late
        // per-second update of the same screen must not undo a tap made since.
        scope.launch {
            state.filterNotNull()
                .map { !inHomeFlow(it) }
                .distinctUntilChanged()
                .filter { it }
                .collect { local.update { it.copy(route = Route.HOME, formProblem = null) } }
        }
    }

    /** Opens a form of the home flow. */
    fun navigate(to: Route) {
        local.update { it.copy(route = to, formProblem = if (to == Route.FORM) it.formProblem else null, notice = null) }
    }

    /** Hides the banner. */
    fun dismissProblem() {
        local.update { it.copy(problem = null, notice = null) }
    }

    /**
     * Runs a tap's call into the binding: marks the UI busy, and shows what it throws. Refusals
     * the current screen already explains (the location screens, the quota screen, the update
     * screen: the core switched state for them) are not repeated in a banner.
     */
    fun perform(block: suspend () -> Unit): Job = scope.launch {
        local.update { it.copy(busy = true, problem = null, notice = null) }
        try {
            block()
            local.update { it.copy(busy = false) }
        } catch (e: CancellationException) {
            local.update { it.copy(busy = false) }
            throw e
        } catch (e: Exception) {
            val problem = Problems.of(e, fallbackMessage, fallbackHint)
            local.update { it.copy(busy = false, problem = problem.takeUnless(::shownByScreen)) }
        }
    }

    /**
     * Submits the ID number and name ([apply] calls the binding's `apply`). A refusal of the
     * ID number or name is shown inline under that field with the core's exact reason.
     */
    fun submitApplication(apply: suspend () -> Unit): Job = scope.launch {
        local.update { it.copy(busy = true, problem = null, formProblem = null, notice = null) }
        try {
            apply()
            local.update { it.copy(busy = false, route = Route.HOME) }
        } catch (e: CancellationException) {
            local.update { it.copy(busy = false) }
            throw e
        } catch (e: Exception) {
            val problem = Problems.of(e, fallbackMessage, fallbackHint)
            val inline = problem.field == Field.ID_NUMBER || problem.field == Field.NAME
            local.update {
                it.copy(
                    busy = false,
                    formProblem = problem.takeIf { inline },
                    problem = problem.takeUnless { inline || shownByScreen(it) },
                    route = if (problem.next == NextStep.GIVE_CONSENT) Route.CONSENT else it.route,
                )
            }
        }
    }

    /** Forgets the inline refusal once the person edits the field again. */
    fun clearFormProblem() {
        local.update { it.copy(formProblem = null) }
    }

    /** Opens the history and reads it ([fetch] calls the binding's `history`). */
    fun showHistory(fetch: suspend () -> List<HistoryEntry>): Job {
        local.update { it.copy(route = Route.HISTORY, history = null) }
        return perform {
            val entries = fetch()
            local.update { it.copy(history = entries) }
        }
    }

    /**
     * The refresh button ([refresh] calls the binding's `refresh` and says whether the issuer
     * answered). Offline, the code is still redrawn and the notice says so.
     */
    fun refresh(refresh: suspend () -> Boolean): Job = perform {
        val synced = refresh()
        local.update { it.copy(notice = if (synced) Notice.REFRESHED_ONLINE else Notice.REFRESHED_OFFLINE) }
    }

    private fun inHomeFlow(s: PassState): Boolean =
        s is PassState.Ready || s is PassState.AwaitingConsent || s is PassState.Locating ||
            s is PassState.LocationDenied || s is PassState.LocationUnavailable

    private fun shownByScreen(problem: Problem): Boolean =
        problem.code == "location_required" || problem.code == "quota_exhausted" || problem.code == "update_required"
}
