"""A coordinator moved to another unit in the middle of /broadcast: the next typed text ends
/broadcast with the reason, and the buttons of the question it answered go with it (the
choices, the ✖️ of "type the announcement", 📤 发送 of the preview), where a later press
could only be answered as stale."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.db.models import Broadcast, Dialogue, Member, OutboxMessage, Role
from bot.emulator import SentMessage, SimUser
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, unit
from tests.harness import Harness

LEFT = "您已不在「城管局」，不能再向它的志愿者发送；这次 /broadcast 已结束。"


async def _started(harness: Harness) -> tuple[SimUser, int]:
    unit_id = await unit(harness)
    other = await unit(harness, "交警队")
    await shift(harness, await post(harness, unit_id), DAY + dt.timedelta(days=1))
    coordinator = await person(harness, 9601, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 9602, unit_id, "甲")
    await command(harness, coordinator, "broadcast")
    assert "发给「城管局」的志愿者" in (coordinator.last().text or "")
    return coordinator, other


async def _typed_after_the_move(
    harness: Harness, coordinator: SimUser, other: int, text: str
) -> SentMessage:
    """The question asked last, as it is once `text` typed after the move ended /broadcast."""
    asked = coordinator.last()
    assert asked.buttons() != []
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == coordinator.user_id).values(unit_id=other)
        )
    await coordinator.send_text(text)
    await harness.settle()
    assert coordinator.last().text == LEFT
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Broadcast) == 0
    assert await harness.count(OutboxMessage) == 0
    return next(m for m in coordinator.messages() if m.message_id == asked.message_id)


async def test_a_typed_range_takes_the_choices_off(harness: Harness) -> None:
    coordinator, other = await _started(harness)
    question = await _typed_after_the_move(harness, coordinator, other, "12-01 12-07")
    assert question.buttons() == []


async def test_a_typed_announcement_takes_the_cancel_off(harness: Harness) -> None:
    coordinator, other = await _started(harness)
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    question = await _typed_after_the_move(harness, coordinator, other, "明早七点集合")
    assert question.buttons() == []


async def test_a_text_typed_at_the_preview_takes_send_off(harness: Harness) -> None:
    coordinator, other = await _started(harness)
    await coordinator.send_text("12-01 12-07")
    await harness.settle()
    assert "📤 发送" in coordinator.last().buttons()
    question = await _typed_after_the_move(harness, coordinator, other, "好的")
    assert question.buttons() == []
