"""/import of a workbook with more than one sheet: the schedule is the sheet a person sees."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Post, Role, Shift
from tests.e2e.import_fixtures import CSV_HEADER, hidden_sheet_first
from tests.e2e.schedule import command, person, press_and_settle, unit
from tests.harness import Harness


def _row(post: str, day: str) -> list[object]:
    where: list[object] = [post, "traffic", "城管局", 30.1, 104.1, None]
    return [*where, day, None, None, None, "07:00", "09:00", 4]


async def test_a_hidden_first_sheet_is_not_imported_the_visible_one_is(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9401, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")
    header: list[object] = list(CSV_HEADER.split(","))
    data = hidden_sheet_first(
        hidden=[header, _row("旧路口", "2026-12-06"), _row("旧路口", "2026-12-07")],
        shown=[header, _row("甲路口", "2026-12-05")],
    )

    await coordinator.send_document("schedule.xlsx", data)
    await harness.settle()

    preview = coordinator.last().text or ""
    assert "「schedule.xlsx」共 1 行，检查通过" in preview
    text = await press_and_settle(harness, coordinator, "✅ 确认导入")
    assert "已导入「schedule.xlsx」" in text
    async with harness.session() as session:
        names = list((await session.scalars(select(Post.name))).all())
    assert names == ["甲路口"]
    assert await harness.count(Shift) == 1
