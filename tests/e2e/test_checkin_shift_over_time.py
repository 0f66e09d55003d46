"""A check-in refused because its shift is over says when it ended as other refusals say a
past moment: the time alone when it ended today (the reader's day), the date too otherwise."""

from __future__ import annotations

import datetime as dt

from tests.e2e.checkin_fixtures import duty, today
from tests.e2e.checkin_refusal_fixtures import (
    at_the_photo_step,
    checkin_at,
    in_english,
    nothing_open_nor_written,
    on_duty,
)
from tests.harness import Harness


async def test_a_shift_that_ended_today_is_said_to_have_ended_at_a_time(
    harness: Harness,
) -> None:
    fang = (await on_duty(harness)).fang
    assert await checkin_at(harness, fang, today(10, 20)) == (
        "「黄河路-人民路口」的班次已于 10:00 结束，不能再签到了。如有特殊情况请联系协调员。"
    )


async def test_a_shift_that_ended_today_reads_so_in_english(harness: Harness) -> None:
    fang = (await on_duty(harness)).fang
    harness.clock.set(today(10, 20))
    await in_english(harness, fang)
    text = await checkin_at(harness, fang, today(10, 20))
    assert "ended at 10:00;" in text, text
    assert "2026" not in text


async def test_a_shift_that_ended_on_another_day_is_said_with_its_date(harness: Harness) -> None:
    """A check-in left at its photo overnight: the photo sent the next morning, while another
    shift is open, is refused with the day the left one ended."""
    shift = await on_duty(harness)
    fang = shift.fang
    next_day = dt.timedelta(days=1)
    await duty(harness, fang, shift.crew.unit, today(8, 0) + next_day, today(10, 0) + next_day)
    await at_the_photo_step(harness, fang, today(9, 55))
    harness.clock.set(today(8, 10) + next_day)
    await fang.send_photo()
    await harness.settle()
    assert fang.last().text == (
        "「黄河路-人民路口」的班次已于 2026年12月1日 10:00 结束，"
        "不能再签到了。如有特殊情况请联系协调员。"
    )
    await nothing_open_nor_written(harness)
