"""When a check counts and shows: the week it counts in, and when a covert one reaches its unit."""

from __future__ import annotations

import datetime as dt

from bot.settings import Settings


def week_start(now: dt.datetime, settings: Settings) -> dt.datetime:
    today = now.astimezone(settings.zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    return dt.datetime.combine(monday, dt.time(0), tzinfo=settings.zone).astimezone(dt.UTC)


def visible_from(now: dt.datetime, covert: bool, settings: Settings) -> dt.datetime:
    """When the unit may see a check: at once, or for a covert one at the first report that
    counts it: the next daily tally, or the weekly (Mondays) or monthly (the 1st) report of its
    period at REPORT_TIME when that comes first (a check on Sunday night is published by
    Monday morning's report of its week, which must not leave it out and rank without it)."""
    if not covert:
        return now
    zone = settings.zone
    local = now.astimezone(zone)
    day = local.date()
    tally = dt.datetime.combine(day, settings.summary_time, tzinfo=zone)
    if tally <= local:
        tally += dt.timedelta(days=1)
    next_monday = day + dt.timedelta(days=7 - day.weekday())
    next_month = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    reports = [
        dt.datetime.combine(d, settings.report_time, tzinfo=zone) for d in (next_monday, next_month)
    ]
    return min(tally, *reports).astimezone(dt.UTC)


def at_daily_tally(shown_from: dt.datetime, settings: Settings) -> bool:
    """Whether a covert check's `shown_from` is a daily tally's time (else a weekly or monthly
    report's)."""
    return shown_from.astimezone(settings.zone).time() == settings.summary_time
