"""A coordinator who sends a workbook whose table of texts is far larger than a schedule's
(a hostile file, or one that kept years of text) is told so and what to do, and nothing is
imported: openpyxl is not left to read it whole."""

from __future__ import annotations

from bot.db.models import Post, Role, Shift
from bot.services.schedule.importer import reading
from tests.e2e.import_fixtures import shared_strings_padded
from tests.e2e.schedule import command, person, unit
from tests.harness import Harness


async def test_a_workbook_holding_more_text_than_a_schedule_is_refused(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9701, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")

    data = shared_strings_padded(reading.MAX_SHARED_STRINGS + 1)
    await coordinator.send_document("schedule.xlsx", data)
    await harness.settle()

    assert (coordinator.last().text or "") == (
        "这个文件里存的文字远多于一张排班表能用到的：请只把排班表复制到新建的工作簿里，"
        "保存后再发送。"
    )
    assert await harness.count(Post) == 0 and await harness.count(Shift) == 0
