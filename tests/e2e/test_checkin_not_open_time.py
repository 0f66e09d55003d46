"""The refusal "not open yet" says when the shift starts and when its check-in opens as the
other check-in refusals say a moment: the time alone on the reader's own day, the date too on
another; so does the share that ends before the opening."""

from __future__ import annotations

from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import near, today
from tests.e2e.checkin_refusal_fixtures import checkin_at, in_english, on_duty
from tests.harness import Harness


async def _on_the_late_morning_shift(harness: Harness) -> SimUser:
    """王芳 on 东风路口 11:00–12:00 today; it is 10:05."""
    fang = (await on_duty(harness, today(11, 0), today(12, 0), "东风路口")).fang
    harness.clock.set(today(10, 5))
    return fang


async def test_not_open_yet_today_says_the_times_alone(harness: Harness) -> None:
    fang = await _on_the_late_morning_shift(harness)
    assert (
        await checkin_at(harness, fang, today(10, 5))
        == "还没到签到时间。「东风路口」的班次 11:00 开始，10:30 起可以签到。"
    )


async def test_not_open_yet_reads_so_in_english(harness: Harness) -> None:
    fang = await _on_the_late_morning_shift(harness)
    await in_english(harness, fang)
    text = await checkin_at(harness, fang, today(10, 5))
    assert "11:00" in text and "10:30" in text, text
    assert "2026" not in text and "Dec" not in text, text


async def test_a_share_ending_before_the_opening_today_says_the_times_alone(
    harness: Harness,
) -> None:
    fang = await _on_the_late_morning_shift(harness)
    await fang.send_location(*near(20), live_period=15 * 60)
    await harness.settle()
    text = fang.last().text or ""
    assert text.startswith(
        "还没到签到时间。「东风路口」的班次 11:00 开始，10:30 起可以签到。"
        "您共享的实时位置到 10:20 就结束了"
    ), text
