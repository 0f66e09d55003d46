"""The ledger workbook's sums: the hours of a volunteer's rows add up to their line on the
hours sheet, and the units sheet's hours to the same total, however the minutes divide."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl

from bot.db.models import AssignmentStatus, Category, OrderStatus
from bot.i18n import Translator
from bot.services.oversight.order_lists import OrderLine
from bot.services.reports.ledger import Attendance, Ledger, VolunteerHours
from bot.services.reports.ledger_xlsx import workbook_bytes
from bot.services.reports.periods import Period
from bot.services.reports.scoring import Counts, Score
from bot.services.reports.tally import Row

ZONE = ZoneInfo("Asia/Shanghai")


def test_twenty_minutes_three_times_is_one_hour_on_every_sheet() -> None:
    start = dt.datetime(2026, 12, 1, 0, tzinfo=dt.UTC)
    rows = [
        Attendance(
            member="王芳",
            unit="城管局",
            post="路口",
            starts_at=start + dt.timedelta(hours=n),
            ends_at=start + dt.timedelta(hours=n, minutes=20),
            status=AssignmentStatus.CHECKED_OUT,
            checked_in_at=start + dt.timedelta(hours=n),
            checked_out_at=start + dt.timedelta(hours=n, minutes=20),
            minutes_late=0,
            distance_m=5.0,
            minutes=20,
            late=False,
            far=False,
            flagged=False,
            left_early=False,
            left_post=False,
        )
        for n in range(3)
    ]
    counts = Counts(shifts=3, seats=3, filled=3, checked_in=3, on_time=3, minutes=60)
    ledger = Ledger(
        unit_name=None,
        period=Period(dt.date(2026, 12, 1), dt.date(2026, 12, 1)),
        attendance=rows,
        volunteers=[VolunteerHours("王芳", "城管局", 3, 3, 3, 0, 0, 60)],
        units=[Row(key=1, name="城管局", counts=counts, score=Score(100.0, None))],
    )
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(Translator("zh_Hans", ZONE), ledger)))
    attendance, hours, units = (
        list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets[:3]
    )
    row_hours = sum(row[11] for row in attendance[1:])
    assert row_hours == hours[1][7] == units[1][9] == 1
    # A date with its time (2026-12-01 08:20, 16 characters) fits its column: at the others'
    # width Excel shows ######## in its place.
    sheet = book.worksheets[0]
    for cell in sheet[2]:
        width = sheet.column_dimensions[cell.column_letter].width
        assert width >= (17 if cell.number_format == "yyyy-mm-dd hh:mm" else 14), cell


def test_an_order_whose_texts_hold_control_characters_is_written_without_them() -> None:
    """A place, a problem and a reply note are free text: a NUL, a bell, a lone surrogate or
    U+FFFF in them (an .xlsx holds none of them) is dropped, every other character kept; a
    note beginning with "=" stays text."""
    issued = dt.datetime(2026, 12, 1, 2, tzinfo=dt.UTC)
    line = OrderLine(
        id=7,
        unit="城管\x0b局",
        category=Category.LITTER,
        source="report",
        place="黄河路\x00口",
        description="垃圾\x07堆放\ufffe\nline two\tend",
        status=OrderStatus.ACCEPTED,
        issued_at=issued,
        deadline_at=issued + dt.timedelta(days=1),
        first_deadline_at=issued + dt.timedelta(days=1),
        acknowledged_at=issued,
        first_replied_at=issued,
        first_accepted_at=issued,
        escalated=False,
        reopened=0,
        reply_note="=已\x1f清理\uffff",
    )
    ledger = Ledger(
        unit_name=None,
        period=Period(dt.date(2026, 12, 1), dt.date(2026, 12, 1)),
        attendance=[],
        volunteers=[],
        units=[Row(key=1, name="城管\x0b局", counts=Counts(), score=Score(None, None))],
        orders=[line],
    )
    data = workbook_bytes(Translator("zh_Hans", ZONE), ledger)
    book = openpyxl.load_workbook(io.BytesIO(data))
    orders = list(book.worksheets[3].iter_rows(values_only=True))[1]
    assert orders[1] == "城管局"
    assert orders[4:6] == ("黄河路口", "垃圾堆放\nline two\tend")
    assert orders[16] == "=已清理"
    assert book.worksheets[3]["Q2"].data_type == "s"
    assert list(book.worksheets[2].iter_rows(values_only=True))[1][0] == "城管局"
