package org.tempid.core

import java.io.File
import java.nio.file.Files
import java.util.concurrent.TimeUnit

/**
 * The real issuer binary (`tempid-issuer serve`) on 127.0.0.1 with an ephemeral port and a
 * temporary SQLite database; its printed listen address is parsed. [close] kills it.
 */
class LoopbackIssuer : AutoCloseable {
    private val bin = File(
        System.getProperty("tempid.issuer.bin") ?: error("system property tempid.issuer.bin is not set"),
    )
    private val dir = Files.createTempDirectory("tempid-issuer").toFile()
    private val database = "sqlite://${File(dir, "issuer.db").absolutePath}"
    private val process: Process
    val url: String

    init {
        require(bin.canExecute()) { "issuer binary missing: $bin (run scripts/jvm-tests.sh)" }
        process = ProcessBuilder(
            bin.path, "serve", "--listen", "127.0.0.1:0",
            "--database", database, "--key-dir", File(dir, "keys").path,
        )
            .redirectError(File(dir, "issuer.log"))
            .start()
        val stdout = process.inputStream.bufferedReader()
        var found: String? = null
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
        while (found == null && System.nanoTime() < deadline) {
            val line = stdout.readLine() ?: break
            found = Regex("listening on (http://\\S+)").find(line)?.groupValues?.get(1)
        }
        url = found ?: run {
            process.destroyForcibly()
            error("the issuer did not start: " + File(dir, "issuer.log").readText())
        }
        // Keep draining stdout so the issuer never blocks on a full pipe.
        Thread { stdout.lineSequence().forEach { _ -> } }.apply { isDaemon = true }.start()
    }

    /** Revokes a certificate with the issuer's own CLI (`tempid-issuer revoke CTI`). */
    fun revoke(certificateId: String) {
        val revoke = ProcessBuilder(bin.path, "revoke", certificateId, "--database", database)
            .redirectErrorStream(true)
            .start()
        val output = revoke.inputStream.bufferedReader().readText()
        check(revoke.waitFor(30, TimeUnit.SECONDS) && revoke.exitValue() == 0) { "revoke failed: $output" }
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly()
        dir.deleteRecursively()
    }
}
