"""How /roster and the shift card mark an assigned seat whose volunteer asked leave: 请假待批
while the coordinator has not decided, then what the decision left (assigned and awaiting the
acknowledgment again after a refusal; off the shift after an approval)."""

from __future__ import annotations

from sqlalchemy import update

from bot.buttons import ApproveLeave, SeatRemoveConfirm, ShiftCard
from bot.db.models import AssignmentStatus, LeaveStatus, Member
from bot.emulator import SimUser
from tests.e2e.rostering_fixtures import (
    TOMORROW,
    Unit,
    ask_leave,
    assign_by_hand,
    leaves,
    press,
    seats,
    town,
)
from tests.e2e.schedule import at, command, press_and_settle
from tests.harness import Harness

ASKED = "王芳 — ⏳ 未到 · 🙋 请假待批"
UNACKNOWLEDGED = "王芳 — ⏳ 未到 · 📋 排班待确认"


async def _roster(harness: Harness, town_: Unit) -> str:
    return await command(harness, town_.coordinator, f"roster {TOMORROW.isoformat()}")


async def _card(harness: Harness, town_: Unit) -> str:
    await press(harness, town_.coordinator, ShiftCard(town_.shift_id))
    return town_.coordinator.last().text or ""


async def _speaks(harness: Harness, user: SimUser, language: str) -> None:
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == user.user_id).values(language=language)
        )
        await session.commit()


async def test_a_seat_with_leave_asked_shows_leave_pending_then_what_the_decision_left(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang = town_.people[1]
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    assert UNACKNOWLEDGED in await _roster(harness, town_)

    await ask_leave(harness, wang, "发烧")
    assert [row.status for row in await leaves(harness)] == [LeaveStatus.ASKED]
    roster = await _roster(harness, town_)
    assert ASKED in roster and "排班待确认" not in roster
    card = await _card(harness, town_)
    assert ASKED in card and "排班待确认" not in card

    # Refused: the seat is hers again, still to be acknowledged.
    await harness.deliver()
    await press_and_settle(harness, town_.coordinator, "✖️ 驳回")
    assert [row.status for row in await leaves(harness)] == [LeaveStatus.REJECTED]
    assert (await seats(harness, town_.shift_id))[wang.user_id].status is (
        AssignmentStatus.SIGNED_UP
    )
    roster = await _roster(harness, town_)
    assert UNACKNOWLEDGED in roster and "请假待批" not in roster
    card = await _card(harness, town_)
    assert UNACKNOWLEDGED in card and "请假待批" not in card

    # Asked again and approved: she is off the shift, its seat open.
    await ask_leave(harness, wang, "真的去不了")
    assert ASKED in await _roster(harness, town_)
    await harness.deliver()
    await press_and_settle(harness, town_.coordinator, "✅ 批准")
    assert [row.status for row in await leaves(harness)] == [
        LeaveStatus.REJECTED,
        LeaveStatus.APPROVED,
    ]
    assert (await seats(harness, town_.shift_id))[wang.user_id].status is (
        AssignmentStatus.CANCELLED
    )
    roster = await _roster(harness, town_)
    assert "王芳" not in roster and "请假待批" not in roster
    assert "王芳" not in await _card(harness, town_)


async def test_leave_pending_is_marked_in_english_and_traditional_chinese(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang = town_.people[1]
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    await ask_leave(harness, wang, "发烧")
    await _speaks(harness, town_.coordinator, "en")
    assert "🙋 leave pending" in await _roster(harness, town_)
    await _speaks(harness, town_.coordinator, "zh_Hant")
    assert "🙋 請假待批" in await _roster(harness, town_)


async def test_leave_left_undecided_is_no_longer_marked_once_the_shift_has_started(
    harness: Harness,
) -> None:
    """Leave can no longer be decided once the shift starts, and the seat is still hers: the
    roster shows her as expected on post, not as waiting for a decision nobody can make."""
    town_ = await town(harness)
    wang = town_.people[1]
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    await ask_leave(harness, wang, "发烧")
    harness.clock.set(at(TOMORROW, 7, 5))
    roster = await _roster(harness, town_)
    assert "王芳 — ⏳ 未到 · 📋 排班待确认" in roster and "请假待批" not in roster
    assert "请假待批" not in await _card(harness, town_)
    assert [row.status for row in await leaves(harness)] == [LeaveStatus.ASKED]


async def test_leave_asked_from_a_seat_taken_off_does_not_come_back_with_a_new_assignment(
    harness: Harness,
) -> None:
    """王芳 asks leave; instead of deciding, the coordinator takes her off the shift, then
    assigns her to it again (her row on the shift is reused). The old request is over with the
    seat it was asked from: it is neither listed as waiting nor marks the new seat, and approving
    it from the old notice does not free the seat she was given since."""
    town_ = await town(harness)
    wang = town_.people[1]
    coordinator = town_.coordinator
    await assign_by_hand(harness, coordinator, town_.shift_id, "王芳")
    await ask_leave(harness, wang, "发烧")
    await harness.deliver()
    request = coordinator.last()
    asked = (await leaves(harness))[0]

    await press(
        harness,
        coordinator,
        SeatRemoveConfirm((await seats(harness, town_.shift_id))[wang.user_id].id),
    )
    assert (await seats(harness, town_.shift_id))[wang.user_id].status is AssignmentStatus.REMOVED
    assert [row.status for row in await leaves(harness)] == [LeaveStatus.WITHDRAWN]

    await assign_by_hand(harness, coordinator, town_.shift_id, "王芳")
    roster = await _roster(harness, town_)
    assert UNACKNOWLEDGED in roster and "请假待批" not in roster
    await coordinator.press_data(ApproveLeave(asked.id).pack(), request.message_id)
    await harness.settle()
    assert (await seats(harness, town_.shift_id))[wang.user_id].status is (
        AssignmentStatus.SIGNED_UP
    )
    assert [row.status for row in await leaves(harness)] == [LeaveStatus.WITHDRAWN]
