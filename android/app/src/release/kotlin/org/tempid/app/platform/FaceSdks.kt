package org.tempid.app.platform

import android.content.Context

/** Release builds: the certified vendor face SDK only; there is no sandbox in this build. */
object FaceSdks {
    /** The SDKs selectable in this build. */
    fun available(context: Context): List<FaceSdk> = listOf(default(context))

    /** The vendor SDK; a release without one cannot check faces, so it fails loudly at start. */
    fun default(context: Context): FaceSdk =
        VendorFaceSdk.orNull(context) ?: error("no face SDK integrated: add the vendor SDK (see android/README.md)")
}
