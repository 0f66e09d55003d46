"""The figures of assigned duty: the tally and the ledger tell assigned from volunteered seats,
count leaves and show the acknowledgment rate; an unacknowledged no-show is absent like any
other."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from sqlalchemy import update

from bot.db.models import Assignment, Role
from tests.e2e.rostering_fixtures import approved_leave, assigned_seat
from tests.e2e.schedule import DAY, at, command, post, shift, unit
from tests.e2e.swap_fixtures import member, seat
from tests.harness import Harness


def sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


async def test_tally_and_ledger_tell_assigned_from_volunteered_and_count_leave(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    coordinator = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    people = [await member(harness, 7001 + n, unit_id, name) for n, name in enumerate("甲乙丙丁")]
    early = await shift(harness, post_id, day=DAY, start=5, end=7, capacity=4)
    acked = await assigned_seat(harness, early, people[0].user_id, by=coordinator)
    await assigned_seat(harness, early, people[1].user_id, by=coordinator)
    await seat(harness, early, people[2].user_id)  # volunteered
    await approved_leave(harness, await assigned_seat(harness, early, people[3].user_id))
    async with harness.session() as session:
        await session.execute(
            update(Assignment).where(Assignment.id == acked).values(acknowledged_at=at(DAY, 0))
        )

    await command(harness, coordinator, "today")
    text = "\n".join(coordinator.texts())
    assert "排班 2 人次（确认收到 50%），自愿报名 1 人次；请假 1 次" in text
    # Nobody came: the unacknowledged no-show is absent like the others.
    assert "缺勤 3" in text

    await command(harness, coordinator, "export", "2026-12-01")
    sent = coordinator.last()
    assert sent.kind == "document" and sent.file_id is not None
    book = sheets(harness.emulator.file_bytes(sent.file_id))
    attendance, _, units, _orders = book.values()
    assert attendance[0][-1] == "来源"
    assert sorted(row[-1] for row in attendance[1:]) == sorted(
        ["排班（已确认）", "排班（未确认）", "自愿报名"]
    )
    assert units[0][-4:] == ("排班人次", "自愿报名人次", "确认率", "请假次数")
    assert units[1][-4:] == (2, 1, 0.5, 1)
