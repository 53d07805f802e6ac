package org.tempid.ui

import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.math.BigInteger
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.spec.ECGenParameterSpec

class EcdsaSignatureTest {
    private fun unsigned32(x: BigInteger): ByteArray {
        val bytes = x.toByteArray().dropWhile { it == 0.toByte() }.toByteArray()
        return ByteArray(32 - bytes.size) + bytes
    }

    @Test
    fun `a JCA P-256 signature converts to r and s and verifies again`() {
        val keys = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }.generateKeyPair()
        repeat(50) { n ->
            val message = "frame $n".toByteArray()
            val der = Signature.getInstance("SHA256withECDSA").run { initSign(keys.private); update(message); sign() }
            val raw = EcdsaSignature.derToRaw(der)
            assertEquals(64, raw.size)
            // Rebuild DER from r‖s with the JDK's own P1363 format and verify.
            val ok = Signature.getInstance("SHA256withECDSAinP1363Format").run {
                initVerify(keys.public); update(message); verify(raw)
            }
            assertEquals(true, ok, "signature $n")
        }
    }

    @Test
    fun `short and sign-padded integers are normalised`() {
        // r = 0x80 followed by 31 bytes (DER adds a 0x00 sign byte), s = 1 (one byte).
        val r = BigInteger(1, ByteArray(32) { if (it == 0) 0x80.toByte() else 1 })
        val rDer = r.toByteArray() // 33 bytes, leading 0x00
        val der = byteArrayOf(0x30, (2 + rDer.size + 3).toByte(), 0x02, rDer.size.toByte()) + rDer + byteArrayOf(0x02, 0x01, 0x01)
        val raw = EcdsaSignature.derToRaw(der)
        assertArrayEquals(unsigned32(r), raw.copyOfRange(0, 32))
        assertArrayEquals(unsigned32(BigInteger.ONE), raw.copyOfRange(32, 64))
    }

    @Test
    fun `malformed DER is refused`() {
        assertThrows<IllegalArgumentException> { EcdsaSignature.derToRaw(byteArrayOf(0x31, 0x00)) }
        assertThrows<IllegalArgumentException> { EcdsaSignature.derToRaw(byteArrayOf(0x30, 0x06, 0x02, 0x01, 0x01)) }
        assertThrows<IllegalArgumentException> { EcdsaSignature.derToRaw(byteArrayOf()) }
    }
}
