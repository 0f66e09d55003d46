"""The ledger of a period: one row per seat held, hours per volunteer, figures per unit (with
their checks, orders and unit score), and the rectification orders issued or due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    CheckoutKind,
    Member,
    Post,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.services.oversight import figures as oversight_figures
from bot.services.oversight import order_lists
from bot.services.oversight.order_lists import OrderLine
from bot.services.reports.figures import HELD, breakdown, names_of, seats
from bot.services.reports.periods import Period
from bot.services.reports.scoring import Counts, unit_score
from bot.services.reports.tally import Row
from bot.services.schedule import timespec
from bot.settings import Settings

MAX_DAYS = 366
# Rows of the attendance sheet read at a time.
PARTITION_ROWS = 500


@dataclass(frozen=True)
class Attendance:
    member: str
    unit: str
    post: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: AssignmentStatus
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    minutes_late: int | None
    distance_m: float | None
    minutes: int
    late: bool
    far: bool
    flagged: bool
    left_early: bool
    left_post: bool
    assigned: bool = False  # a coordinator assigned the seat (else the member volunteered)
    acknowledged: bool = False
    # A coordinator's corrections (duty/attendance.py), which the archive must not hide: a
    # presence recorded by hand, a photo rejected, hours set by hand.
    manual: bool = False
    photo_rejected: bool = False
    hours_adjusted: bool = False


@dataclass(frozen=True)
class VolunteerHours:
    member: str
    unit: str
    shifts: int
    checked_in: int
    on_time: int
    late: int
    absent: int
    minutes: int


@dataclass(frozen=True)
class Ledger:
    unit_name: str | None
    period: Period
    attendance: list[Attendance]
    volunteers: list[VolunteerHours]
    units: list[Row]
    orders: list[OrderLine] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(row.minutes for row in self.attendance)


def parse_range(text: str, today: dt.date) -> Period:
    """A typed range as /broadcast, /rotate and /unavailable read one (timespec.parse_day_range):
    `2026-12-01 2026-12-07`, `11-01至11-30`, `11-01~11-30`, `11-01 - 11-30` or a single day, a
    first day without its year being the one closest to today, or the latest one up to today when
    that is more than a month ahead (an export starts no later: 06-01 in December is this June,
    not next June, which is nearer); at most a year, not starting in the future."""
    days = timespec.parse_day_range(text, today, lean_past=True)
    if days is None:
        raise DomainError(ErrorCode.EXPORT_RANGE_INVALID)
    first, last = days
    if last < first:
        raise DomainError(ErrorCode.EXPORT_RANGE_BACKWARDS, first=first, last=last)
    if (last - first).days >= MAX_DAYS:
        raise DomainError(ErrorCode.EXPORT_RANGE_TOO_LONG, first=first, last=last)
    if first > today:
        raise DomainError(ErrorCode.EXPORT_RANGE_FUTURE, first=first)
    return Period(first, last)


def _in_period(
    start: dt.datetime, end: dt.datetime, unit_id: int | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Shift.status == ShiftStatus.SCHEDULED,
        Shift.starts_at >= start,
        Shift.starts_at < end,
        Assignment.status.in_(HELD),
    ]
    if unit_id is not None:
        conditions.append(Post.unit_id == unit_id)
    return conditions


async def build(
    session: AsyncSession,
    *,
    unit_id: int | None,
    period: Period,
    now: dt.datetime,
    settings: Settings,
) -> Ledger:
    start, end = period.bounds(settings.zone)
    # Plain columns, not ORM entities, read in partitions: a month of a city is a hundred
    # thousand rows, and the event loop serves other chats between partitions.
    attendance_rows = await session.stream(
        seats(
            Member.display_name,
            Unit.name,
            Post.name,
            Shift.starts_at,
            Shift.ends_at,
            Assignment.status,
            Assignment.rota_id,
            Assignment.acknowledged_at,
            CheckIn.id,
            CheckIn.checked_in_at,
            CheckIn.checked_out_at,
            CheckIn.minutes_late,
            CheckIn.late,
            CheckIn.distance_m,
            CheckIn.far,
            CheckIn.credited_minutes,
            CheckIn.photo_flagged,
            CheckIn.checkout_kind,
            CheckIn.left_post_at,
            CheckIn.manual,
            CheckIn.photo_rejected,
            CheckIn.credited_override,
        )
        .join(Unit, Unit.id == Post.unit_id)
        .where(*_in_period(start, end, unit_id))
        .order_by(Shift.starts_at, Unit.name, Post.name, Member.display_name)
    )
    attendance: list[Attendance] = []
    async for partition in attendance_rows.partitions(PARTITION_ROWS):
        for (
            member,
            unit,
            post,
            starts_at,
            ends_at,
            status,
            rota_id,
            acknowledged_at,
            checkin_id,
            checked_in_at,
            checked_out_at,
            minutes_late,
            late,
            distance_m,
            far,
            credited_minutes,
            photo_flagged,
            checkout_kind,
            left_post_at,
            manual,
            photo_rejected,
            credited_override,
        ) in partition:
            checked = checkin_id is not None
            if status is AssignmentStatus.SIGNED_UP and not checked and ends_at <= now:
                status = AssignmentStatus.ABSENT
            attendance.append(
                Attendance(
                    member=member,
                    unit=unit,
                    post=post,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    status=status,
                    checked_in_at=checked_in_at if checked else None,
                    checked_out_at=checked_out_at if checked else None,
                    minutes_late=minutes_late if checked else None,
                    distance_m=distance_m if checked else None,
                    minutes=(credited_minutes or 0) if checked else 0,
                    # As judged when checked in: a post resized or LATE_AFTER_MIN changed
                    # since rewrites no past ledger.
                    late=checked and bool(late),
                    far=checked and bool(far),
                    flagged=checked and bool(photo_flagged),
                    left_early=checked and checkout_kind == CheckoutKind.EARLY,
                    left_post=checked and left_post_at is not None,
                    assigned=rota_id is not None,
                    acknowledged=acknowledged_at is not None,
                    manual=checked and bool(manual),
                    photo_rejected=checked and bool(photo_rejected),
                    hours_adjusted=checked and credited_override is not None,
                )
            )
    scope = await session.get(Unit, unit_id) if unit_id is not None else None
    return Ledger(
        unit_name=scope.name if scope is not None else None,
        period=period,
        attendance=attendance,
        volunteers=await _volunteers(session, start, end, now, unit_id),
        units=await _units(session, start, end, now, settings, unit_id),
        orders=await order_lists.ledger_lines(session, start, end, now, unit_id),
    )


async def _volunteers(
    session: AsyncSession,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    unit_id: int | None,
) -> list[VolunteerHours]:
    checked = CheckIn.id.is_not(None)
    absent = or_(
        Assignment.status == AssignmentStatus.ABSENT,
        and_(
            Assignment.status == AssignmentStatus.SIGNED_UP,
            CheckIn.id.is_(None),
            Shift.ends_at <= now,
        ),
    )

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    minutes = func.coalesce(func.sum(func.coalesce(CheckIn.credited_minutes, 0)), 0)
    rows = await session.execute(
        seats(
            Member.display_name,
            Unit.name,
            func.count(Assignment.id),
            count_if(checked),
            count_if(and_(checked, CheckIn.late.is_(False))),
            count_if(and_(checked, CheckIn.late.is_(True))),
            count_if(absent),
            minutes,
        )
        # The unit served in, as the attendance sheet names it: one who moved to another unit
        # since has their hours in each where they were served.
        .join(Unit, Unit.id == Post.unit_id)
        .where(*_in_period(start, end, unit_id))
        .group_by(Member.id, Member.display_name, Unit.id, Unit.name)
        .order_by(minutes.desc(), Member.display_name)
    )
    return [
        VolunteerHours(
            member=name,
            unit=unit or "",
            shifts=int(shifts),
            checked_in=int(checked_in),
            on_time=int(on_time),
            late=int(late),
            absent=int(absent_count),
            minutes=int(served),
        )
        for name, unit, shifts, checked_in, on_time, late, absent_count, served in rows.all()
    ]


async def _units(
    session: AsyncSession,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    settings: Settings,
    unit_id: int | None,
) -> list[Row]:
    counts = await breakdown(
        session, start=start, end=end, now=now, settings=settings, unit_id=unit_id, by="unit"
    )
    oversight = await oversight_figures.per_unit(
        session, start=start, end=end, now=now, settings=settings, unit_id=unit_id
    )
    keys = {*counts, *(key for key in oversight if key is not None)}
    names = await names_of(session, Unit, keys)
    rows = [
        Row(
            key=key,
            name=names.get(key, ""),
            counts=counts.get(key, Counts()),
            score=unit_score(counts.get(key, Counts()), oversight.get(key), settings),
            oversight=oversight.get(key),
        )
        for key in keys
    ]
    return sorted(rows, key=lambda row: row.name)
