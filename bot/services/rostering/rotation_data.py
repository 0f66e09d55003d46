"""What the rotation rule needs, read from the database in a few bulk queries: a unit's open
seats in a period, its members with their hours of the last four weeks, no-shows, tags, usual
post, shifts already held, declared unavailability and approved leave.

The same inputs serve the rotation's preview and its confirmation (checked again under the
shifts' locks) and the list of members a coordinator may put on one shift by hand. Every query
joins on the unit instead of passing long lists of ids, and times come as epoch seconds
(``bot.db.epoch``): a city of 50,000 members and 42,000 shifts loads in seconds.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.epoch import epoch_seconds
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    LeaveRequest,
    Member,
    MemberRole,
    MemberTag,
    Post,
    Role,
    Shift,
    ShiftStatus,
    Unavailability,
)
from bot.services.rostering import availability
from bot.services.rostering.rotation import Candidate, OpenShift, Rules, bulk_objects
from bot.services.schedule import seats, standing_leave, timespec
from bot.services.schedule.eligibility import week_bounds
from bot.settings import Settings

HISTORY = dt.timedelta(weeks=4)


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


@dataclass(frozen=True, slots=True)
class ShiftRow:
    """An open shift as the preview shows it (no ORM object: a city has tens of thousands)."""

    id: int
    post_id: int
    post_name: str
    start: int  # epoch seconds
    end: int
    capacity: int
    required_tag: str | None

    @property
    def starts_at(self) -> dt.datetime:
        return _instant(self.start)

    @property
    def ends_at(self) -> dt.datetime:
        return _instant(self.end)


@dataclass(frozen=True, slots=True)
class Person:
    member_id: int
    name: str
    phone: str | None


@dataclass
class Inputs:
    """The rule's inputs with what a preview shows beside them."""

    period: Period
    shifts: dict[int, ShiftRow]  # the open shifts, by id
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


