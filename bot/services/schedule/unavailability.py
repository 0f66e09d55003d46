"""Declared unavailability (/unavailable): a member's windows, the days from ``first_day`` to
``last_day`` whose weekday is in ``weekdays``, all day or between two local times, and which
of them cover a shift. Read by whoever gives a seat: the rotation and a hand assignment
(bot/services/rostering), and a swap, which gives nobody a seat at an hour they declared off.
Declaring, reading what people type and removing a window are rostering's
(bot/services/rostering/availability.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, Shift, Unavailability
from bot.services.schedule import timespec


@dataclass(frozen=True)
class Spec:
    first_day: dt.date
    last_day: dt.date
    weekdays: frozenset[int]
    start_time: dt.time | None = None
    end_time: dt.time | None = None

    @property
    def every_day(self) -> bool:
        return self.weekdays == timespec.ALL_DAYS


@dataclass(frozen=True)
class Read:
    """A window as a row error shows it, read on `today`: one day of another year says its
    year (bot/wording.py)."""

    spec: Spec
    today: dt.date


def mask(weekdays: Iterable[int]) -> int:
    return sum(1 << day for day in set(weekdays))


def weekdays_of(value: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if value & (1 << day))


def spec_of(row: Unavailability) -> Spec:
    return Spec(
        row.first_day, row.last_day, weekdays_of(row.weekdays), row.start_time, row.end_time
    )


def intervals(
    spec: Spec, first: dt.date, last: dt.date, zone: dt.tzinfo
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The UTC instants the window covers on the days from `first` to `last`."""
    found: list[tuple[dt.datetime, dt.datetime]] = []
    day = max(first, spec.first_day)
    while day <= min(last, spec.last_day):
        if day.weekday() in spec.weekdays:
            if spec.start_time is None or spec.end_time is None:
                found.append(timespec.local_day_bounds(day, zone))
            else:
                found.append(
                    (
                        timespec.local_instant(day, spec.start_time, zone),
                        timespec.end_instant(day, spec.end_time, zone),
                    )
                )
        day += dt.timedelta(days=1)
    return found


def covers(spec: Spec, starts_at: dt.datetime, ends_at: dt.datetime, zone: dt.tzinfo) -> bool:
    """Whether the window overlaps [starts_at, ends_at)."""
    first = starts_at.astimezone(zone).date() - dt.timedelta(days=1)
    last = ends_at.astimezone(zone).date()
    return any(
        start < ends_at and starts_at < end for start, end in intervals(spec, first, last, zone)
    )


async def windows(
    session: AsyncSession, member_ids: Sequence[int], first: dt.date, last: dt.date
) -> dict[int, list[Spec]]:
    """The windows of these members that touch the days from `first` to `last`."""
    found: dict[int, list[Spec]] = {}
    for start in range(0, len(member_ids), 5000):
        rows = await session.scalars(
            select(Unavailability).where(
                Unavailability.member_id.in_(member_ids[start : start + 5000]),
                Unavailability.last_day >= first,
                Unavailability.first_day <= last,
            )
        )
        for row in rows:
            found.setdefault(row.member_id, []).append(spec_of(row))
    return found


async def blocking(
    session: AsyncSession, member: Member, shift: Shift, zone: dt.tzinfo
) -> Spec | None:
    """The member's window that covers the shift, if any (a hand assignment asks first)."""
    first = shift.starts_at.astimezone(zone).date() - dt.timedelta(days=1)
    last = shift.ends_at.astimezone(zone).date()
    for spec in (await windows(session, [member.id], first, last)).get(member.id, []):
        if covers(spec, shift.starts_at, shift.ends_at, zone):
            return spec
    return None


async def blocked(
    session: AsyncSession, member_ids: Iterable[int], shift: Shift, zone: dt.tzinfo
) -> set[int]:
    """Those of these members with a window that covers the shift (in one statement per
    5000): a give-away is not offered to them."""
    ids = sorted(set(member_ids))
    first = shift.starts_at.astimezone(zone).date() - dt.timedelta(days=1)
    last = shift.ends_at.astimezone(zone).date()
    return {
        member_id
        for member_id, specs in (await windows(session, ids, first, last)).items()
        if any(covers(spec, shift.starts_at, shift.ends_at, zone) for spec in specs)
    }


async def blocked_pairs(
    session: AsyncSession, pairs: Iterable[tuple[int, Shift]], zone: dt.tzinfo
) -> set[tuple[int, int]]:
    """Which of these (member id, shift) pairs have a window of the member that covers the
    shift, as (member id, shift id): the windows of all the members are read at once (in one
    statement per 5000), over the days of all the shifts (a swap's offers drawn again as they
    go out, to many readers)."""
    wanted = list(pairs)
    if not wanted:
        return set()
    first = min(shift.starts_at.astimezone(zone).date() for _, shift in wanted)
    last = max(shift.ends_at.astimezone(zone).date() for _, shift in wanted)
    ids = sorted({member_id for member_id, _ in wanted})
    found = await windows(session, ids, first - dt.timedelta(days=1), last)
    return {
        (member_id, shift.id)
        for member_id, shift in wanted
        if any(
            covers(spec, shift.starts_at, shift.ends_at, zone) for spec in found.get(member_id, ())
        )
    }
