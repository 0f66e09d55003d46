"""A volunteer began a check-in and its shift ended before the location came; /checkin sent then
is refused as the shift being over. The check-in ends with that refusal, taking the 📍/Cancel
keyboard with it, rather than stay open for the next location to be refused the same way."""

from __future__ import annotations

from bot.db.models import Dialogue
from tests.e2e.checkin_fixtures import checkins, duty, near, team, today
from tests.harness import Harness

SHIFT_OVER = "「黄河路-人民路口」的班次已于 10:00 结束，不能再签到了。如有特殊情况请联系协调员。"


async def test_checkin_after_the_shift_ended_ends_the_open_check_in(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(9, 55))
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.reply_keyboard() is not None
    harness.clock.set(today(10, 1))
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.last().text == SHIFT_OVER
    assert fang.reply_keyboard() is None
    assert await harness.count(Dialogue) == 0
    assert await checkins(harness) == []


async def test_checkin_after_the_shift_ended_at_the_photo_step_ends_it(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(9, 55))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()
    assert "照片" in (fang.last().text or "")
    harness.clock.set(today(10, 1))
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.last().text == SHIFT_OVER
    assert await harness.count(Dialogue) == 0
    await fang.send_photo()
    await harness.settle()
    assert await checkins(harness) == []
