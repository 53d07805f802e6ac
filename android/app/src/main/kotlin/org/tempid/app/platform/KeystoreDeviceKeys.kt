package org.tempid.app.platform

import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import org.tempid.core.protocol.Algorithm
import org.tempid.core.DeviceKeyStore
import org.tempid.core.DeviceSigner
import org.tempid.core.PlatformException
import org.tempid.ui.EcdsaSignature
import java.math.BigInteger
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.PrivateKey
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec

/**
 * Registered users' device keys in the Android Keystore: P-256, generated in StrongBox when the
 * phone has one (else the TEE), never exportable. The core signs every frame through
 * [DeviceSigner.sign]; the keystore answers in DER, which is converted to the raw `r‖s` COSE
 * ES256 wants. Guests' keys stay the core's in-memory Ed25519 keys.
 */
class KeystoreDeviceKeys private constructor() : DeviceKeyStore {
    override fun load(label: String): DeviceSigner? = guarded {
        val store = keyStore()
        val alias = alias(label)
        val entry = store.getEntry(alias, null) as? KeyStore.PrivateKeyEntry ?: return@guarded null
        KeystoreSigner(entry.privateKey, entry.certificate.publicKey as ECPublicKey)
    }

    override fun create(label: String): DeviceSigner = guarded {
        delete(label)
        val pair = try {
            generate(alias(label), strongBox = Build.VERSION.SDK_INT >= Build.VERSION_CODES.P)
        } catch (e: StrongBoxUnavailableException) {
            generate(alias(label), strongBox = false)
        }
        KeystoreSigner(pair.private, pair.public as ECPublicKey)
    }

    override fun delete(label: String) = guarded {
        val store = keyStore()
        if (store.containsAlias(alias(label))) store.deleteEntry(alias(label))
    }

    private fun generate(alias: String, strongBox: Boolean) =
        KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_EC, ANDROID_KEYSTORE).run {
            val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_SIGN)
                .setAlgorithmParameterSpec(ECGenParameterSpec("secp256r1"))
                .setDigests(KeyProperties.DIGEST_SHA256)
                .apply { if (strongBox && Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) setIsStrongBoxBacked(true) }
                .build()
            initialize(spec)
            generateKeyPair()
        }

    /** One key: signs with SHA256withECDSA in the keystore, returns `r‖s`. */
    private class KeystoreSigner(private val key: PrivateKey, private val public: ECPublicKey) : DeviceSigner {
        override fun algorithm(): Algorithm = Algorithm.ES256

        /** The uncompressed SEC1 point `04 ‖ x ‖ y`. */
        override fun publicKey(): ByteArray = byteArrayOf(0x04) + fixed32(public.w.affineX) + fixed32(public.w.affineY)

        override fun sign(message: ByteArray): ByteArray = guarded {
            val der = Signature.getInstance("SHA256withECDSA").run {
                initSign(key)
                update(message)
                sign()
            }
            EcdsaSignature.derToRaw(der)
        }

        private fun fixed32(x: BigInteger): ByteArray {
            val bytes = x.toByteArray().let { if (it.size > 32) it.copyOfRange(it.size - 32, it.size) else it }
            return ByteArray(32 - bytes.size) + bytes
        }
    }

    companion object {
        private const val ANDROID_KEYSTORE = "AndroidKeyStore"
        private const val PREFIX = "org.tempid.device-key."

        private fun alias(label: String) = PREFIX + label

        private fun keyStore(): KeyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }

        /** The keystore-backed keys, or null (the core's default keys) when EC keys are unavailable. */
        fun ifSupported(): KeystoreDeviceKeys? = try {
            keyStore()
            KeystoreDeviceKeys()
        } catch (e: Exception) {
            null
        }

        /** Every failure leaves as the declared [PlatformException] (never a raw Throwable into JNA). */
        private inline fun <T> guarded(block: () -> T): T = try {
            block()
        } catch (e: PlatformException) {
            throw e
        } catch (e: android.security.keystore.KeyPermanentlyInvalidatedException) {
            throw PlatformException.Unavailable("key invalidated")
        } catch (e: Throwable) {
            throw PlatformException.Failed(e.javaClass.simpleName)
        }
    }
}
