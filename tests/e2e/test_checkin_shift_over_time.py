"""A check-in refused because its shift is over says when it ended as other refusals say a
past moment: the time alone when it ended today (the reader's day), the date too otherwise."""

from __future__ import annotations

import datetime as dt

from bot.db.models import Dialogue
from tests.e2e.checkin_fixtures import checkins, duty, near, team, today
from tests.harness import Harness


async def test_a_shift_that_ended_today_is_said_to_have_ended_at_a_time(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(10, 20))
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.last().text == (
        "「黄河路-人民路口」的班次已于 10:00 结束，不能再签到了。如有特殊情况请联系协调员。"
    )


async def test_a_shift_that_ended_today_reads_so_in_english(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(10, 20))
    await fang.send_command("lang")
    await harness.settle()
    await fang.press("English（英文）")
    await harness.settle()
    await fang.send_command("checkin")
    await harness.settle()
    text = fang.last().text or ""
    assert "ended at 10:00;" in text, text
    assert "2026" not in text


async def test_a_shift_that_ended_on_another_day_is_said_with_its_date(harness: Harness) -> None:
    """A check-in left at its photo overnight: the photo sent the next morning, while another
    shift is open, is refused with the day the left one ended."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    next_day = dt.timedelta(days=1)
    await duty(harness, fang, crew.unit, today(8, 0) + next_day, today(10, 0) + next_day)
    harness.clock.set(today(9, 55))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()
    assert "照片" in (fang.last().text or "")
    harness.clock.set(today(8, 10) + next_day)
    await fang.send_photo()
    await harness.settle()
    assert fang.last().text == (
        "「黄河路-人民路口」的班次已于 2026年12月1日 10:00 结束，"
        "不能再签到了。如有特殊情况请联系协调员。"
    )
    assert await harness.count(Dialogue) == 0
    assert await checkins(harness) == []
