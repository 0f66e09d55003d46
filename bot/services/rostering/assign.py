"""Assigning people by hand (➕ 安排人员 on a shift's card): the unit's members who may take the
shift with their hours this month, the rules checked for each person the coordinator names, a
warning when someone declared they cannot serve then, and the seats given in one step.

An assigned seat is a seat like any other. It is taken under the shift's lock, exactly as
sign-up takes one (``shifts.lock``), so a volunteer pressing Sign up for the last seat while a
coordinator assigns it leaves exactly one holder; the rules are sign-up's own
(``eligibility.check_eligibility``), without the sign-up window, plus approved leave.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    Member,
    RotaSource,
    Shift,
    ShiftStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.people.access import Actor
from bot.services.rostering import availability, rotas, rotation_data
from bot.services.rostering.availability import Spec
from bot.services.rostering.rotation import Rules, problem_of
from bot.services.schedule import eligibility, waitlist
from bot.services.schedule import seats as seating
from bot.services.schedule import shifts as shift_service
from bot.services.schedule.shift_text import reader_of
from bot.services.schedule.timespec import local_day_bounds
from bot.settings import Settings

# The rules of sign-up that keep a person from an assigned seat, by the key of the refusal a
# coordinator reads ("rostering.refusal.<key>"). The others (cancelled, started) are about the
# shift and are checked before anyone is named.
REFUSALS = {
    ErrorCode.NOT_REGISTERED: "inactive",
    ErrorCode.SHIFT_OTHER_UNIT: "other_unit",
    ErrorCode.TAG_REQUIRED: "tag_missing",
    ErrorCode.ALREADY_SIGNED_UP: "already_on_shift",
    ErrorCode.SHIFT_CLASH: "clash",
    ErrorCode.WEEKLY_CAP_REACHED: "weekly_cap",
    ErrorCode.NO_SHOW_BLOCKED: "no_show_blocked",
}
ON_LEAVE = "on_leave"


@dataclass(frozen=True)
class Refusal:
    member: Member
    key: str  # rostering.refusal.<key>
    params: dict[str, Any] = field(default_factory=dict)


class Ineligible(DomainError):
    """Some of the people named may not take the shift; nothing was changed."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        super().__init__(ErrorCode.ASSIGN_NOT_ELIGIBLE)
        self.refusals = list(refusals)


@dataclass(frozen=True)
class Warning:
    member: Member
    window: Spec


@dataclass(frozen=True)
class Assigned:
    shift: Shift
    seats: list[Assignment]
    left: int  # open seats after this
    # Assigned but out of reach (they blocked the bot): no notice; a phone call is needed.
    unreached: tuple[str, ...] = ()


@dataclass(frozen=True)
class Warned:
    """Nothing was assigned: these people declared they cannot serve then; ask first."""

    shift: Shift
    warnings: list[Warning]


Outcome = Assigned | Warned


@dataclass(frozen=True)
class Choice:
    member_id: int
    name: str
    month_minutes: int
    waitlisted: bool = False  # on the shift's waitlist: picking them gives them the seat
    phone: str | None = None  # its last digits tell apart two members of one name


@dataclass(frozen=True)
class Choices:
    shift: Shift
    left: int
    people: list[Choice]


# What ends the naming of people for a shift besides the refusals final everywhere
# (`DomainError.for_good`: the shift cancelled or started, its post archived): the shift full,
# which takes nobody more whoever is named, and its unit no longer the coordinator's.
NAMING_ENDS = frozenset({ErrorCode.ASSIGN_FULL, ErrorCode.FORBIDDEN})


def _require_open(shift: Shift, now: dt.datetime) -> None:
    if shift.status is ShiftStatus.CANCELLED:
        raise DomainError(ErrorCode.SHIFT_CANCELLED)
    if shift.post.archived:
        raise DomainError(ErrorCode.POST_ARCHIVED, post=shift.post.name)
    if shift.starts_at <= now:
        raise DomainError(ErrorCode.ASSIGN_SHIFT_STARTED)


async def assignable(
    session: AsyncSession, actor: Actor, shift_id: int, now: dt.datetime
) -> tuple[Shift, int]:
    """A shift of the actor's unit that may still get people, and its open seats."""
    shift = await shift_service.get_managed(session, actor, shift_id)
    _require_open(shift, now)
    left = shift.capacity - await seating.seated_count(session, shift.id)
    if left <= 0:
        raise DomainError(ErrorCode.ASSIGN_FULL, capacity=shift.capacity)
    return shift, left


