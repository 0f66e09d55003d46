"""The ledger as an .xlsx workbook: attendance rows, hours per volunteer, figures per unit, and
the rectification orders."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from bot.i18n import Translator
from bot.services.oversight.figures import Figures
from bot.services.platform import sheets
from bot.services.platform.offload import run_off_loop
from bot.services.reports.ledger import Attendance, Ledger

DATE_TIME = "yyyy-mm-dd hh:mm"
WIDTH = 14
# A date with its time takes 16 characters: at the other columns' width Excel shows ######## in
# its place.
DATE_TIME_WIDTH = 18
HOURS_FORMAT = "0.00"


def _local(t: Translator, instant: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: write the local wall-clock time people read.
    return t.local(instant).replace(tzinfo=None) if instant is not None else None


def _append(sheet: Any, values: list[Any]) -> None:
    """One row of the sheet: the ledger holds what people typed (a volunteer's name is theirs
    to choose, a reply note is free text), written as text and without what a workbook cannot
    hold (``sheets``)."""
    sheets.append(sheet, values)


def _flags(t: Translator, row: Attendance) -> str:
    names = [
        t(f"export.flag.{name}")
        for name, on in (
            ("late", row.late),
            ("far", row.far),
            ("flagged", row.flagged),
            ("left_early", row.left_early),
            ("left_post", row.left_post),
            ("manual", row.manual),
            ("photo_rejected", row.photo_rejected),
            ("hours_adjusted", row.hours_adjusted),
        )
        if on
    ]
    return t("common.list_separator").join(names)


def _source(t: Translator, row: Attendance) -> str:
    """Assigned (acknowledged or not) or volunteered."""
    if not row.assigned:
        return t("export.source.volunteered")
    return t("export.source.acknowledged" if row.acknowledged else "export.source.unacknowledged")


async def render(t: Translator, ledger: Ledger) -> bytes:
    """`workbook_bytes` in the worker process (``offload``): openpyxl takes seconds of pure
    Python for a month of a city, which would stop every other chat."""
    return await run_off_loop(_workbook_in, t.language, t.zone, ledger)


def _workbook_in(language: str, zone: ZoneInfo, ledger: Ledger) -> bytes:
    return workbook_bytes(Translator(language, zone), ledger)


def workbook_bytes(t: Translator, ledger: Ledger) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = t("export.sheet.attendance")[:31]
    columns = [
        "member", "unit", "post", "date", "start", "end", "status", "checked_in_at",
        "checked_out_at", "minutes_late", "distance", "hours", "flags", "source",
    ]  # fmt: skip
    sheet.append([t(f"export.col.{column}") for column in columns])
    overnight: list[int] = []  # the sheet's rows whose shift ends on a later day
    for number, row in enumerate(ledger.attendance, start=2):
        start = _local(t, row.starts_at)
        end = _local(t, row.ends_at)
        assert start is not None and end is not None
        if end.date() != start.date():
            overnight.append(number)
        _append(
            sheet,
            [
                row.member,
                row.unit,
                row.post,
                start.date(),
                start.time(),
                # 22:00 to 02:00: the end is written with its day (2026-12-02 02:00), not as a
                # time of the start's day before the start.
                end if end.date() != start.date() else end.time(),
                t(f"export.status.{row.status.value}"),
                _local(t, row.checked_in_at),
                _local(t, row.checked_out_at),
                row.minutes_late,
                round(row.distance_m) if row.distance_m is not None else None,
                row.minutes / 60,
                _flags(t, row),
                _source(t, row),
            ],
        )
    _number_formats(sheet, {4: "yyyy-mm-dd", 5: "hh:mm", 6: "hh:mm", 8: DATE_TIME})
    for number in overnight:
        sheet.cell(row=number, column=6).number_format = DATE_TIME
    # Hours are written exactly and shown to two decimals, so that the rows add up to the
    # volunteer's and the unit's hours (three times 20 minutes is 1, not 0.99).
    _number_formats(sheet, {9: DATE_TIME, 12: HOURS_FORMAT})

    hours = book.create_sheet(t("export.sheet.hours")[:31])
    hours_columns = ["member", "unit", "shifts", "checked_in", "on_time", "late", "absent", "hours"]
    hours.append([t(f"export.col.{column}") for column in hours_columns])
    for volunteer in ledger.volunteers:
        _append(
            hours,
            [
                volunteer.member,
                volunteer.unit,
                volunteer.shifts,
                volunteer.checked_in,
                volunteer.on_time,
                volunteer.late,
                volunteer.absent,
                volunteer.minutes / 60,
            ],
        )
    _number_formats(hours, {8: HOURS_FORMAT})

    units = book.create_sheet(t("export.sheet.units")[:31])
    unit_columns = [
        "unit", "shifts", "seats", "filled", "checked_in", "on_time", "late", "absent",
        "left_early", "hours", "on_post_rate", "checks", "check_score", "discrepancies",
        "reports", "orders_issued", "orders_replied", "orders_replied_on_time", "orders_overdue",
        "reply_rate", "on_time_rate", "median_fix_hours", "score", "grade", "assigned",
        "volunteered", "ack_rate", "leaves",
    ]  # fmt: skip
    units.append([t(f"export.col.{column}") for column in unit_columns])
    for unit in ledger.units:
        counts = unit.counts
        oversight = unit.oversight or Figures()
        median = oversight.median_fix_hours
        _append(
            units,
            [
                unit.name,
                counts.shifts,
                counts.seats,
                counts.filled,
                counts.checked_in,
                counts.on_time,
                counts.late,
                counts.absent,
                counts.left_early,
                counts.hours,
                counts.on_post_rate,
                oversight.checks,
                (
                    round(oversight.inspection_score, 1)
                    if oversight.inspection_score is not None
                    else None
                ),
                oversight.discrepancies,
                oversight.reports,
                oversight.issued,
                oversight.replied,
                oversight.replied_on_time,
                oversight.overdue,
                oversight.reply_rate,
                oversight.on_time_rate,
                round(median, 1) if median is not None else None,
                unit.score.value,
                t(f"report.grade.{unit.score.grade}") if unit.score.grade else None,
                counts.assigned,
                counts.volunteered,
                counts.acknowledgment_rate,
                counts.leaves,
            ],
        )
    _number_formats(units, {10: HOURS_FORMAT, 11: "0%", 20: "0%", 21: "0%", 27: "0%"})
    orders = _orders_sheet(t, book, ledger)
    for each in (sheet, hours, units, orders):
        each.freeze_panes = "A2"
        for index in range(1, each.max_column + 1):
            letter = get_column_letter(index)
            dated = any(cell.number_format == DATE_TIME for cell in each[letter][1:])
            each.column_dimensions[letter].width = DATE_TIME_WIDTH if dated else WIDTH
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _orders_sheet(t: Translator, book: Workbook, ledger: Ledger) -> Any:
    orders = book.create_sheet(t("export.sheet.orders")[:31])
    columns = [
        "order", "unit", "category", "source", "place", "problem", "state", "issued_at",
        "deadline_at", "acknowledged_at", "replied_at", "replied_on_time", "accepted_at",
        "escalated", "reopened", "first_deadline_at", "reply",
    ]  # fmt: skip
    orders.append([t(f"export.col.{column}") for column in columns])
    yes, no = t("export.yes"), t("export.no")
    for line in ledger.orders:
        _append(
            orders,
            [
                line.id,
                line.unit,
                t(f"oversight.category.{line.category.value}"),
                t(f"export.source.{line.source}") if line.source != "-" else "-",
                line.place,
                line.description,
                t(f"oversight.order.state.{line.status.value}"),
                _local(t, line.issued_at),
                _local(t, line.deadline_at),
                _local(t, line.acknowledged_at),
                _local(t, line.first_replied_at),
                yes if line.replied_on_time else no,
                _local(t, line.first_accepted_at),
                yes if line.escalated else no,
                line.reopened,
                # What "replied on time" and the figures read, once reopening moved the deadline.
                _local(t, line.first_deadline_at),
                line.reply_note,
            ],
        )
    dated = dict.fromkeys((8, 9, 10, 11, 13, 16), DATE_TIME)
    _number_formats(orders, dated)
    return orders


def _number_formats(sheet: object, formats: dict[int, str]) -> None:
    for row in sheet.iter_rows(min_row=2):  # type: ignore[attr-defined]
        for column, number_format in formats.items():
            row[column - 1].number_format = number_format


def filename(ledger: Ledger) -> str:
    period = ledger.period
    return f"ledger-{period.first.isoformat()}-{period.last.isoformat()}.xlsx"
