"""When members cannot serve (/unavailable): weekdays and times until an end date, or dates.
The rotation never puts a member on a shift that overlaps one of these windows; a coordinator
who assigns by hand is warned and asked; a swap gives nobody a seat in one.

A window is the days from ``first_day`` to ``last_day`` whose weekday is in ``weekdays``, all
day or between two local times. What people type is read by ``parse``:

    周一至周五 07:00-09:00 到 12-31   mon-fri 07:00-09:00 until 2026-12-31
    12-05 12-07                        12-05 17:00-19:00
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, AssignmentStatus, Member, Unavailability
from bot.errors import DomainError, ErrorCode
from bot.services.people import names
from bot.services.people.access import Actor
from bot.services.schedule import signup, timespec, unavailability

# The windows and what they cover live beneath rostering (swaps read them too); their names
# stay here for rostering's readers.
Spec = unavailability.Spec
Read = unavailability.Read
mask = unavailability.mask
weekdays_of = unavailability.weekdays_of
spec_of = unavailability.spec_of
intervals = unavailability.intervals
covers = unavailability.covers
windows = unavailability.windows
blocking = unavailability.blocking

# A window reaches at most this far from its first day.
MAX_DAYS = 366
UNTIL_WORDS = frozenset({"until", "till", "to", "到", "至", "截至", "截止", "直到"})
ALL_DAYS_MASK = 0b1111111


# A range of days spans at most this many tokens: 12-05 ~ 12-07.
RANGE_TOKENS = 3


def _day_range(tokens: list[str], today: dt.date) -> tuple[tuple[dt.date, dt.date], int] | None:
    """A range of days at the head of `tokens`, read as /broadcast and /rotate read one
    (timespec.parse_day_range: 12-05 12-07, 12-05至12-07, 12月5日到12月7日, 12-05 ~ 12-07,
    12-05—12-07, 12-05 to 12-07), and how many tokens it took. None when the head is one plain
    day (read on its own: alone, it may be the end of a weekly pattern) or no day."""
    for span in range(min(RANGE_TOKENS, len(tokens)), 0, -1):
        found = timespec.parse_day_range(" ".join(tokens[:span]), today, recent_past=True)
        if found is not None and (span > 1 or timespec.parse_date(tokens[0], today) is None):
            return found, span
    return None


def _times_joined(tokens: list[str], today: dt.date) -> list[str]:
    """Two times typed with spaces around what parts them (07:00 - 09:00, 7点 到 9点), as
    /newshift reads them, in one token; a day (12.05 is one too) is never taken for a time."""
    joined: list[str] = []
    index = 0
    while index < len(tokens):
        three = tokens[index : index + 3]
        if (
            len(three) == 3
            and not any(timespec.parse_date(token, today) for token in three[::2])
            and timespec.parse_time_range("".join(three)) is not None
        ):
            joined.append("".join(three))
            index += 3
            continue
        joined.append(tokens[index])
        index += 1
    return joined


def parse(text: str, today: dt.date) -> Spec:
    """What a member typed after /unavailable, or the DomainError saying what is wrong.
    Invisible marks (pasted zero-width spaces, direction marks) are dropped first, as from a
    name: they would split or hide a date."""
    tokens = _times_joined(names.plain(text).replace("，", " ").replace(",", " , ").split(), today)
    dates: list[dt.date] = []
    until: dt.date | None = None
    weekdays: set[int] = set()
    window: tuple[dt.time, dt.time] | None = None
    expecting_end = False
    pattern: list[str] = []  # weekday words, which may be split by commas and spaces
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        lowered = token.lower()
        if lowered in UNTIL_WORDS:
            expecting_end = True
            continue
        if token == ",":
            continue
        # From one day to another, read as the other commands read a range.
        ranged = None if expecting_end else _day_range(tokens[index - 1 :], today)
        if ranged is not None:
            (first_day, last_day), span = ranged
            if until is not None or dates:
                raise DomainError(ErrorCode.UNAVAILABLE_INVALID)
            dates.append(first_day)
            until = last_day
            index += span - 1
            continue
        # A day without its year is the coming one, except one just past (11-30 typed on
        # 12-01: refused as past, not next year's); a second day is the one nearest the first
        # (12-28 01-03 crosses the new year, 12-10 11-05 is backwards).
        if dates:
            day = timespec.parse_date(token, dates[0], nearest=True)
        else:
            day = timespec.parse_date(token, today, recent_past=True)
        if day is not None:
            if expecting_end:
                until, expecting_end = day, False
            else:
                dates.append(day)
            continue
        times = timespec.parse_time_range(token)
        if times is not None and window is None:
            window = times
            continue
        days = timespec.parse_weekdays(token)
        if days is None:
            raise DomainError(ErrorCode.UNAVAILABLE_INVALID)
        pattern.append(token)
        weekdays |= days
    if expecting_end or len(dates) > 2 or (until is not None and len(dates) > 1):
        raise DomainError(ErrorCode.UNAVAILABLE_INVALID)
    # 22:00-24:00 ends at the midnight that ends the day, as /newshift and the import read it.
    if window is not None and not timespec.ends_after(*window):
        if window[1] == window[0]:
            raise DomainError(ErrorCode.UNAVAILABLE_INVALID)
        # Understood, but past midnight (22:00-06:00): say so, and how to split it.
        raise DomainError(
            ErrorCode.UNAVAILABLE_PAST_MIDNIGHT,
            start=f"{window[0]:%H:%M}",
            end=f"{window[1]:%H:%M}",
        )
    if weekdays:
        # A weekly pattern runs until an end date: the given one, or the last date typed.
        if until is None and dates:
            until, dates = dates[-1], dates[:-1]
        if until is None:
            raise DomainError(ErrorCode.UNAVAILABLE_NEEDS_END)
        first, last = (dates[0] if dates else today), until
    elif dates:
        first = dates[0]
        last = until or (dates[1] if len(dates) == 2 else dates[0])
    elif until is not None:
        first, last = today, until
    else:
        code = ErrorCode.UNAVAILABLE_NEEDS_END if window else ErrorCode.UNAVAILABLE_INVALID
        raise DomainError(code)
    if last < first:
        # From today or earlier it is past (until 11-30 typed on 12-01); else typed backwards.
        if first <= today:
            raise DomainError(ErrorCode.UNAVAILABLE_PAST)
        raise DomainError(ErrorCode.UNAVAILABLE_BACKWARDS, first=first, last=last)
    if last < today:
        raise DomainError(ErrorCode.UNAVAILABLE_PAST)
    first = max(first, today)
    if (last - first).days >= MAX_DAYS:
        raise DomainError(ErrorCode.UNAVAILABLE_TOO_LONG, count=MAX_DAYS)
    start, end = window if window is not None else (None, None)
    return Spec(first, last, frozenset(weekdays) or timespec.ALL_DAYS, start, end)


@dataclass(frozen=True)
class Declared:
    """A window kept (`new`: False when one declared before covers it, and it is not kept
    twice), and the member's seats it covers."""

    row: Unavailability
    new: bool
    held: list[Assignment]