def _instant(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _seconds(instant: dt.datetime) -> int:
    return int(instant.timestamp())


def _open_conditions(
    unit_id: int,
    start: dt.datetime,
    after: dt.datetime,
    now: dt.datetime,
    post_ids: Sequence[int] | None,
) -> list[ColumnElement[bool]]:
    conditions = [
        Post.unit_id == unit_id,
        Post.archived.is_(False),
        Shift.status == ShiftStatus.SCHEDULED,
        Shift.starts_at >= start,
        Shift.starts_at < after,
        Shift.starts_at > now,
    ]
    if post_ids is not None:
        conditions.append(Post.id.in_(list(post_ids)))
    return conditions


async def open_shifts(
    session: AsyncSession,
    unit_id: int,
    start: dt.datetime,
    after: dt.datetime,
    now: dt.datetime,
    post_ids: Sequence[int] | None = None,
) -> list[ShiftRow]:
    """Scheduled shifts on the unit's live posts starting in [start, after), not yet started,
    soonest first."""
    rows = await session.execute(
        select(
            Shift.id,
            Shift.post_id,
            Post.name,
            epoch_seconds(Shift.starts_at),
            epoch_seconds(Shift.ends_at),
            Shift.capacity,
            Shift.required_tag,
        )
        .join(Post, Shift.post_id == Post.id)
        .where(*_open_conditions(unit_id, start, after, now, post_ids))
        .order_by(Shift.starts_at, Post.name, Shift.id)
    )
    return [
        ShiftRow(int(r[0]), int(r[1]), str(r[2]), int(r[3]), int(r[4]), r[5], r[6])
        for r in rows.all()
    ]


async def has_open_seat(
    session: AsyncSession,
    unit_id: int,
    start: dt.datetime,
    after: dt.datetime,
    now: dt.datetime,
) -> bool:
    """Whether any of the unit's open shifts starting in [start, after) has a free seat."""
    seated = (
        select(func.count())
        .where(Assignment.shift_id == Shift.id, Assignment.status.in_(seats.SEATED))
        .correlate(Shift)
        .scalar_subquery()
    )
    found = await session.scalar(
        select(Shift.id)
        .join(Post, Shift.post_id == Post.id)
        .where(*_open_conditions(unit_id, start, after, now, None), Shift.capacity > seated)
        .limit(1)
    )
    return found is not None


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
) -> list[tuple[int, int, int, int]]:
    """(member, post, starts, ends in epoch seconds) of the unit's members' seats on scheduled
    shifts overlapping [start, after)."""
    rows = await session.execute(
        select(
            Assignment.member_id,
            Shift.post_id,
            epoch_seconds(Shift.starts_at),
            epoch_seconds(Shift.ends_at),
        )
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
    return [(int(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows.all()]


async def _history(
    session: AsyncSession, unit_id: int, start: dt.datetime, after: dt.datetime
) -> list[tuple[int, int | None, int, int]]:
    """(member, post, starts, ends) of the seats held by shifts starting in [start, after):
    on the unit's posts, and those its members held on other units' posts, with no post (one
    who moved here from another unit served their hours there, at no post of this unit).
    Read by post first: four weeks of a city's shifts are many, the unit's posts few, and most
    members serve their own unit's posts; the few seats elsewhere are read by member."""
    columns = (
        Assignment.member_id,
        Shift.post_id,
        epoch_seconds(Shift.starts_at),
        epoch_seconds(Shift.ends_at),
    )
    held = (
        Assignment.status.in_(seats.COMMITTED),
        Shift.status == ShiftStatus.SCHEDULED,
        Shift.starts_at >= start,
        Shift.starts_at < after,
    )
    here = await session.execute(
        select(*columns)
        .join(Shift, Assignment.shift_id == Shift.id)
        .join(Post, Shift.post_id == Post.id)
        .where(Post.unit_id == unit_id, *held)
    )
    elsewhere = await session.execute(
        select(*columns)
        .join(Shift, Assignment.shift_id == Shift.id)
        .join(Post, Shift.post_id == Post.id)
        .join(Member, Assignment.member_id == Member.id)
        .where(Member.unit_id == unit_id, Post.unit_id != unit_id, *held)
    )
    # A post of another unit is no usual post here: its seats count as hours, not as a post.
    return [(int(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in here.all()] + [
        (int(r[0]), None, int(r[2]), int(r[3])) for r in elsewhere.all()
    ]


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
    """Approved leave of the unit's members on scheduled shifts overlapping [start, after)."""
    rows = await session.execute(
        standing_leave.approved(
            select(
                LeaveRequest.member_id,
                epoch_seconds(Shift.starts_at),
                epoch_seconds(Shift.ends_at),
            )
        )
        .join(Member, LeaveRequest.member_id == Member.id)
        .where(
            Member.unit_id == unit_id,
            Shift.starts_at < after,
            Shift.ends_at > start,
        )
    )
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for member_id, starts, ends in rows.all():
        found[int(member_id)].append((int(starts), int(ends)))
    return found


async def _declared(
    session: AsyncSession, unit_id: int, first: dt.date, last: dt.date, zone: dt.tzinfo
) -> dict[int, list[tuple[int, int]]]:
    """Declared unavailability of the unit's members on the days from `first` to `last`."""
    rows = await session.scalars(
        select(Unavailability)
        .join(Member, Unavailability.member_id == Member.id)
        .where(
            Member.unit_id == unit_id,
            Unavailability.last_day >= first,
            Unavailability.first_day <= last,
        )
    )
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in rows:
        for a, b in availability.intervals(availability.spec_of(row), first, last, zone):
            found[row.member_id].append((_seconds(a), _seconds(b)))
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
    # Someone on a shift's waitlist holds no seat on it: the rotation may draw them into an
    # open seat, and confirming turns their place in the queue into it (seats.seat).
    holders: dict[int, set[int]] = defaultdict(set)
    seated: Counter[int] = Counter()
    rows = await session.execute(
        select(Assignment.shift_id, Assignment.member_id)
        .join(Shift, Assignment.shift_id == Shift.id)
        .join(Post, Shift.post_id == Post.id)
        .where(
            Assignment.status.in_(seats.SEATED),
            *_open_conditions(unit_id, start, after, now, post_ids),
        )
    )
    for shift_id, member_id in rows.all():
        holders[int(shift_id)].add(int(member_id))
        seated[int(shift_id)] += 1
    # The weeks (Monday to Sunday, local time) around the period, by the instant each ends.
    week_start = week_bounds(start, zone)[0]
    week_after = week_bounds(after - dt.timedelta(seconds=1), zone)[1]
    week_ends: list[int] = []
    monday = week_start
    while monday < week_after:
        monday = week_bounds(monday, zone)[1]
        week_ends.append(_seconds(monday))

    def week_end(seconds: int) -> int:
        return week_ends[bisect_right(week_ends, seconds)]

    no_one: frozenset[int] = frozenset()
    with bulk_objects():
        open_ = {
            shift.id: OpenShift(
                shift_id=shift.id,
                post_id=shift.post_id,
                start=shift.start,
                end=shift.end,
                open=max(shift.capacity - seated[shift.id], 0),
                week=week_end(shift.start),
                required_tag=shift.required_tag,
                holders=frozenset(holders[shift.id]) if shift.id in holders else no_one,
            )
            for shift in found
        }

    people, tags = await _people(session, unit_id, volunteers_only)
    recent_minutes: Counter[int] = Counter()
    recent_shifts: Counter[int] = Counter()
    post_minutes: dict[int, Counter[int]] = defaultdict(Counter)
    for member_id, post_id, starts, ends in await _history(
        session, unit_id, start - HISTORY, start
    ):
        minutes = (ends - starts) // 60
        recent_minutes[member_id] += minutes
        recent_shifts[member_id] += 1
        if post_id is not None:
            post_minutes[member_id][post_id] += minutes
    # Seats held around the period: for overlaps, rest and (over whole weeks) the weekly cap.
    around_start, around_after = min(start - rest, week_start), max(after + rest, week_after)
    busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    weeks: dict[int, Counter[int]] = defaultdict(Counter)
    held_minutes: Counter[int] = Counter()
    held_shifts: Counter[int] = Counter()
    first_week, after_weeks = _seconds(week_start), _seconds(week_after)
    first_second, after_second = _seconds(start), _seconds(after)
    for member_id, _, starts, ends in await _seats_between(
        session, unit_id, seats.COMMITTED, around_start, around_after
    ):
        busy[member_id].append((starts, ends))
        if first_week <= starts < after_weeks:
            weeks[member_id][week_end(starts)] += 1
        if first_second <= starts < after_second:
            held_minutes[member_id] += (ends - starts) // 60
            held_shifts[member_id] += 1
    no_shows = await _no_shows(session, unit_id)
    block_after = settings.no_show_block_after
    leave = await _leave(session, unit_id, start - rest, after + rest)
    # A shift of the period's last day may run past midnight into a day declared off.
    latest_end = max((shift.end for shift in found), default=0)
    last_day = max(period.last, _instant(latest_end - 1).astimezone(zone).date())
    declared = await _declared(
        session, unit_id, period.first - dt.timedelta(days=1), last_day, zone
    )
    candidates: list[Candidate] = []
    with bulk_objects():
        for member_id in people:
            home = None
            if member_id in post_minutes:
                # Where they served most; the lowest post id among equals, whatever the row order.
                served = post_minutes[member_id]
                home = min(served, key=lambda post_id: (-served[post_id], post_id))
            missed = no_shows.get(member_id, 0)
            candidates.append(
                Candidate(
                    member_id=member_id,
                    recent_minutes=recent_minutes[member_id],
                    held_minutes=held_minutes[member_id],
                    no_shows=missed,
                    tags=frozenset(tags[member_id]) if member_id in tags else frozenset(),
                    home_post=home,
                    blocked=block_after > 0 and missed >= block_after,
                    busy=tuple(busy[member_id]) if member_id in busy else (),
                    away=tuple(declared[member_id]) if member_id in declared else (),
                    leave=tuple(leave[member_id]) if member_id in leave else (),
                    week_counts=dict(weeks[member_id]) if member_id in weeks else {},
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
