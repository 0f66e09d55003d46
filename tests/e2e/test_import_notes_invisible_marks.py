"""A spreadsheet's notes are measured as they are kept: a cell padded with invisible marks
(zero-width spaces a copy from a web page brings along) whose visible text fits is imported,
the marks dropped, rather than refused as too long."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Role, Shift
from tests.e2e.schedule import command, person, press_and_settle, unit
from tests.harness import Harness

HEADER = "post,type,unit,latitude,longitude,date,start,end,capacity,notes"
NOTES = "集" * 500


async def test_notes_that_fit_once_their_marks_are_dropped_are_imported(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9304, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")
    row = "甲路口,traffic,城管局,30.1,104.1,2026-12-05,07:00,09:00,4," + NOTES + "\u200b" * 8
    await coordinator.send_document(
        "schedule.csv", f"{HEADER}\n{row}\n".encode(), mime_type="text/csv"
    )
    await harness.settle()
    assert "没有导入" not in (coordinator.last().text or "")
    text = await press_and_settle(harness, coordinator, "✅ 确认导入")
    assert "已导入「schedule.csv」" in text
    async with harness.session() as session:
        assert list(await session.scalars(select(Shift.notes))) == [NOTES]
