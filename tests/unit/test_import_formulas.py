"""Which formula cells hold no saved value (bot/services/schedule/importer/formulas.py): one a
script wrote without computing it, not one Excel saved with its value or with an empty text."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from bot.services.schedule.importer import formulas, reading

PART = "xl/worksheets/sheet1.xml"


def _sheet(rows: str) -> bytes:
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(PART, xml)
    return out.getvalue()


def test_only_formulas_without_a_saved_value_are_found() -> None:
    data = _sheet(
        '<row r="2">'
        '<c r="A2"><f>1+1</f><v/></c>'  # openpyxl: the formula alone
        '<c r="B2"><f>1+1</f><v>2</v></c>'  # Excel: saved with its value
        '<c r="C2" t="str"><f>IF(1,"","x")</f><v></v></c>'  # Excel: an empty text
        '<c r="D2"><f>A2</f></c>'  # no <v> at all
        '<c r="E2"><v/></c>'  # an empty cell, no formula
        "</row>"
        '<row r="5"><c><f>1</f></c><c><f>2</f><v>2</v></c><c><f>3</f></c></row>'
    )
    assert formulas.unsaved(data, PART, 100) == {(2, 1), (2, 4), (5, 1), (5, 3)}


def test_rows_past_the_last_read_are_not_scanned() -> None:
    data = _sheet('<row r="1"><c r="A1"><f>1</f></c></row><row r="9"><c r="A9"><f>1</f></c></row>')
    assert formulas.unsaved(data, PART, 1) == {(1, 1)}


def test_rows_numbered_again_are_scanned_no_further_than_the_rows_read() -> None:
    """A hostile sheet repeating <row r="1"> millions of times (2 MB zipped) kept the scan
    reading for minutes, and the cleared rows piling up in memory, where openpyxl stops: the
    scan stops after `last_row` rows, whatever numbers they claim."""
    again = '<row r="1"><c r="A1"><v>1</v></c></row>' * 3
    data = _sheet(again + '<row r="2"><c r="A2"><f>1</f></c></row>')
    assert formulas.unsaved(data, PART, 3) == set()


def test_the_scan_stops_where_the_sheet_says_its_rows_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """openpyxl reads a sheet's rows up to its <dimension>: the scan reads no further (a sheet
    saying A1:E2 followed by a million formula rows was scanned to MAX_SHEET_ROWS)."""
    asked: list[int] = []
    scan = formulas.unsaved

    def spy(data: bytes, part: str, last_row: int) -> set[tuple[int, int]]:
        asked.append(last_row)
        return scan(data, part, last_row)

    monkeypatch.setattr(formulas, "unsaved", spy)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["岗位", "单位", "开始", "结束", "人数"])
    sheet.append(["黄河路", "一中队", "07:00", "09:00", 3])
    out = io.BytesIO()
    workbook.save(out)
    reading.read_table("week.xlsx", out.getvalue())
    assert asked == [2]
