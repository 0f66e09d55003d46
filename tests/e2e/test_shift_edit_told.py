"""The answer to a shift's new capacity, time or notes says who was told, and only what
happened: a value the shift already has changes nothing and tells nobody, and a shift nobody is
on yet tells nobody."""

from __future__ import annotations

import datetime as dt

from bot.db.models import AuditEntry, Dialogue, OutboxMessage, Role
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, unit
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness

TOMORROW = DAY + dt.timedelta(days=1)
LABEL = "12月2日 周三 07:00–09:00 · 黄河路-人民路口"


async def _card(harness: Harness, coordinator_id: int, unit_id: int) -> None:
    coordinator = harness.user(coordinator_id, "王协调")
    await command(harness, coordinator, "posts")
    await press_and_settle(harness, coordinator, "黄河路-人民路口")
    await press_and_settle(harness, coordinator, "📅 班次")
    await press_and_settle(harness, coordinator, LABEL)


async def test_the_same_capacity_typed_again_changes_nothing_and_says_so(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id), TOMORROW, 7, 9, capacity=2)
    coordinator = await person(harness, 6101, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 6102, unit_id, "甲")
    await seat(harness, shift_id, 6102)
    await _card(harness, 6101, unit_id)
    await press_and_settle(harness, coordinator, "👥 人数")
    await coordinator.send_text("2")
    await harness.settle()
    assert coordinator.texts()[-2] == "没有改动：和原来一样，没有通知任何人。"
    assert coordinator.last().text is not None and coordinator.last().text.startswith("📋 ")
    assert await harness.count(OutboxMessage) == 0
    assert await harness.count(AuditEntry) == 0
    assert await harness.count(Dialogue) == 0


async def test_a_change_to_a_shift_nobody_is_on_tells_nobody_and_says_so(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    await shift(harness, await post(harness, unit_id), TOMORROW, 7, 9, capacity=2)
    coordinator = await person(harness, 6101, unit_id, "王协调", role=Role.COORDINATOR)
    await _card(harness, 6101, unit_id)
    await press_and_settle(harness, coordinator, "👥 人数")
    await coordinator.send_text("3")
    await harness.settle()
    assert coordinator.texts()[-2] == "✅ 已更新。班次上还没有人，不用通知。"
    assert await harness.count(OutboxMessage) == 0
