"""A capacity typed as a person says it (3人, 3 人, ３, 3 people) where /newshift or the shift
card asks for a number of people is read as that number; garbage still gets the question's
answer, a length (150m) is told it is no head count, and neither changes anything."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import Dialogue, Role, Shift
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, unit
from tests.harness import Harness

TOMORROW = DAY + dt.timedelta(days=1)
NEED = "请输入人数，例如 4。"
# A length (a road section's 150m) is no head count: said so, as the import says it.
LENGTH = "「150m」是长度，不是人数。请输入这个班次要几个人（1 到 500）。"


@pytest.mark.parametrize("typed", ["3人", "3 人", "３", "3 people"])
async def test_newshift_reads_a_capacity_typed_with_its_word(harness: Harness, typed: str) -> None:
    unit_id = await unit(harness)
    await post(harness, unit_id)
    coordinator = await person(harness, 8101, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    await coordinator.send_text("12-02")
    await harness.settle()
    await coordinator.send_text("07:00-09:00")
    await harness.settle()
    await coordinator.send_text("约三个人")
    await harness.settle()
    assert coordinator.last().text == NEED
    await coordinator.send_text("150m")
    await harness.settle()
    assert coordinator.last().text == LENGTH
    await coordinator.send_text(typed)
    await harness.settle()
    assert "3 人" in (coordinator.last().text or "")
    await press_and_settle(harness, coordinator, "✅ 新建")
    async with harness.session() as session:
        assert list(await session.scalars(select(Shift.capacity))) == [3]
    assert await harness.count(Dialogue) == 0


async def test_the_shift_card_reads_a_capacity_typed_with_its_word(harness: Harness) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    shift_id = await shift(harness, post_id, TOMORROW, 7, 9, capacity=2)
    coordinator = await person(harness, 6101, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "posts")
    await press_and_settle(harness, coordinator, "黄河路-人民路口")
    await press_and_settle(harness, coordinator, "📅 班次")
    await press_and_settle(harness, coordinator, "12月2日 周三 07:00–09:00 · 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "👥 人数")
    await coordinator.send_text("三人")
    await harness.settle()
    assert coordinator.last().text == NEED
    await coordinator.send_text("150m")
    await harness.settle()
    assert coordinator.last().text == LENGTH
    async with harness.session() as session:
        row = await session.get(Shift, shift_id)
        assert row is not None and row.capacity == 2
    await coordinator.send_text("5 人")
    await harness.settle()
    assert "✅ 已更新。班次上还没有人，不用通知。" in coordinator.texts()
    async with harness.session() as session:
        row = await session.get(Shift, shift_id)
        assert row is not None and row.capacity == 5
    assert await harness.count(Dialogue) == 0
