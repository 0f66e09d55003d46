"""A volunteer began a check-in for a shift that then ended, and sends /checkin for their next
shift before its check-in opens. The refusal ("not open yet") ends the stale check-in and takes
its 📍/Cancel keyboard away, as the other refusals for good do; a live location shared before
the next shift's opening is still waited on."""

from __future__ import annotations

from bot.db.models import Dialogue
from tests.e2e.checkin_fixtures import checkins, duty, near, today
from tests.e2e.checkin_refusal_fixtures import (
    OnDuty,
    at_the_photo_step,
    checkin_at,
    nothing_open_nor_written,
    on_duty,
)
from tests.harness import Harness

NOT_OPEN = "还没到签到时间。「东风路口」的班次 11:00 开始，10:30 起可以签到。"


async def _and_a_next_shift(harness: Harness) -> OnDuty:
    """王芳 on 08:00–10:00, then on 东风路口 11:00–12:00."""
    shift = await on_duty(harness)
    await duty(harness, shift.fang, shift.crew.unit, today(11, 0), today(12, 0), "东风路口")
    return shift


async def test_checkin_not_open_yet_ends_the_ended_shifts_check_in(harness: Harness) -> None:
    fang = (await _and_a_next_shift(harness)).fang
    await checkin_at(harness, fang, today(9, 55))
    assert fang.reply_keyboard() is not None
    assert await checkin_at(harness, fang, today(10, 5)) == NOT_OPEN
    assert fang.reply_keyboard() is None
    await nothing_open_nor_written(harness)


async def test_checkin_not_open_yet_ends_the_check_in_waiting_for_its_photo(
    harness: Harness,
) -> None:
    fang = (await _and_a_next_shift(harness)).fang
    await at_the_photo_step(harness, fang, today(9, 55))
    assert await checkin_at(harness, fang, today(10, 5)) == NOT_OPEN
    assert await harness.count(Dialogue) == 0
    await fang.send_photo()
    await harness.settle()
    assert await checkins(harness) == []


async def test_checkin_not_open_yet_keeps_a_live_wait_for_the_next_shift(
    harness: Harness,
) -> None:
    fang = (await on_duty(harness, today(11, 0), today(12, 0), "东风路口")).fang
    harness.clock.set(today(10, 5))
    await fang.send_location(*near(30), live_period=3600)
    await harness.settle()
    assert await harness.count(Dialogue) == 1
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.last().text == NOT_OPEN
    assert await harness.count(Dialogue) == 1
