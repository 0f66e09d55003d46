"""The cards that ask a unit's coordinators to approve a swap are closed in place once it no
longer awaits approval: when one coordinator decided, the other's card shows who decided and
when, without buttons, in that coordinator's language; when the offerer withdrew it or it
expired, every card says so. A press on an old copy of the buttons is still answered."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.buttons import SwapApprove
from bot.db.models import OutboxMessage, OutboxStatus, Role, SwapStatus
from bot.emulator import Fault, SentMessage, SimUser
from tests.e2e.schedule import at, command, press_and_settle
from tests.e2e.swap_fixtures import (
    GIVE_AWAY,
    SWAP_SETTINGS,
    TOMORROW,
    Town,
    last_offer,
    member,
    open_swap,
    town,
)
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(SWAP_SETTINGS)


async def _awaiting(harness: Harness) -> tuple[Town, SimUser, SentMessage, SentMessage]:
    """李明 gives away his shift, 王芳 takes it: 陈协调 (zh_Hans) and Amy (en) each hold a card
    asking to approve it."""
    town_ = await town(harness, approval=True)
    amy = await member(harness, 7901, town_.unit_id, "Amy", role=Role.COORDINATOR, language="en")
    await open_swap(harness, town_.holder, GIVE_AWAY)
    await harness.deliver()
    assert "正在等协调员审批" in await press_and_settle(harness, town_.others[0], "🙋 我来接")
    await harness.deliver()
    chen_card, amy_card = town_.coordinator.last(), amy.last()
    assert chen_card.buttons() == ["✅ 批准", "✖️ 驳回"]
    assert amy_card.buttons() == ["✅ Approve", "✖️ Reject"]
    return town_, amy, chen_card, amy_card


def _now_of(person: SimUser, card: SentMessage) -> SentMessage:
    return next(m for m in person.messages() if m.message_id == card.message_id)


async def test_the_other_coordinators_card_says_who_approved(harness: Harness) -> None:
    town_, amy, _, amy_card = await _awaiting(harness)
    shown = len(amy.messages())

    assert "陈协调 批准" in await press_and_settle(harness, town_.coordinator, "✅ 批准")
    await harness.deliver()

    card = _now_of(amy, amy_card)
    assert card.buttons() == []
    assert "🔁 Swap awaiting approval (give-away)" in (card.text or "")
    assert "陈协调 approved" in (card.text or "") and "swap complete" in (card.text or "")
    # Edited in place, once: no new message.
    assert len(amy.messages()) == shown
    edits = await _edits(harness, amy.user_id)
    assert [(row.status, row.payload.get("edit_message_id")) for row in edits] == [
        (OutboxStatus.SENT, amy_card.message_id)
    ]
    # A press on the card as an old screen still showed it.
    offer = await last_offer(harness)
    assert offer.status is SwapStatus.COMPLETED
    await amy.press_data(SwapApprove(offer.id).pack(), amy_card.message_id)
    await harness.settle()
    assert amy.answered_callbacks[-1]["text"] == "This swap has already been decided."
    assert _now_of(amy, amy_card).buttons() == []


async def test_every_card_says_the_swap_was_withdrawn(harness: Harness) -> None:
    town_, amy, chen_card, amy_card = await _awaiting(harness)

    await command(harness, town_.holder, "swaps")
    await press_and_settle(harness, town_.holder, "↩️ 撤回 1")
    await harness.tick()
    await harness.deliver()

    chen = _now_of(town_.coordinator, chen_card)
    assert chen.buttons() == [] and "李明 撤回" in (chen.text or "")
    amy_now = _now_of(amy, amy_card)
    assert amy_now.buttons() == [] and "李明 withdrew" in (amy_now.text or "")
    offer = await last_offer(harness)
    await town_.coordinator.press_data(SwapApprove(offer.id).pack(), chen_card.message_id)
    await harness.settle()
    assert town_.coordinator.answered_callbacks[-1]["text"] == "发起人已经撤回了这个换岗。"


async def test_every_card_says_the_swap_expired(harness: Harness) -> None:
    town_, amy, chen_card, amy_card = await _awaiting(harness)

    harness.clock.set(at(TOMORROW, 6, 1))
    await harness.tick()
    await harness.deliver()

    assert (await last_offer(harness)).status is SwapStatus.EXPIRED
    chen = _now_of(town_.coordinator, chen_card)
    assert chen.buttons() == [] and "系统：已过期" in (chen.text or "")
    amy_now = _now_of(amy, amy_card)
    assert amy_now.buttons() == [] and "system: expired" in (amy_now.text or "")


@pytest.mark.parametrize(
    "refusal",
    [
        # A card older than 48 hours, and one the coordinator deleted.
        "Bad Request: message can't be edited",
        "Bad Request: message to edit not found",
    ],
)
async def test_a_card_telegram_will_not_edit_is_let_go_not_parked(
    harness: Harness, refusal: str
) -> None:
    town_, amy, _, amy_card = await _awaiting(harness)
    harness.emulator.inject_fault(
        Fault(kind="400", method="editMessageText", chat_id=amy.user_id, description=refusal)
    )

    assert "陈协调 批准" in await press_and_settle(harness, town_.coordinator, "✅ 批准")
    await harness.deliver()

    edits = await _edits(harness, amy.user_id)
    assert [row.status for row in edits] == [OutboxStatus.DROPPED]
    assert "edit" in (edits[0].last_error or "")
    assert _now_of(amy, amy_card).buttons() == ["✅ Approve", "✖️ Reject"]


async def _edits(harness: Harness, chat_id: int) -> list[OutboxMessage]:
    async with harness.runtime.db.session() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == chat_id, OutboxMessage.kind == "edit")
            .order_by(OutboxMessage.id)
        )
        return list(rows)