async def month_minutes(
    session: AsyncSession, unit_id: int, day: dt.date, zone: dt.tzinfo
) -> Counter[int]:
    """Minutes of the shifts each member of the unit holds in the month of `day`, on any unit's
    posts: one who moved here from another unit served their hours there."""
    first, _ = local_day_bounds(day.replace(day=1), zone)
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    after, _ = local_day_bounds(following, zone)
    rows = await session.execute(
        select(Assignment.member_id, Shift.starts_at, Shift.ends_at)
        .join(Shift, Assignment.shift_id == Shift.id)
        .join(Member, Assignment.member_id == Member.id)
        .where(
            Member.unit_id == unit_id,
            Assignment.status.in_(seating.COMMITTED),
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at >= first,
            Shift.starts_at < after,
        )
    )
    minutes: Counter[int] = Counter()
    for member_id, starts_at, ends_at in rows.all():
        minutes[int(member_id)] += int((ends_at - starts_at).total_seconds() // 60)
    return minutes


async def choices(
    session: AsyncSession, actor: Actor, shift_id: int, now: dt.datetime, settings: Settings
) -> Choices:
    """The unit's members who may take the shift (its tag, no clash, under the weekly cap, not
    blocked, not on leave, not declared unavailable), fewest hours this month first."""
    shift, left = await assignable(session, actor, shift_id, now)
    zone = settings.zone
    day = shift.starts_at.astimezone(zone).date()
    inputs = await rotation_data.load(
        session,
        shift.post.unit_id,
        rotation_data.Period(day, day),
        now,
        settings,
        shift_ids=[shift.id],
        volunteers_only=False,
    )
    # By hand there is no rest gap to keep: the coordinator knows the person.
    rules = Rules(weekly_cap=settings.weekly_shift_cap)
    # Someone waiting on the shift holds no seat on it (rotation_data.load): they may be given
    # one, and are listed first, in the order they queued, as they asked for this very shift.
    queued = [a.member_id for a in await waitlist.queue(session, shift.id)]
    target = inputs.open[shift.id]
    minutes = await month_minutes(session, shift.post.unit_id, day, zone)
    place = {member_id: number for number, member_id in enumerate(queued)}
    people = [
        Choice(
            c.member_id,
            inputs.people[c.member_id].name,
            minutes[c.member_id],
            waitlisted=c.member_id in place,
            phone=inputs.people[c.member_id].phone,
        )
        for c in inputs.candidates
        if problem_of(c, target, rules) is None
    ]
    people.sort(
        key=lambda choice: (
            place.get(choice.member_id, len(place)),
            choice.month_minutes,
            choice.name,
            choice.member_id,
        )
    )
    return Choices(shift, left, people)


async def on_leave(session: AsyncSession, member: Member, shift: Shift) -> bool:
    """Whether the member has approved leave from this shift or one at the same time."""
    return await on_leave_between(session, member, shift.starts_at, shift.ends_at)


async def on_leave_between(
    session: AsyncSession, member: Member, starts_at: dt.datetime, ends_at: dt.datetime
) -> bool:
    """Whether the member has approved leave from a shift overlapping [starts_at, ends_at)
    (a shift that does not exist yet, such as one of an import, included)."""
    return member.id in await seating.on_leave(session, [member.id], starts_at, ends_at)


async def refusals(
    session: AsyncSession,
    shift: Shift,
    members: Sequence[Member],
    now: dt.datetime,
    settings: Settings,
    *,
    reader: Translator | None = None,
) -> list[Refusal]:
    """Why each named person may not take a seat on the shift (none: all may), what it names
    (a clashing shift) worded for `reader`, the coordinator reading it, not for the person."""
    found: list[Refusal] = []
    for member in members:
        try:
            # A member waiting on this shift may be given a seat on it.
            await eligibility.check_eligibility(
                session,
                member,
                shift,
                now,
                settings,
                from_waitlist=True,
                assigned=True,
                reader=reader,
            )
        except DomainError as error:
            key = REFUSALS.get(error.code)
            if key is None:
                raise
            found.append(Refusal(member, key, dict(error.params)))
            continue
        if await on_leave(session, member, shift):
            found.append(Refusal(member, ON_LEAVE))
    return found


async def warnings(
    session: AsyncSession, shift: Shift, members: Sequence[Member], settings: Settings
) -> list[Warning]:
    found: list[Warning] = []
    for member in members:
        window = await availability.blocking(session, member, shift, settings.zone)
        if window is not None:
            found.append(Warning(member, window))
    return found


async def assign(
    session: AsyncSession,
    actor: Actor,
    shift_id: int,
    member_ids: Sequence[int],
    now: dt.datetime,
    settings: Settings,
    *,
    despite_unavailable: bool = False,
) -> Outcome:
    """Give each named member a seat on the shift, all or nothing, and tell them."""
    await shift_service.get_managed(session, actor, shift_id)
    shift = await seating.lock(session, shift_id)
    _require_open(shift, now)
    members: list[Member] = []
    for member_id in dict.fromkeys(member_ids):
        member = await session.get(Member, member_id)
        if member is None:
            raise DomainError(ErrorCode.MEMBER_NOT_FOUND, name=str(member_id))
        members.append(member)
    await seating.lock_members(session, [member.id for member in members])
    refused = await refusals(
        session, shift, members, now, settings, reader=reader_of(actor, settings)
    )
    if refused:
        raise Ineligible(refused)
    # Room first: a warning confirmed with 仍然安排 must not end in "full".
    left = shift.capacity - await seating.seated_count(session, shift.id)
    if len(members) > left:
        if left <= 0:
            raise DomainError(ErrorCode.ASSIGN_FULL, capacity=shift.capacity)
        raise DomainError(ErrorCode.ASSIGN_TOO_MANY, left=left, named=len(members))
    if not despite_unavailable:
        warned = await warnings(session, shift, members, settings)
        if warned:
            return Warned(shift, warned)
    day = shift.starts_at.astimezone(settings.zone).date()
    rota = await rotas.begin(
        session, actor, shift.post.unit_id, RotaSource.HAND, now, first=day, last=day
    )
    seats = [await rotas.give_seat(session, rota, member, shift, now) for member in members]
    await session.flush()
    await rotas.tell(session, rota, seats, rotas.actor_name(actor), now, settings)
    return Assigned(shift, seats, left - len(seats), rotas.unreached(seats))
