package org.tempid.ui

import org.tempid.core.model.TempIdException

/** The form field a refusal belongs to, so the screen shows it inline under that field. */
enum class Field { ID_NUMBER, NAME, USERNAME, PASSWORD }

/**
 * What the person can do next after a refusal. The words (message, hint) come from the core in
 * the person's language; this only picks the button the screen offers beside them.
 */
enum class NextStep {
    /** Correct the highlighted field. */
    FIX_INPUT,

    /** Tick consent and "I am the holder". */
    GIVE_CONSENT,

    /** Open the app's settings page to grant location, then "re-locate". */
    OPEN_LOCATION_SETTINGS,

    /** Try locating again. */
    RELOCATE,

    /** Log in (or continue as a guest). */
    SIGN_IN,

    /** Run the face check again. */
    FACE_CHECK,

    /** Go to the station police window (quota used up, expired with no re-apply, revoked). */
    POLICE_WINDOW,

    /** Apply for a new certificate. */
    REAPPLY,

    /** Update the app from the store. */
    UPDATE_APP,

    /** Wait, then try again (rate limited, offline). */
    RETRY_LATER,

    /** Nothing specific: dismiss. */
    DISMISS,
}

/**
 * A refusal or failure as the screens show it: the core's stable [code], its [message] and
 * [hint] in the person's language, the [next] step button and, for form input, the [field].
 */
data class Problem(
    val code: String,
    val message: String,
    val hint: String,
    val next: NextStep,
    val field: Field? = null,
    /** For `invalid_id_number` / `face_check_failed`: the core's precise reason code. */
    val reason: String? = null,
    /** For `quota_exhausted`: the first day a new application is allowed (`YYYY-MM-DD`). */
    val resetsOn: String? = null,
    /** For `rate_limited`: seconds to wait. */
    val retryAfterSeconds: Long? = null,
)

/** Turns what a binding call threw into a [Problem]. */
object Problems {
    /**
     * The problem for [error]. The binding's typed exception keeps the core's code and texts;
     * anything else (a bug in the shell, a cancelled coroutine is never passed here) becomes a
     * generic `internal` problem with the fallback texts the shell supplies.
     */
    fun of(error: Throwable, fallbackMessage: String, fallbackHint: String): Problem = when (error) {
        is TempIdException -> of(error) ?: Problem("internal", fallbackMessage, fallbackHint, NextStep.DISMISS)
        else -> Problem("internal", fallbackMessage, fallbackHint, NextStep.DISMISS)
    }

    /**
     * The problem for the binding's public error; null for a variant this shell does not know
     * (a newer library): the caller shows its generic text.
     */
    fun of(e: TempIdException): Problem? = when (e) {
        is TempIdException.InvalidIdNumber ->
            Problem("invalid_id_number", e.summary, e.hint, NextStep.FIX_INPUT, Field.ID_NUMBER, reason = e.reason)
        is TempIdException.InvalidName ->
            Problem("invalid_name", e.summary, e.hint, NextStep.FIX_INPUT, Field.NAME)
        is TempIdException.InvalidInput -> Problem(
            "invalid_input", e.summary, e.hint, NextStep.FIX_INPUT,
            field = if (e.field == "password") Field.PASSWORD else Field.USERNAME,
        )
        is TempIdException.ConsentRequired -> Problem("consent_required", e.summary, e.hint, NextStep.GIVE_CONSENT)
        is TempIdException.LocationRequired -> Problem(
            "location_required", e.summary, e.hint,
            if (e.permissionDenied) NextStep.OPEN_LOCATION_SETTINGS else NextStep.RELOCATE,
        )
        is TempIdException.Unauthorized -> Problem("unauthorized", e.summary, e.hint, NextStep.SIGN_IN)
        is TempIdException.InvalidCredentials ->
            Problem("invalid_credentials", e.summary, e.hint, NextStep.FIX_INPUT, Field.PASSWORD)
        is TempIdException.AccountExists ->
            Problem("account_exists", e.summary, e.hint, NextStep.FIX_INPUT, Field.USERNAME)
        is TempIdException.FaceCheckFailed ->
            Problem("face_check_failed", e.summary, e.hint, NextStep.FACE_CHECK, reason = e.reason)
        is TempIdException.QuotaExhausted ->
            Problem("quota_exhausted", e.summary, e.hint, NextStep.POLICE_WINDOW, resetsOn = e.resetsOn)
        is TempIdException.ReapplyNotYet -> Problem("reapply_not_yet", e.summary, e.hint, NextStep.DISMISS)
        is TempIdException.ReverificationRequired ->
            Problem("reverification_required", e.summary, e.hint, NextStep.FACE_CHECK)
        is TempIdException.NoPass -> Problem("no_pass", e.summary, e.hint, NextStep.REAPPLY)
        is TempIdException.Expired -> Problem("expired", e.summary, e.hint, NextStep.REAPPLY)
        is TempIdException.Revoked -> Problem("revoked", e.summary, e.hint, NextStep.POLICE_WINDOW)
        is TempIdException.Offline -> Problem("offline", e.summary, e.hint, NextStep.RETRY_LATER)
        is TempIdException.UpdateRequired -> Problem("update_required", e.summary, e.hint, NextStep.UPDATE_APP)
        is TempIdException.RateLimited -> Problem(
            "rate_limited", e.summary, e.hint, NextStep.RETRY_LATER,
            retryAfterSeconds = e.retryAfterSeconds.toLong(),
        )
        is TempIdException.Storage -> Problem("storage", e.summary, e.hint, NextStep.RETRY_LATER)
        is TempIdException.Internal -> Problem("internal", e.summary, e.hint, NextStep.DISMISS)
        else -> null
    }
}
