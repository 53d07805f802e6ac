package org.tempid.app.platform

import android.app.Activity
import android.content.Context
import org.tempid.core.model.FaceCheckRequest
import org.tempid.core.SandboxLiveness

/**
 * Debug builds only (this file is in src/debug): the face SDKs a developer may choose from,
 * including the **sandbox** one, which answers the sandbox issuer's challenge through the
 * binding's `SandboxLiveness` (the debug library is built with the `sandbox` feature by
 * build-rust.sh) without a camera. Release builds have no sandbox in them at all
 * (src/release/.../FaceSdks.kt).
 */
object FaceSdks {
    /** The sandbox liveness component (accepted only by an issuer running the sandbox authority). */
    val sandbox: FaceSdk = object : FaceSdk {
        private val liveness by lazy { SandboxLiveness() }
        override val name = "sandbox"
        override fun capture(activity: Activity, request: FaceCheckRequest): String = liveness.liveEvidence(request)
    }

    /** The SDKs selectable in this build. */
    fun available(context: Context): List<FaceSdk> = listOfNotNull(VendorFaceSdk.orNull(context), sandbox)

    /** Debug default: the vendor SDK when it is integrated, else the sandbox. */
    fun default(context: Context): FaceSdk = VendorFaceSdk.orNull(context) ?: sandbox
}
