"""➕ 安排人员 on a shift with an open seat and someone still on its waitlist (passed over when
the seat freed: a clash then, since gone, or the bot unreachable then). The coordinator sees them
in the list, marked as waitlisted and first, and picking them turns their place in the queue into
the seat: one row, assigned, no duplicate."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import Assignment, AssignmentStatus
from tests.e2e.rostering_fixtures import LABEL, open_assign, seats, town
from tests.e2e.schedule import press_and_settle
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness


async def _rows_of(harness: Harness, shift_id: int) -> int:
    async with harness.session() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(Assignment).where(Assignment.shift_id == shift_id)
            )
            or 0
        )


async def test_the_assign_list_shows_who_waits_on_the_shift_and_picking_them_seats_them(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li, wang, _ = town_.people
    coordinator = town_.coordinator
    await seat(harness, town_.shift_id, li.user_id)
    await seat(harness, town_.shift_id, wang.user_id, AssignmentStatus.WAITLISTED)

    text = await open_assign(harness, coordinator, town_.shift_id)
    assert f"➕ 为 {LABEL} 安排人员（还差 1 人）" in text
    assert coordinator.last().buttons() == [
        "王芳（候补）· 0小时",
        "张伟 · 0小时",
        "陈协调 · 0小时",
        "✖️ 取消",
    ]

    text = await press_and_settle(harness, coordinator, "王芳（候补）· 0小时")
    assert f"✅ 已安排 1 人到 {LABEL}：王芳。已通知本人" in text
    held = await seats(harness, town_.shift_id)
    assert held[wang.user_id].status is AssignmentStatus.SIGNED_UP
    assert held[wang.user_id].rota_id is not None
    assert await _rows_of(harness, town_.shift_id) == 2  # 李明's and hers, no second row
    await harness.deliver()
    assert "📋 陈协调 给您排了 1 个班次：" in (wang.last().text or "")


async def test_typing_the_name_of_who_waits_seats_them_from_the_waitlist(harness: Harness) -> None:
    town_ = await town(harness)
    li, wang, _ = town_.people
    coordinator = town_.coordinator
    await seat(harness, town_.shift_id, li.user_id)
    await seat(harness, town_.shift_id, wang.user_id, AssignmentStatus.WAITLISTED)
    await open_assign(harness, coordinator, town_.shift_id)
    await coordinator.send_text("王芳")
    await harness.settle()
    assert f"✅ 已安排 1 人到 {LABEL}：王芳" in (coordinator.last().text or "")
    assert (await seats(harness, town_.shift_id))[wang.user_id].status is (
        AssignmentStatus.SIGNED_UP
    )
    assert await _rows_of(harness, town_.shift_id) == 2
