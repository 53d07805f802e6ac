package org.tempid.app.platform

import android.content.Context

/**
 * The seam for the certified face SDK of the national identity authority's channel (CTID or a
 * licensed vendor). It is not in this repository: integrate it by returning an implementation
 * of [FaceSdk] here (launch the vendor's capture activity, wait for its result on the calling
 * worker thread, return its evidence string, map its cancel / camera errors to
 * `PlatformException.Cancelled` / `PermissionDenied` / `Unavailable`).
 */
object VendorFaceSdk {
    /** The vendor SDK when it is part of this build, else null. */
    fun orNull(@Suppress("UNUSED_PARAMETER") context: Context): FaceSdk? = null
}
