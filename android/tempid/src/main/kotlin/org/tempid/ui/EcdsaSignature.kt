package org.tempid.ui

/**
 * Hardware keystores (Android Keystore, the iOS Secure Enclave) return ECDSA signatures as DER
 * (`SEQUENCE { INTEGER r, INTEGER s }`); COSE ES256 wants the raw 64 bytes `r‖s`, each
 * big-endian and left-padded to 32 bytes. Pure Kotlin, so the JVM tests check it.
 */
object EcdsaSignature {
    private const val P256_COMPONENT = 32

    /** DER → raw `r‖s` (64 bytes for P-256). Throws [IllegalArgumentException] on malformed DER. */
    fun derToRaw(der: ByteArray, componentLength: Int = P256_COMPONENT): ByteArray {
        var i = 0
        fun byte(): Int {
            require(i < der.size) { "truncated DER signature" }
            return der[i++].toInt() and 0xFF
        }
        fun length(): Int {
            val first = byte()
            if (first < 0x80) return first
            val count = first and 0x7F
            require(count in 1..2) { "unsupported DER length" }
            var len = 0
            repeat(count) { len = (len shl 8) or byte() }
            return len
        }
        fun integer(): ByteArray {
            require(byte() == 0x02) { "expected an INTEGER" }
            val len = length()
            require(len in 1..(componentLength + 1) && i + len <= der.size) { "bad INTEGER length" }
            var bytes = der.copyOfRange(i, i + len)
            i += len
            // Strip the sign byte DER adds when the top bit is set, then left-pad.
            while (bytes.size > componentLength && bytes[0] == 0.toByte()) bytes = bytes.copyOfRange(1, bytes.size)
            require(bytes.size <= componentLength) { "INTEGER longer than the curve" }
            return ByteArray(componentLength - bytes.size) + bytes
        }
        require(byte() == 0x30) { "expected a SEQUENCE" }
        val seqLen = length()
        require(i + seqLen == der.size) { "trailing bytes after the signature" }
        val r = integer()
        val s = integer()
        require(i == der.size) { "trailing bytes inside the signature" }
        return r + s
    }
}
