"""Rows of the workbooks the bot writes (the ledger, the rotation plan, the schedule template),
with what people typed made safe for a spreadsheet.

An .xlsx cannot hold most C0 control characters (XML 1.0 forbids them): openpyxl refuses the
whole cell, and the workbook with it. A name pasted from elsewhere, a post or unit name, a
reply note may carry one (a NUL, a bell, a vertical tab), so they are dropped from every text,
never the export. And a text that begins with "=" is written as text: openpyxl would write it as
a formula, which a spreadsheet program runs (=HYPERLINK, =1+2); what people typed must be shown,
never run."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

# What XML 1.0 cannot hold: the C0 controls but tab, newline and carriage return (openpyxl
# refuses these), and lone surrogates and U+FFFE/U+FFFF (openpyxl writes them, and the file
# then does not open).
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """The text without the characters a worksheet cannot hold."""
    return NOT_IN_XML.sub("", text)


def append(sheet: Worksheet, values: Iterable[Any]) -> None:
    """One row of the sheet, every text cleaned and written as text."""
    cells: list[Any] = []
    for value in values:
        if isinstance(value, str):
            text = clean(value)
            if text.startswith("="):
                cell = Cell(sheet, value=text)
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(text)
        else:
            cells.append(value)
    sheet.append(cells)
