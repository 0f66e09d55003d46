"""/rotate and a shift's waitlist: someone waiting on a shift (passed over when a seat freed: a
clash then, since gone) holds no seat on it. The rotation may draw them into the open seat, and
confirming turns their place in the queue into the seat: one row, assigned, no duplicate."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Assignment, AssignmentStatus, Role
from tests.e2e.rostering_fixtures import NEXT_MONDAY, member_id_of, volunteers
from tests.e2e.schedule import command, post, press_and_settle, shift, unit
from tests.e2e.swap_fixtures import member, seat
from tests.harness import Harness


async def test_rotation_draws_who_waits_on_a_shift_into_its_open_seat(harness: Harness) -> None:
    unit_id = await unit(harness)
    crossing = await post(harness, unit_id, "黄河路-人民路口")
    shift_id = await shift(harness, crossing, day=NEXT_MONDAY, capacity=2)
    serving, waiting = await volunteers(harness, unit_id, 2)
    coordinator = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    await seat(harness, shift_id, serving)
    await seat(harness, shift_id, waiting, AssignmentStatus.WAITLISTED)

    await command(harness, coordinator, "rotate", "12-07")
    last = coordinator.last()  # the preview, then its spreadsheet when anyone is planned
    preview = (coordinator.messages()[-2] if last.kind == "document" else last).text or ""
    assert "共 1 个空位，排上 1 个，分给 1 人。" in preview, preview

    text = await press_and_settle(harness, coordinator, "✅ 确认排班")
    assert "✅ 已排班" in text, text
    async with harness.session() as session:
        rows = list(
            (
                await session.scalars(
                    select(Assignment)
                    .where(Assignment.shift_id == shift_id)
                    .order_by(Assignment.id)
                )
            ).unique()
        )
    waiting_id = await member_id_of(harness, waiting)
    assert [(row.member_id, row.status) for row in rows] == [
        (await member_id_of(harness, serving), AssignmentStatus.SIGNED_UP),
        (waiting_id, AssignmentStatus.SIGNED_UP),
    ]
    assert rows[1].rota_id is not None
    await harness.deliver()
    assert "📋 陈协调 给您排了 1 个班次：" in (harness.user(waiting, "队员02").last().text or "")