async def declare(
    session: AsyncSession, actor: Actor, spec: Spec, now: dt.datetime, zone: dt.tzinfo
) -> Declared:
    """Keep the window; also return the member's seats it covers that may still be left (they
    still hold them: leave is asked seat by seat; a seat under way, or checked in to ahead of
    its start, takes no leave, cancel or swap any more)."""
    member = actor.require_member()
    values = {
        "member_id": member.id,
        "first_day": spec.first_day,
        "last_day": spec.last_day,
        "weekdays": mask(spec.weekdays),
        "start_time": spec.start_time,
        "end_time": spec.end_time,
    }
    # Declared before when a window of the same days and hours already covers these dates
    # (the same typed again a day later starts a day later, and is still not kept twice).
    row = await session.scalar(
        select(Unavailability)
        .filter_by(
            member_id=member.id,
            weekdays=values["weekdays"],
            start_time=spec.start_time,
            end_time=spec.end_time,
        )
        .where(
            Unavailability.first_day <= spec.first_day,
            Unavailability.last_day >= spec.last_day,
        )
        .order_by(Unavailability.id)
        .limit(1)
    )
    new = row is None
    if row is None:
        row = Unavailability(**values, created_at=now)
        session.add(row)
        await session.flush()
    held = [
        assignment
        for assignment in await signup.upcoming_of(session, member, now)
        if assignment.status is AssignmentStatus.SIGNED_UP
        and assignment.shift.starts_at > now
        and covers(spec, assignment.shift.starts_at, assignment.shift.ends_at, zone)
    ]
    return Declared(row, new, held)


async def of_member(session: AsyncSession, member: Member, today: dt.date) -> list[Unavailability]:
    """The member's windows that have not ended, soonest first."""
    return list(
        (
            await session.scalars(
                select(Unavailability)
                .where(Unavailability.member_id == member.id, Unavailability.last_day >= today)
                .order_by(Unavailability.first_day, Unavailability.id)
            )
        ).all()
    )


async def remove(session: AsyncSession, actor: Actor, window_id: int) -> Unavailability:
    member = actor.require_member()
    row = await session.get(Unavailability, window_id)
    if row is None or row.member_id != member.id:
        raise DomainError(ErrorCode.UNAVAILABLE_NOT_FOUND)
    await session.delete(row)
    return row
