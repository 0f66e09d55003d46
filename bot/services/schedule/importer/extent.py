"""How much of a sheet openpyxl would read, counted before it reads it. openpyxl skips a row
numbered again (a second <row r="1">) without counting it as a row read, so a hostile sheet
repeating one row millions of times (2 MB zipped) kept it parsing for minutes, however few rows
were asked of it; a row of millions of cells likewise. The sheet's XML is streamed here, no
further than the rows that are read, and a sheet holding more row elements or cells there than
a schedule can have is refused before openpyxl sees it."""

from __future__ import annotations

import io
import zipfile
from xml.etree.ElementTree import iterparse

from bot.errors import DomainError, ErrorCode

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL = f"{_MAIN}row", f"{_MAIN}c"


def check(data: bytes, part: str, last_row: int, *, most_cells: int, limit_mb: int) -> None:
    """Refuse (IMPORT_TOO_LARGE, `limit_mb` for its words) the sheet stored at `part` of the
    .xlsx `data` when its rows up to `last_row` take more than `last_row` row elements, whatever
    numbers they claim, or hold more than `most_cells` cells. Reads at most that much."""
    rows = cells = number = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part) as source:
        for _, element in iterparse(source, events=("end",)):
            if element.tag == _CELL:
                element.clear()
                cells += 1
                if cells > most_cells:
                    raise DomainError(ErrorCode.IMPORT_TOO_LARGE, limit=limit_mb)
            elif element.tag == _ROW:
                number = int(element.get("r") or number + 1)
                element.clear()
                if number > last_row:
                    return  # openpyxl reads no further
                rows += 1
                if rows > last_row:
                    raise DomainError(ErrorCode.IMPORT_TOO_LARGE, limit=limit_mb)
