"""Calendar periods of reports, as local dates, and the UTC instants that bound them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.buttons import ExportPeriod


@dataclass(frozen=True)
class Period:
    """The local days `first` through `last`, both included."""

    first: dt.date
    last: dt.date

    @property
    def days(self) -> list[dt.date]:
        count = (self.last - self.first).days + 1
        return [self.first + dt.timedelta(days=offset) for offset in range(count)]

    def bounds(self, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in UTC: midnight of the first day to midnight after the last."""
        return day_start(self.first, zone), day_start(self.last + dt.timedelta(days=1), zone)


def day_start(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def local_today(now: dt.datetime, zone: ZoneInfo) -> dt.date:
    return now.astimezone(zone).date()


def one_day(day: dt.date) -> Period:
    return Period(day, day)


def last_days(day: dt.date, count: int) -> Period:
    """`count` days ending with `day`."""
    return Period(day - dt.timedelta(days=count - 1), day)


def week_of(day: dt.date) -> Period:
    monday = day - dt.timedelta(days=day.weekday())
    return Period(monday, monday + dt.timedelta(days=6))


def month_of(day: dt.date) -> Period:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(first, following - dt.timedelta(days=1))


def week_to_date(day: dt.date) -> Period:
    return Period(week_of(day).first, day)


def month_to_date(day: dt.date) -> Period:
    return Period(day.replace(day=1), day)


def preset(choice: ExportPeriod, today: dt.date) -> Period:
    """The periods /export offers as buttons: this week or month so far, or the last whole one."""
    if choice is ExportPeriod.THIS_WEEK:
        return week_to_date(today)
    if choice is ExportPeriod.LAST_WEEK:
        return week_of(today - dt.timedelta(days=7))
    if choice is ExportPeriod.THIS_MONTH:
        return month_to_date(today)
    return month_of(today.replace(day=1) - dt.timedelta(days=1))


def previous_of(period: Period, *, monthly: bool) -> Period:
    """The period to compare with: the same days of the week or month before (a month's span
    is clipped to the shorter month)."""
    if not monthly:
        return Period(period.first - dt.timedelta(days=7), period.last - dt.timedelta(days=7))
    previous_month = month_of(period.first - dt.timedelta(days=1))
    span = (period.last - period.first).days
    last = min(previous_month.first + dt.timedelta(days=span), previous_month.last)
    return Period(previous_month.first, last)
