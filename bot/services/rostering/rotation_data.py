"""What the rotation rule needs, read from the database in a few bulk queries: a unit's open
seats in a period, its members with their hours of the last four weeks, no-shows, tags, usual
post, shifts already held, declared unavailability and approved leave.

The same inputs serve the rotation's preview and its confirmation (checked again under the
shifts' locks) and the list of members a coordinator may put on one shift by hand.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    LeaveRequest,
    LeaveStatus,
    Member,
    MemberRole,
    MemberTag,
    Post,
    Role,
    Shift,
    ShiftStatus,
)
from bot.services.rostering import availability
from bot.services.rostering.rotation import Candidate, OpenShift, Rules
from bot.services.schedule import shifts as shift_service
from bot.services.schedule import signup, timespec
from bot.settings import Settings

HISTORY = dt.timedelta(weeks=4)
CHUNK = 5000  # ids per IN (...): well within SQLite's and asyncpg's limits


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def bounds(self, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        start, _ = timespec.local_day_bounds(self.first, zone)
        _, after = timespec.local_day_bounds(self.last, zone)
        return start, after


@dataclass(frozen=True)
class Person:
    member_id: int
    name: str
    phone: str | None


@dataclass
class Inputs:
    """The rule's inputs with what a preview shows beside them."""

    period: Period
    shifts: dict[int, Shift]  # the open shifts, by id
    open: dict[int, OpenShift]
    people: dict[int, Person]
    candidates: list[Candidate]
    rules: Rules
    recent_shifts: Counter[int] = field(default_factory=Counter)  # per member, last 4 weeks
    held_shifts: Counter[int] = field(default_factory=Counter)  # per member, in the period

    @property
    def open_seats(self) -> int:
        return sum(shift.open for shift in self.open.values())

    @property
    def eligible(self) -> list[Candidate]:
        return [candidate for candidate in self.candidates if not candidate.blocked]


def _seconds(instant: dt.datetime) -> int:
    return int(instant.timestamp())


def _minutes(starts_at: dt.datetime, ends_at: dt.datetime) -> int:
    return int((ends_at - starts_at).total_seconds() // 60)


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]


async def open_shifts(
    session: AsyncSession,
    unit_id: int,
    start: dt.datetime,
    after: dt.datetime,
    now: dt.datetime,
    post_ids: Sequence[int] | None = None,
) -> list[Shift]:
    """Scheduled shifts on the unit's live posts starting in [start, after), not yet started."""
    query = (
        select(Shift)
        .join(Post, Shift.post)
        .where(
            Post.unit_id == unit_id,
            Post.archived.is_(False),
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at >= start,
            Shift.starts_at < after,
            Shift.starts_at > now,
        )
        .order_by(Shift.starts_at, Post.name, Shift.id)
    )
    if post_ids is not None:
        query = query.where(Post.id.in_(list(post_ids)))
    return list((await session.scalars(query)).unique())


async def _people(
    session: AsyncSession, unit_id: int, volunteers_only: bool
) -> tuple[dict[int, Person], dict[int, set[str]]]:
    query = select(Member.id, Member.display_name, Member.phone).where(
        Member.unit_id == unit_id, Member.active.is_(True)
    )
    if volunteers_only:
        query = query.where(
            exists().where(MemberRole.member_id == Member.id, MemberRole.role == Role.VOLUNTEER)
        )
    people = {
        int(row[0]): Person(int(row[0]), str(row[1]), row[2])
        for row in (await session.execute(query.order_by(Member.display_name, Member.id))).all()
    }
    tags: dict[int, set[str]] = defaultdict(set)
    rows = await session.execute(
        select(MemberTag.member_id, MemberTag.tag)
        .join(Member, Member.id == MemberTag.member_id)
        .where(Member.unit_id == unit_id)
    )
    for member_id, tag in rows.all():
        tags[int(member_id)].add(str(tag))
    return people, tags


async def _seats_between(
    session: AsyncSession,
    unit_id: int,
    statuses: Sequence[AssignmentStatus],
    start: dt.datetime,
    after: dt.datetime,
) -> list[tuple[int, int, int, dt.datetime, dt.datetime]]:
    """(member, shift, post, starts, ends) of the unit's members' seats on scheduled shifts
    that overlap [start, after)."""
    rows = await session.execute(
        select(Assignment.member_id, Shift.id, Shift.post_id, Shift.starts_at, Shift.ends_at)
        .join(Shift, Assignment.shift_id == Shift.id)
        .join(Member, Assignment.member_id == Member.id)
        .where(
            Member.unit_id == unit_id,
            Assignment.status.in_(statuses),
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at < after,
            Shift.ends_at > start,
        )
    )
    return [(int(r[0]), int(r[1]), int(r[2]), r[3], r[4]) for r in rows.all()]


async def _no_shows(session: AsyncSession, unit_id: int) -> dict[int, int]:
    rows = await session.execute(
        select(Assignment.member_id, func.count())
        .join(Member, Assignment.member_id == Member.id)
        .where(Member.unit_id == unit_id, Assignment.status == AssignmentStatus.ABSENT)
        .group_by(Assignment.member_id)
    )
    return {int(member_id): int(count) for member_id, count in rows.all()}


async def _leave(
    session: AsyncSession, unit_id: int, start: dt.datetime, after: dt.datetime
) -> dict[int, list[tuple[int, int]]]:
    """Approved leave of the unit's members on shifts overlapping [start, after)."""
    rows = await session.execute(
        select(LeaveRequest.member_id, Shift.starts_at, Shift.ends_at)
        .join(Assignment, LeaveRequest.assignment_id == Assignment.id)
        .join(Shift, Assignment.shift_id == Shift.id)
        .join(Member, LeaveRequest.member_id == Member.id)
        .where(
            Member.unit_id == unit_id,
            LeaveRequest.status == LeaveStatus.APPROVED,
            Shift.starts_at < after,
            Shift.ends_at > start,
        )
    )
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for member_id, starts_at, ends_at in rows.all():
        found[int(member_id)].append((_seconds(starts_at), _seconds(ends_at)))
    return found


