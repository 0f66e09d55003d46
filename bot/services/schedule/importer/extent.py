"""How much of a workbook's sheets openpyxl would read, counted before it opens them. openpyxl
skips a row numbered again (a second <row r="1">) without counting it as a row read, and sizes
a sheet that gives no <dimension> by parsing all of its rows as it opens the workbook, so a
hostile sheet repeating one row millions of times (2 MB zipped) kept it parsing for minutes,
however few rows were asked of it; a row of millions of cells likewise. Each sheet's XML is
streamed here first, no further than openpyxl would read it, and a workbook with a sheet holding
more row elements or cells there than a schedule can have is refused before openpyxl sees it;
so too one holding more elements than its cells take (ELEMENTS_PER_CELL), wherever they are:
openpyxl parses a sheet to its end when it has fewer rows than it reads.

The workbook's table of shared strings (the texts cells refer to) is read by openpyxl whole,
into a list, as it opens the workbook: a hostile table of ten million entries (400 KB zipped)
kept it reading for a minute and a half and took a gigabyte. It is measured here too, unzipped
no further than its bound, and one holding more entries or bytes than a schedule's is refused
(IMPORT_TEXT_TOO_LARGE) before openpyxl sees it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import IO
from xml.parsers import expat

from openpyxl.reader.excel import ExcelReader
from openpyxl.xml.constants import SHARED_STRINGS

from bot.errors import DomainError, ErrorCode

# Names as expat gives them (namespace_separator "}").
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _DIMENSION = f"{_MAIN}row", f"{_MAIN}c", f"{_MAIN}dimension"
_STRING = f"{_MAIN}si"
# What is called at each element's start, with its name and attributes.
Start = Callable[[str, dict[str, str]], None]
# Elements a cell takes at most, as a schedule writes it: itself, its value and its formula.
ELEMENTS_PER_CELL = 3
# Elements a shared string takes at most: itself and its text, or runs of rich text, each
# with its text and its font (name, size, colour, bold, ...).
ELEMENTS_PER_STRING = 16
# How much of a part is unzipped and parsed at a time.
_CHUNK = 64 * 1024
# Bytes with no element starting in them, at most: a cell's longest text (32,767 characters)
# fits many times. Expat holds a tag until it ends and scans it again with every chunk fed, so
# a hostile tag of 20 MB (an attribute of one repeated letter, 20 KB zipped) kept it scanning
# for minutes.
MOST_BYTES_BETWEEN_ELEMENTS = 1024 * 1024


def check(
    data: bytes,
    *,
    most_rows: int,
    most_cells: int,
    most_strings: int,
    most_string_bytes: int,
    limit_mb: int,
) -> None:
    """Refuse (IMPORT_TOO_LARGE, `limit_mb` for its words) the .xlsx `data` when one of its
    sheets takes more than `most_rows` row elements, whatever numbers they claim, or more than
    `most_cells` cells, or ELEMENTS_PER_CELL times that of any element, before its `most_rows`-th
    row (to its end, when it gives no dimension); and (IMPORT_TEXT_TOO_LARGE) when its table of
    shared strings holds more than `most_strings` entries, ELEMENTS_PER_STRING times that of
    any element, or `most_string_bytes` bytes unzipped.
    A file that is no workbook is left for openpyxl to refuse."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets, strings = _parts(data)
        names = archive.namelist()
        if strings is not None and strings in names:
            with archive.open(strings) as source:
                _check_strings(source, most_strings, most_string_bytes)
        for part in sheets:
            if part in names:
                with archive.open(part) as source:
                    _check_sheet(source, most_rows, most_cells, limit_mb)


def _parts(data: bytes) -> tuple[list[str], str | None]:
    """The parts of the workbook's sheets and of its shared strings, as openpyxl finds them
    (not their XML)."""
    reader = ExcelReader(io.BytesIO(data), read_only=True)
    try:
        reader.read_manifest()
        strings = reader.package.find(SHARED_STRINGS)
        reader.read_workbook()
        sheets = [str(rel.target) for _, rel in reader.parser.find_sheets()]
        return sheets, None if strings is None else str(strings.PartName)[1:]
    finally:
        reader.archive.close()


def _check_strings(source: IO[bytes], most_strings: int, most_bytes: int) -> None:
    """Count as the table is unzipped, a chunk at a time and no further than `most_bytes`
    (expat holds a tag until it ends: one tag of a gigabyte would be held whole)."""
    count = _StringCount(most_strings)
    try:
        _feed(source, count.start, most_bytes)
    except _TooLarge:
        raise DomainError(ErrorCode.IMPORT_TEXT_TOO_LARGE) from None
    except expat.ExpatError:
        return  # not XML: openpyxl refuses the file


class _StringCount:
    def __init__(self, most_strings: int) -> None:
        self.most_strings = most_strings
        self.most_elements = ELEMENTS_PER_STRING * most_strings
        self.strings = self.elements = 0

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > self.most_elements:
            raise _TooLarge
        if tag == _STRING:
            self.strings += 1
            if self.strings > self.most_strings:
                raise _TooLarge


def _check_sheet(source: IO[bytes], most_rows: int, most_cells: int, limit_mb: int) -> None:
    """Count as expat streams the sheet, keeping nothing of it (an ElementTree keeps an empty
    element for each one cleared): every element, for openpyxl parses a sheet to its end when
    it holds fewer rows than it reads, whatever follows them."""
    count = _Count(most_rows, most_cells)
    try:
        _feed(source, count.start, None)
    except _TooLarge:
        raise DomainError(ErrorCode.IMPORT_TOO_LARGE, limit=limit_mb) from None
    except _ReadNoFurther:
        return


def _feed(source: IO[bytes], handler: Start, most_bytes: int | None) -> None:
    """Parse `source` a chunk at a time, `handler` called at each element's start: past
    `most_bytes`, or MOST_BYTES_BETWEEN_ELEMENTS without an element starting (one tag or text
    that long), it is too large."""
    parser = expat.ParserCreate(namespace_separator="}")
    last = 0

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal last
        last = parser.CurrentByteIndex
        handler(tag, attributes)

    parser.StartElementHandler = start
    read = 0
    while chunk := source.read(_CHUNK):
        read += len(chunk)
        if most_bytes is not None and read > most_bytes:
            raise _TooLarge
        parser.Parse(chunk, False)
        if read - last > MOST_BYTES_BETWEEN_ELEMENTS:
            raise _TooLarge
    parser.Parse(b"", True)


class _TooLarge(Exception):
    """More rows, cells or elements than are read."""


class _ReadNoFurther(Exception):
    """Past the rows openpyxl reads of a sheet that gives its dimension: the count is done."""


class _Count:
    def __init__(self, most_rows: int, most_cells: int) -> None:
        self.most_rows, self.most_cells = most_rows, most_cells
        self.most_elements = ELEMENTS_PER_CELL * most_cells
        self.rows = self.cells = self.number = self.elements = 0
        self.sized = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > self.most_elements:
            raise _TooLarge
        if tag == _CELL:
            self.cells += 1
            if self.cells > self.most_cells:
                raise _TooLarge
        elif tag == _ROW:
            self.number = int(attributes.get("r") or self.number + 1)
            if self.sized and self.number > self.most_rows:
                raise _ReadNoFurther  # openpyxl reads no further
            self.rows += 1
            if self.rows > self.most_rows:
                raise _TooLarge
        elif tag == _DIMENSION:
            self.sized = True
