"""Reading a schedule spreadsheet (.xlsx or .csv) into rows of column -> text, numbered as the
spreadsheet shows them, and read as a person means them: headers in any of the interface's
languages (the template's, or the English column names), title rows above the header, a 序号
column, post types in words (交通劝导, 文明引導, traffic ...), times such as 7:30, 7点30 or an
Excel time cell, dates such as 12月4日, 2026/12/4 or an Excel date cell. Cells are normalised to
the forms planning reads (07:30, 2026-12-04, traffic); what cannot be read is passed on as
written, for planning to report with its row number."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from bot.db.models import PostType
from bot.errors import DomainError, ErrorCode
from bot.i18n import catalogs
from bot.services.platform.offload import run_off_loop
from bot.services.schedule import counts, timespec
from bot.services.schedule.importer import extent, formulas

MAX_BYTES = 2 * 1024 * 1024
# The files read as a schedule, by the end of their name.
SUFFIXES = (".xlsx", ".csv")
MAX_ROWS = 2000
# Rows of a sheet read at most, blank ones included (see _bounded).
MAX_SHEET_ROWS = 5 * MAX_ROWS
# Cells of those rows at most (extent.py): a sheet formatted to its 10,000th row over 100
# columns; openpyxl takes seconds over as many.
MAX_SHEET_CELLS = 100 * MAX_SHEET_ROWS
# The workbook's table of shared strings, which openpyxl reads whole as it opens the workbook,
# whatever a sheet uses of it (extent.py): ten distinct texts for each row read, and as much
# unzipped as a file of the largest size could hold of text compressed eightfold.
MAX_SHARED_STRINGS = 10 * MAX_SHEET_ROWS
MAX_SHARED_STRINGS_BYTES = 8 * MAX_BYTES
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
# Not a column: the row's formula cells with no saved value (formulas.py), by coordinate
# ("L3 M3"), for planning to report the row with them.
UNSAVED = "unsaved_formulas"
# A column that numbers the rows for the person filling them in: not data.
SEQUENCE = "seq"
# Headers people write besides the template's (``importer.column.*`` in every language).
ALIASES = {
    "岗位": "post",
    "岗位名称": "post",
    "崗位名稱": "post",
    "执勤点": "post",
    "執勤點": "post",
    "单位": "unit",
    "單位": "unit",
    "半径": "radius_m",
    "半徑": "radius_m",
    "签到范围": "radius_m",
    "簽到範圍": "radius_m",
    "radius": "radius_m",
    "start time": "start",
    "end time": "end",
    "start date": "from",
    "end date": "until",
    "开始": "start",
    "開始": "start",
    "结束": "end",
    "結束": "end",
    "人数": "capacity",
    "标签": "tag",
    "备注": "notes",
    "人员": "people",
    "人员名单": "people",
    "人數": "capacity",
    "序号": SEQUENCE,
    "序號": SEQUENCE,
    "no.": SEQUENCE,
    "#": SEQUENCE,
}
# Post types in words besides the catalogs' names (``importer.type.*``, ``shifts.post_type.*``).
TYPE_WORDS = {
    "交通": PostType.TRAFFIC,
    "劝导": PostType.TRAFFIC,
    "勸導": PostType.TRAFFIC,
    "文明": PostType.CIVILITY,
    "环境卫生": PostType.HYGIENE,
    "環境衛生": PostType.HYGIENE,
    "分类": PostType.SORTING,
    "分類": PostType.SORTING,
    "巡逻": PostType.PATROL,
    "巡邏": PostType.PATROL,
    "其它": PostType.OTHER,
}
# How many rows above the header a sheet may have (its title, the unit, the date it was made).
HEADER_SEARCH_ROWS = 10
_BRACKETED = re.compile(r"[（(【\[].*?[）)】\]]")
_DATE_AND_MIDNIGHT = re.compile(r"^(.+?)\s+0{1,2}:00(?::00)?$")
_WEEKDAY_SUFFIX = re.compile(
    r"^(.+?)\s*[（(]?\s*(?:周|週|星期|礼拜|禮拜)[一二三四五六日天]\s*[）)]?$"
)
_DATE_COLUMNS = frozenset({"date", "from", "until"})
_TIME_COLUMNS = frozenset({"start", "end"})
# How a count column's cell is read: a number of people, a distance.
_COUNT_COLUMNS = {"capacity": counts.people_count, "radius_m": counts.metres}
# Excel's serial day numbers from 1954 to 2119: a date cell that lost its date format.
_SERIAL_DAYS = (20000, 80000)

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


def _key(text: str) -> str:
    """A header or a word as compared: no brackets ("人数（人）"), marks, spaces, underscores or
    case ("Radius M" is radius_m)."""
    cleaned = _BRACKETED.sub("", text)
    return re.sub(r"[\s*:：_]+", "", cleaned).lower()


def _in_every_language(key: str) -> Iterator[str]:
    for catalog in catalogs().values():
        text = catalog.messages.get(key)
        if isinstance(text, str):
            yield text


@cache
def _headers() -> dict[str, str]:
    """Every header read as a column: the column names, their names in every language of the
    template, and the aliases."""
    known = {_key(column): column for column in COLUMNS}
    for column in COLUMNS:
        known.update(
            (_key(name), column) for name in _in_every_language(f"importer.column.{column}")
        )
    known.update((_key(alias), column) for alias, column in ALIASES.items())
    return known


def _header(value: Any) -> str:
    text = _cell(value)
    return _headers().get(_key(text), text.strip().lower())


@cache
def _type_words() -> dict[str, PostType]:
    """Every word for a post type: its code and its names in every language."""
    words = {_type_key(kind.value): kind for kind in PostType}
    for kind in PostType:
        for key in (f"importer.type.{kind.value}", f"shifts.post_type.{kind.value}"):
            words.update((_type_key(name), kind) for name in _in_every_language(key))
    words.update((_type_key(word), kind) for word, kind in TYPE_WORDS.items())
    return words


def _type_key(text: str) -> str:
    key = _key(text)
    for suffix in ("岗位", "崗位", "岗", "崗", "post"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key.removesuffix(suffix)
    return key


def _post_type(text: str) -> str:
    kind = _type_words().get(_type_key(text))
    return kind.value if kind is not None else text


def _time(value: Any) -> str:
    """An Excel time cell (a time, a datetime, or a fraction of a day), a whole hour, or text
    such as 7:30, 7:30:00, 7点30 or 下午5点, as 07:30. A duration cell ([h]:mm, as Excel keeps a
    time typed as 24:00) is its hours and minutes: 24:00 for a whole day, the midnight that ends it
    (timespec.parse_end_time)."""
    if isinstance(value, dt.timedelta) and dt.timedelta(0) <= value <= dt.timedelta(days=1):
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if _is_number(value):
        if 0 <= value < 1:
            minutes = round(value * 24 * 60)
            if minutes < 24 * 60:
                return f"{minutes // 60:02d}:{minutes % 60:02d}"
        if float(value).is_integer() and 0 <= value <= 23:
            return f"{int(value):02d}:00"
    text = _cell(value)
    parsed = timespec.parse_time(text)
    return f"{parsed:%H:%M}" if parsed is not None else text


def _date(value: Any, today: dt.date | None) -> str:
    """An Excel date cell (or its serial number), or text such as 2026-12-04, 2026/12/4,
    2026年12月4日 or 12月4日 (the 4 December closest to today), as 2026-12-04. A weekday after
    the date ("12月4日 周五") must be that date's."""
    if _is_number(value) and _SERIAL_DAYS[0] <= value < _SERIAL_DAYS[1]:
        value = from_excel(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _cell(value)
    midnight = _DATE_AND_MIDNIGHT.match(text)
    candidate = midnight.group(1) if midnight else text
    weekdays: frozenset[int] | None = None
    suffixed = _WEEKDAY_SUFFIX.match(candidate)
    if suffixed is not None:
        weekdays = timespec.parse_weekdays(candidate[len(suffixed.group(1)) :].strip(" （()）"))
        candidate = suffixed.group(1)
    if today is None and re.match(r"^\d{4}", candidate) is None:
        return text  # which year is meant depends on the day it is read
    day = timespec.parse_date(candidate, today or dt.date.min, nearest=True)
    if day is None or (weekdays is not None and day.weekday() not in weekdays):
        return text
    return day.isoformat()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _count(column: str, value: Any) -> str:
    """4, 4人, 3 people, 150米, 150 m: the number, read as the chat reads it (counts); a cell
    that holds none, or one too long to be a count, as written."""
    text = _cell(value)
    counted = _COUNT_COLUMNS[column](text)
    return text if counted is None or counted == counts.PAST_EVERY_LIMIT else str(counted)


def _value(column: str, value: Any, today: dt.date | None) -> str:
    if column in _TIME_COLUMNS:
        return _time(value)
    if column in _DATE_COLUMNS:
        return _date(value, today)
    if column in _COUNT_COLUMNS:
        return _count(column, value)
    if column == "type":
        return _post_type(_cell(value))
    return _cell(value)


def _header_row(raw: Sequence[Sequence[Any]]) -> int:
    """The index of the header: the first row that names every required column. Rows above it
    are titles; without one, the columns the best row lacks are refused."""
    best: tuple[int, list[str]] | None = None
    for index, values in enumerate(raw[:HEADER_SEARCH_ROWS]):
        names = {_header(value) for value in values}
        missing = [column for column in REQUIRED if column not in names]
        if not missing:
            return index
        if names & set(COLUMNS) and (best is None or len(missing) < len(best[1])):
            best = (index, missing)
    missing = best[1] if best is not None else list(REQUIRED)
    raise DomainError(
        ErrorCode.IMPORT_COLUMNS_MISSING, columns=", ".join(missing), missing=tuple(missing)
    )


def read_table(filename: str, data: bytes, *, today: dt.date | None = None) -> list[Row]:
    """The rows of an .xlsx or .csv file as column -> text, numbered as the spreadsheet shows
    them. The header is the first row naming the required columns (title rows may come above
    it); blank rows, and rows with nothing but a 序号, are skipped. A date without its year is
    read as the one closest to `today` (left as written when no day is given)."""
    if len(data) > MAX_BYTES:
        raise DomainError(ErrorCode.IMPORT_TOO_LARGE, limit=MAX_BYTES // 1024 // 1024)
    lowered = filename.lower()
    if lowered.endswith(".xlsx"):
        raw = _read_xlsx(data)
    elif lowered.endswith(".csv"):
        raw = _read_csv(data)
    else:
        raise DomainError(ErrorCode.IMPORT_UNREADABLE)
    if not any(any(_cell(value) for value in values) for values in raw):
        raise DomainError(ErrorCode.IMPORT_EMPTY)
    first = _header_row(raw)
    header = [_header(value) for value in raw[first]]
    _one_column_each(raw[first], header)
    rows: list[Row] = []
    for number, values in enumerate(raw[first + 1 :], start=first + 2):
        cells: dict[str, str] = {}
        unsaved: list[str] = []
        for name, value in zip(header, values, strict=False):
            if name not in COLUMNS:
                continue
            if isinstance(value, formulas.Unsaved):
                unsaved.append(str(value))
                value = None
            cells[name] = _value(name, value, today)
        if unsaved:
            cells[UNSAVED] = " ".join(unsaved)
        if any(cells.values()):
            rows.append((number, cells))
    if not rows:
        raise DomainError(ErrorCode.IMPORT_EMPTY)
    if len(rows) > MAX_ROWS:
        raise DomainError(ErrorCode.IMPORT_TOO_LARGE, limit=MAX_BYTES // 1024 // 1024)
    return rows


def _one_column_each(names: Sequence[Any], header: Sequence[str]) -> None:
    """Two columns under one header (人数 twice, or 人数 and capacity) are refused: which of
    them the coordinator meant cannot be told, and reading the later one lost the other."""
    seen: dict[str, int] = {}
    for index, column in enumerate(header):
        if column not in COLUMNS:
            continue
        if column in seen:
            raise DomainError(
                ErrorCode.IMPORT_COLUMN_TWICE,
                header=_cell(names[seen[column]]),
                first=get_column_letter(seen[column] + 1),
                second=get_column_letter(index + 1),
            )
        seen[column] = index


@dataclass(frozen=True)
class _Refusal:
    """A DomainError on its way back from the worker process: pickling rebuilds an exception
    from its message alone, and DomainError's is its code's text, not the code and params."""

    code: str
    params: dict[str, Any]


def read_in_worker(filename: str, data: bytes, today: dt.date | None) -> list[Row] | _Refusal:
    """read_table as the offload worker runs it: a refusal comes back as a value."""
    try:
        return read_table(filename, data, today=today)
    except DomainError as error:
        return _Refusal(error.code.value, error.params)


async def read_table_off_loop(
    filename: str, data: bytes, *, today: dt.date | None = None
) -> list[Row]:
    """read_table in the offload worker process (bot/services/platform/offload): openpyxl
    takes seconds of pure Python to open a hostile 2 MB sheet, and on the event loop (or in a
    thread, holding the GIL) every other chat would wait for it."""
    outcome = await run_off_loop(read_in_worker, filename, data, today)
    if isinstance(outcome, _Refusal):
        raise DomainError(ErrorCode(outcome.code), **outcome.params)
    return outcome


def _read_xlsx(data: bytes) -> Sequence[Sequence[Any]]:
    # A damaged or hostile file makes openpyxl raise all sorts of errors (a bad zip, a missing
    # part, XML that does not parse, a cell it cannot convert), some only while the rows are
    # read: whatever it raises, the file is not a readable spreadsheet.
    try:
        # Before openpyxl opens it: it reads some sheets to their end as it does.
        extent.check(
            data,
            most_rows=MAX_SHEET_ROWS,
            most_cells=MAX_SHEET_CELLS,
            most_strings=MAX_SHARED_STRINGS,
            most_string_bytes=MAX_SHARED_STRINGS_BYTES,
            limit_mb=MAX_BYTES // 1024 // 1024,
        )
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except DomainError:
        raise
    except Exception as exc:
        raise DomainError(ErrorCode.IMPORT_UNREADABLE) from exc
    try:
        sheet = _schedule_sheet(workbook.worksheets)
        # Scanned as far as openpyxl reads: to the sheet's <dimension> when it gives one.
        last_row = min(MAX_SHEET_ROWS, sheet.max_row or MAX_SHEET_ROWS)
        unsaved = formulas.unsaved(data, sheet._worksheet_path, last_row)
        return _bounded(_marked(sheet.iter_rows(values_only=True), unsaved))
    except DomainError:
        raise
    except Exception as exc:
        raise DomainError(ErrorCode.IMPORT_UNREADABLE) from exc
    finally:
        workbook.close()


def _marked(
    rows: Iterable[Sequence[Any]], unsaved: set[tuple[int, int]]
) -> Iterator[Sequence[Any]]:
    """The rows with each formula cell that has no saved value (read as None) marked as
    formulas.Unsaved, named by its coordinate."""
    by_row: dict[int, list[int]] = {}
    for row, column in unsaved:
        by_row.setdefault(row, []).append(column)
    for number, values in enumerate(rows, start=1):
        columns = sorted(by_row.get(number, ()))
        if not columns:
            yield values
            continue
        marked = list(values) + [None] * max(0, columns[-1] - len(values))
        for column in columns:
            marked[column - 1] = formulas.Unsaved(f"{get_column_letter(column)}{number}")
        yield marked


def _bounded(rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
    """The rows up to one past the most a file may hold, counting only rows with something in
    them: blank rows (between weeks, say) are kept, empty, so that rows keep their numbers, but
    push no shift past the limit unread. One row too many is enough for read_table to refuse
    the file as too large. A sheet is read to its MAX_SHEET_ROWS-th row at most: a sheet
    formatted to its last row holds hundreds of thousands of empty ones, and the chat waits
    while they are read."""
    kept: list[Sequence[Any]] = []
    filled = 0
    for values in itertools.islice(rows, MAX_SHEET_ROWS):
        if not any(_cell(value) for value in values):
            kept.append(())
            continue
        kept.append(values)
        filled += 1
        if filled > MAX_ROWS + HEADER_SEARCH_ROWS:
            break
    return kept


def _schedule_sheet(sheets: Sequence[Any]) -> Any:
    """The first sheet a person sees: a hidden one before it (last week's, a lookup list) is
    not the schedule."""
    shown = [sheet for sheet in sheets if sheet.sheet_state == "visible"]
    return (shown or sheets)[0]


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
    rows = csv.reader(io.StringIO(text), dialect)
    try:
        return _bounded(rows)
    except csv.Error as exc:
        # A cell past the reader's limit (131,072 characters): most often a stray quote that
        # opened a cell and never closed, making the rest of the file one cell.
        raise DomainError(ErrorCode.IMPORT_UNREADABLE) from exc
