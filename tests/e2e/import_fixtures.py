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
