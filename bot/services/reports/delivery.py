"""Reports as they are delivered: which period and scope a request or a schedule means, and the
rendered messages (texts and the chart file) for one reader's language."""

from __future__ import annotations

import datetime as dt
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
