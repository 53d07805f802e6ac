package org.tempid.ui

import org.tempid.core.model.FaceCheckKind
import org.tempid.core.model.HistoryEntry
import org.tempid.core.model.PassState
import org.tempid.core.model.QrMatrix
import org.tempid.core.model.RevocationKind

/**
 * Where the person is inside the signed-in home flow. This is navigation only (which form is
 * open), never a rule: whether applying is allowed, how many applications are left and when a
 * pass must be re-verified all come from the core's [PassState].
 */
enum class Route {
    /** The home screen. */
    HOME,

    /** Consent and "I am the holder". */
    CONSENT,

    /** ID number and name. */
    FORM,

    /** Applications of the last month. */
    HISTORY,
}

/** What to draw. One case per screen of the app; each carries what its widgets need. */
sealed interface Screen {
    /** Before the core has reported anything (start-up). */
    data object Starting : Screen

    /** Log in, register, or continue as a guest. */
    data object SignIn : Screen

    /** Home: city, quota, the current pass, apply / re-apply, history, log out. */
    data class Home(
        val city: String?,
        val guest: Boolean,
        /** `"2 / 3"`-style numbers, or null when the core does not know them yet. */
        val quotaRemaining: UInt?,
        val quotaLimit: UInt?,
        val quotaResetsOn: String?,
        val consentGiven: Boolean,
        val pass: PassCard?,
        /** The apply button: shown when there is no pass, or the core offers re-applying. */
        val applyEnabled: Boolean,
        val offline: Boolean,
    ) : Screen

    /** Consent and self-confirmation; both boxes must be ticked to continue. */
    data object Consent : Screen

    /** ID number and name; [idNumberError]/[nameError] hold the core's exact reason. */
    data class Form(val idNumberError: Problem?, val nameError: Problem?) : Screen

    /** The platform is finding the city. */
    data object Locating : Screen

    /** Location permission denied: rationale, a link to the settings, "re-locate". */
    data object LocationDenied : Screen

    /** No position: "re-locate". */
    data class LocationUnavailable(val reason: String) : Screen

    /** A request is under way (apply, re-verify). */
    data class Working(val what: Work) : Screen

    /** The face SDK is running. */
    data class FaceCheck(val kind: FaceCheckKind) : Screen

    /** The QR code. */
    data class Pass(
        val frameText: String,
        val qr: QrMatrix,
        /** `0:42` */
        val refreshIn: String,
        val refreshInSeconds: Long,
        /** `29:59` */
        val reverifyIn: String,
        val reverifyInSeconds: Long,
        /** China Standard Time, `2026-11-26 14:05`. */
        val expiresAt: String,
        val holderNameMasked: String,
        /** Grouped: `110105 ******** 002X`. */
        val idNumberMasked: String,
        val canReapply: Boolean,
        /** China Standard Time, `2026-11-26 11:05`. */
        val reapplyFrom: String,
        val offline: Boolean,
        val lastSynced: String?,
    ) : Screen

    /** The QR is withdrawn until a face check. */
    data class Reverify(val expiresAt: String, val canReapply: Boolean, val newDevice: Boolean) : Screen

    /** The certificate has expired: re-apply, or the staffed channel. */
    data class Expired(val expiredAt: String, val canReapply: Boolean) : Screen

    /** Revoked, or replaced by a newer application. */
    data class Revoked(val superseded: Boolean) : Screen

    /** No applications left this month: the police window, and when the quota resets. */
    data class QuotaExhausted(val resetsOn: String, val hint: String) : Screen

    /** The issuer cannot be reached and there is no pass. */
    data class Offline(val lastSynced: String?) : Screen

    /** The app must be updated. */
    data class UpdateRequired(val minVersion: String) : Screen

    /** The applications of the last month. */
    data class History(val entries: List<HistoryRow>?) : Screen
}

/** What a [Screen.Working] is waiting for. */
enum class Work { APPLYING, REVERIFYING }

/** The current pass on the home screen. */
data class PassCard(
    val expiresAt: String,
    val holderNameMasked: String,
    val canReapply: Boolean,
    val reapplyFrom: String,
    /** Opening it starts a face check first (guest, new phone). */
    val needsFaceCheck: Boolean,
)

/** One application of the last month, ready to draw. */
data class HistoryRow(
    val certificateId: String,
    val issuedAt: String,
    val expiresAt: String,
    val city: String,
    val state: org.tempid.core.model.CertificateState,
    val idNumberMasked: String,
)

/** Everything the UI draws at one moment. */
data class UiModel(
    val screen: Screen,
    /** A refusal or failure to show above the screen (a snackbar / banner) with its next step. */
    val problem: Problem? = null,
    /** A tap is being handled: disable the buttons that start another one. */
    val busy: Boolean = false,
    /** A short notice after a manual refresh ("offline, code redrawn" / "synced"). */
    val notice: Notice? = null,
)

