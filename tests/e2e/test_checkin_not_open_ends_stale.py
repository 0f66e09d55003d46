"""A volunteer began a check-in for a shift that then ended, and sends /checkin for their next
shift before its check-in opens. The refusal ("not open yet") ends the stale check-in and takes
its 📍/Cancel keyboard away, as the other refusals for good do; a live location shared before
the next shift's opening is still waited on."""

from __future__ import annotations

from bot.db.models import Dialogue
from tests.e2e.checkin_fixtures import checkins, duty, near, team, today
from tests.harness import Harness

NOT_OPEN = "还没到签到时间。「东风路口」的班次 11:00 开始，10:30 起可以签到。"


async def test_checkin_not_open_yet_ends_the_ended_shifts_check_in(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(11, 0), today(12, 0), post_name="东风路口")
    harness.clock.set(today(9, 55))
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.reply_keyboard() is not None
    harness.clock.set(today(10, 5))
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.last().text == NOT_OPEN
    assert fang.reply_keyboard() is None
    assert await harness.count(Dialogue) == 0
    assert await checkins(harness) == []


async def test_checkin_not_open_yet_ends_the_check_in_waiting_for_its_photo(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(11, 0), today(12, 0), post_name="东风路口")
    harness.clock.set(today(9, 55))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()
    assert "照片" in (fang.last().text or "")
    harness.clock.set(today(10, 5))
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.last().text == NOT_OPEN
    assert await harness.count(Dialogue) == 0
    await fang.send_photo()
    await harness.settle()
    assert await checkins(harness) == []


async def test_checkin_not_open_yet_keeps_a_live_wait_for_the_next_shift(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(11, 0), today(12, 0), post_name="东风路口")
    harness.clock.set(today(10, 5))
    await fang.send_location(*near(30), live_period=3600)
    await harness.settle()
    assert await harness.count(Dialogue) == 1
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.last().text == NOT_OPEN
    assert await harness.count(Dialogue) == 1
