"""Reading the dates, times and weekday patterns people type or put in a spreadsheet.

Each parser returns None for text it cannot read, so callers choose their own refusal (a chat
reply, or a row error of an import)."""

from __future__ import annotations

import datetime as dt
import re

WEEKDAY_TOKENS: dict[str, int] = {
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
    "一": 0,
    "二": 1,
    "三": 2,
    "四": 3,
    "五": 4,
    "六": 5,
    "日": 6,
    "天": 6,
}
ALL_DAYS = frozenset(range(7))
_DATE = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?$")
_TIME = re.compile(r"^(\d{1,2})[:：.]?(\d{2})$")
_RANGE_SEPARATORS = re.compile(r"\s*(?:-|–|—|~|～|至|到)\s*")


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """2026-12-01, 2026/12/1, 2026年12月1日, or 12-01 (the next such day from today)."""
    match = _DATE.match(text.strip())
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        if year is not None:
            return dt.date(int(year), int(month), int(day))
        candidate = dt.date(today.year, int(month), int(day))
        if candidate < today:
            candidate = dt.date(today.year + 1, int(month), int(day))
    except ValueError:
        return None
    return candidate


def parse_time(text: str) -> dt.time | None:
    """07:00, 7:00, 0700 or 07：00 (full-width colon)."""
    cleaned = text.strip()
    if len(cleaned) > 5 and cleaned.count(":") == 2 and cleaned.endswith(":00"):
        cleaned = cleaned[:-3]  # 07:00:00 as spreadsheets write it
    match = _TIME.match(cleaned)
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        return None
    return dt.time(hours, minutes)


def parse_time_range(text: str) -> tuple[dt.time, dt.time] | None:
    parts = _RANGE_SEPARATORS.split(text.strip())
    if len(parts) != 2:
        return None
    start, end = parse_time(parts[0]), parse_time(parts[1])
    if start is None or end is None:
        return None
    return start, end


def _weekday(token: str) -> int | None:
    cleaned = token.strip().lower().removeprefix("周").removeprefix("星期").removeprefix("週")
    if cleaned in WEEKDAY_TOKENS:
        return WEEKDAY_TOKENS[cleaned]
    return WEEKDAY_TOKENS.get(cleaned[:3])


def parse_weekdays(text: str) -> frozenset[int] | None:
    """mon-fri, sat,sun, mon-wed,fri, 周一至周五, daily / 每天."""
    cleaned = text.strip().lower()
    if cleaned in ("daily", "every day", "每天", "每日"):
        return ALL_DAYS
    days: set[int] = set()
    for part in re.split(r"[,，、\s]+", cleaned):
        if not part:
            continue
        ends = _RANGE_SEPARATORS.split(part)
        if len(ends) == 1:
            day = _weekday(ends[0])
            if day is None:
                return None
            days.add(day)
        elif len(ends) == 2:
            first, last = _weekday(ends[0]), _weekday(ends[1])
            if first is None or last is None:
                return None
            day = first
            days.add(day)
            while day != last:
                day = (day + 1) % 7
                days.add(day)
        else:
            return None
    return frozenset(days) if days else None


def days_between(weekdays: frozenset[int], first: dt.date, last: dt.date) -> list[dt.date]:
    count = (last - first).days + 1
    every = (first + dt.timedelta(days=n) for n in range(max(count, 0)))
    return [day for day in every if day.weekday() in weekdays]


def local_instant(day: dt.date, time: dt.time, zone: dt.tzinfo) -> dt.datetime:
    """The UTC instant of a local wall-clock time on a day."""
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)


def local_day_bounds(day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    start = local_instant(day, dt.time(0, 0), zone)
    return start, local_instant(day + dt.timedelta(days=1), dt.time(0, 0), zone)
