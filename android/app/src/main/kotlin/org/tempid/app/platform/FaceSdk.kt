package org.tempid.app.platform

import android.app.Activity
import org.tempid.core.PlatformException
import org.tempid.core.model.FaceCheckRequest
import org.tempid.core.LivenessVerifier
import java.util.concurrent.atomic.AtomicReference

/**
 * A platform face SDK (the national identity authority's certified liveness component, or the
 * sandbox one in debug builds). It shows its own camera UI on [activity], captures the live
 * face of the person named in [request] against its challenge, and returns the SDK's signed
 * evidence, opaque to the app. Blocking: the core calls it on a worker thread.
 */
interface FaceSdk {
    /** A short name for the debug menu and logs. */
    val name: String

    /**
     * Runs the check; throws [PlatformException.Cancelled] when the person cancels,
     * [PlatformException.PermissionDenied] without camera permission, [PlatformException.Unavailable]
     * without a camera.
     */
    fun capture(activity: Activity, request: FaceCheckRequest): String
}

/**
 * The core's [LivenessVerifier] over a [FaceSdk]. The SDK needs a foreground activity; the
 * running activity registers itself in the [Host]. Everything the SDK throws becomes the
 * declared [PlatformException] (a Kotlin `Error` escaping into JNA would reach Rust as an empty
 * success: uniffi's glue catches `Exception` only).
 */
class FaceSdkLivenessVerifier(private val sdk: FaceSdk, private val host: Host) : LivenessVerifier {
    /** Holds the foreground activity for the face SDK's UI. */
    class Host {
        private val current = AtomicReference<Activity?>(null)
        fun attach(activity: Activity) = current.set(activity)
        fun detach(activity: Activity) { current.compareAndSet(activity, null) }
        fun activity(): Activity? = current.get()
    }

    override fun checkFace(request: FaceCheckRequest): String {
        val activity = host.activity() ?: throw PlatformException.Unavailable("no foreground activity for the face SDK")
        return try {
            sdk.capture(activity, request)
        } catch (refusal: PlatformException) {
            throw refusal
        } catch (e: Throwable) {
            throw PlatformException.Failed("${sdk.name}: ${e.javaClass.simpleName}")
        }
    }
}
