"""A volunteer began a check-in and its shift ended before the location came; /checkin sent then
is refused as the shift being over. The check-in ends with that refusal, taking the 📍/Cancel
keyboard with it, rather than stay open for the next location to be refused the same way."""

from __future__ import annotations

from bot.db.models import Dialogue
from tests.e2e.checkin_fixtures import checkins, today
from tests.e2e.checkin_refusal_fixtures import (
    at_the_photo_step,
    checkin_at,
    nothing_open_nor_written,
    on_duty,
)
from tests.harness import Harness

SHIFT_OVER = "「黄河路-人民路口」的班次已于 10:00 结束，不能再签到了。如有特殊情况请联系协调员。"


async def test_checkin_after_the_shift_ended_ends_the_open_check_in(harness: Harness) -> None:
    fang = (await on_duty(harness)).fang
    await checkin_at(harness, fang, today(9, 55))
    assert fang.reply_keyboard() is not None
    assert await checkin_at(harness, fang, today(10, 1)) == SHIFT_OVER
    assert fang.reply_keyboard() is None
    await nothing_open_nor_written(harness)


async def test_checkin_after_the_shift_ended_at_the_photo_step_ends_it(harness: Harness) -> None:
    fang = (await on_duty(harness)).fang
    await at_the_photo_step(harness, fang, today(9, 55))
    assert await checkin_at(harness, fang, today(10, 1)) == SHIFT_OVER
    assert await harness.count(Dialogue) == 0
    await fang.send_photo()
    await harness.settle()
    assert await checkins(harness) == []
