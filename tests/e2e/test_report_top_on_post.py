"""The most reliable volunteers are ranked by the minutes credited, and each line's shifts are
the shifts those minutes come from: a volunteer back on post for the evening, with nothing of
it credited yet, is not said to have served two shifts in two hours."""

from __future__ import annotations

from tests.e2e.checkin_fixtures import check_in, coordinator, duty, team, today
from tests.harness import Harness


async def test_a_shift_still_on_post_is_not_counted_among_the_top_volunteers_shifts(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    li = await coordinator(harness, "城管局", 6001, "李协调")
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(19, 0), today(21, 0), post_name="解放路口")
    harness.clock.set(today(7, 55))
    await check_in(harness, fang)
    harness.clock.set(today(10, 0))
    await fang.send_command("checkout")
    await harness.settle()
    harness.clock.set(today(18, 55))
    await check_in(harness, fang)

    harness.clock.set(today(20, 0))
    await li.send_command("today")
    await harness.settle()
    tally = "\n".join(text for text in li.texts()[-3:] if "📊" in text)
    assert "🏅 最可靠的志愿者：\n1. 王芳（城管局）：1 个班次，2 小时" in tally, tally
