"""The copies of a leave request that 🙋 待批请假 under /roster sends again are cards like the
request's first ones: once the request is decided (or ends), each copy loses its ✅ / ✖️ and
says how, in place; the copy pressed keeps the decider's answer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import LeaveStatus, OutboxMessage, OutboxStatus, Role
from bot.emulator import SentMessage, SimUser
from tests.e2e.rostering_fixtures import ask_leave, assign_by_hand, leaves, town
from tests.e2e.schedule import command, press_and_settle
from tests.e2e.swap_fixtures import member
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"cancel_cutoff_hours": 12}


def _now_of(person: SimUser, card: SentMessage) -> SentMessage:
    return next(m for m in person.messages() if m.message_id == card.message_id)


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


async def _asked(harness: Harness) -> tuple[SimUser, SimUser, SentMessage, SentMessage]:
    """王芳 asks leave; 陈协调 holds his card and, from /roster, a copy of it."""
    town_ = await town(harness)
    chen = town_.coordinator
    amy = await member(harness, 7901, town_.unit_id, "Amy", role=Role.COORDINATOR, language="en")
    await assign_by_hand(harness, chen, town_.shift_id, "王芳")
    await ask_leave(harness, town_.people[1], "出差去省里开会")
    await harness.deliver()
    card = chen.last()
    await command(harness, chen, "roster")
    await press_and_settle(harness, chen, "🙋 待批请假 1")
    await harness.deliver()
    copy = chen.last()
    assert copy.message_id != card.message_id
    assert (copy.text or "").startswith("🙋 请假申请\n王芳")
    assert copy.buttons() == ["✅ 批准", "✖️ 驳回"]
    [row] = await _copies(harness, chen.user_id)
    assert row.status is OutboxStatus.SENT and row.payload["sent_message_id"] == copy.message_id
    return chen, amy, card, copy


async def test_a_roster_copy_is_closed_when_another_coordinator_decides(
    harness: Harness,
) -> None:
    chen, amy, card, copy = await _asked(harness)

    await press_and_settle(harness, amy, "✅ Approve")
    await harness.deliver()

    [request] = await leaves(harness)
    assert request.status is LeaveStatus.APPROVED
    for shown in (_now_of(chen, copy), _now_of(chen, card)):
        assert shown.buttons() == []
        assert "出差去省里开会" in (shown.text or "")
        assert "「Amy」批准了这条请假。" in (shown.text or "")
    [row, edit] = await _copies(harness, chen.user_id)
    assert edit.idempotency_key == row.idempotency_key + ":closed"
    assert edit.status is OutboxStatus.SENT


async def test_the_copy_pressed_keeps_the_answer_and_the_others_are_closed(
    harness: Harness,
) -> None:
    chen, amy, card, copy = await _asked(harness)
    amy_card = amy.last()

    data = copy.button_data("✅ 批准")
    assert data is not None
    await chen.press_data(data, copy.message_id)
    await harness.settle()
    await harness.deliver()

    assert (_now_of(chen, copy).text or "").startswith("✅ 已批准 王芳 请假")
    assert _now_of(chen, copy).buttons() == []
    # His first card and Amy's are closed, saying who approved it.
    assert "「陈协调」批准了这条请假。" in (_now_of(chen, card).text or "")
    assert _now_of(chen, card).buttons() == []
    assert "“陈协调” approved this leave" in (_now_of(amy, amy_card).text or "")
    # The pressed copy is not edited again: no closing edit queued for it.
    assert [row.status for row in await _copies(harness, chen.user_id)] == [OutboxStatus.SENT]


async def test_a_copy_sent_again_closes_the_older_copy_in_that_chat(harness: Harness) -> None:
    chen, _amy, card, copy = await _asked(harness)

    await press_and_settle(harness, chen, "🙋 待批请假 1")
    await harness.deliver()

    newer = chen.last()
    assert newer.message_id != copy.message_id
    assert newer.buttons() == ["✅ 批准", "✖️ 驳回"]
    # The older copy keeps the request but no buttons, and says where it went.
    older = _now_of(chen, copy)
    assert older.buttons() == []
    assert "出差去省里开会" in (older.text or "")
    assert "已在下方重新发送" in (older.text or "")
    # His first card (not a copy) is left as it is.
    assert _now_of(chen, card).buttons() == ["✅ 批准", "✖️ 驳回"]
    [first, first_closed, second] = await _copies(harness, chen.user_id)
    assert first_closed.idempotency_key == first.idempotency_key + ":closed"
    assert first_closed.status is OutboxStatus.SENT
    assert second.status is OutboxStatus.SENT

    # Decided from the newer copy: the older one keeps its one closing edit, nothing more.
    await press_and_settle(harness, chen, "✅ 批准")
    await harness.deliver()
    [request] = await leaves(harness)
    assert request.status is LeaveStatus.APPROVED
    assert (_now_of(chen, newer).text or "").startswith("✅ 已批准 王芳 请假")
    assert len(await _copies(harness, chen.user_id)) == 3


async def test_copies_not_yet_sent_are_replaced_not_piled_up(harness: Harness) -> None:
    chen, _, _, _ = await _asked(harness)
    before = len(chen.messages())

    await press_and_settle(harness, chen, "🙋 待批请假 1")
    await press_and_settle(harness, chen, "🙋 待批请假 1")
    await harness.deliver()

    # The copy queued by the first press, not sent yet, is dropped: one new copy in the chat.
    shown = chen.messages()[before:]
    assert [m.buttons() for m in shown] == [["✅ 批准", "✖️ 驳回"]]
    statuses = [row.status for row in await _copies(harness, chen.user_id)]
    assert statuses.count(OutboxStatus.DROPPED) == 1
    assert statuses.count(OutboxStatus.SENT) == 3  # the first copy, its closing edit, the last


async def test_an_older_copy_decided_before_its_closing_edit_went_out_keeps_the_answer(
    harness: Harness,
) -> None:
    chen, _amy, _card, copy = await _asked(harness)

    # Sent again (the older copy's closing edit still queued), then decided from the older
    # copy, whose buttons are still on the screen.
    await press_and_settle(harness, chen, "🙋 待批请假 1")
    data = copy.button_data("✅ 批准")
    assert data is not None
    await chen.press_data(data, copy.message_id)
    await harness.settle()
    await harness.deliver()

    [request] = await leaves(harness)
    assert request.status is LeaveStatus.APPROVED
    # The pressed copy keeps the decider's answer: no "sent again below" over it.
    older = _now_of(chen, copy)
    assert (older.text or "").startswith("✅ 已批准 王芳 请假"), older.text
    assert older.buttons() == []
    [first, first_closed, second] = await _copies(harness, chen.user_id)
    assert first_closed.idempotency_key == first.idempotency_key + ":closed"
    assert first_closed.status is OutboxStatus.DROPPED
    # The newer copy, not sent yet, is dropped: nothing below to point to.
    assert second.status is OutboxStatus.DROPPED
    assert all("✅ 批准" not in m.buttons() for m in chen.messages())
