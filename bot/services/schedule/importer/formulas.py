"""Formula cells of a schedule sheet that hold no saved value. Excel and WPS save what each
formula computed beside it, and the import reads that value; a file written by a script
(openpyxl writing "=A1+1") holds the formula alone, which would read as an empty cell and
quietly lose the row's value. They are found in the sheet's XML: a cell with a formula (<f>)
and no value (<v> missing or empty), unless it is typed as a text result (t="str"), which is
how Excel saves a formula that computed an empty text (=IF(A2="","",...))."""

from __future__ import annotations

import io
import zipfile
from xml.etree.ElementTree import iterparse

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL = f"{_MAIN}row", f"{_MAIN}c"
_FORMULA, _VALUE = f"{_MAIN}f", f"{_MAIN}v"
# The types of a formula whose result is text: saved empty, it computed an empty text.
_TEXT_RESULTS = frozenset({"str", "inlineStr", "s"})


class Unsaved(str):
    """A formula cell with no saved value, in place of the None openpyxl reads: its coordinate
    (C5), for the import report."""

    __slots__ = ()


def unsaved(data: bytes, part: str, last_row: int) -> set[tuple[int, int]]:
    """(row, column), from 1, of the formula cells without a saved value in the sheet stored
    at `part` of the .xlsx `data`, up to row `last_row`. No more than `last_row` rows are
    read, whatever numbers they claim: a hostile sheet repeating <row r="1"> would otherwise
    be read to its end (gigabytes, from 2 MB zipped)."""
    found: set[tuple[int, int]] = set()
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part) as source:
        row = column = rows = 0
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if element.tag == _ROW:
                    row = int(element.get("r") or row + 1)
                    column = 0
                continue
            if element.tag == _CELL:
                reference = element.get("r")
                if reference:
                    letters, _ = coordinate_from_string(reference)
                    column = column_index_from_string(letters)
                else:
                    column += 1
                value = element.find(_VALUE)
                if (
                    element.find(_FORMULA) is not None
                    and (value is None or not value.text)
                    and element.get("t") not in _TEXT_RESULTS
                ):
                    found.add((row, column))
            elif element.tag == _ROW:
                element.clear()
                rows += 1
                if row >= last_row or rows >= last_row:
                    break
    return found
