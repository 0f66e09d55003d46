"""The cards that ask a unit's coordinators to decide a leave request are closed in place once
one of them decided it: the other's card shows the request, who approved or rejected it and
when, without buttons, in that coordinator's language. A press on an old copy of its buttons is
still answered."""

from __future__ import annotations

import pytest

from bot.buttons import ApproveLeave
from bot.db.models import LeaveStatus, Role
from bot.emulator import SentMessage, SimUser
from tests.e2e.rostering_fixtures import LABEL, alert, ask_leave, assign_by_hand, leaves, town
from tests.e2e.schedule import press_and_settle
from tests.e2e.swap_fixtures import member
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"cancel_cutoff_hours": 12}


def _now_of(person: SimUser, card: SentMessage) -> SentMessage:
    return next(m for m in person.messages() if m.message_id == card.message_id)


async def test_the_other_coordinators_card_says_who_approved_the_leave(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    chen = town_.coordinator
    amy = await member(harness, 7901, town_.unit_id, "Amy", role=Role.COORDINATOR, language="en")
    wang = town_.people[1]
    await assign_by_hand(harness, chen, town_.shift_id, "王芳")
    await ask_leave(harness, wang, "出差去省里开会")
    await harness.deliver()
    chen_card, amy_card = chen.last(), amy.last()
    assert chen_card.buttons() == ["✅ 批准", "✖️ 驳回"]
    assert amy_card.buttons() == ["✅ Approve", "✖️ Reject"]
    shown = len(amy.messages())

    text = await press_and_settle(harness, chen, "✅ 批准")
    assert f"✅ 已批准 王芳 请假：{LABEL}。" in text
    await harness.deliver()

    card = _now_of(amy, amy_card)
    assert card.buttons() == []
    assert "🙋 Leave request" in (card.text or "") and "出差去省里开会" in (card.text or "")
    assert "✅ “陈协调” approved this leave on " in (card.text or "")
    assert len(amy.messages()) == shown  # edited in place, no new message
    # The decider's own card is the answer to the press.
    assert (_now_of(chen, chen_card).text or "").startswith("✅ 已批准 王芳 请假")
    # A press on the card as an old screen still showed it.
    [request] = await leaves(harness)
    assert request.status is LeaveStatus.APPROVED
    await amy.press_data(ApproveLeave(request.id).pack(), amy_card.message_id)
    await harness.settle()
    assert alert(amy) == "陈协调 has already decided on this leave request."


async def test_a_rejection_is_shown_on_the_other_card_in_its_language(harness: Harness) -> None:
    town_ = await town(harness)
    chen = town_.coordinator
    amy = await member(harness, 7901, town_.unit_id, "Amy", role=Role.COORDINATOR, language="en")
    wang = town_.people[1]
    await assign_by_hand(harness, chen, town_.shift_id, "王芳")
    await ask_leave(harness, wang, "家里有事")
    await harness.deliver()
    chen_card = chen.last()

    await press_and_settle(harness, amy, "✖️ Reject")
    await harness.deliver()

    card = _now_of(chen, chen_card)
    assert card.buttons() == []
    assert "🙋 请假申请" in (card.text or "") and "」驳回了这条请假。" in (card.text or "")
    assert "「Amy」驳回了这条请假。" in (card.text or "")
