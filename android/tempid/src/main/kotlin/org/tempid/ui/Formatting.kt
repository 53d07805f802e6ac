package org.tempid.ui

import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter

/**
 * Locale-independent text the screens show: countdowns, times in China Standard Time, masked
 * numbers grouped for reading. Labels around them come from the platform's string resources.
 * Nothing here decides anything: every number comes from the core's `PassState`.
 */
object Formatting {
    /** Railway time: what the certificate's expiry and the quota's month are counted in. */
    val CHINA: ZoneId = ZoneId.of("Asia/Shanghai")

    private val dateTime: DateTimeFormatter = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(CHINA)
    private val time: DateTimeFormatter = DateTimeFormatter.ofPattern("HH:mm").withZone(CHINA)

    /** `42` → `0:42`, `1799` → `29:59`, `3723` → `1:02:03`. */
    fun countdown(seconds: Long): String {
        val s = seconds.coerceAtLeast(0)
        val h = s / 3600
        val m = (s % 3600) / 60
        val sec = s % 60
        return if (h > 0) "%d:%02d:%02d".format(h, m, sec) else "%d:%02d".format(m, sec)
    }

    /** [countdown] for the unsigned values the binding delivers. */
    fun countdown(seconds: UInt): String = countdown(seconds.toLong())

    /** Unix seconds → `2026-11-26 14:05`, China Standard Time, whatever the phone's zone. */
    fun chinaDateTime(unixSeconds: Long): String = dateTime.format(Instant.ofEpochSecond(unixSeconds))

    /** Unix seconds → `14:05`, China Standard Time. */
    fun chinaTime(unixSeconds: Long): String = time.format(Instant.ofEpochSecond(unixSeconds))

    /**
     * A masked ID number grouped for reading aloud and at a glance: `110105********002X` →
     * `110105 ******** 002X`. Anything that is not 18 characters is returned as it came.
     */
    fun groupedIdNumber(masked: String): String =
        if (masked.length == 18) "${masked.substring(0, 6)} ${masked.substring(6, 14)} ${masked.substring(14)}" else masked

    /**
     * The masked ID number for a screen reader: the digits it may read, the masked part said once
     * (`maskedWord`, e.g. "hidden" / "隐藏"), never the asterisks one by one.
     */
    fun spokenIdNumber(masked: String, maskedWord: String): String =
        masked.replace(Regex("\\*+"), " $maskedWord ").trim().replace(Regex("\\s+"), " ")
}
