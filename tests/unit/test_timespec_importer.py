"""Reading dates, times and weekdays, and reading spreadsheet files, without a database."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from bot.errors import DomainError, ErrorCode
from bot.services.reports import delivery, ledger
from bot.services.reports.periods import Period
from bot.services.reports.report_text import ReportKind
from bot.services.rostering import rotate
from bot.services.schedule import broadcast, timespec
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
        # Full-width, as a Chinese input method types them.
        ("１２－０５", dt.date(2026, 12, 5)),
        ("２０２６／１２／５", dt.date(2026, 12, 5)),
        # Years a slip of the keyboard: refused, not an overflow further on.
        ("0001-01-01", None),
        ("9999-12-31", None),
        ("2036-12-01", dt.date(2036, 12, 1)),
        ("2037-01-01", None),
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
        ("０７：００－０９：００", (dt.time(7), dt.time(9))),
        # The second time of 下午5点到7点 is in the afternoon too.
        ("下午5点到7点", (dt.time(17), dt.time(19))),
        ("晚上7点-9点半", (dt.time(19), dt.time(21, 30))),
        ("中午12点到2点", (dt.time(12), dt.time(14))),
        ("上午9点到12点", (dt.time(9), dt.time(12))),
        ("下午5点到19:00", (dt.time(17), dt.time(19))),
        ("7点到下午5点", (dt.time(7), dt.time(17))),
        # The dashes of Chinese keyboards: "——" (Shift and minus in a Chinese input method),
        # the wave dash, the minus sign, the hyphen and the horizontal bar, doubled or not.
        ("07:00——09:00", (dt.time(7), dt.time(9))),
        ("07:00 —— 09:00", (dt.time(7), dt.time(9))),
        ("下午5点——7点", (dt.time(17), dt.time(19))),
        ("07:00〜09:00", (dt.time(7), dt.time(9))),
        ("07:00−09:00", (dt.time(7), dt.time(9))),
        ("07:00‐09:00", (dt.time(7), dt.time(9))),
        ("07:00―09:00", (dt.time(7), dt.time(9))),
        ("07:00--09:00", (dt.time(7), dt.time(9))),
        ("07:00～～09:00", (dt.time(7), dt.time(9))),
        ("07:00-至09:00", None),
        # An end of 24:00 is the midnight that ends the day (END_OF_DAY, 00:00), however written.
        ("22:00-24:00", (dt.time(22), dt.time(0))),
        ("22:00-00:00", (dt.time(22), dt.time(0))),
        ("2200-2400", (dt.time(22), dt.time(0))),
        ("晚上10点到12点", (dt.time(22), dt.time(0))),
        ("晚上10点-24点", (dt.time(22), dt.time(0))),
        # The hour alone before the dash, as people write a range in Chinese: 7-9点, 下午5-7点.
        ("7-9点", (dt.time(7), dt.time(9))),
        ("7-9点半", (dt.time(7), dt.time(9, 30))),
        ("下午5-7点", (dt.time(17), dt.time(19))),
        ("下午5～7點", (dt.time(17), dt.time(19))),
        ("7至9时", (dt.time(7), dt.time(9))),
        ("7-9", None),
        ("7-", None),
        # 凌晨, the small hours: street-hygiene shifts start then; 凌晨12点 is midnight.
        ("凌晨5点到7点", (dt.time(5), dt.time(7))),
        ("凌晨5點半-早上7點", (dt.time(5, 30), dt.time(7))),
        ("凌晨4-6点", (dt.time(4), dt.time(6))),
        ("凌晨12点到2点", (dt.time(0), dt.time(2))),
        # 凌晨 stays on the first time (凌晨5-7点 ends at 7, not at a 凌晨7点) and names only the
        # small hours, as a rectification order's deadline reads it: 凌晨8点 is a slip.
        ("凌晨5-7点", (dt.time(5), dt.time(7))),
        ("凌晨0-24点", (dt.time(0), dt.time(0))),
        ("凌晨0点到6点半", (dt.time(0), dt.time(6, 30))),
        ("凌晨8点到9点", None),
        ("早上7点到凌晨9点", None),
        # 00:00 to 24:00 is the whole day; the same midnight twice is no shift.
        ("00:00-24:00", (dt.time(0), dt.time(0))),
        ("00:00-00:00", None),
        ("22:00-24:30", None),
        ("24:00-23:00", None),
        ("07:00-09:00-10:00", None),
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
        ("sat，sun", {5, 6}),
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7:30", dt.time(7, 30)),
        ("7:30:00", dt.time(7, 30)),
        ("7点30", dt.time(7, 30)),
        ("7点30分", dt.time(7, 30)),
        ("7点", dt.time(7, 0)),
        ("7点半", dt.time(7, 30)),
        ("7時30分", dt.time(7, 30)),
        ("下午5点", dt.time(17, 0)),
        ("晚上7点半", dt.time(19, 30)),
        ("中午12点", dt.time(12, 0)),
        # An import's time cell reads 凌晨 as /newshift and a deadline do: the small hours only.
        ("凌晨5点半", dt.time(5, 30)),
        ("凌晨12点", dt.time(0, 0)),
        ("凌晨8点", None),
        # 晚上12点 is the midnight that ends the day, an end (parse_end_time), never noon.
        ("晚上12点", None),
        ("晚上12点半", None),
        ("25点", None),
        ("7", None),
    ],
)
def test_times_as_people_write_them(text: str, expected: dt.time | None) -> None:
    assert timespec.parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12月4日", dt.date(2026, 12, 4)),
        ("12月4号", dt.date(2026, 12, 4)),
        ("11月28日", dt.date(2026, 11, 28)),  # just past: in the past, not next year
        ("1月5日", dt.date(2027, 1, 5)),
        ("2026年12月4日", dt.date(2026, 12, 4)),
    ],
)
def test_a_date_without_its_year_may_be_the_nearest(text: str, expected: dt.date) -> None:
    assert timespec.parse_date(text, TODAY, nearest=True) == expected


def test_cells_are_normalised_and_the_header_found_below_titles() -> None:
    text = (
        "2026年12月排班,,,,,,\n"
        "序号,崗位名稱,類型,單位,日期,開始時間,結束時間,人數\n"
        "1,甲,交通勸導,城管局,12月4日,7点30,9:00,4人\n"
        "2,乙,Traffic Post,城管局,2026/12/4,07:30:00,下午5点,2\n"
        "3,,,,,,,\n"
    )
    rows = reading.read_table("计划.csv", text.encode(), today=TODAY)
    assert rows == [
        (
            3,
            {
                "post": "甲",
                "type": "traffic",
                "unit": "城管局",
                "date": "2026-12-04",
                "start": "07:30",
                "end": "09:00",
                "capacity": "4",
            },
        ),
        (
            4,
            {
                "post": "乙",
                "type": "traffic",
                "unit": "城管局",
                "date": "2026-12-04",
                "start": "07:30",
                "end": "17:00",
                "capacity": "2",
            },
        ),
    ]
    # Without the day it is read on, a date without its year is passed on as written.
    assert reading.read_table("计划.csv", text.encode())[0][1]["date"] == "12月4日"


def test_missing_columns_are_those_of_the_best_header_row() -> None:
    with pytest.raises(DomainError) as raised:
        reading.read_table("a.csv", "标题\n岗位,单位,开始时间\n甲,城管局,7:00\n".encode())
    assert raised.value.params["missing"] == ("end", "capacity")


def test_excel_numbers_in_date_and_time_columns() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["post", "unit", "date", "start", "end", "capacity"])
    sheet.append(["甲", "城管局", 46360, 0.3125, 17, 4])  # formats lost: serial day, day fraction
    sheet.append(["乙", "城管局", dt.datetime(2026, 12, 4), dt.datetime(1899, 12, 30, 7, 30), 9, 2])
    # Typed 22:00 and 24:00, Excel keeps them as durations ([h]:mm), which openpyxl reads so;
    # 24:00 is the midnight that ends the day.
    sheet.append(["丙", "城管局", dt.datetime(2026, 12, 4), 22 / 24, 1, 2])
    sheet["D4"].number_format = sheet["E4"].number_format = "[h]:mm"
    # Typed in words, 晚上12点 ends the day too, as /newshift reads it (not noon).
    sheet.append(["丁", "城管局", dt.datetime(2026, 12, 4), "晚上10点", "晚上12点", 2])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = reading.read_table("plan.xlsx", buffer.getvalue(), today=TODAY)
    assert [(cells["date"], cells["start"], cells["end"]) for _, cells in rows] == [
        ("2026-12-04", "07:30", "17:00"),
        ("2026-12-04", "07:30", "09:00"),
        ("2026-12-04", "22:00", "24:00"),
        ("2026-12-04", "22:00", "晚上12点"),
    ]
    assert timespec.parse_end_time(rows[-1][1]["end"]) == timespec.END_OF_DAY


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("11-30", dt.date(2026, 12, 1), dt.date(2026, 11, 30)),  # yesterday: past, not 2027
        ("11-01", dt.date(2026, 12, 1), dt.date(2026, 11, 1)),  # 30 days ago
        ("10-30", dt.date(2026, 12, 1), dt.date(2027, 10, 30)),  # longer ago: the coming one
        ("12-31", dt.date(2026, 3, 1), dt.date(2026, 12, 31)),  # months ahead stays ahead
        ("12-28", dt.date(2027, 1, 5), dt.date(2026, 12, 28)),  # days ago, across the new year
        ("01-03", dt.date(2026, 12, 28), dt.date(2027, 1, 3)),
        ("12-01", dt.date(2026, 12, 1), dt.date(2026, 12, 1)),
        ("02-29", dt.date(2027, 3, 1), dt.date(2028, 2, 29)),  # the next leap year's
        ("02-29", dt.date(2028, 3, 5), dt.date(2028, 2, 29)),  # days ago
    ],
)
def test_a_day_without_its_year_is_the_coming_one_unless_just_past(
    text: str, today: dt.date, expected: dt.date
) -> None:
    assert timespec.parse_date(text, today, recent_past=True) == expected


@pytest.mark.parametrize(
    "text",
    [
        "12-07 12-13",
        "12-07至12-13",
        "12-07 至 12-13",
        "12月7日到12月13日",
        "12-07 ~ 12-13",
        "１２－０７～１２－１３",
        "12-07 to 12-13",
        "12-07 UNTIL 12-13",
        "12-07——12-13",
        "2026-12-07至2026-12-13",
        "12-07 - 12-13",
        "2026-12-07 - 2026-12-13",
        "１２－０７ － １２－１３",
        # The dashes a time range takes (the wave dash, the horizontal bar, the minus sign).
        "12-07〜12-13",
        "12月7日〜12月13日",
        "12-07――12-13",
        "12-07−12-13",
    ],
)
def test_one_reading_of_a_typed_day_range_for_rotate_and_broadcast(text: str) -> None:
    """/rotate and /broadcast read a typed range with this one function: one reading for both."""
    expected = (dt.date(2026, 12, 7), dt.date(2026, 12, 13))
    assert timespec.parse_day_range(text, TODAY) == expected
    assert timespec.parse_day_range(text, TODAY, recent_past=True) == expected


def test_a_typed_day_range_is_one_day_or_two_read_forward() -> None:
    assert timespec.parse_day_range("12-05", TODAY) == (dt.date(2026, 12, 5),) * 2
    # The end is the such day nearest the start: across the new year, or backwards.
    assert timespec.parse_day_range("12-28 01-03", TODAY) == (
        dt.date(2026, 12, 28),
        dt.date(2027, 1, 3),
    )
    assert timespec.parse_day_range("12-10 11-05", TODAY) == (
        dt.date(2026, 12, 10),
        dt.date(2026, 11, 5),
    )
    # Just past: the past day only when asked (rotate refuses it as past).
    just_past = timespec.parse_day_range("11-30", TODAY, recent_past=True)
    assert just_past == (dt.date(2026, 11, 30),) * 2
    assert timespec.parse_day_range("11-30", TODAY) == (dt.date(2027, 11, 30),) * 2
    for unread in ("", "next week", "12-01 12-02 12-03", "12-01 soon"):
        assert timespec.parse_day_range(unread, TODAY) is None, unread
    # A range with its end (or start) left off is not read as one day: the end was forgotten.
    for half in ("12-05 至", "12-05~", "12-05 to", "至 12-05", "~12-05"):
        assert timespec.parse_day_range(half, TODAY) is None, half


def test_days_just_gone_are_this_years_for_broadcast_rotate_and_export() -> None:
    """On 12-06, 12-01 12-03 is last week, not next December: /broadcast and /rotate refuse it
    as past (a range begun runs from today), while /export, which wants past days, takes it."""
    today = dt.date(2026, 12, 6)
    typed = timespec.parse_day_range("12-01 12-03", today, recent_past=True)
    assert typed == (dt.date(2026, 12, 1), dt.date(2026, 12, 3))
    for past in ("12-01 12-03", "12-01至12-05", "12-05", "11-28 11-30"):
        days = timespec.parse_day_range(past, today, recent_past=True)
        assert days is not None, past
        with pytest.raises(DomainError) as broadcast_past:
            broadcast.from_today(days, today)
        assert broadcast_past.value.code is ErrorCode.BROADCAST_RANGE_PAST, past
        with pytest.raises(DomainError) as rotate_past:
            rotate.parse_period(past, today)
        assert rotate_past.value.code is ErrorCode.ROTATION_PAST, past
    begun = timespec.parse_day_range("12-05 12-08", today, recent_past=True)
    assert begun is not None
    assert broadcast.from_today(begun, today) == (today, dt.date(2026, 12, 8))
    assert rotate.parse_period("12-05 12-08", today) == rotate.Period(today, dt.date(2026, 12, 8))
    # Still ahead: as typed, and a backwards range is left for check_range to refuse.
    ahead = (dt.date(2027, 1, 4), dt.date(2027, 1, 6))
    assert broadcast.from_today(ahead, today) == ahead
    assert broadcast.from_today((dt.date(2026, 12, 9), dt.date(2026, 12, 7)), today) == (
        dt.date(2026, 12, 9),
        dt.date(2026, 12, 7),
    )
    # /export reads the days nearest today: the past ones it is asked for.
    period = ledger.parse_range("12-01 12-03", today)
    assert (period.first, period.last) == (dt.date(2026, 12, 1), dt.date(2026, 12, 3))
    period = ledger.parse_range("11-01至11-30", today)
    assert (period.first, period.last) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    # Half a year back is this year's too (next June is nearer, and not to be exported), while
    # a day a few days ahead stays that day, refused as not come yet.
    period = ledger.parse_range("06-01至06-30", today)
    assert (period.first, period.last) == (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    with pytest.raises(DomainError) as ahead:
        ledger.parse_range("12-09", today)
    assert ahead.value.code is ErrorCode.EXPORT_RANGE_FUTURE


def test_report_commands_read_a_day_or_a_month_as_export_does() -> None:
    """/today 12月1日, /month 2026-11 or /month 11 (read on Friday 4 December): that day, that
    month whole against October whole; a month to come is refused, as is a bare number for a day."""
    today = dt.date(2026, 12, 4)
    daily = delivery.requested_period(ReportKind.DAILY, "12月1日", today)
    assert daily == (Period(dt.date(2026, 12, 1), dt.date(2026, 12, 1)), None)
    november = (
        Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
    )
    for text in ("2026-11", "2026年11月", "11", "１１月", "11-15"):
        assert delivery.requested_period(ReportKind.MONTHLY, text, today) == november, text
    # January without its year is this year's, the one gone.
    assert delivery.requested_period(ReportKind.MONTHLY, "1月", today)[0].first == dt.date(
        2026, 1, 1
    )
    # A later day of this week or month asks for the week or month that holds today: that one
    # so far, as without a day, not refused as a day to come; the next week or month is.
    this_week = delivery.on_demand_period(ReportKind.WEEKLY, today)
    assert delivery.requested_period(ReportKind.WEEKLY, "12-06", today) == this_week
    assert this_week[0] == Period(dt.date(2026, 11, 30), today)
    this_month = delivery.requested_period(ReportKind.MONTHLY, "12-31", today)
    assert this_month[0] == Period(dt.date(2026, 12, 1), today)
    for kind, text, code in (
        (ReportKind.WEEKLY, "12-07", ErrorCode.REPORT_DAY_FUTURE),
        (ReportKind.DAILY, "12-05", ErrorCode.REPORT_DAY_FUTURE),
        (ReportKind.MONTHLY, "2027-01", ErrorCode.REPORT_DAY_FUTURE),
        (ReportKind.DAILY, "11", ErrorCode.REPORT_DAY_INVALID),
        (ReportKind.MONTHLY, "13月", ErrorCode.REPORT_DAY_INVALID),
    ):
        with pytest.raises(DomainError) as refused:
            delivery.requested_period(kind, text, today)
        assert refused.value.code is code, text
