package org.tempid.core

import org.tempid.core.model.TempIdException

/**
 * The text to show for a refusal: what happened, then what to do next, in the client's language.
 * Branch on the variant (`is TempIdException.QuotaExhausted`) or on the stable `code()`.
 */
val TempIdException.displayText: String
    get() = summary() + "\n" + hint()
