"""A sheet that holds more rows or cells than are read is refused before openpyxl reads it
(bot/services/schedule/importer/extent.py): openpyxl skips a row numbered again without
counting it, and reads a sheet without a <dimension> to its end as it opens the workbook, so a
sheet repeating <row r="1"> kept it reading for minutes however few rows were asked of it."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from bot.errors import DomainError, ErrorCode
from bot.services.schedule.importer import extent, reading
from tests.e2e.import_fixtures import one_long_tag, rows_numbered_again, schedule_xlsx

# Enough rows numbered again for openpyxl to take seconds over them: refused, they are not read.
REPEATS = 100_000


def test_a_sheet_numbering_its_rows_again_is_refused_as_too_large() -> None:
    data = rows_numbered_again(REPEATS)
    assert len(data) < reading.MAX_BYTES

    with pytest.raises(DomainError) as refused:
        reading.read_table("schedule.xlsx", data)

    assert refused.value.code is ErrorCode.IMPORT_TOO_LARGE


def test_rows_numbered_again_within_the_bound_are_read_as_before() -> None:
    rows = reading.read_table("schedule.xlsx", rows_numbered_again(10))

    assert [number for number, _ in rows] == [2]


def test_a_row_of_more_cells_than_are_read_is_refused_as_too_large(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counted as far as the bound and no further (a million cells take the count a second)."""
    monkeypatch.setattr(reading, "MAX_SHEET_CELLS", 5000)
    data = _one_row_of(reading.MAX_SHEET_CELLS + 1)

    with pytest.raises(DomainError) as refused:
        reading.read_table("schedule.xlsx", data)

    assert refused.value.code is ErrorCode.IMPORT_TOO_LARGE


def test_a_sheet_formatted_down_to_its_last_row_is_read_to_the_rows_read() -> None:
    """Empty rows past MAX_SHEET_ROWS, numbered one after another, in a sheet that gives its
    dimension (Excel's, WPS's and openpyxl's all do), are not refused: they are left unread,
    as before."""
    data = _with_rows(
        schedule_xlsx([]),
        "".join(f'<row r="{n}" s="1" customFormat="1"/>' for n in range(3, 20_000)),
        sized=True,
    )

    with pytest.raises(DomainError) as refused:
        reading.read_table("schedule.xlsx", data)

    assert refused.value.code is ErrorCode.IMPORT_EMPTY


def _one_row_of(cells: int) -> bytes:
    return _with_rows(schedule_xlsx([]), f'<row r="2">{"<c/>" * cells}</row>')


def _with_rows(data: bytes, rows: str, *, sized: bool = False) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
                if not sized:
                    # No <dimension>: openpyxl reads the rows as far as they go.
                    content = re.sub(rb"<dimension [^>]*/>", b"", content)
            target.writestr(item, content)
    return out.getvalue()


def test_a_sheet_without_its_dimension_holding_more_rows_than_are_read_is_refused() -> None:
    """openpyxl sizes such a sheet by reading all its rows as it opens the workbook."""
    data = _with_rows(
        schedule_xlsx([]),
        "".join(f'<row r="{n}"/>' for n in range(2, reading.MAX_SHEET_ROWS + 2)),
    )

    with pytest.raises(DomainError) as refused:
        reading.read_table("schedule.xlsx", data)

    assert refused.value.code is ErrorCode.IMPORT_TOO_LARGE


def test_a_sheet_holding_more_elements_than_its_cells_take_is_refused_as_too_large(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Elements that are neither rows nor cells (after <sheetData>, say) are parsed as well,
    by the count and by openpyxl reading a sheet to its end: 20 kB zipped held 5 million of
    them, half a minute of parsing and half a gigabyte. The elements are bounded with the
    cells."""
    monkeypatch.setattr(reading, "MAX_SHEET_CELLS", 5000)
    data = _after_rows(schedule_xlsx([]), "<x/>" * (extent.ELEMENTS_PER_CELL * 5000 + 1))

    with pytest.raises(DomainError) as refused:
        reading.read_table("schedule.xlsx", data)

    assert refused.value.code is ErrorCode.IMPORT_TOO_LARGE


def test_a_sheet_with_as_many_elements_as_its_cells_take_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reading, "MAX_SHEET_CELLS", 5000)
    data = _after_rows(schedule_xlsx([]), "<x/>" * (extent.ELEMENTS_PER_CELL * 5000 - 100))

    with pytest.raises(DomainError) as refused:
        reading.read_table("schedule.xlsx", data)

    assert refused.value.code is ErrorCode.IMPORT_EMPTY


def _after_rows(data: bytes, elements: str) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", b"</sheetData>" + elements.encode())
            target.writestr(item, content)
    return out.getvalue()


def test_a_tag_longer_than_any_cell_is_refused_as_too_large() -> None:
    """Expat holds a tag until it ends and scans it again with every chunk: a 20 MB one (20 KB
    zipped) kept the import reading for minutes. Refused once it passes a megabyte."""
    data = one_long_tag(4 * extent.MOST_BYTES_BETWEEN_ELEMENTS)

    with pytest.raises(DomainError) as refused:
        reading.read_table("schedule.xlsx", data)

    assert refused.value.code is ErrorCode.IMPORT_TOO_LARGE
