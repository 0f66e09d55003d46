"""A coordinator moved to another unit in the middle of /broadcast can no longer send to the
unit they began with, and nothing they type or press there could change that: the next step
says so, naming the unit, and ends /broadcast, rather than answering "forbidden" to every
text until Cancel. Nothing is sent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.db.models import Broadcast, Dialogue, Member, OutboxMessage, Role
from bot.emulator import SimUser
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, unit
from tests.harness import Harness

LEFT = "您已不在「城管局」，不能再向它的志愿者发送；这次 /broadcast 已结束。"
NOT_UNDERSTOOD = "没看懂这条消息。发送 /help 查看可用的命令。"


async def _started(harness: Harness) -> tuple[SimUser, int]:
    unit_id = await unit(harness)
    other = await unit(harness, "交警队")
    await shift(harness, await post(harness, unit_id), DAY + dt.timedelta(days=1))
    coordinator = await person(harness, 9601, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 9602, unit_id, "甲")
    await command(harness, coordinator, "broadcast")
    assert "发给「城管局」的志愿者" in (coordinator.last().text or "")
    return coordinator, other


async def _move(harness: Harness, coordinator: SimUser, unit_id: int) -> None:
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == coordinator.user_id).values(unit_id=unit_id)
        )


async def _nothing_sent(harness: Harness) -> None:
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Broadcast) == 0
    assert await harness.count(OutboxMessage) == 0


async def test_an_announcement_typed_after_the_move_ends_broadcast(harness: Harness) -> None:
    coordinator, other = await _started(harness)
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await _move(harness, coordinator, other)
    await coordinator.send_text("明早七点集合")
    await harness.settle()
    assert coordinator.last().text == LEFT
    await _nothing_sent(harness)
    await coordinator.send_text("明早八点集合")
    await harness.settle()
    assert coordinator.last().text == NOT_UNDERSTOOD


async def test_a_range_typed_after_the_move_ends_broadcast(harness: Harness) -> None:
    coordinator, other = await _started(harness)
    await _move(harness, coordinator, other)
    await coordinator.send_text("12-01 12-07")
    await harness.settle()
    assert coordinator.last().text == LEFT
    await _nothing_sent(harness)


async def test_a_choice_pressed_after_the_move_ends_broadcast(harness: Harness) -> None:
    coordinator, other = await _started(harness)
    await _move(harness, coordinator, other)
    await coordinator.press("📆 未来 7 天")
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == LEFT
    assert coordinator.last().text == LEFT
    assert coordinator.last().buttons() == []
    await _nothing_sent(harness)


async def test_send_pressed_after_the_move_ends_broadcast(harness: Harness) -> None:
    coordinator, other = await _started(harness)
    text = await press_and_settle(harness, coordinator, "📆 未来 7 天")
    assert "将发给 1 名志愿者" in text
    await _move(harness, coordinator, other)
    await coordinator.press("📤 发送")
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == LEFT
    assert coordinator.last().text == LEFT
    assert coordinator.last().buttons() == []
    await _nothing_sent(harness)
