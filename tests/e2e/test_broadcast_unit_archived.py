"""An admin's /broadcast to one unit that another admin archives meanwhile (it has left the
campaign): the next step says so, naming the unit, and ends /broadcast with nothing sent, as
a broadcast to all units already leaves an archived unit out."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.db.models import Broadcast, Dialogue, OutboxMessage, Role, Unit
from bot.emulator import SimUser
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, unit
from tests.harness import Harness

GONE = (
    "「环卫所」已归档，不能再向它的志愿者发送（管理员可在 /units 里恢复）；这次 /broadcast 已结束。"
)


async def _started(harness: Harness) -> tuple[SimUser, int]:
    unit_id = await unit(harness, "环卫所")
    await shift(harness, await post(harness, unit_id), DAY + dt.timedelta(days=1))
    await person(harness, 9602, unit_id, "甲")
    admin = harness.admin
    await command(harness, admin, "broadcast")
    await press_and_settle(harness, admin, "环卫所")
    assert "「环卫所」" in (admin.last().text or "")
    return admin, unit_id


async def _archive(harness: Harness, unit_id: int) -> None:
    async with harness.session() as session:
        await session.execute(update(Unit).where(Unit.id == unit_id).values(archived=True))


async def _nothing_sent(harness: Harness) -> None:
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Broadcast) == 0
    assert await harness.count(OutboxMessage) == 0


async def test_send_pressed_after_the_unit_was_archived_ends_broadcast(harness: Harness) -> None:
    admin, unit_id = await _started(harness)
    await press_and_settle(harness, admin, "📢 发一条通知")
    await admin.send_text("明早七点集合")
    await harness.settle()
    assert "📤 发送" in admin.last().buttons()
    await _archive(harness, unit_id)
    await press_and_settle(harness, admin, "📤 发送")
    assert admin.last().text == GONE
    assert admin.last().buttons() == []
    await _nothing_sent(harness)


async def test_a_choice_pressed_after_the_unit_was_archived_ends_broadcast(
    harness: Harness,
) -> None:
    admin, unit_id = await _started(harness)
    await _archive(harness, unit_id)
    await press_and_settle(harness, admin, "📅 明天的班次")
    assert admin.last().text == GONE
    await _nothing_sent(harness)


async def test_an_announcement_typed_after_the_unit_was_archived_ends_broadcast(
    harness: Harness,
) -> None:
    admin, unit_id = await _started(harness)
    await press_and_settle(harness, admin, "📢 发一条通知")
    await _archive(harness, unit_id)
    await admin.send_text("明早七点集合")
    await harness.settle()
    assert admin.last().text == GONE
    await _nothing_sent(harness)


async def test_a_coordinator_of_an_archived_unit_is_told_at_once(harness: Harness) -> None:
    unit_id = await unit(harness, "环卫所")
    coordinator = await person(harness, 9601, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 9602, unit_id, "甲")
    await _archive(harness, unit_id)
    assert await command(harness, coordinator, "broadcast") == GONE
    assert coordinator.last().buttons() == []
    await _nothing_sent(harness)


async def test_a_unit_picked_after_it_was_archived_ends_broadcast(harness: Harness) -> None:
    unit_id = await unit(harness, "环卫所")
    await person(harness, 9602, unit_id, "甲")
    admin = harness.admin
    await command(harness, admin, "broadcast")
    await _archive(harness, unit_id)
    await admin.press("环卫所")
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == GONE
    assert admin.last().text == GONE
    assert admin.last().buttons() == []
    await _nothing_sent(harness)
