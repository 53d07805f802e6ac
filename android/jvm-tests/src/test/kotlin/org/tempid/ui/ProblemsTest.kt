package org.tempid.ui

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.tempid.core.model.TempIdException

class ProblemsTest {
    private fun of(e: Exception) = Problems.of(e, "出错了", "请稍后重试")

    @Test
    fun `the core's words are kept, and the next step follows the code`() {
        val id = of(TempIdException.InvalidIdNumber("wrong_check_character", "身份证号码校验码不正确", "请核对最后一位"))
        assertEquals("invalid_id_number", id.code)
        assertEquals("身份证号码校验码不正确", id.message)
        assertEquals("请核对最后一位", id.hint)
        assertEquals(Field.ID_NUMBER, id.field)
        assertEquals("wrong_check_character", id.reason)
        assertEquals(NextStep.FIX_INPUT, id.next)

        val quota = of(TempIdException.QuotaExhausted("2026-12-01", "本月申请次数已用完", "请到车站公安制证口办理；2026-12-01 起可再申请"))
        assertEquals(NextStep.POLICE_WINDOW, quota.next)
        assertEquals("2026-12-01", quota.resetsOn)

        assertEquals(NextStep.OPEN_LOCATION_SETTINGS, of(TempIdException.LocationRequired(true, "m", "h")).next)
        assertEquals(NextStep.RELOCATE, of(TempIdException.LocationRequired(false, "m", "h")).next)
        assertEquals(NextStep.FACE_CHECK, of(TempIdException.ReverificationRequired("m", "h")).next)
        assertEquals(NextStep.UPDATE_APP, of(TempIdException.UpdateRequired("2.0.0", "m", "h")).next)
        assertEquals(NextStep.SIGN_IN, of(TempIdException.Unauthorized("m", "h")).next)
        assertEquals(Field.NAME, of(TempIdException.InvalidName("m", "h")).field)
        assertEquals(Field.PASSWORD, of(TempIdException.InvalidInput("password", "m", "h")).field)
        assertEquals(60L, of(TempIdException.RateLimited(60uL, "m", "h")).retryAfterSeconds)
        assertEquals("cancelled", of(TempIdException.FaceCheckFailed("cancelled", "m", "h")).reason)
        assertEquals(NextStep.RETRY_LATER, of(TempIdException.Offline(null, "m", "h")).next)
    }

    @Test
    fun `anything else is a generic problem with the shell's text`() {
        val p = of(IllegalStateException("boom"))
        assertEquals("internal", p.code)
        assertEquals("出错了", p.message)
        assertEquals(NextStep.DISMISS, p.next)
    }
}
