"""Schedule spreadsheets as coordinators send them to /import: CSV rows under the template's
header, and a real .xlsx that does not parse."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

CSV_HEADER = (
    "post,type,unit,latitude,longitude,radius_m,date,weekdays,from,until,start,end,capacity"
)


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([CSV_HEADER, *rows]) + "\n").encode()


def broken_content_types() -> bytes:
    """A real .xlsx whose [Content_Types].xml is not XML: openpyxl raises a ParseError."""
    book = Workbook()
    book.active.append(["post", "type", "unit"])
    good = io.BytesIO()
    book.save(good)
    broken = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = b"<Types><not closed"
            target.writestr(item, data)
    return broken.getvalue()


def hidden_sheet_first(hidden: list[list[object]], shown: list[list[object]]) -> bytes:
    """A workbook whose first sheet is hidden (an old week kept out of sight, a lookup list)
    and whose second, the one Excel shows, holds the schedule."""
    book = Workbook()
    old = book.active
    old.title = "上周"
    for values in hidden:
        old.append(values)
    old.sheet_state = "hidden"
    sheet = book.create_sheet("排班表")
    for values in shown:
        sheet.append(values)
    book.active = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
