"""The most reliable volunteers are ranked by the minutes credited, and each line's shifts are
the shifts those minutes come from: a volunteer back on post for the evening, with nothing of
it credited yet, is not said to have served two shifts in two hours; nor, once the evening's
hours were set to none by her coordinator, as /hours counts her shifts."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import CheckIn
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

    # 21:00 she checks out; her coordinator then sets the evening's hours to none (she stood
    # there, but not on duty, say): a correction leaves the check-in otherwise as it was.
    harness.clock.set(today(21, 0))
    await fang.send_command("checkout")
    await harness.settle()
    async with harness.session() as session:
        evening = await session.scalar(select(CheckIn).order_by(CheckIn.id.desc()).limit(1))
        assert evening is not None and evening.credited_minutes == 120
        evening.credited_override = evening.credited_minutes = 0
    harness.clock.set(today(21, 30))
    await li.send_command("today")
    await fang.send_command("hours")
    await harness.settle()
    tally = "\n".join(text for text in li.texts()[-3:] if "📊" in text)
    assert "🏅 最可靠的志愿者：\n1. 王芳（城管局）：1 个班次，2 小时\n" in tally, tally
    assert "本月：2 小时（1 班）" in (fang.last().text or "")
