"""A volunteer excused from a shift (leave approved) does not sign up for that hour again, on
that shift or another: the press says why and nothing changes; the rest of the day is open."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.models import (
    AssignmentStatus,
    LeaveRequest,
    LeaveStatus,
    Member,
    Shift,
    ShiftStatus,
)
from bot.emulator import SimUser
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, statuses, unit
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness

TOMORROW = DAY + dt.timedelta(days=1)
ON_LEAVE = "这个时间您已请假（已批准），不能报名这个时间的班次。如果又能来了，请告诉协调员。"


async def _excused(harness: Harness, user: SimUser, shift_id: int) -> None:
    """`user` held a seat on the shift and was excused from it (leave approved)."""
    seat_id = await seat(harness, shift_id, user.user_id, AssignmentStatus.CANCELLED)
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == user.user_id))
        assert member is not None
        session.add(
            LeaveRequest(
                assignment_id=seat_id,
                member_id=member.id,
                status=LeaveStatus.APPROVED,
                reason="出差",
                asked_at=harness.clock.now(),
                decided_at=harness.clock.now(),
            )
        )


async def test_a_volunteer_on_leave_at_that_hour_is_refused_and_may_take_another_hour(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    excused_from = await shift(harness, await post(harness, unit_id, "甲路口"), start=7, end=9)
    same_hour = await shift(harness, await post(harness, unit_id, "乙路口"), start=8, end=10)
    afternoon = await shift(harness, await post(harness, unit_id, "丙路口"), start=14, end=16)
    wang = await person(harness, 7101, unit_id, "王芳")
    await _excused(harness, wang, excused_from)

    await command(harness, wang, "shifts")
    for number in (1, 2):  # 甲路口 07:00, the shift she is excused from; 乙路口 08:00
        await wang.press(f"✋ 报名 {number}")
        await harness.settle()
        assert wang.answered_callbacks[-1]["text"] == ON_LEAVE, wang.answered_callbacks[-1]
    assert await statuses(harness, excused_from) == {7101: AssignmentStatus.CANCELLED}
    assert await statuses(harness, same_hour) == {}

    text = await press_and_settle(harness, wang, "✋ 报名 3")
    assert "报名成功" in text, text
    assert await statuses(harness, afternoon) == {7101: AssignmentStatus.SIGNED_UP}


async def test_leave_from_a_shift_since_cancelled_keeps_nobody_from_signing_up(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    excused_from = await shift(harness, await post(harness, unit_id, "甲路口"), start=7, end=9)
    same_hour = await shift(harness, await post(harness, unit_id, "乙路口"), start=8, end=10)
    wang = await person(harness, 7101, unit_id, "王芳")
    await _excused(harness, wang, excused_from)
    async with harness.session() as session:
        cancelled = await session.get(Shift, excused_from)
        assert cancelled is not None
        cancelled.status = ShiftStatus.CANCELLED

    await command(harness, wang, "shifts")
    text = await press_and_settle(harness, wang, "✋ 报名 1")
    assert "报名成功" in text, text
    assert await statuses(harness, same_hour) == {7101: AssignmentStatus.SIGNED_UP}
