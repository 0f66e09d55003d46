"""The cards that ask a unit's coordinators to decide a leave request are closed in place once
one of them decided it: the other's card shows the request, who approved or rejected it and
when, without buttons, in that coordinator's language. A press on an old copy of its buttons is
still answered."""

from __future__ import annotations

import pytest

from bot.buttons import ApproveLeave
from bot.db.models import LeaveStatus, OutboxStatus
from tests.e2e.leave_card_fixtures import (
    Asked,
    asked,
    closed_once,
    closing_edits,
    from_the_seat_menu,
    now_of,
)
from tests.e2e.rostering_fixtures import LABEL, alert, leaves
from tests.e2e.schedule import command, press_and_settle
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"cancel_cutoff_hours": 12}


async def test_the_other_coordinators_card_says_who_approved_the_leave(
    harness: Harness,
) -> None:
    cards = await asked(harness, "出差去省里开会")
    chen, amy, chen_card, amy_card = cards.chen, cards.amy, cards.chen_card, cards.amy_card
    shown = len(amy.messages())

    text = await press_and_settle(harness, chen, "✅ 批准")
    assert f"✅ 已批准 王芳 请假：{LABEL}。" in text
    await harness.deliver()

    card = now_of(amy, amy_card)
    assert card.buttons() == []
    assert "🙋 Leave request" in (card.text or "") and "出差去省里开会" in (card.text or "")
    assert "✅ “陈协调” approved this leave on " in (card.text or "")
    assert len(amy.messages()) == shown  # edited in place, no new message
    # The decider's own card is the answer to the press.
    assert (now_of(chen, chen_card).text or "").startswith("✅ 已批准 王芳 请假")
    # A press on the card as an old screen still showed it.
    [request] = await leaves(harness)
    assert request.status is LeaveStatus.APPROVED
    await amy.press_data(ApproveLeave(request.id).pack(), amy_card.message_id)
    await harness.settle()
    assert alert(amy) == "陈协调 has already decided on this leave request."


async def test_a_rejection_is_shown_on_the_other_card_in_its_language(harness: Harness) -> None:
    cards = await asked(harness, "家里有事")
    chen, amy, chen_card = cards.chen, cards.amy, cards.chen_card

    await press_and_settle(harness, amy, "✖️ Reject")
    await harness.deliver()

    card = now_of(chen, chen_card)
    assert card.buttons() == []
    assert "🙋 请假申请" in (card.text or "") and "」驳回了这条请假。" in (card.text or "")
    assert "「Amy」驳回了这条请假。" in (card.text or "")


async def _amy_leaves_the_unit(harness: Harness, cards: Asked) -> None:
    """Amy leaves the unit after her card went out: no longer a coordinator of it."""
    await command(harness, cards.amy, "me")
    await press_and_settle(harness, cards.amy, "🚪 Leave the unit")
    await press_and_settle(harness, cards.amy, "Yes, leave the unit")
    amy = await harness.member(cards.amy.user_id)
    assert amy is not None and not amy.active, cards.amy.texts()[-1]


async def test_a_card_of_a_coordinator_who_left_the_unit_is_closed_by_the_decision(
    harness: Harness,
) -> None:
    cards = await asked(harness, "出差去省里开会")
    await _amy_leaves_the_unit(harness, cards)

    await press_and_settle(harness, cards.chen, "✅ 批准")
    await harness.deliver()

    # Her card went out when she could decide: its ✅ / ✖️ must not stay live.
    card = now_of(cards.amy, cards.amy_card)
    assert card.buttons() == []
    assert "✅ “陈协调” approved this leave on " in (card.text or "")
    [edit] = await closing_edits(harness, cards.amy.user_id)
    assert edit.status is OutboxStatus.SENT


async def test_a_card_of_a_coordinator_who_left_the_unit_says_how_the_request_ended(
    harness: Harness,
) -> None:
    cards = await asked(harness, "出差去省里开会")
    await _amy_leaves_the_unit(harness, cards)

    await from_the_seat_menu(harness, cards.chen, "❌ 取消这个班次", "是，取消班次")

    await closed_once(
        harness,
        cards,
        LeaveStatus.WITHDRAWN,
        "班次已取消，这条请假不需要再处理。",
        "The shift was cancelled on ",
    )
