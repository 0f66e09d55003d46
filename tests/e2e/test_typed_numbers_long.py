"""A number typed with thousands of digits (a paste gone wrong) where a capacity or a radius is
asked is refused as out of range, like any number too large, and changes nothing: Python reads no
integer of more than 4,300 digits, and the bot used to answer it with its apology for a crash."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.models import Dialogue, Post, Role, Shift
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, unit
from tests.harness import Harness

TOMORROW = DAY + dt.timedelta(days=1)
LONG = "1" * 5000
CRASH = "抱歉，处理时出了问题，已记录下来。请稍后再试；如果一直不行，请联系协调员。"


async def test_a_capacity_of_5000_digits_on_the_shift_card_is_refused(harness: Harness) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    shift_id = await shift(harness, post_id, TOMORROW, 7, 9, capacity=2)
    coordinator = await person(harness, 6101, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "posts")
    await press_and_settle(harness, coordinator, "黄河路-人民路口")
    await press_and_settle(harness, coordinator, "📅 班次")
    await press_and_settle(harness, coordinator, "12月2日 周三 07:00–09:00 · 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "👥 人数")
    await coordinator.send_text(LONG)
    await harness.settle()
    answer = coordinator.last().text or ""
    assert answer != CRASH
    assert "500" in answer, answer
    async with harness.session() as session:
        row = await session.get(Shift, shift_id)
        assert row is not None and row.capacity == 2
    # The question still waits: a number in range is taken.
    await coordinator.send_text("3")
    await harness.settle()
    assert "✅ 已更新。班次上还没有人，不用通知。" in coordinator.texts()
    async with harness.session() as session:
        row = await session.get(Shift, shift_id)
        assert row is not None and row.capacity == 3
    assert await harness.count(Dialogue) == 0


async def test_a_capacity_of_5000_digits_in_newshift_is_refused(harness: Harness) -> None:
    unit_id = await unit(harness)
    await post(harness, unit_id)
    coordinator = await person(harness, 8101, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    await coordinator.send_text("12-02")
    await harness.settle()
    await coordinator.send_text("07:00-09:00")
    await harness.settle()
    await coordinator.send_text(LONG)
    await harness.settle()
    answer = coordinator.last().text or ""
    assert answer != CRASH
    assert "500" in answer, answer
    assert await harness.count(Shift) == 0
    assert await harness.count(Dialogue) == 1


async def test_a_radius_of_5000_digits_in_newpost_is_refused(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 8001, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newpost")
    await coordinator.send_text("黄河路-人民路口")
    await harness.settle()
    await press_and_settle(harness, coordinator, "文明交通劝导岗")
    await coordinator.send_location(30.6586, 104.0648)
    await harness.settle()
    await coordinator.send_text(LONG + "米")
    await harness.settle()
    answer = coordinator.last().text or ""
    assert answer != CRASH
    assert "5000" in answer, answer
    assert await harness.count(Post) == 0
    await coordinator.send_text("200米")
    await harness.settle()
    async with harness.session() as session:
        assert list(await session.scalars(select(Post.radius_m))) == [200]
