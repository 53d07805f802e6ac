package org.tempid.app

import android.app.Application
import io.crates.keyring.Keyring
import org.tempid.app.platform.AndroidLocationProvider
import org.tempid.app.platform.FaceSdkLivenessVerifier
import org.tempid.app.platform.FaceSdks
import org.tempid.app.platform.KeystoreDeviceKeys
import org.tempid.core.model.ClientConfig
import org.tempid.core.TempIdClient
import java.util.Locale as JavaLocale
import org.tempid.core.model.Locale as CoreLocale

/**
 * Builds the one [TempIdClient] of the app. The keyring store gets the application context
 * first (the core's default secure store needs it); then the client is made with the platform
 * capabilities: the face SDK, the location service and the hardware device keys.
 */
class TempIdApplication : Application() {
    /** The app's client; made once, on first use, on the main thread. */
    val client: TempIdClient by lazy { makeClient() }

    /** Where the face SDK shows its UI (the running activity registers itself). */
    val faceSdkHost = FaceSdkLivenessVerifier.Host()

    /** The location capability; the activity tells it when permission changes. */
    val location by lazy { AndroidLocationProvider(this) }

    override fun onCreate() {
        super.onCreate()
        Keyring.initializeNdkContext(this)
    }

    private fun makeClient(): TempIdClient {
        val locale = if (JavaLocale.getDefault().language == "en") CoreLocale.EN else CoreLocale.ZH_CN
        val config = ClientConfig(
            issuerUrl = BuildConfig.ISSUER_URL,
            appVersion = BuildConfig.VERSION_NAME,
            storageNamespace = "$packageName.v1",
            locale = locale,
        )
        val liveness = FaceSdkLivenessVerifier(FaceSdks.default(this), faceSdkHost)
        return TempIdClient(
            config,
            liveness,
            location,
            // The session cache: the core's default (android-native-keyring-store).
            null,
            // Device keys in StrongBox / TEE (P-256); falls back to the core's Ed25519 keys
            // when the phone has no hardware-backed EC keys.
            KeystoreDeviceKeys.ifSupported(),
        )
    }
}
