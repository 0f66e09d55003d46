"""A leave request nobody decided is over in other ways too: the member left the unit, the
coordinator took them off the shift, the shift was cancelled, or it started first. Then every
coordinator's card loses its ✅ / ✖️ and says, in that coordinator's language, how the request
ended; each card is edited once, also when the end is reached again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.buttons import ApproveLeave
from bot.db.models import Assignment, AssignmentStatus, LeaveRequest, LeaveStatus
from tests.e2e.leave_card_fixtures import (
    asked,
    closed_once,
    closing_edits,
    from_the_seat_menu,
    now_of,
)
from tests.e2e.rostering_fixtures import TOMORROW, alert, leaves
from tests.e2e.schedule import at, command, press_and_settle
from tests.harness import Harness

REASON = "出差去省里开会"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"cancel_cutoff_hours": 12}


async def test_the_cards_say_the_member_left_the_unit(harness: Harness) -> None:
    cards = await asked(harness, REASON)

    await command(harness, cards.wang, "me")
    await press_and_settle(harness, cards.wang, "🚪 退出本单位")
    await press_and_settle(harness, cards.wang, "是，退出本单位")

    await closed_once(
        harness, cards, LeaveStatus.WITHDRAWN, "申请人已退出本单位", "The person left the unit on "
    )


async def test_the_cards_say_the_seat_was_taken_off(harness: Harness) -> None:
    cards = await asked(harness, REASON)

    await from_the_seat_menu(harness, cards.chen, "➖ 移出 王芳", "是，移出")

    await closed_once(
        harness,
        cards,
        LeaveStatus.WITHDRAWN,
        "这个名额已经不在申请人名下",
        "The seat was no longer theirs from ",
    )


async def test_the_cards_say_the_shift_was_cancelled(harness: Harness) -> None:
    cards = await asked(harness, REASON)

    await from_the_seat_menu(harness, cards.chen, "❌ 取消这个班次", "是，取消班次")

    # At once, in the cancel's own transaction: no tick needed for the request to end, and
    # the cards' edits are queued with it (the tick stays the safety net).
    [request] = await leaves(harness)
    assert request.status is LeaveStatus.WITHDRAWN
    assert len(await closing_edits(harness, cards.chen.user_id)) == 1
    assert len(await closing_edits(harness, cards.amy.user_id)) == 1
    await closed_once(
        harness,
        cards,
        LeaveStatus.WITHDRAWN,
        "班次已取消，这条请假不需要再处理。",
        "The shift was cancelled on ",
    )


async def test_the_cards_say_nobody_decided_before_the_start(harness: Harness) -> None:
    cards = await asked(harness, REASON)

    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()

    request = await closed_once(
        harness,
        cards,
        LeaveStatus.LAPSED,
        "班次开始前没有人处理，这条请假已失效",
        "Nobody decided before the shift started",
    )
    # A press on the old card is answered with why.
    await cards.amy.press_data(ApproveLeave(request.id).pack(), cards.amy_card.message_id)
    await harness.settle()
    assert alert(cards.amy) == "The shift has started: leave can no longer be approved or rejected."


async def _seat_now(harness: Harness, status: AssignmentStatus) -> None:
    """The asker's seat as the duty jobs leave it (checked in ahead of the start, or marked
    absent while the bot was down)."""
    async with harness.session() as session:
        [request] = list(await session.scalars(select(LeaveRequest)))
        seat = await session.get(Assignment, request.assignment_id)
        assert seat is not None
        seat.status = status
        await session.commit()


async def test_a_request_of_someone_checked_in_early_lapses_at_the_start(
    harness: Harness,
) -> None:
    """Checked in before the start, they came: the request waits for the start (nothing has
    started yet), then lapses, the cards naming the start, not the tick that found it."""
    cards = await asked(harness, REASON)
    harness.clock.set(at(TOMORROW, 6, 45))
    await _seat_now(harness, AssignmentStatus.CHECKED_IN)
    await harness.tick()
    [request] = await leaves(harness)
    assert request.status is LeaveStatus.ASKED

    harness.clock.set(at(TOMORROW, 7, 3))
    await harness.tick()
    await closed_once(
        harness,
        cards,
        LeaveStatus.LAPSED,
        "07:00 班次开始前没有人处理",
        "started (2 Dec 2026 07:00)",
    )
    assert "07:03" not in (now_of(cards.chen, cards.chen_card).text or "")


async def test_a_request_of_someone_marked_absent_meanwhile_lapses(harness: Harness) -> None:
    """The bot down over the start: the absence is marked first, and the request lapsed (they
    were expected on post), not as if the seat had been taken off."""
    cards = await asked(harness, REASON)
    harness.clock.set(at(TOMORROW, 7, 40))
    await _seat_now(harness, AssignmentStatus.ABSENT)
    await harness.tick()
    await closed_once(harness, cards, LeaveStatus.LAPSED, "班次开始前没有人处理", "Nobody decided")
