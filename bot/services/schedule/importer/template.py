"""The schedule template: an .xlsx with the columns, two example rows and the instructions."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from openpyxl import Workbook

from bot.services.schedule.importer.reading import COLUMNS


def template_xlsx(unit_name: str, today: dt.date, instructions: Sequence[str]) -> bytes:
    """An .xlsx with the columns, a one-off and a recurring example row, and a sheet of
    instructions (in the coordinator's language)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "schedule"
    sheet.append(list(COLUMNS))
    tomorrow = today + dt.timedelta(days=1)
    monday = today + dt.timedelta(days=7 - today.weekday())
    sheet.append(
        [
            "黄河路-人民路口",
            "traffic",
            unit_name,
            30.6586,
            104.0648,
            150,
            tomorrow.isoformat(),
            "",
            "",
            "",
            "07:00",
            "09:00",
            4,
            "",
            "穿红马甲",
            "",
        ]
    )
    sheet.append(
        [
            "人民公园东门",
            "civility",
            unit_name,
            30.6612,
            104.0701,
            "",
            "",
            "mon-fri",
            monday.isoformat(),
            (monday + dt.timedelta(days=4)).isoformat(),
            "17:00",
            "19:00",
            2,
            "党员",
            "",
            "",
        ]
    )
    for column, width in zip(
        "ABCDEFGHIJKLMNOP",
        (20, 10, 12, 10, 10, 9, 12, 10, 12, 12, 7, 7, 9, 8, 16, 20),
        strict=True,
    ):
        sheet.column_dimensions[column].width = width
    notes = workbook.create_sheet("help")
    for line in instructions:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
