package org.tempid.core

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import org.tempid.core.model.PassState

/**
 * Every [PassState] of this client as a cold [Flow]: the current state first, then each change.
 *
 * Each collector starts its own observation ([TempIdClient.observe]); when the collector is
 * cancelled (the screen goes away, `first { }`/`take(n)` is satisfied) the [TaskHandle] is
 * cancelled and freed. States arrive on a library thread; collect on the main dispatcher to draw.
 * Nothing is dropped under a slow collector; apply `conflate()` if only the latest state matters.
 */
fun TempIdClient.passStates(): Flow<PassState> = callbackFlow {
    val listener = object : PassStateListener {
        override fun onState(state: PassState) {
            // Never throws back into Rust: trySend only fails once the flow is closed.
            trySend(state)
        }
    }
    val handle = observe(listener)
    awaitClose {
        handle.cancel() // stop the Rust task now ...
        handle.close() // ... and free our reference (dropping it would cancel too)
    }
}.buffer(Channel.UNLIMITED)
