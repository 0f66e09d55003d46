"""/checkin with nothing to check in to, the last shift not checked out of, says when that shift
ended as other check-in refusals say a past moment: the time alone when it ended today (the
reader's day), the date too otherwise (a shift ending late, /checkin sent after midnight)."""

from __future__ import annotations

import datetime as dt

from bot.db.models import AssignmentStatus
from tests.e2e.checkin_fixtures import assignment, check_in, checkins, today
from tests.e2e.checkin_refusal_fixtures import OnDuty, checkin_at, in_english, on_duty
from tests.harness import Harness


async def _checked_in_at_eight_ten(harness: Harness) -> OnDuty:
    """王芳 checked in at 08:10 to her 08:00–10:00 shift."""
    shift = await on_duty(harness)
    harness.clock.set(today(8, 10))
    await check_in(harness, shift.fang)
    return shift


async def test_a_shift_that_ended_today_is_said_to_have_ended_at_a_time(
    harness: Harness,
) -> None:
    shift = await _checked_in_at_eight_ten(harness)
    assert await checkin_at(harness, shift.fang, today(10, 20)) == (
        "「黄河路-人民路口」的班次已于 10:00 结束，您还没有签退：请发送 /checkout 签退。"
        "现在没有需要签到的班次。"
    )
    [record] = await checkins(harness)
    assert record.checked_out_at is None
    assert (await assignment(harness, shift.seat)).status is AssignmentStatus.CHECKED_IN


async def test_a_shift_that_ended_today_reads_so_in_english(harness: Harness) -> None:
    fang = (await _checked_in_at_eight_ten(harness)).fang
    harness.clock.set(today(10, 20))
    await in_english(harness, fang)
    text = await checkin_at(harness, fang, today(10, 20))
    assert "ended at 10:00 and you have not checked out" in text, text
    assert "2026" not in text


async def test_a_shift_that_ended_on_another_day_is_said_with_its_date(harness: Harness) -> None:
    """A late shift ending at 23:30, /checkin sent at 00:10, before the automatic check-out."""
    fang = (await on_duty(harness, today(21, 30), today(23, 30))).fang
    harness.clock.set(today(21, 40))
    await check_in(harness, fang)
    text = await checkin_at(harness, fang, today(0, 10) + dt.timedelta(days=1))
    assert text.startswith(
        "「黄河路-人民路口」的班次已于 2026年12月1日 23:30 结束，您还没有签退"
    ), text
    [record] = await checkins(harness)
    assert record.checked_out_at is None
