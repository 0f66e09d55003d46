"""The schedule template: an .xlsx with the columns, two example rows and the instructions, in
the coordinator's language (headers, post types and weekdays as reading reads them back; the
examples' post names, tag and notes too)."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from bot.db.models import PostType
from bot.i18n import Translator
from bot.services.platform import sheets
from bot.services.schedule.importer.reading import COLUMNS

DATE_FORMAT = "yyyy-mm-dd"
WIDTHS = (20, 10, 12, 10, 10, 9, 12, 12, 12, 12, 9, 9, 9, 8, 16, 20)


def template_xlsx(t: Translator, unit_name: str, today: dt.date, radius_m: int) -> bytes:
    """An .xlsx with the columns, a one-off and a recurring example row, and a sheet of
    instructions, all in the language of `t`; `radius_m` is the check-in radius a new post gets
    when its row leaves the column empty."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = t("importer.sheet.schedule")
    sheet.append([t(f"importer.column.{column}") for column in COLUMNS])
    tomorrow = today + dt.timedelta(days=1)
    monday = today + dt.timedelta(days=7 - today.weekday())
    sheets.append(
        sheet,
        [
            t("importer.template_example_post"),
            t(f"importer.type.{PostType.TRAFFIC.value}"),
            unit_name,
            30.6586,
            104.0648,
            radius_m,
            tomorrow,
            "",
            "",
            "",
            "07:00",
            "09:00",
            4,
            "",
            t("importer.template_example_notes"),
            "",
        ],
    )
    sheets.append(
        sheet,
        [
            t("importer.template_example_post_weekly"),
            t(f"importer.type.{PostType.CIVILITY.value}"),
            unit_name,
            30.6612,
            104.0701,
            "",
            "",
            t("importer.template_weekdays"),
            monday,
            monday + dt.timedelta(days=4),
            "17:00",
            "19:00",
            2,
            t("importer.template_example_tag"),
            "",
            "",
        ],
    )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    notes = workbook.create_sheet(t("importer.sheet.help"))
    instructions = t("importer.template_help", radius=radius_m).splitlines()
    for line in [*instructions, t("rostering.import.help")]:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
