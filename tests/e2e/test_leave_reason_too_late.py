"""A leave reason typed once the leave can no longer be asked (the shift has started, the seat
was taken off meanwhile) is refused with why, and the dialogue ends: the person's next message
is not answered with the same refusal again and again until they think of Cancel."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Assignment, AssignmentStatus, Dialogue, LeaveRequest
from tests.e2e.rostering_fixtures import TOMORROW, assign_by_hand, leaves, seats, town
from tests.e2e.schedule import at, press_and_settle
from tests.harness import Harness

NOT_UNDERSTOOD = "没看懂这条消息。发送 /help 查看可用的命令。"


async def test_a_reason_typed_after_the_start_is_refused_and_the_dialogue_ends(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang = town_.people[1]
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    await harness.deliver()
    await press_and_settle(harness, wang, "🙋 请假")
    assert "请简单写一下原因" in (wang.last().text or "")

    harness.clock.set(at(TOMORROW, 7, 1))
    await wang.send_text("出差去省里开会")
    await harness.settle()
    assert wang.last().text == "这个班次已经开始，不能再请假；如有急事请直接联系协调员。"
    assert wang.last().buttons() == []  # nothing left to cancel
    assert await harness.count(Dialogue) == 0
    assert await leaves(harness) == []

    await wang.send_text("好的")
    await harness.settle()
    assert wang.last().text == NOT_UNDERSTOOD
    seat = (await seats(harness, town_.shift_id))[wang.user_id]
    assert seat.status is AssignmentStatus.SIGNED_UP


async def test_a_reason_for_a_seat_taken_off_meanwhile_is_refused_and_the_dialogue_ends(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang = town_.people[1]
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    await harness.deliver()
    await press_and_settle(harness, wang, "🙋 请假")
    seat_id = (await seats(harness, town_.shift_id))[wang.user_id].id
    async with harness.session() as session:
        await session.execute(
            update(Assignment)
            .where(Assignment.id == seat_id)
            .values(status=AssignmentStatus.CANCELLED)
        )

    await wang.send_text("出差")
    await harness.settle()
    assert wang.last().text == "找不到这条报名，可能已经取消了。"
    assert await harness.count(Dialogue) == 0
    assert await harness.count(LeaveRequest) == 0


async def test_a_reason_too_long_keeps_the_dialogue_for_another_try(harness: Harness) -> None:
    town_ = await town(harness)
    wang = town_.people[1]
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    await harness.deliver()
    await press_and_settle(harness, wang, "🙋 请假")

    await wang.send_text("出差" * 101)
    await harness.settle()
    assert "200" in (wang.last().text or "")
    assert wang.last().buttons() == ["✖️ 取消"]
    assert await harness.count(Dialogue) == 1
    await wang.send_text("出差")
    await harness.settle()
    assert "已把请假申请交给协调员" in (wang.last().text or "")
    assert len(await leaves(harness)) == 1
