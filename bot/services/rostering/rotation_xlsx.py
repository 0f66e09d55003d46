"""A rotation's plan as an .xlsx workbook: the seats day by day, each person's share, and the
seats nobody may take with why."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import Translator
from bot.services.platform import sheets
from bot.services.rostering.rotate import Preview
from bot.services.rostering.rotation import Reason

WIDTHS = {1: 12, 2: 8, 3: 8, 4: 8, 5: 24, 6: 14, 7: 18}


def _local(t: Translator, instant: dt.datetime) -> dt.datetime:
    # Excel has no time zones: write the local wall-clock time people read.
    return t.local(instant).replace(tzinfo=None)


def reasons_text(t: Translator, reasons: Mapping[Reason, int] | None) -> str:
    """3 人时间冲突、2 人请假; "-" for a gap not explained (past GAPS_EXPLAINED)."""
    if reasons is None:
        return "-"
    parts = [
        t(f"rostering.reason.{reason.value}", count=count)
        for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    ]
    return t("common.list_separator").join(parts) or t("rostering.reason.nobody")


def _header(sheet: Worksheet, t: Translator, columns: list[str]) -> None:
    sheet.append([t(f"rostering.xlsx.col.{column}") for column in columns])
    sheet.freeze_panes = "A2"


def workbook_bytes(t: Translator, preview: Preview) -> bytes:
    inputs = preview.inputs
    book = Workbook()
    plan_sheet = book.active
    plan_sheet.title = t("rostering.xlsx.sheet.plan")[:31]
    _header(plan_sheet, t, ["date", "weekday", "start", "end", "post", "member", "phone"])
    rows = sorted(
        preview.plan.seats,
        key=lambda seat: (inputs.shifts[seat[0]].starts_at, inputs.shifts[seat[0]].post_name),
    )
    for shift_id, member_id in rows:
        shift, person = inputs.shifts[shift_id], inputs.people[member_id]
        start, end = _local(t, shift.starts_at), _local(t, shift.ends_at)
        sheets.append(
            plan_sheet,
            [
                start.date(),
                t.weekday_date(shift.starts_at),
                start.time(),
                end.time(),
                shift.post_name,
                person.name,
                person.phone or "",
            ],
        )
    for row in plan_sheet.iter_rows(min_row=2):
        row[0].number_format = "yyyy-mm-dd"
        row[2].number_format = row[3].number_format = "hh:mm"

    people = book.create_sheet(t("rostering.xlsx.sheet.people")[:31])
    _header(
        people,
        t,
        ["member", "planned", "period_shifts", "period_hours", "recent_shifts", "recent_hours"],
    )
    for standing in sorted(preview.standings, key=lambda s: (s.name, s.member_id)):
        sheets.append(
            people,
            [
                standing.name,
                standing.planned,
                standing.period_shifts,
                round(standing.period_minutes / 60, 2),
                standing.recent_shifts,
                round(standing.recent_minutes / 60, 2),
            ],
        )

    gaps = book.create_sheet(t("rostering.xlsx.sheet.gaps")[:31])
    _header(gaps, t, ["date", "start", "end", "post", "missing", "why"])
    for gap in preview.gaps:
        start, end = _local(t, gap.shift.starts_at), _local(t, gap.shift.ends_at)
        sheets.append(
            gaps,
            [
                start.date(),
                start.time(),
                end.time(),
                gap.shift.post_name,
                gap.missing,
                reasons_text(t, gap.reasons),
            ],
        )
    for row in gaps.iter_rows(min_row=2):
        row[0].number_format = "yyyy-mm-dd"
        row[1].number_format = row[2].number_format = "hh:mm"
    for sheet in (plan_sheet, people, gaps):
        for index in range(1, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(index, 14)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(preview: Preview) -> str:
    period = preview.inputs.period
    return f"rotation-{period.first.isoformat()}-{period.last.isoformat()}.xlsx"