async def load(
    session: AsyncSession,
    unit_id: int,
    period: Period,
    now: dt.datetime,
    settings: Settings,
    *,
    post_ids: Sequence[int] | None = None,
    shift_ids: Sequence[int] | None = None,
    volunteers_only: bool = True,
    round_: int = 0,
) -> Inputs:
    """The inputs of a rotation of the unit's open seats in `period` (only on `post_ids`, or
    only `shift_ids`, when given). Members are the unit's active volunteers, or with
    `volunteers_only=False` everyone of the unit (a coordinator may assign anyone by hand)."""
    zone = settings.zone
    rest = dt.timedelta(hours=settings.min_rest_hours)
    start, after = period.bounds(zone)
    found = await open_shifts(session, unit_id, start, after, now, post_ids)
    if shift_ids is not None:
        wanted = set(shift_ids)
        found = [shift for shift in found if shift.id in wanted]
    holders: dict[int, set[int]] = defaultdict(set)
    seated: Counter[int] = Counter()
    for ids in _chunks([shift.id for shift in found]):
        rows = await session.execute(
            select(Assignment.shift_id, Assignment.member_id, Assignment.status).where(
                Assignment.shift_id.in_(ids), Assignment.status.in_(shift_service.ATTACHED)
            )
        )
        for shift_id, member_id, status in rows.all():
            holders[int(shift_id)].add(int(member_id))
            if status in shift_service.SEATED:
                seated[int(shift_id)] += 1
    week_ends: dict[dt.date, dt.datetime] = {}

    def week_end(instant: dt.datetime) -> int:
        day = instant.astimezone(zone).date()
        if day not in week_ends:
            week_ends[day] = signup.week_bounds(instant, zone)[1]
        return _seconds(week_ends[day])

    open_: dict[int, OpenShift] = {}
    for shift in found:
        open_[shift.id] = OpenShift(
            shift_id=shift.id,
            post_id=shift.post_id,
            start=_seconds(shift.starts_at),
            end=_seconds(shift.ends_at),
            open=max(shift.capacity - seated[shift.id], 0),
            week=week_end(shift.starts_at),
            required_tag=shift.required_tag,
            holders=frozenset(holders[shift.id]),
        )

    people, tags = await _people(session, unit_id, volunteers_only)
    recent_minutes: Counter[int] = Counter()
    recent_shifts: Counter[int] = Counter()
    post_minutes: dict[int, Counter[int]] = defaultdict(Counter)
    for member_id, _, post_id, starts_at, ends_at in await _seats_between(
        session, unit_id, shift_service.SEATED, start - HISTORY, start
    ):
        if starts_at < start - HISTORY or starts_at >= start:
            continue
        minutes = _minutes(starts_at, ends_at)
        recent_minutes[member_id] += minutes
        recent_shifts[member_id] += 1
        post_minutes[member_id][post_id] += minutes
    # Seats held around the period: for overlaps, rest and (over whole weeks) the weekly cap.
    week_start = signup.week_bounds(start, zone)[0]
    week_after = signup.week_bounds(after - dt.timedelta(seconds=1), zone)[1]
    around_start, around_after = min(start - rest, week_start), max(after + rest, week_after)
    busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    weeks: dict[int, Counter[int]] = defaultdict(Counter)
    held_minutes: Counter[int] = Counter()
    held_shifts: Counter[int] = Counter()
    for member_id, _, _, starts_at, ends_at in await _seats_between(
        session, unit_id, signup.COMMITTED, around_start, around_after
    ):
        busy[member_id].append((_seconds(starts_at), _seconds(ends_at)))
        if week_start <= starts_at < week_after:
            weeks[member_id][week_end(starts_at)] += 1
        if start <= starts_at < after:
            held_minutes[member_id] += _minutes(starts_at, ends_at)
            held_shifts[member_id] += 1
    no_shows = await _no_shows(session, unit_id)
    block_after = settings.no_show_block_after
    leave = await _leave(session, unit_id, start - rest, after + rest)
    member_ids = list(people)
    declared = await availability.windows(
        session, member_ids, period.first - dt.timedelta(days=1), period.last
    )
    candidates: list[Candidate] = []
    for member_id in member_ids:
        away = [
            (_seconds(a), _seconds(b))
            for spec in declared.get(member_id, [])
            for a, b in availability.intervals(
                spec, period.first - dt.timedelta(days=1), period.last, zone
            )
        ]
        home = post_minutes[member_id].most_common(1)
        missed = no_shows.get(member_id, 0)
        candidates.append(
            Candidate(
                member_id=member_id,
                recent_minutes=recent_minutes[member_id],
                held_minutes=held_minutes[member_id],
                no_shows=missed,
                tags=frozenset(tags.get(member_id, ())),
                home_post=home[0][0] if home else None,
                blocked=block_after > 0 and missed >= block_after,
                busy=tuple(busy.get(member_id, ())),
                away=tuple(away),
                leave=tuple(leave.get(member_id, ())),
                week_counts=dict(weeks.get(member_id, {})),
            )
        )
    rules = Rules(
        weekly_cap=settings.weekly_shift_cap,
        min_rest=int(rest.total_seconds()),
        round=round_,
    )
    return Inputs(
        period=period,
        shifts={shift.id: shift for shift in found},
        open=open_,
        people=people,
        candidates=candidates,
        rules=rules,
        recent_shifts=recent_shifts,
        held_shifts=held_shifts,
    )
