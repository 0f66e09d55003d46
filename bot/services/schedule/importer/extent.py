"""How much of a workbook's sheets openpyxl would read, counted before it opens them. openpyxl
skips a row numbered again (a second <row r="1">) without counting it as a row read, and sizes
a sheet that gives no <dimension> by parsing all of its rows as it opens the workbook, so a
hostile sheet repeating one row millions of times (2 MB zipped) kept it parsing for minutes,
however few rows were asked of it; a row of millions of cells likewise. Each sheet's XML is
streamed here first, no further than openpyxl would read it, and a workbook with a sheet holding
more row elements or cells there than a schedule can have is refused before openpyxl sees it."""

from __future__ import annotations

import io
import zipfile
from typing import IO
from xml.etree.ElementTree import iterparse

from openpyxl.reader.excel import ExcelReader

from bot.errors import DomainError, ErrorCode

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _DIMENSION = f"{_MAIN}row", f"{_MAIN}c", f"{_MAIN}dimension"


def check(data: bytes, *, most_rows: int, most_cells: int, limit_mb: int) -> None:
    """Refuse (IMPORT_TOO_LARGE, `limit_mb` for its words) the .xlsx `data` when one of its
    sheets takes more than `most_rows` row elements, whatever numbers they claim, or more than
    `most_cells` cells, before its `most_rows`-th row (to its end, when it gives no dimension).
    A file that is no workbook is left for openpyxl to refuse."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in _sheets(data):
            if part in archive.namelist():
                with archive.open(part) as source:
                    _check_sheet(source, most_rows, most_cells, limit_mb)


def _sheets(data: bytes) -> list[str]:
    """The parts of the workbook's sheets, as openpyxl finds them (not their XML)."""
    reader = ExcelReader(io.BytesIO(data), read_only=True)
    try:
        reader.read_manifest()
        reader.read_workbook()
        return [str(rel.target) for _, rel in reader.parser.find_sheets()]
    finally:
        reader.archive.close()


def _check_sheet(source: IO[bytes], most_rows: int, most_cells: int, limit_mb: int) -> None:
    rows = cells = number = 0
    sized = False
    for _, element in iterparse(source, events=("end",)):
        if element.tag == _CELL:
            element.clear()
            cells += 1
            if cells > most_cells:
                raise DomainError(ErrorCode.IMPORT_TOO_LARGE, limit=limit_mb)
        elif element.tag == _ROW:
            number = int(element.get("r") or number + 1)
            element.clear()
            if sized and number > most_rows:
                return  # openpyxl reads no further
            rows += 1
            if rows > most_rows:
                raise DomainError(ErrorCode.IMPORT_TOO_LARGE, limit=limit_mb)
        elif element.tag == _DIMENSION:
            sized = True
