"""A coordinator picks today in /newshift just before midnight and gives the time after it: the
day itself is past, so no time can make the shift, and the day is asked again (from the new
today) instead of refusing every time typed until Cancel."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.models import Dialogue, Role, Shift
from tests.e2e.schedule import DAY, at, command, person, post, press_and_settle, unit
from tests.harness import Harness

PAST = "2026-12-01 的班次时间已经过去了。"


async def test_a_time_given_after_midnight_for_yesterday_asks_the_day_again(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    await post(harness, unit_id)
    coordinator = await person(harness, 8101, unit_id, "王协调", role=Role.COORDINATOR)
    harness.clock.set(at(DAY, 23, 50))
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    assert "几点到几点" in await press_and_settle(harness, coordinator, "12月1日 周二")

    harness.clock.set(at(DAY + dt.timedelta(days=1), 0, 5))
    await coordinator.send_text("07:00-09:00")
    await harness.settle()
    text = coordinator.last().text or ""
    assert text.startswith(PAST + "\n")
    assert "哪一天" in text
    # The day buttons start from the new today.
    assert coordinator.last().buttons()[0] == "12月2日 周三"
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, coordinator.user_id)
        assert dialogue is not None and dialogue.step == "day"

    await press_and_settle(harness, coordinator, "12月2日 周三")
    # Typed with a Chinese input method, whose Shift and minus gives "——".
    await coordinator.send_text("07:00——09:00")
    await harness.settle()
    await press_and_settle(harness, coordinator, "2")
    await press_and_settle(harness, coordinator, "✅ 新建")
    async with harness.session() as session:
        [created] = list(await session.scalars(select(Shift)))
    assert created.starts_at == at(DAY + dt.timedelta(days=1), 7)
    assert await harness.count(Dialogue) == 0


async def test_an_hour_already_past_today_may_be_typed_again(harness: Harness) -> None:
    """Only the day being past asks for the day again; a time earlier today is refused as
    before, with the time asked for again."""
    unit_id = await unit(harness)
    await post(harness, unit_id)
    coordinator = await person(harness, 8101, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    await press_and_settle(harness, coordinator, "12月1日 周二")
    await coordinator.send_text("07:00-07:30")
    await harness.settle()
    assert coordinator.last().text == PAST
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, coordinator.user_id)
        assert dialogue is not None and dialogue.step == "time"

    # An evening shift until the end of the day: 24:00 is the midnight that ends it, as the
    # spreadsheet's end column reads it.
    await coordinator.send_text("22:00-24:00")
    await harness.settle()
    assert (coordinator.last().text or "").startswith("需要几名志愿者"), coordinator.last().text
    # Shown ending at 24:00 as typed: 22:00–00:00 would read as ending before it starts.
    review = await press_and_settle(harness, coordinator, "2")
    assert "🕒 22:00–24:00" in review, review
    text = await press_and_settle(harness, coordinator, "✅ 新建")
    assert "12月1日 周二 22:00–24:00 · 黄河路-人民路口" in text, text
    roster = await command(harness, coordinator, "roster")
    assert "22:00–24:00" in roster and "00:00" not in roster, roster
    async with harness.session() as session:
        [created] = list(await session.scalars(select(Shift)))
    assert (created.starts_at, created.ends_at) == (at(DAY, 22), at(DAY + dt.timedelta(days=1), 0))

    # A whole day, 00:00 to the midnight that ends it, is one shift of 24 hours; the same
    # midnight twice is still no shift.
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    await press_and_settle(harness, coordinator, "12月2日 周三")
    await coordinator.send_text("00:00-00:00")
    await harness.settle()
    assert not (coordinator.last().text or "").startswith("需要几名志愿者")
    await coordinator.send_text("00:00-24:00")
    await harness.settle()
    assert (coordinator.last().text or "").startswith("需要几名志愿者"), coordinator.last().text
    review = await press_and_settle(harness, coordinator, "2")
    assert "🕒 00:00–24:00" in review, review
    text = await press_and_settle(harness, coordinator, "✅ 新建")
    assert "12月2日 周三 00:00–24:00 · 黄河路-人民路口" in text, text
    async with harness.session() as session:
        whole = await session.scalar(
            select(Shift).where(Shift.starts_at == at(DAY + dt.timedelta(days=1), 0))
        )
    assert whole is not None
    assert whole.ends_at == at(DAY + dt.timedelta(days=2), 0)
