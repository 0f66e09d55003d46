"""A check-in begun for one shift and refused because that shift is over names that shift, not
another of the volunteer's that ended today too (the later-starting one, which the rest of the
day's schedule would name to a /checkin with nothing chosen)."""

from __future__ import annotations

from bot.db.models import Dialogue
from tests.e2e.checkin_fixtures import checkins, duty, near, team, today
from tests.harness import Harness


async def test_a_photo_after_the_shift_ended_names_the_shift_located_for(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(8, 15), today(10, 0), post_name="人民路口")
    harness.clock.set(today(9, 50))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.press("12月1日 周二 08:00–10:00 黄河路-人民路口")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()
    assert "照片" in (fang.last().text or "")
    harness.clock.set(today(10, 1))
    await fang.send_photo()
    await harness.settle()
    assert fang.last().text == (
        "「黄河路-人民路口」的班次已于 10:00 结束，不能再签到了。如有特殊情况请联系协调员。"
    )
    assert await harness.count(Dialogue) == 0
    assert await checkins(harness) == []


async def test_a_photo_after_the_shift_ended_names_it_with_a_later_shift_today(
    harness: Harness,
) -> None:
    # The day's schedule would speak of the afternoon shift (its check-in not open yet), and the
    # check-in would stay open, each photo refused the same way; the morning one is what ended.
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(14, 0), today(16, 0), post_name="人民路口")
    harness.clock.set(today(9, 50))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()
    assert "照片" in (fang.last().text or "")
    harness.clock.set(today(10, 1))
    await fang.send_photo()
    await harness.settle()
    assert fang.last().text == (
        "「黄河路-人民路口」的班次已于 10:00 结束，不能再签到了。如有特殊情况请联系协调员。"
    )
    assert await harness.count(Dialogue) == 0
    assert await checkins(harness) == []
