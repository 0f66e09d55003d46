"""Reading dates, times and weekdays, and reading spreadsheet files, without a database."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from bot.errors import DomainError, ErrorCode
from bot.services.schedule import timespec
from bot.services.schedule.importer import reading

TODAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-05", dt.date(2026, 12, 5)),
        ("2026/1/5", dt.date(2026, 1, 5)),
        ("2026年12月5日", dt.date(2026, 12, 5)),
        ("12-05", dt.date(2026, 12, 5)),
        ("01-05", dt.date(2027, 1, 5)),  # already past this year: next year
        ("2026-02-30", None),
        ("tomorrow", None),
    ],
)
def test_dates(text: str, expected: dt.date | None) -> None:
    assert timespec.parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:00-09:00", (dt.time(7), dt.time(9))),
        ("7:30 – 9:00", (dt.time(7, 30), dt.time(9))),
        ("0700至0900", (dt.time(7), dt.time(9))),
        ("07：00~09：00", (dt.time(7), dt.time(9))),
        ("25:00-26:00", None),
        ("7-9", None),
    ],
)
def test_time_ranges(text: str, expected: tuple[dt.time, dt.time] | None) -> None:
    assert timespec.parse_time_range(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("sat,sun", {5, 6}),
        ("周一至周五", {0, 1, 2, 3, 4}),
        ("fri-mon", {4, 5, 6, 0}),
        ("每天", set(range(7))),
        ("someday", None),
    ],
)
def test_weekdays(text: str, expected: set[int] | None) -> None:
    parsed = timespec.parse_weekdays(text)
    assert (set(parsed) if parsed is not None else None) == expected


def test_days_between_picks_the_weekdays() -> None:
    days = timespec.days_between(frozenset({5, 6}), dt.date(2026, 12, 1), dt.date(2026, 12, 13))
    assert days == [dt.date(2026, 12, d) for d in (5, 6, 12, 13)]


def test_xlsx_cells_become_text_with_row_numbers() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Post", "Unit", "Date", "Start", "End", "Capacity", "ignored"])
    sheet.append(["甲", "城管局", dt.datetime(2026, 12, 5), dt.time(7, 0), dt.time(9, 0), 4.0, "x"])
    sheet.append([None] * 7)
    sheet.append(["乙", "城管局", "2026-12-06", "07:00", "09:00", 2, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = reading.read_table("plan.XLSX", buffer.getvalue())
    assert rows == [
        (
            2,
            {
                "post": "甲",
                "unit": "城管局",
                "date": "2026-12-05",
                "start": "07:00",
                "end": "09:00",
                "capacity": "4",
            },
        ),
        (
            4,
            {
                "post": "乙",
                "unit": "城管局",
                "date": "2026-12-06",
                "start": "07:00",
                "end": "09:00",
                "capacity": "2",
            },
        ),
    ]


def test_gbk_csv_with_chinese_headers() -> None:
    text = "岗位,单位,日期,开始,结束,人数\n甲路口,城管局,2026-12-05,07:00,09:00,3\n"
    rows = reading.read_table("计划.csv", text.encode("gb18030"))
    assert rows == [
        (
            2,
            {
                "post": "甲路口",
                "unit": "城管局",
                "date": "2026-12-05",
                "start": "07:00",
                "end": "09:00",
                "capacity": "3",
            },
        )
    ]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("a.pdf", b"x", ErrorCode.IMPORT_UNREADABLE),
        ("a.xlsx", b"not a zip", ErrorCode.IMPORT_UNREADABLE),
        ("a.csv", b"", ErrorCode.IMPORT_EMPTY),
        ("a.csv", b"post,unit,start,end,capacity\n", ErrorCode.IMPORT_EMPTY),
        ("a.csv", b"post,unit\nx,y\n", ErrorCode.IMPORT_COLUMNS_MISSING),
        ("a.csv", b"x" * (reading.MAX_BYTES + 1), ErrorCode.IMPORT_TOO_LARGE),
    ],
)
def test_unreadable_files_are_refused(name: str, data: bytes, code: ErrorCode) -> None:
    with pytest.raises(DomainError) as raised:
        reading.read_table(name, data)
    assert raised.value.code is code
