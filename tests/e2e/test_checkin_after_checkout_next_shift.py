"""A volunteer who left a shift early, still running, with a later shift today not open yet:
/checkin says when that one opens (the closed seat is not the answer, as something is left to
check in to), and a live location shared then is waited on, not refused for good."""

from __future__ import annotations

from bot.db.models import Dialogue
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import duty, near, today
from tests.e2e.checkin_refusal_fixtures import checkin_at, left_early, on_duty
from tests.harness import Harness

NOT_OPEN = "还没到签到时间。「人民广场」的班次 11:00 开始，10:30 起可以签到。"


async def _left_early_with_a_next_shift(harness: Harness) -> SimUser:
    shift = await on_duty(harness)
    await duty(harness, shift.fang, shift.crew.unit, today(11, 0), today(12, 0), "人民广场")
    await left_early(harness, shift.fang)
    return shift.fang


async def test_checkin_says_when_the_next_shift_opens(harness: Harness) -> None:
    fang = await _left_early_with_a_next_shift(harness)
    assert await checkin_at(harness, fang, today(9, 10)) == NOT_OPEN


async def test_a_live_location_then_is_waited_on(harness: Harness) -> None:
    fang = await _left_early_with_a_next_shift(harness)
    harness.clock.set(today(9, 10))
    await fang.send_location(*near(30), live_period=3 * 3600)
    await harness.settle()
    assert (fang.last().text or "").startswith(NOT_OPEN)
    assert await harness.count(Dialogue) == 1
