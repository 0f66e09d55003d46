"""Schedule spreadsheets as coordinators send them to /import: CSV rows under the template's
header, and a real .xlsx that does not parse."""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from openpyxl import Workbook

from bot.services.platform import offload

Result = TypeVar("Result")

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


def schedule_xlsx(rows: list[list[object]]) -> bytes:
    """A workbook of one sheet: the template's header (CSV_HEADER) and `rows` under it."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(CSV_HEADER.split(",")))
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class RecordingWorker(offload.Worker):
    """The offload worker process, noting the module and name of every function it is handed."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def call(self, function: Callable[..., Result], *args: object) -> Result:
        self.calls.append(f"{function.__module__}.{function.__name__}")
        return super().call(function, *args)


@contextmanager
def recording_worker() -> Iterator[RecordingWorker]:
    """The bot's offload worker replaced, while the block runs, by one the test can observe."""
    worker = RecordingWorker()
    saved, offload._worker = offload._worker, worker
    try:
        yield worker
    finally:
        offload._worker = saved
        worker.stop()


class HeldWorker(RecordingWorker):
    """A worker whose every call waits, once started, until the test lets it go on."""

    def __init__(self) -> None:
        super().__init__()
        self.started = threading.Event()
        self.go_on = threading.Event()

    def call(self, function: Callable[..., Result], *args: object) -> Result:
        self.started.set()
        self.go_on.wait(timeout=60)
        return super().call(function, *args)


@contextmanager
def held_worker() -> Iterator[HeldWorker]:
    """The bot's offload worker replaced by one that holds each call until `go_on` is set."""
    worker = HeldWorker()
    saved, offload._worker = offload._worker, worker
    try:
        yield worker
    finally:
        worker.go_on.set()
        offload._worker = saved
        worker.stop()


def rows_numbered_again(repeats: int) -> bytes:
    """An .xlsx whose sheet holds the template's header and a good row, then `repeats`
    more <row r="1"> elements of one small cell each: a hostile sheet, small zipped, that
    openpyxl reads to its end however few rows are asked of it (it skips a row numbered again
    without counting it)."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(CSV_HEADER.split(",")))
    shift = "1号路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4"
    sheet.append(shift.split(","))
    out = io.BytesIO()
    book.save(out)
    again = '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' * repeats
    hostile = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(out.getvalue())) as source,
        zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", again.encode() + b"</sheetData>")
                # No <dimension>: the sheet says nothing of how far its rows go.
                content = re.sub(rb"<dimension [^>]*/>", b"", content)
            target.writestr(item, content)
    return hostile.getvalue()


def shared_strings_padded(strings: int, text: str = "x", *, chunk: int = 100_000) -> bytes:
    """An .xlsx holding the template's header and a good row, with a table of shared strings
    (the texts cells may refer to) of `strings` entries of `text` that no cell uses: a hostile
    file, small zipped, that openpyxl reads whole into memory as it opens the workbook."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(CSV_HEADER.split(",")))
    shift = "1号路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4"
    sheet.append(shift.split(","))
    out = io.BytesIO()
    book.save(out)
    entry = f"<si><t>{text}</t></si>".encode()
    table = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    hostile = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(out.getvalue())) as source,
        zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "[Content_Types].xml":
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{table}"/>'
                content = content.replace(b"</Types>", override.encode() + b"</Types>")
            target.writestr(item, content)
        # Written as it is made: the table is hundreds of megabytes unzipped.
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                + f'count="{strings}" uniqueCount="{strings}">'.encode()
            )
            for start in range(0, strings, chunk):
                part.write(entry * min(chunk, strings - start))
            part.write(b"</sst>")
    return hostile.getvalue()


def one_long_tag(size: int) -> bytes:
    """An .xlsx holding the template's header and a good row, then a row whose tag carries an
    attribute of `size` bytes: a hostile sheet, small zipped, that expat holds whole and scans
    again with every chunk it is fed."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(CSV_HEADER.split(",")))
    shift = "1号路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4"
    sheet.append(shift.split(","))
    out = io.BytesIO()
    book.save(out)
    hostile = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(out.getvalue())) as source,
        zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                tag = b'<row r="3" spans="' + b"1" * size + b'"/>'
                content = content.replace(b"</sheetData>", tag + b"</sheetData>")
            target.writestr(item, content)
    return hostile.getvalue()
