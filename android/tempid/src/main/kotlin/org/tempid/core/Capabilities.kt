package org.tempid.core

import org.tempid.core.model.FaceCheckRequest
import org.tempid.core.model.LocationOutcome

/**
 * A [LivenessVerifier] from a function that runs the platform face SDK and returns its evidence.
 *
 * Throw [PlatformException.Cancelled] when the person cancels and
 * [PlatformException.PermissionDenied] without camera permission. Anything else thrown,
 * including a Kotlin `Error` such as `NotImplementedError`, becomes [PlatformException.Failed]:
 * the generated glue only catches `Exception`, and an `Error` escaping into JNA would reach the
 * library as an empty, "successful" answer.
 */
fun livenessVerifier(checkFace: (FaceCheckRequest) -> String): LivenessVerifier =
    object : LivenessVerifier {
        override fun checkFace(request: FaceCheckRequest): String = guarded { checkFace(request) }
    }

/**
 * A [LocationProvider] from a function that returns the current city's name (null when no
 * position can be found). Throw [PlatformException.PermissionDenied] when location permission is
 * not granted; anything else thrown counts as "unavailable".
 */
fun locationProvider(currentCity: () -> String?): LocationProvider =
    object : LocationProvider {
        override fun currentCity(): LocationOutcome = guarded {
            currentCity()?.let { LocationOutcome.City(it) } ?: LocationOutcome.Unavailable("no position")
        }
    }

private inline fun <T> guarded(block: () -> T): T =
    try {
        block()
    } catch (e: PlatformException) {
        throw e
    } catch (e: Throwable) {
        throw PlatformException.Failed(e.toString().lineSequence().first().take(200))
    }
