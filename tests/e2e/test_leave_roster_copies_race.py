"""🙋 待批请假 under /roster pressed at the moment another coordinator decides the request (two
chats, one moment): the copy it sends again never goes out with live ✅ / ✖️ for a request
already decided. On PostgreSQL the press could read the request as still asked while the
decision was between reading the request's cards and committing, queue its copy and commit
first; the sender then drew the copy again as still asked and sent it, and the decision
closed only the cards it had read. The press now takes the lock the decision takes (the
shift's), and reads the request again under it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import LeaveStatus, OutboxMessage, OutboxStatus
from bot.services.platform import cards as card_service
from tests.e2e.leave_card_fixtures import asked, now_of
from tests.e2e.race_gate import Gate, until
from tests.e2e.rostering_fixtures import alert, leaves
from tests.e2e.schedule import command
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"cancel_cutoff_hours": 12}


async def _copies(harness: Harness, chat_id: int) -> list[OutboxMessage]:
    async with harness.session() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.idempotency_key.like("leave-shown:%"),
            )
            .order_by(OutboxMessage.id)
        )
        return list(rows)


async def test_a_copy_asked_for_while_the_request_is_decided_never_goes_out_live(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    cards = await asked(harness, "出差去省里开会")
    chen, amy = cards.chen, cards.amy
    await command(harness, chen, "roster")
    again = chen.last()
    assert "🙋 待批请假 1" in again.buttons()

    # Amy approves; her decision has read the request's cards and is about to close them.
    gate = Gate(monkeypatch, card_service, "close")
    await amy.press("✅ Approve", cards.amy_card.message_id)
    await gate.wait_reached()
    answered = len(chen.answered_callbacks)
    await chen.press("🙋 待批请假 1", again.message_id)
    await until(lambda: len(chen.answered_callbacks) > answered)
    if not harness.database.is_sqlite:
        # The sender runs meanwhile (on SQLite it would wait for the held write, as the press).
        await harness.bot.deliver()
    gate.release()
    await harness.settle()
    await harness.deliver()

    [request] = await leaves(harness)
    assert request.status is LeaveStatus.APPROVED
    # Nothing in 陈协调's chat still offers to decide it: his card says who approved it, and
    # no copy went out with buttons.
    assert "「Amy」批准了这条请假。" in (now_of(chen, cards.chen_card).text or "")
    assert [m.message_id for m in chen.messages() if "✅ 批准" in m.buttons()] == []
    assert alert(chen) == "没有待批的请假了。"
    copies = await _copies(harness, chen.user_id)
    assert [row for row in copies if row.status is OutboxStatus.SENT] == []
