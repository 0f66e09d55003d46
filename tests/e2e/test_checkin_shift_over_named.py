"""A check-in begun for one shift and refused because that shift is over names that shift, not
another of the volunteer's that ended today too (the later-starting one, which the rest of the
day's schedule would name to a /checkin with nothing chosen)."""

from __future__ import annotations

import datetime as dt

from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import duty, near, today
from tests.e2e.checkin_refusal_fixtures import at_the_photo_step, nothing_open_nor_written, on_duty
from tests.harness import Harness

SHIFT_OVER = "「黄河路-人民路口」的班次已于 10:00 结束，不能再签到了。如有特殊情况请联系协调员。"


async def _and_another(harness: Harness, start: dt.datetime, end: dt.datetime) -> SimUser:
    """王芳 on 08:00–10:00 and on 人民路口 from `start` to `end`."""
    shift = await on_duty(harness)
    await duty(harness, shift.fang, shift.crew.unit, start, end, post_name="人民路口")
    return shift.fang


async def _photo_after_the_end_is_refused(harness: Harness, fang: SimUser) -> None:
    harness.clock.set(today(10, 1))
    await fang.send_photo()
    await harness.settle()
    assert fang.last().text == SHIFT_OVER
    await nothing_open_nor_written(harness)


async def test_a_photo_after_the_shift_ended_names_the_shift_located_for(
    harness: Harness,
) -> None:
    fang = await _and_another(harness, today(8, 15), today(10, 0))
    harness.clock.set(today(9, 50))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.press("12月1日 周二 08:00–10:00 黄河路-人民路口")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()
    assert "照片" in (fang.last().text or "")
    await _photo_after_the_end_is_refused(harness, fang)


async def test_a_photo_after_the_shift_ended_names_it_with_a_later_shift_today(
    harness: Harness,
) -> None:
    # The day's schedule would speak of the afternoon shift (its check-in not open yet), and the
    # check-in would stay open, each photo refused the same way; the morning one is what ended.
    fang = await _and_another(harness, today(14, 0), today(16, 0))
    await at_the_photo_step(harness, fang, today(9, 50))
    await _photo_after_the_end_is_refused(harness, fang)
