"""Fair rotation of a unit (/rotate): a period of at most 31 days and some or all of the unit's
posts; a preview of the plan the rule makes (who on which shift, each person's shifts and hours
in the period and in the last four weeks, the seats nobody may take and why), another draw on
重新排, and on 确认 the plan assigned and everyone told, in one transaction through the outbox.

Confirming checks the plan again under the shifts' locks, against the database as it is then
(someone may have signed up, declared unavailability or been given leave since the preview),
with the rotation rule and with sign-up's own rules; a plan that no longer holds assigns nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, Post, Role, Rota, RotaSource, Shift, Unit
from bot.errors import DomainError, ErrorCode
from bot.services.people import units as units_service
from bot.services.people.access import Actor
from bot.services.platform import audit
from bot.services.rostering import rotas, rotation
from bot.services.rostering.rotation import Plan, Reason
from bot.services.rostering.rotation_data import Inputs, Period, ShiftRow, has_open_seat, load
from bot.services.schedule import eligibility, timespec
from bot.services.schedule import seats as seating
from bot.settings import Settings

MAX_DAYS = 31
# Seats nobody may take are explained member by member; past this many shifts (a city short of
# people) the rest are listed without why, which would cost a pass over every member each.
GAPS_EXPLAINED = 100


@dataclass(frozen=True)
class Standing:
    """A member's share: shifts and minutes in the period (held before plus planned) and in
    the four weeks before it."""

    member_id: int
    name: str
    planned: int
    period_shifts: int
    period_minutes: int
    recent_shifts: int
    recent_minutes: int


@dataclass(frozen=True)
class Gap:
    """Seats of a shift nobody may take, and why, member by member (None: not explained)."""

    shift: ShiftRow
    missing: int
    reasons: Counter[Reason] | None


@dataclass(frozen=True)
class Preview:
    inputs: Inputs
    plan: Plan
    standings: list[Standing]
    gaps: list[Gap]

    @property
    def people(self) -> int:
        return len({member_id for _, member_id in self.plan.seats})


@dataclass(frozen=True)
class Confirmed:
    rota: Rota
    seats: int
    people: int
    told: int
    open_left: int
    # Assigned but out of reach (they blocked the bot): no notice; a phone call is needed.
    unreached: tuple[str, ...] = ()


def check_period(first: dt.date, last: dt.date, today: dt.date) -> Period:
    if last < first:
        raise DomainError(ErrorCode.ROTATION_RANGE_INVALID)
    if (last - first).days + 1 > MAX_DAYS:
        raise DomainError(ErrorCode.ROTATION_TOO_LONG, count=MAX_DAYS)
    if last < today:
        raise DomainError(ErrorCode.ROTATION_PAST)
    return Period(max(first, today), last)


def parse_period(text: str, today: dt.date) -> Period:
    """12-07 12-13, 2026-12-07 至 2026-12-13, 12-07 to 12-13, or one day."""
    # The coming days, except one just past (refused as past); the end is the one nearest the
    # start (12-28 01-03 crosses the new year, 12-10 11-05 is backwards).
    days = timespec.parse_day_range(text, today, recent_past=True)
    if days is None:
        raise DomainError(ErrorCode.ROTATION_RANGE_INVALID)
    first, last = days
    return check_period(first, last, today)


def next_week(today: dt.date) -> Period:
    monday = today + dt.timedelta(days=7 - today.weekday())
    return Period(monday, monday + dt.timedelta(days=6))


def rest_of_week(today: dt.date) -> Period | None:
    """Tomorrow to Sunday, or None on a Sunday."""
    if today.weekday() == 6:
        return None
    return Period(today + dt.timedelta(days=1), today + dt.timedelta(days=6 - today.weekday()))


async def units(session: AsyncSession, actor: Actor) -> list[Unit]:
    """The units the actor rotates: their own, or every unit for an admin."""
    actor.require(Role.COORDINATOR)
    if actor.is_admin:
        return await units_service.visible_to(session, actor)  # not the archived ones
    if actor.unit_id is None:
        raise DomainError(ErrorCode.NO_UNIT)
    unit = await session.get(Unit, actor.unit_id)
    return [unit] if unit is not None else []


async def unit_of(session: AsyncSession, actor: Actor, unit_id: int) -> Unit:
    actor.require_unit(unit_id, Role.COORDINATOR)
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise DomainError(ErrorCode.UNIT_NOT_FOUND)
    return unit


async def posts(session: AsyncSession, actor: Actor, unit_id: int) -> list[Post]:
    await unit_of(session, actor, unit_id)
    found = list(
        (
            await session.scalars(
                select(Post)
                .where(Post.unit_id == unit_id, Post.archived.is_(False))
                .order_by(Post.name, Post.id)
            )
        ).unique()
    )
    if not found:
        raise DomainError(ErrorCode.ROTATION_NO_POSTS)
    return found


async def require_open_seats(
    session: AsyncSession, unit_id: int, period: Period, now: dt.datetime, settings: Settings
) -> None:
    """Refuse a period in which the unit has no open seat at all, before posts are picked."""
    start, after = period.bounds(settings.zone)
    if not await has_open_seat(session, unit_id, start, after, now):
        raise DomainError(ErrorCode.ROTATION_NOTHING_OPEN)


def _standings(inputs: Inputs, result: Plan) -> list[Standing]:
    minutes = result.minutes_by_member(inputs.open)
    planned = Counter(member_id for _, member_id in result.seats)
    standings = []
    for candidate in inputs.candidates:
        member_id = candidate.member_id
        standings.append(
            Standing(
                member_id=member_id,
                name=inputs.people[member_id].name,
                planned=planned[member_id],
                period_shifts=inputs.held_shifts[member_id] + planned[member_id],
                period_minutes=candidate.held_minutes + minutes.get(member_id, 0),
                recent_shifts=inputs.recent_shifts[member_id],
                recent_minutes=candidate.recent_minutes,
            )
        )
    return standings


async def preview(
    session: AsyncSession,
    actor: Actor,
    unit_id: int,
    period: Period,
    post_ids: Sequence[int] | None,
    round_: int,
    now: dt.datetime,
    settings: Settings,
) -> Preview:
    """The plan of a rotation, not yet assigned."""
    await unit_of(session, actor, unit_id)
    inputs = await load(session, unit_id, period, now, settings, post_ids=post_ids, round_=round_)
    if inputs.open_seats == 0:
        raise DomainError(ErrorCode.ROTATION_NOTHING_OPEN)
    if not inputs.eligible:
        raise DomainError(ErrorCode.ROTATION_NO_MEMBERS)
    result = rotation.plan(list(inputs.open.values()), inputs.candidates, inputs.rules)
    gaps = [
        Gap(
            inputs.shifts[unfilled.shift_id],
            unfilled.missing,
            rotation.explain(
                inputs.open[unfilled.shift_id],
                inputs.candidates,
                result,
                inputs.rules,
                inputs.open,
            )
            if number < GAPS_EXPLAINED
            else None,
        )
        for number, unfilled in enumerate(result.unfilled)
    ]
    with rotation.bulk_objects():
        standings = _standings(inputs, result)
    return Preview(inputs, result, standings, gaps)


async def confirm(
    session: AsyncSession,
    actor: Actor,
    unit_id: int,
    period: Period,
    post_ids: Sequence[int] | None,
    seats: Sequence[tuple[int, int]],
    now: dt.datetime,
    settings: Settings,
) -> Confirmed:
    """Assign the previewed plan and tell everyone, or change nothing if it no longer holds."""
    await unit_of(session, actor, unit_id)
    if not seats:
        raise DomainError(ErrorCode.ROTATION_NOTHING_OPEN)
    locked: dict[int, Shift] = {}
    for shift_id in sorted({shift_id for shift_id, _ in seats}):
        locked[shift_id] = await seating.lock(session, shift_id)
    await seating.lock_members(session, [member_id for _, member_id in seats])
    inputs = await load(session, unit_id, period, now, settings, post_ids=post_ids)
    problems = rotation.check(list(inputs.open.values()), inputs.candidates, inputs.rules, seats)
    if problems:
        raise DomainError(ErrorCode.ROTATION_STALE, changes=len(problems))
    rota = await rotas.begin(
        session, actor, unit_id, RotaSource.ROTATION, now, first=period.first, last=period.last
    )
    order = sorted(seats, key=lambda seat: (locked[seat[0]].starts_at, seat))
    given = []
    for shift_id, member_id in order:
        shift, member = locked[shift_id], await session.get(Member, member_id)
        assert member is not None  # check() found them among the unit's members
        try:
            # A member waiting on the shift may be given its seat.
            await eligibility.check_eligibility(
                session, member, shift, now, settings, from_waitlist=True, assigned=True
            )
        except DomainError:
            raise DomainError(ErrorCode.ROTATION_STALE, changes=1) from None
        given.append(await rotas.give_seat(session, rota, member, shift, now))
    await session.flush()
    told = await rotas.tell(session, rota, given, rotas.actor_name(actor), now, settings)
    people = len({seat.member_id for seat in given})
    audit.record(
        session,
        actor_id=rota.created_by_id,
        action="rota.confirm",
        object_type="rota",
        object_id=rota.id,
        after={
            "first": period.first.isoformat(),
            "last": period.last.isoformat(),
            "posts": list(post_ids) if post_ids is not None else None,
            "seats": len(given),
            "people": people,
        },
        now=now,
    )
    return Confirmed(
        rota, len(given), people, told, inputs.open_seats - len(given), rotas.unreached(given)
    )
