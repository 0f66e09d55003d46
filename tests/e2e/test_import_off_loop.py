"""/import reads the spreadsheet in the offload worker process, not on the event loop that
answers every other chat (a hostile 2 MB sheet held the loop for seconds:
bench/import_freeze.py)."""

from __future__ import annotations

import asyncio

from bot.db.models import Role, Shift
from tests.e2e.import_fixtures import held_worker, recording_worker, schedule_xlsx
from tests.e2e.schedule import command, person, press_and_settle, unit
from tests.harness import Harness

READ_IN_THE_WORKER = "bot.services.schedule.importer.reading.read_in_worker"


def _row(post: str, day: str) -> list[object]:
    where: list[object] = [post, "traffic", "城管局", 30.1, 104.1, None]
    return [*where, day, None, None, None, "07:00", "09:00", 4]


async def test_an_imported_sheet_is_read_by_the_worker_and_stored(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9501, unit_id, role=Role.COORDINATOR)
    data = schedule_xlsx([_row("甲路口", "2026-12-05"), _row("乙路口", "2026-12-06")])
    with recording_worker() as worker:
        await command(harness, coordinator, "import")
        await coordinator.send_document("schedule.xlsx", data)
        await harness.settle()

        preview = coordinator.last().text or ""
        assert "「schedule.xlsx」共 2 行，检查通过" in preview
        assert "新建班次 2 个" in preview
        assert worker.calls == [READ_IN_THE_WORKER]

        text = await press_and_settle(harness, coordinator, "✅ 确认导入")
    assert "已导入「schedule.xlsx」" in text
    assert await harness.count(Shift) == 2


async def test_a_refusal_in_the_worker_reaches_the_coordinator_worded(harness: Harness) -> None:
    """The worker's refusal (a header without the number of people) crosses the pipe with its
    code and the missing columns, and is answered as on the loop."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 9502, unit_id, role=Role.COORDINATOR)
    with recording_worker() as worker:
        await command(harness, coordinator, "import")
        await coordinator.send_document(
            "schedule.csv", "post,unit,start,end\n甲路口,城管局,07:00,09:00\n".encode()
        )
        await harness.settle()
        assert worker.calls == [READ_IN_THE_WORKER]
    assert "人数" in (coordinator.last().text or "")
    assert await harness.count(Shift) == 0


async def test_another_chat_is_answered_while_the_sheet_is_read(harness: Harness) -> None:
    """While the worker reads the sheet, the import holds no lock another chat's update needs:
    /help from someone else is answered before the reading ends."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 9503, unit_id, role=Role.COORDINATOR)
    other = await person(harness, 9504, unit_id)
    data = schedule_xlsx([_row("甲路口", "2026-12-05")])
    await command(harness, coordinator, "import")
    with held_worker() as worker:
        await coordinator.send_document("schedule.xlsx", data)
        assert await asyncio.to_thread(worker.started.wait, 10)
        before = other.sent_count
        await other.send_command("help")
        await other.wait_sent(before + 1, timeout=10)
        assert "/shifts" in (other.last().text or "")
        worker.go_on.set()
        await harness.settle()
    assert "「schedule.xlsx」共 1 行，检查通过" in (coordinator.last().text or "")
