package org.tempid.core

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.tempid.core.model.ApplicationForm
import org.tempid.core.model.CertificateState
import org.tempid.core.model.ClientConfig
import org.tempid.core.model.FaceCheckRequest
import org.tempid.core.model.Locale
import org.tempid.core.model.LocationOutcome
import org.tempid.core.model.PassState
import org.tempid.core.model.TempIdException
import java.util.concurrent.ConcurrentHashMap
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** An in-memory secure store (the desktop has no phone keychain). */
class MemoryStore : SecureStore {
    private val items = ConcurrentHashMap<String, ByteArray>()
    override fun get(key: String): ByteArray? = items[key]
    override fun set(key: String, value: ByteArray) { items[key] = value }
    override fun delete(key: String) { items.remove(key) }
}

/** The face SDK of the JVM tests: a Kotlin implementation that asks the sandbox export. */
class SandboxFaceSdk : LivenessVerifier {
    private val sandbox = SandboxLiveness()
    var calls = 0
    override fun checkFace(request: FaceCheckRequest): String {
        calls++
        return sandbox.liveEvidence(request)
    }
}

/**
 * The passenger journey through the binding the Android app uses: generated Kotlin + the thin
 * layer, the host library loaded by JNA, the real issuer on loopback. Tests the surface (async
 * calls, the state Flow, errors as exceptions, callbacks), not the rules (Rust tests do that).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PassengerJourneyTest {
    private lateinit var issuer: LoopbackIssuer

    @BeforeAll
    fun startIssuer() {
        issuer = LoopbackIssuer()
    }

    @AfterAll
    fun stopIssuer() {
        issuer.close()
    }

    private fun client(
        liveness: LivenessVerifier = SandboxFaceSdk(),
        location: LocationProvider = locationProvider { "北京" },
    ) = TempIdClient(
        ClientConfig(issuer.url, "1.0.0", "tempid-jvm-test", Locale.EN),
        liveness,
        location,
        secureStore = MemoryStore(),
    )

    private fun form(index: Int): ApplicationForm {
        val identity = sandboxIdentities()[index]
        return ApplicationForm(identity.idNumber, identity.name)
    }

    private suspend inline fun <reified S : PassState> TempIdClient.await(): S =
        withTimeout(15_000) { passStates().filterIsInstance<S>().first() }

    @Test
    fun `apply, show the frame, refresh, log out, face check required`() = runBlocking<Unit> {
        val face = SandboxFaceSdk()
        client(liveness = face).use { client ->
            assertTrue(client.passStates().first() is PassState.SignedOut, "the current state comes first")
            client.register("13900000001", "correct horse battery")
            assertEquals("北京", client.locate())
            client.giveConsent(true, true)
            val showing = async(Dispatchers.Default) { client.await<PassState.Showing>() }
            client.apply(form(1))
            val pass = showing.await()
            assertTrue(pass.frameText.startsWith("TID1:"), pass.frameText)
            assertEquals((pass.qr.width * pass.qr.width).toInt(), pass.qr.modules.size)
            assertTrue(qrPng(pass.qr, 256u).size > 8)
            assertEquals(1, face.calls)

            assertTrue(client.refresh().synced)
            assertEquals(1u, client.quota().used)
            assertEquals(1, client.history().size)

            client.logout()
            client.await<PassState.SignedOut>()
            client.login("13900000001", "correct horse battery")
            // The issuer still holds the certificate: home offers it; opening it asks for a face
            // check on this phone's new key.
            val home = withTimeout(15_000) {
                client.passStates().filterIsInstance<PassState.Ready>().first { it.currentPass != null }
            }
            assertTrue(home.currentPass?.needsFaceCheck == true, "$home")
            client.openPass()
            val reverify = client.await<PassState.ReverificationRequired>()
            assertTrue(reverify.newDevice, "a new device key is bound after logging out")
            client.reverify()
            client.await<PassState.Showing>()
            assertEquals(2, face.calls, "re-verification runs the face check (and uses no application)")
            assertEquals(1u, client.quota().used)
        }
    }

    @Test
    fun `an invalid ID number throws with its reason before any request`() = runBlocking<Unit> {
        client().use { client ->
            client.continueAsGuest()
            client.giveConsent(true, true)
            val sent = client.requestsSent()
            val good = form(0)
            val wrongCheck = good.idNumber.dropLast(1) + (if (good.idNumber.endsWith("1")) "2" else "1")
            val error = assertThrows<TempIdException.InvalidIdNumber> {
                runBlocking { client.apply(ApplicationForm(wrongCheck, good.name)) }
            }
            assertEquals("wrong_check_character", error.reason)
            assertEquals("invalid_id_number", error.code())
            assertTrue(error.displayText.isNotBlank())
            assertEquals(sent, client.requestsSent(), "no request for an invalid ID number")
        }
    }

    @Test
    fun `the fourth application of the month throws QuotaExhausted with the reset date`() = runBlocking<Unit> {
        val person = form(6)
        repeat(3) {
            client().use { client ->
                client.continueAsGuest()
                client.giveConsent(true, true)
                client.apply(person)
                // The certificate just issued is the one valid entry (all share one second).
                issuer.revoke(client.history().first { it.state == CertificateState.VALID }.certificateId)
            }
        }
        client().use { client ->
            client.continueAsGuest()
            client.giveConsent(true, true)
            val error = assertThrows<TempIdException.QuotaExhausted> { runBlocking { client.apply(person) } }
            assertEquals("quota_exhausted", error.code())
            assertTrue(error.resetsOn.matches(Regex("\\d{4}-\\d{2}-\\d{2}")), error.resetsOn)
            assertTrue(error.hint.contains("station police window"), error.hint)
            client.await<PassState.QuotaExhausted>()
            client.dismiss()
            client.await<PassState.Ready>()
        }
    }

    @Test
    fun `a throwing Kotlin face SDK is a refusal, not a crash`() = runBlocking<Unit> {
        val cases = listOf(
            object : LivenessVerifier {
                override fun checkFace(request: FaceCheckRequest): String = throw IllegalStateException("SDK exploded")
            } to "sdk_failed",
            object : LivenessVerifier {
                override fun checkFace(request: FaceCheckRequest): String = throw PlatformException.Cancelled()
            } to "cancelled",
            livenessVerifier { throw NotImplementedError("no face SDK on this build") } to "sdk_failed",
        )
        for ((liveness, reason) in cases) {
            client(liveness = liveness).use { client ->
                client.continueAsGuest()
                client.giveConsent(true, true)
                val error = assertThrows<TempIdException.FaceCheckFailed> { runBlocking { client.apply(form(2)) } }
                assertEquals(reason, error.reason)
                assertTrue(client.state() is PassState.Ready, "the library keeps working: ${client.state()}")
            }
        }
    }

    @Test
    fun `a throwing Kotlin location provider is a refusal, not a crash`() = runBlocking<Unit> {
        val throwing = object : LocationProvider {
            override fun currentCity(): LocationOutcome = throw RuntimeException("GPS service died")
        }
        val denied = locationProvider { throw PlatformException.PermissionDenied() }
        for ((location, permissionDenied) in listOf(throwing to false, denied to true)) {
            client(location = location).use { client ->
                client.continueAsGuest()
                val error = assertThrows<TempIdException.LocationRequired> { runBlocking { client.locate() } }
                assertEquals(permissionDenied, error.permissionDenied)
                assertEquals("location_required", error.code())
            }
        }
    }
}
