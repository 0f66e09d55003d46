"""A schedule spreadsheet sent outside any dialogue: whoever may /import is told to send /import
first; anyone else, and any other file, gets the usual "not understood"."""

from __future__ import annotations

import pytest

from bot.db.models import Dialogue, Role, Shift
from tests.e2e.import_fixtures import csv_bytes
from tests.e2e.schedule import person, unit
from tests.harness import Harness

ROW = "甲路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4"


@pytest.mark.parametrize(
    ("language", "filename", "expected"),
    [
        (
            "zh_Hans",
            "第一周排班.xlsx",
            "收到「第一周排班.xlsx」。要导入排班表，请先发送 /import，再发送这个文件。",
        ),
        (
            "en",
            "week1.CSV",
            "Got “week1.CSV”. To import a schedule, send /import first, then send this file.",
        ),
        (
            "zh_Hant",
            "第一週排班.csv",
            "收到「第一週排班.csv」。要匯入排班表，請先傳送 /import，再傳送這個檔案。",
        ),
    ],
)
async def test_a_coordinator_sending_a_sheet_is_told_to_use_import(
    harness: Harness, language: str, filename: str, expected: str
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9601, unit_id, role=Role.COORDINATOR, language=language)

    await coordinator.send_document(filename, csv_bytes(ROW), mime_type="text/csv")
    await harness.settle()

    assert coordinator.last().text == expected
    # Nothing imported and no dialogue begun: the coordinator starts with /import.
    assert await harness.count(Shift) == 0
    assert await harness.count(Dialogue) == 0


async def test_a_volunteer_sending_a_sheet_is_not_understood(harness: Harness) -> None:
    unit_id = await unit(harness)
    volunteer = await person(harness, 9602, unit_id)

    await volunteer.send_document("排班.xlsx", csv_bytes(ROW))
    await harness.settle()

    assert volunteer.last().text == "没看懂这条消息。发送 /help 查看可用的命令。"
    assert await harness.count(Shift) == 0


async def test_a_coordinator_sending_another_file_is_not_understood(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9603, unit_id, role=Role.COORDINATOR)

    await coordinator.send_document("通知.pdf", b"%PDF-1.4", mime_type="application/pdf")
    await harness.settle()

    assert coordinator.last().text == "没看懂这条消息。发送 /help 查看可用的命令。"
