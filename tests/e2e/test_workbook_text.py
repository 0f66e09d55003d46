"""Every workbook the bot writes holds what people typed without the characters an .xlsx
cannot hold, and never as a formula: the schedule template (the unit's name) and the rotation
plan (names of posts and people), as the ledger does (tests/e2e/test_export.py)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import update

from bot.db.models import Member, Post, Role
from tests.e2e.rostering_fixtures import volunteers, week_of_shifts
from tests.e2e.schedule import command, person, post, unit
from tests.e2e.swap_fixtures import member
from tests.harness import Harness


def _cells(data: bytes) -> dict[str, list[openpyxl.cell.cell.Cell]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: [cell for row in sheet.iter_rows() for cell in row] for sheet in book}


async def test_template_for_a_unit_whose_name_holds_a_control_character(harness: Harness) -> None:
    unit_id = await unit(harness, "城管\x0b局")
    coordinator = await person(harness, 9001, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "template")
    document = coordinator.last()
    assert document.kind == "document" and document.data is not None
    rows = [cell.value for cell in _cells(document.data)["排班表"]]
    assert "城管局" in rows


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"min_rest_hours": 8, "weekly_shift_cap": 3}


async def test_rotation_plan_of_posts_and_people_with_control_characters(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    posts = [await post(harness, unit_id, name) for name in ("黄河路\x01口", "解放路口")]
    await week_of_shifts(harness, posts)
    await volunteers(harness, unit_id, 12)
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.display_name == "队员01").values(display_name="=队员\x0701")
        )
        await session.execute(update(Post).where(Post.id == posts[1]).values(name="解放\x1f路口"))
    coordinator = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "rotate")
    await coordinator.press(coordinator.last().buttons()[0])
    await harness.settle()
    await coordinator.press(coordinator.last().buttons()[0])  # every post
    await harness.settle()
    sent = coordinator.last()
    assert sent.kind == "document" and sent.file_id is not None
    cells = _cells(harness.emulator.file_bytes(sent.file_id))
    plan = cells["排班"]
    values = {cell.value for cell in plan}
    assert {"黄河路口", "解放路口", "=队员01"} <= values
    assert [
        cell.coordinate for cells_ in cells.values() for cell in cells_ if cell.data_type == "f"
    ] == []