/** Short notices that are not failures. */
enum class Notice { REFRESHED_ONLINE, REFRESHED_OFFLINE }

/** Maps the core's states to screens. Pure: the same inputs always draw the same screen. */
object ScreenMapper {
    /**
     * The screen for [state], with the local [route] (which form is open on the home flow),
     * the [formProblem] the core gave for the last submitted form, and the [history] last read.
     */
    fun screen(
        state: PassState?,
        route: Route = Route.HOME,
        formProblem: Problem? = null,
        history: List<HistoryEntry>? = null,
    ): Screen = when (state) {
        null -> Screen.Starting
        is PassState.SignedOut -> Screen.SignIn
        is PassState.Ready -> when (route) {
            Route.HOME -> home(state)
            Route.CONSENT -> if (state.consentGiven) form(formProblem) else Screen.Consent
            Route.FORM -> if (state.consentGiven) form(formProblem) else Screen.Consent
            Route.HISTORY -> Screen.History(history?.map(::historyRow))
        }
        is PassState.Locating -> Screen.Locating
        is PassState.LocationDenied -> Screen.LocationDenied
        is PassState.LocationUnavailable -> Screen.LocationUnavailable(state.reason)
        is PassState.AwaitingConsent -> Screen.Consent
        is PassState.Applying -> Screen.Working(Work.APPLYING)
        is PassState.AwaitingFaceCheck -> Screen.FaceCheck(state.kind)
        is PassState.Reverifying -> Screen.Working(Work.REVERIFYING)
        is PassState.Showing -> Screen.Pass(
            frameText = state.frameText,
            qr = state.qr,
            refreshIn = Formatting.countdown(state.secondsToRefresh),
            refreshInSeconds = state.secondsToRefresh.toLong(),
            reverifyIn = Formatting.countdown(state.secondsToReverify),
            reverifyInSeconds = state.secondsToReverify.toLong(),
            expiresAt = Formatting.chinaDateTime(state.expiresAt),
            holderNameMasked = state.holderNameMasked,
            idNumberMasked = Formatting.groupedIdNumber(state.idNumberMasked),
            canReapply = state.canReapply,
            reapplyFrom = Formatting.chinaDateTime(state.reapplyFrom),
            offline = state.offline,
            lastSynced = state.lastSynced?.let(Formatting::chinaDateTime),
        )
        is PassState.ReverificationRequired ->
            Screen.Reverify(Formatting.chinaDateTime(state.expiresAt), state.canReapply, state.newDevice)
        is PassState.Expired -> Screen.Expired(Formatting.chinaDateTime(state.expiredAt), state.canReapply)
        is PassState.Revoked -> Screen.Revoked(state.kind == RevocationKind.SUPERSEDED)
        is PassState.QuotaExhausted -> Screen.QuotaExhausted(state.resetsOn, state.hint)
        is PassState.Offline -> Screen.Offline(state.lastSynced?.let(Formatting::chinaDateTime))
        is PassState.UpdateRequired -> Screen.UpdateRequired(state.minVersion)
    }

    private fun form(problem: Problem?): Screen.Form = Screen.Form(
        idNumberError = problem?.takeIf { it.field == Field.ID_NUMBER },
        nameError = problem?.takeIf { it.field == Field.NAME },
    )

    private fun home(state: PassState.Ready): Screen.Home {
        val pass = state.currentPass?.let {
            PassCard(
                expiresAt = Formatting.chinaDateTime(it.expiresAt),
                holderNameMasked = it.holderNameMasked,
                canReapply = it.canReapply,
                reapplyFrom = Formatting.chinaDateTime(it.reapplyFrom),
                needsFaceCheck = it.needsFaceCheck,
            )
        }
        return Screen.Home(
            city = state.city,
            guest = state.guest,
            quotaRemaining = state.quota?.remaining,
            quotaLimit = state.quota?.limit,
            quotaResetsOn = state.quota?.resetsOn,
            consentGiven = state.consentGiven,
            pass = pass,
            // The core's own flag: a new application is offered with no pass, or from 3 h before
            // expiry. The quota is the issuer's to count: a refusal arrives as QuotaExhausted.
            applyEnabled = pass == null || pass.canReapply,
            offline = state.offline,
        )
    }

    private fun historyRow(entry: HistoryEntry) = HistoryRow(
        certificateId = entry.certificateId,
        issuedAt = Formatting.chinaDateTime(entry.issuedAt),
        expiresAt = Formatting.chinaDateTime(entry.expiresAt),
        city = entry.city,
        state = entry.state,
        idNumberMasked = Formatting.groupedIdNumber(entry.idNumberMasked),
    )
}
