"""A leave card whose first send failed, and that was closed while that send was under way (so
it could not be dropped unseen), goes out closed when the retry succeeds: the text of how the
request was decided, no ✅ / ✖️ ever on its reader's screen, and no edit after it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from bot import sender
from bot.db.models import OutboxMessage, OutboxStatus, Role
from bot.emulator import Fault
from tests.e2e.race_gate import until
from tests.e2e.rostering_fixtures import ask_leave, assign_by_hand, town
from tests.e2e.swap_fixtures import member
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"cancel_cutoff_hours": 12}


async def _rows(harness: Harness, chat_id: int) -> dict[str, OutboxMessage]:
    async with harness.session() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.idempotency_key.like("leave-asked:%"),
            )
        )
        return {row.idempotency_key: row for row in rows}


async def test_a_card_closed_while_its_failed_send_is_retried_goes_out_closed(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    town_ = await town(harness)
    chen = town_.coordinator
    amy = await member(harness, 7901, town_.unit_id, "Amy", role=Role.COORDINATOR, language="en")
    wang = town_.people[1]
    await assign_by_hand(harness, chen, town_.shift_id, "王芳")
    await harness.deliver()
    await ask_leave(harness, wang, "出差去省里开会")

    # Amy's card is being sent (claimed) when 陈协调 approves from his; that send then fails.
    reached, go_on = asyncio.Event(), asyncio.Event()
    original = sender.deliver

    async def held(bot: Any, chat_id: int, message: Any) -> Any:
        if chat_id == amy.user_id and not go_on.is_set():
            reached.set()
            await go_on.wait()
        return await original(bot, chat_id, message)

    monkeypatch.setattr(sender, "deliver", held)
    harness.emulator.inject_fault(Fault(kind="502", method="sendMessage", chat_id=amy.user_id))
    delivering = asyncio.create_task(harness.bot.deliver())
    await asyncio.wait_for(reached.wait(), 10)
    assert await until(
        lambda: bool(chen.messages()) and chen.last().buttons() == ["✅ 批准", "✖️ 驳回"]
    )
    await chen.press("✅ 批准")
    await harness.settle()
    go_on.set()
    await delivering
    await harness.settle()
    assert amy.messages() == []  # the first send failed

    # The retry (after its backoff) succeeds: the card goes out closed.
    harness.clock.advance(seconds=6)
    await harness.deliver()
    [card] = amy.messages()
    assert card.buttons() == []
    assert "🙋 Leave request" in (card.text or "") and "出差去省里开会" in (card.text or "")
    assert "✅ “陈协调” approved this leave on " in (card.text or "")
    rows = await _rows(harness, amy.user_id)
    [key] = [key for key in rows if not key.endswith(":closed")]
    assert rows[key].status is OutboxStatus.SENT and not rows[key].payload.get("buttons")
    assert rows[key].payload.get("sent_message_id") == card.message_id
    edit = rows[key + ":closed"]
    assert edit.status is OutboxStatus.DROPPED and edit.last_error == "its card went out closed"

    # Nothing more reaches her: no edit of what already says how it ended.
    harness.clock.advance(seconds=30)
    await harness.deliver()
    assert len(amy.messages()) == 1 and amy.messages()[0].text == card.text
