"""Reports as they are delivered: which period and scope a request or a schedule means, and the
rendered messages (texts and the chart file) for one reader's language."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.people.access import Actor
from bot.services.platform.offload import run_off_loop
from bot.services.reports import periods
from bot.services.reports.chart import GradeBounds, chart_spec
from bot.services.reports.drawing import draw
from bot.services.reports.periods import Period
from bot.services.reports.report_text import (
    CAPTION_LIMIT,
    ReportKind,
    period_label,
    render,
    scope_name,
)
from bot.services.reports.tally import Tally
from bot.services.schedule import timespec
from bot.settings import Settings


def scope_of(actor: Actor) -> int | None:
    """Admins read the whole campaign; everyone else their own unit."""
    if actor.is_admin:
        return None
    if actor.unit_id is None:
        raise DomainError(ErrorCode.REPORT_NO_UNIT)
    return actor.unit_id


def on_demand_period(kind: ReportKind, today: dt.date) -> tuple[Period, Period | None]:
    """/today, /week, /month: today; the week or month so far against the same days before."""
    if kind is ReportKind.DAILY:
        return periods.one_day(today), None
    if kind is ReportKind.WEEKLY:
        period = periods.week_to_date(today)
        return period, periods.previous_of(period, monthly=False)
    period = periods.month_to_date(today)
    return period, periods.previous_of(period, monthly=True)


# /month 11月, /month 2026-11, /month 2026年11月: a month without its day.
_MONTH = re.compile(r"^(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*月?$")


def requested_period(kind: ReportKind, text: str, today: dt.date) -> tuple[Period, Period | None]:
    """/today 11-30, /week 11-30 (the week of that day), /month 11-30 or /month 11月: a day as
    /export reads one (without its year, the closest such day unless that is more than a month
    ahead, then the latest one up to today); the week or month that holds today (even by a
    later day of it) is that so far, as without a day, and a past one is whole, against the whole
    one before it. A day to come (for /week and /month, of a week or month to come), or words
    that are no day, are refused with what the command takes."""
    day = timespec.parse_date(text, today, lean_past=True)
    if day is None and kind is ReportKind.MONTHLY:
        day = _month_day(text, today)
    if day is None:
        raise DomainError(ErrorCode.REPORT_DAY_INVALID)
    if kind is ReportKind.DAILY:
        if day > today:
            raise DomainError(ErrorCode.REPORT_DAY_FUTURE, day=day)
        return periods.one_day(day), None
    monthly = kind is ReportKind.MONTHLY
    whole = periods.month_of(day) if monthly else periods.week_of(day)
    # /week 12-06 on Friday the 4th: a later day of this week (or month) is this one so far;
    # only a day of a week or month to come is refused.
    if whole.first > today:
        raise DomainError(ErrorCode.REPORT_DAY_FUTURE, day=day)
    if whole.last >= today:
        return on_demand_period(kind, today)
    if monthly:
        return whole, periods.month_of(whole.first - dt.timedelta(days=1))
    return whole, periods.previous_of(whole, monthly=False)


def _month_day(text: str, today: dt.date) -> dt.date | None:
    """The 1st of a month typed without its day; without its year, the latest up to today."""
    match = _MONTH.match(unicodedata.normalize("NFKC", text).strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        return None
    month = int(match[2])
    if match[1] is not None:
        year = int(match[1])
        if abs(year - today.year) > timespec.YEARS_AROUND_TODAY:
            return None
        return dt.date(year, month, 1)
    return dt.date(today.year if month <= today.month else today.year - 1, month, 1)


def scheduled_period(kind: ReportKind, today: dt.date) -> tuple[Period, Period | None]:
    """What a scheduled report sent on `today` covers: the day itself, the week before this
    Monday, or the month before this 1st, each against the whole one before it (February
    against all of January, not its first 28 days)."""
    if kind is ReportKind.DAILY:
        return periods.one_day(today), None
    if kind is ReportKind.WEEKLY:
        period = periods.week_of(today - dt.timedelta(days=7))
        return period, periods.previous_of(period, monthly=False)
    period = periods.month_of(today.replace(day=1) - dt.timedelta(days=1))
    return period, periods.month_of(period.first - dt.timedelta(days=1))


@dataclass(frozen=True)
class Rendered:
    texts: list[str]
    chart: bytes | None  # None: no shifts in the period, nothing to draw
    caption: str


async def render_report(
    t: Translator, tally: Tally, kind: ReportKind, settings: Settings, *, late: bool = False
) -> Rendered:
    bounds = GradeBounds(good=settings.grade_good_min, fair=settings.grade_fair_min)
    # Drawing takes a good part of a second of pure Python: keep it off the event loop, and
    # off its GIL (a worker process: see offload).
    chart = await run_off_loop(draw, chart_spec(t, tally, bounds)) if tally.totals.shifts else None
    caption = t("report.chart.caption", scope=scope_name(t, tally), period=period_label(t, tally))
    return Rendered(
        texts=render(t, tally, kind, late=late), chart=chart, caption=caption[:CAPTION_LIMIT]
    )


def save_chart(settings: Settings, name: str, data: bytes) -> Path:
    """Write a chart under REPORTS_DIR for the outbox sender to upload; returns its path."""
    folder = Path(settings.reports_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path
