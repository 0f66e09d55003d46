"""Reading a schedule spreadsheet (.xlsx or .csv, Chinese headers understood) into rows of
column -> text, numbered as the spreadsheet shows them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Sequence
from typing import Any

from openpyxl import load_workbook

from bot.errors import DomainError, ErrorCode

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
COLUMNS = (
    "post",
    "type",
    "unit",
    "latitude",
    "longitude",
    "radius_m",
    "date",
    "weekdays",
    "from",
    "until",
    "start",
    "end",
    "capacity",
    "tag",
    "notes",
    "people",  # assigned duty: who is on the shift (bot/services/rostering/importing.py)
)
REQUIRED = ("post", "unit", "start", "end", "capacity")
# Headers people write in Chinese spreadsheets, read as the columns above.
ALIASES = {
    "岗位": "post",
    "岗位名称": "post",
    "类型": "type",
    "单位": "unit",
    "纬度": "latitude",
    "经度": "longitude",
    "半径": "radius_m",
    "签到范围": "radius_m",
    "日期": "date",
    "星期": "weekdays",
    "开始日期": "from",
    "结束日期": "until",
    "开始": "start",
    "开始时间": "start",
    "结束": "end",
    "结束时间": "end",
    "人数": "capacity",
    "标签": "tag",
    "备注": "notes",
    "人员": "people",
    "人员名单": "people",
}

Row = tuple[int, dict[str, str]]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return f"{value:%Y-%m-%d}"
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(name: str) -> str:
    cleaned = name.strip().lower().replace(" ", "_")
    return ALIASES.get(name.strip(), cleaned)


def read_table(filename: str, data: bytes) -> list[Row]:
    """The rows of an .xlsx or .csv file as column -> text, numbered as the spreadsheet shows
    them (the header is row 1). Blank rows are skipped."""
    if len(data) > MAX_BYTES:
        raise DomainError(ErrorCode.IMPORT_TOO_LARGE, limit=MAX_BYTES // 1024 // 1024)
    lowered = filename.lower()
    if lowered.endswith(".xlsx"):
        raw = _read_xlsx(data)
    elif lowered.endswith(".csv"):
        raw = _read_csv(data)
    else:
        raise DomainError(ErrorCode.IMPORT_UNREADABLE)
    if not raw:
        raise DomainError(ErrorCode.IMPORT_EMPTY)
    header = [_header(_cell(value)) for value in raw[0]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise DomainError(ErrorCode.IMPORT_COLUMNS_MISSING, columns=", ".join(missing))
    rows: list[Row] = []
    for number, values in enumerate(raw[1:], start=2):
        cells = {
            name: _cell(value)
            for name, value in zip(header, values, strict=False)
            if name in COLUMNS
        }
        if any(cells.values()):
            rows.append((number, cells))
    if not rows:
        raise DomainError(ErrorCode.IMPORT_EMPTY)
    if len(rows) > MAX_ROWS:
        raise DomainError(ErrorCode.IMPORT_TOO_LARGE, limit=MAX_BYTES // 1024 // 1024)
    return rows


def _read_xlsx(data: bytes) -> Sequence[Sequence[Any]]:
    # A damaged or hostile file makes openpyxl raise all sorts of errors (a bad zip, a missing
    # part, XML that does not parse, a cell it cannot convert), some only while the rows are
    # read: whatever it raises, the file is not a readable spreadsheet.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise DomainError(ErrorCode.IMPORT_UNREADABLE) from exc
    try:
        sheet = workbook.worksheets[0]
        return list(itertools.islice(sheet.iter_rows(values_only=True), MAX_ROWS + 2))
    except Exception as exc:
        raise DomainError(ErrorCode.IMPORT_UNREADABLE) from exc
    finally:
        workbook.close()


def _read_csv(data: bytes) -> Sequence[Sequence[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError(ErrorCode.IMPORT_UNREADABLE)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel()  # type: ignore[assignment]
    return list(itertools.islice(csv.reader(io.StringIO(text), dialect), MAX_ROWS + 2))
