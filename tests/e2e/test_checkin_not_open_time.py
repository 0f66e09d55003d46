"""The refusal "not open yet" says when the shift starts and when its check-in opens as the
other check-in refusals say a moment: the time alone on the reader's own day, the date too on
another; so does the share that ends before the opening."""

from __future__ import annotations

from tests.e2e.checkin_fixtures import duty, near, team, today
from tests.harness import Harness


async def test_not_open_yet_today_says_the_times_alone(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(11, 0), today(12, 0), post_name="东风路口")
    harness.clock.set(today(10, 5))
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.last().text == "还没到签到时间。「东风路口」的班次 11:00 开始，10:30 起可以签到。"


async def test_not_open_yet_reads_so_in_english(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(11, 0), today(12, 0), post_name="东风路口")
    harness.clock.set(today(10, 5))
    await fang.send_command("lang")
    await harness.settle()
    await fang.press("English（英文）")
    await harness.settle()
    await fang.send_command("checkin")
    await harness.settle()
    text = fang.last().text or ""
    assert "11:00" in text and "10:30" in text, text
    assert "2026" not in text and "Dec" not in text, text


async def test_a_share_ending_before_the_opening_today_says_the_times_alone(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(11, 0), today(12, 0), post_name="东风路口")
    harness.clock.set(today(10, 5))
    await fang.send_location(*near(20), live_period=15 * 60)
    await harness.settle()
    text = fang.last().text or ""
    assert text.startswith(
        "还没到签到时间。「东风路口」的班次 11:00 开始，10:30 起可以签到。"
        "您共享的实时位置到 10:20 就结束了"
    ), text
