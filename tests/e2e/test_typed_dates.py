"""Dates typed with a slip of the keyboard (year 1, year 9999) or with a Chinese input method's
full-width characters, at every command and step that reads a date: a clear answer, nothing
created, no overflow escaping."""

from __future__ import annotations

from bot.db.models import Broadcast, Dialogue, Role, Shift
from tests.e2e.schedule import command, person, post, press_and_settle, unit
from tests.harness import Harness

GENERIC = "抱歉，处理时出了问题"


async def test_a_year_far_away_is_refused_wherever_a_date_is_typed(harness: Harness) -> None:
    unit_id = await unit(harness)
    await post(harness, unit_id)
    coordinator = await person(harness, 7601, unit_id, "王协调", role=Role.COORDINATOR)

    assert "没看懂这个日期范围" in await command(harness, coordinator, "rotate", "9999-12-31")
    assert "没看懂日期" in await command(harness, coordinator, "roster", "9999-12-31")
    # A day typed without its year is read forward from half a year back: 05-20 on 1 December
    # is next May's, and the roster's header says the year of a day not in this one.
    assert "📋 花名册 · 2027年5月20日" in await command(harness, coordinator, "roster", "05-20")
    assert "📋 花名册 · 12月1日 周二" in await command(harness, coordinator, "roster", "12-01")

    await command(harness, coordinator, "broadcast")
    await coordinator.send_text("9999-12-31")
    await harness.settle()
    assert "没看懂" in (coordinator.last().text or "")
    await command(harness, coordinator, "cancel")

    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, coordinator.last().buttons()[0])
    await coordinator.send_text("0001-01-01")
    await harness.settle()
    assert "没看懂日期" in (coordinator.last().text or "")
    # Full-width, as typed with a Chinese input method: read.
    await coordinator.send_text("１２－０７")
    await harness.settle()
    assert "几点到几点" in (coordinator.last().text or "")
    await command(harness, coordinator, "cancel")

    assert not any(GENERIC in text for text in coordinator.texts())
    assert await harness.count(Shift) == 0 and await harness.count(Broadcast) == 0
    assert await harness.count(Dialogue) == 0
