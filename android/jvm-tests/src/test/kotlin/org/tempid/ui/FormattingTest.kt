package org.tempid.ui

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import java.util.TimeZone

class FormattingTest {
    @Test
    fun `countdowns read like a clock`() {
        assertEquals("0:42", Formatting.countdown(42u))
        assertEquals("1:00", Formatting.countdown(60u))
        assertEquals("29:59", Formatting.countdown(1799u))
        assertEquals("0:00", Formatting.countdown(0u))
        assertEquals("1:02:03", Formatting.countdown(3723L))
        assertEquals("0:00", Formatting.countdown(-5L))
    }

    @Test
    fun `times are China Standard Time whatever the phone's zone`() {
        val saved = TimeZone.getDefault()
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("America/Los_Angeles"))
            assertEquals("2026-11-26 14:05", Formatting.chinaDateTime(Fixtures.EXPIRES_AT))
            assertEquals("14:05", Formatting.chinaTime(Fixtures.EXPIRES_AT))
            // Midnight in Beijing is still the previous day in UTC.
            assertEquals("2026-12-01 00:00", Formatting.chinaDateTime(1_796_054_400L))
        } finally {
            TimeZone.setDefault(saved)
        }
    }

    @Test
    fun `masked ID numbers are grouped and spoken without asterisks`() {
        assertEquals("110105 ******** 002X", Formatting.groupedIdNumber("110105********002X"))
        assertEquals("short", Formatting.groupedIdNumber("short"))
        assertEquals("110105 hidden 002X", Formatting.spokenIdNumber("110105********002X", "hidden"))
    }
}
