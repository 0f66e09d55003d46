"""Who may take which shift now: every rule of sign-up in one place. Sign-up, the waitlist
promotion and swaps call ``check_eligibility`` (one member, one shift); the understaffed offers
call ``refusals`` (many members and shifts in a few statements). Both apply the same rules, the
one through the other. Capacity is not one of these rules: it is checked separately, under the
shift's lock, by whoever takes a seat."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.batches import in_chunks
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    LeaveRequest,
    Member,
    Shift,
    ShiftStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.schedule import standing_leave
from bot.services.schedule.seats import ATTACHED, COMMITTED
from bot.services.schedule.shift_text import shift_label, translator_for
from bot.settings import Settings


def week_bounds(instant: dt.datetime, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00, local time, of the week holding `instant`."""
    local = instant.astimezone(zone)
    monday = local.date() - dt.timedelta(days=local.weekday())
    first = dt.datetime.combine(monday, dt.time(0, 0), tzinfo=zone)
    after = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0, 0), tzinfo=zone)
    return first.astimezone(dt.UTC), after.astimezone(dt.UTC)


async def no_shows(session: AsyncSession, member_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.member_id == member_id,
                Assignment.status == AssignmentStatus.ABSENT,
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Refusal:
    """The first rule that keeps a member from a shift: its error code and what its message
    names (the clashing shift, a count)."""

    code: ErrorCode
    clash_id: int | None = None
    count: int = 0


@dataclass
class _Facts:
    """What the rules need from the database about a set of members and shifts, read in a few
    statements: each member's row on each shift, their committed seats around the shifts, their
    committed seats per week, their no-shows and the hours their approved leave excuses them
    from."""

    own: dict[tuple[int, int], AssignmentStatus]
    committed: dict[int, list[tuple[int, dt.datetime, dt.datetime]]]
    weekly: dict[tuple[int, dt.datetime], int]
    missed: dict[int, int]
    excused: dict[int, list[tuple[dt.datetime, dt.datetime]]]


async def _facts(
    session: AsyncSession,
    member_ids: Sequence[int],
    shifts: Sequence[Shift],
    settings: Settings,
    leaving: int | None,
    assigned: bool,
) -> _Facts:
    facts = _Facts(own={}, committed={}, weekly={}, missed={}, excused={})
    if not member_ids or not shifts:
        return facts
    others = Assignment.id != leaving if leaving is not None else true()
    shift_ids = sorted({shift.id for shift in shifts})
    earliest = min(shift.starts_at for shift in shifts)
    latest = max(shift.ends_at for shift in shifts)
    weeks = sorted({week_bounds(shift.starts_at, settings.zone) for shift in shifts})
    for members in in_chunks(sorted(set(member_ids))):
        for shift_part in in_chunks(shift_ids):
            own = await session.execute(
                select(Assignment.member_id, Assignment.shift_id, Assignment.status).where(
                    Assignment.shift_id.in_(shift_part),
                    Assignment.member_id.in_(members),
                    Assignment.status.in_(ATTACHED),
                )
            )
            for member_id, shift_id, status in own.all():
                facts.own[(member_id, shift_id)] = AssignmentStatus(status)
        await _committed_around(session, members, earliest, latest, others, facts.committed)
        if settings.weekly_shift_cap > 0:
            for first, after in weeks:
                weekly = await session.execute(
                    select(Assignment.member_id, func.count())
                    .join(Shift, Assignment.shift_id == Shift.id)
                    .where(
                        Assignment.member_id.in_(members),
                        Assignment.status.in_(COMMITTED),
                        others,
                        Shift.status == ShiftStatus.SCHEDULED,
                        Shift.starts_at >= first,
                        Shift.starts_at < after,
                    )
                    .group_by(Assignment.member_id)
                )
                for member_id, count in weekly.all():
                    facts.weekly[(member_id, first)] = int(count)
        if settings.no_show_block_after > 0:
            missed = await session.execute(
                select(Assignment.member_id, func.count())
                .where(
                    Assignment.member_id.in_(members),
                    Assignment.status == AssignmentStatus.ABSENT,
                )
                .group_by(Assignment.member_id)
            )
            for member_id, count in missed.all():
                facts.missed[member_id] = int(count)
        if not assigned:
            excused = await session.execute(
                standing_leave.approved(
                    select(LeaveRequest.member_id, Shift.starts_at, Shift.ends_at)
                ).where(
                    LeaveRequest.member_id.in_(members),
                    Shift.starts_at < latest,
                    Shift.ends_at > earliest,
                )
            )
            for member_id, starts_at, ends_at in excused.all():
                facts.excused.setdefault(member_id, []).append((starts_at, ends_at))
    return facts


async def _committed_around(
    session: AsyncSession,
    members: Sequence[int],
    earliest: dt.datetime,
    latest: dt.datetime,
    others: ColumnElement[bool],
    into: dict[int, list[tuple[int, dt.datetime, dt.datetime]]],
) -> None:
    """The members' committed seats on scheduled shifts overlapping (earliest, latest), by
    member: (shift id, start, end), soonest first."""
    around = await session.execute(
        select(Assignment.member_id, Shift.id, Shift.starts_at, Shift.ends_at)
        .join(Shift, Assignment.shift_id == Shift.id)
        .where(
            Assignment.member_id.in_(members),
            Assignment.status.in_(COMMITTED),
            others,
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at < latest,
            Shift.ends_at > earliest,
        )
        .order_by(Shift.starts_at, Shift.id)
    )
    for member_id, shift_id, starts_at, ends_at in around.all():
        into.setdefault(member_id, []).append((shift_id, starts_at, ends_at))


def _clash(
    member_id: int, shift: Shift, committed: dict[int, list[tuple[int, dt.datetime, dt.datetime]]]
) -> int | None:
    """The first of the member's committed seats (another shift) at the same time as `shift`."""
    for other_id, starts_at, ends_at in committed.get(member_id, ()):
        if other_id != shift.id and starts_at < shift.ends_at and ends_at > shift.starts_at:
            return other_id
    return None


async def clashes(
    session: AsyncSession, pairs: Sequence[tuple[int, Shift]]
) -> dict[tuple[int, int], int]:
    """For (member id, shift) pairs, the shift each member holds a seat on at the same time
    (the clash that keeps them from a seat of that shift), keyed by (member id, shift id);
    pairs without one are left out. Whatever the time: the waitlist's word at a shift's
    start asks it too."""
    if not pairs:
        return {}
    committed: dict[int, list[tuple[int, dt.datetime, dt.datetime]]] = {}
    earliest = min(shift.starts_at for _, shift in pairs)
    latest = max(shift.ends_at for _, shift in pairs)
    for members in in_chunks(sorted({member_id for member_id, _ in pairs})):
        await _committed_around(session, members, earliest, latest, true(), committed)
    found: dict[tuple[int, int], int] = {}
    for member_id, shift in pairs:
        clash = _clash(member_id, shift, committed)
        if clash is not None:
            found[(member_id, shift.id)] = clash
    return found


def _standing_refusal(
    member: Member,
    shift: Shift,
    now: dt.datetime,
    settings: Settings,
    *,
    assigned: bool,
    planned: bool,
) -> Refusal | None:
    """The rules that need nothing but the member and the shift."""
    if not member.active:
        return Refusal(ErrorCode.NOT_REGISTERED)
    if shift.status is ShiftStatus.CANCELLED:
        return Refusal(ErrorCode.SHIFT_CANCELLED)
    if shift.post.archived and not planned:
        return Refusal(ErrorCode.POST_ARCHIVED)
    if member.unit_id != shift.post.unit_id:
        return Refusal(ErrorCode.SHIFT_OTHER_UNIT)
    if shift.starts_at <= now:
        return Refusal(ErrorCode.SHIFT_STARTED)
    # The window opens a shift's seats to everyone; a seat assigned, or one already held
    # that changes hands (a swap), is not a sign-up.
    if now < opens_at(shift, settings) and not (assigned or planned):
        return Refusal(ErrorCode.SIGNUP_NOT_OPEN)
    if shift.required_tag and shift.required_tag not in member.tags:
        return Refusal(ErrorCode.TAG_REQUIRED)
    return None


def _seat_refusal(
    member: Member, shift: Shift, facts: _Facts, settings: Settings, *, from_waitlist: bool
) -> Refusal | None:
    """The rules about the member's other seats: on this shift already, a clash, leave approved
    at that hour (bot/services/schedule/standing_leave.py), the weekly cap, too many no-shows."""
    own = facts.own.get((member.id, shift.id))
    if own == AssignmentStatus.WAITLISTED:
        if not from_waitlist:
            return Refusal(ErrorCode.ALREADY_WAITLISTED)
    elif own is not None:
        return Refusal(ErrorCode.ALREADY_SIGNED_UP)
    clash = _clash(member.id, shift, facts.committed)
    if clash is not None:
        return Refusal(ErrorCode.SHIFT_CLASH, clash_id=clash)
    if any(
        starts_at < shift.ends_at and ends_at > shift.starts_at
        for starts_at, ends_at in facts.excused.get(member.id, ())
    ):
        return Refusal(ErrorCode.ON_LEAVE)
    if settings.weekly_shift_cap > 0:
        first, _ = week_bounds(shift.starts_at, settings.zone)
        if facts.weekly.get((member.id, first), 0) >= settings.weekly_shift_cap:
            return Refusal(ErrorCode.WEEKLY_CAP_REACHED, count=settings.weekly_shift_cap)
    if settings.no_show_block_after > 0:
        missed = facts.missed.get(member.id, 0)
        if missed >= settings.no_show_block_after:
            return Refusal(ErrorCode.NO_SHOW_BLOCKED, count=missed)
    return None


def opens_at(shift: Shift, settings: Settings) -> dt.datetime:
    return shift.starts_at - dt.timedelta(days=settings.signup_open_days)


async def refusals(
    session: AsyncSession,
    pairs: Iterable[tuple[Member, Shift]],
    now: dt.datetime,
    settings: Settings,
    *,
    from_waitlist: bool = False,
    leaving: int | None = None,
    assigned: bool = False,
    planned: bool = False,
) -> dict[tuple[int, int], Refusal | None]:
    """The first rule that keeps each member from each shift (None: they may take it), keyed
    by (member id, shift id): the rules of ``check_eligibility`` for many members and shifts at
    once, in a few statements whatever their number."""
    result: dict[tuple[int, int], Refusal | None] = {}
    pending: list[tuple[Member, Shift]] = []
    for member, shift in pairs:
        refusal = _standing_refusal(
            member, shift, now, settings, assigned=assigned, planned=planned
        )
        result[(member.id, shift.id)] = refusal
        if refusal is None:
            pending.append((member, shift))
    if not pending:
        return result
    facts = await _facts(
        session,
        [member.id for member, _ in pending],
        list({shift.id: shift for _, shift in pending}.values()),
        settings,
        leaving,
        assigned,
    )
    for member, shift in pending:
        result[(member.id, shift.id)] = _seat_refusal(
            member, shift, facts, settings, from_waitlist=from_waitlist
        )
    return result


async def _error(
    session: AsyncSession,
    refusal: Refusal,
    member: Member,
    shift: Shift,
    settings: Settings,
    reader: Translator | None,
) -> DomainError:
    code = refusal.code
    if code is ErrorCode.POST_ARCHIVED:
        return DomainError(code, post=shift.post.name)
    if code is ErrorCode.SHIFT_OTHER_UNIT:
        return DomainError(code, unit=shift.post.unit.name)
    if code is ErrorCode.SIGNUP_NOT_OPEN:
        t = reader or translator_for(member, settings)
        return DomainError(code, opens=t.datetime(opens_at(shift, settings)))
    if code is ErrorCode.TAG_REQUIRED:
        return DomainError(code, tag=shift.required_tag)
    if code is ErrorCode.SHIFT_CLASH:
        clash = await session.get(Shift, refusal.clash_id)
        assert clash is not None
        t = reader or translator_for(member, settings)
        return DomainError(code, shift=shift_label(t, clash))
    if code in (ErrorCode.WEEKLY_CAP_REACHED, ErrorCode.NO_SHOW_BLOCKED):
        return DomainError(code, count=refusal.count)
    return DomainError(code)


async def check_eligibility(
    session: AsyncSession,
    member: Member,
    shift: Shift,
    now: dt.datetime,
    settings: Settings,
    *,
    from_waitlist: bool = False,
    leaving: int | None = None,
    assigned: bool = False,
    planned: bool = False,
    reader: Translator | None = None,
) -> None:
    """Raise the DomainError of the first rule that keeps `member` from `shift` at `now`.

    Capacity is not a rule here: a full shift offers the waitlist instead. `from_waitlist`
    checks a member who waits on this shift for a seat that came free. `leaving` is a seat of
    the member's that goes away in the same step (the other half of a swap): it neither clashes
    nor counts toward the weekly cap. An `assigned` seat (a coordinator puts the member on the
    shift) is not bound by the sign-up window, and its leave at that hour is the assigner's to
    check (with its own answer): rotas are made weeks ahead. A `planned` seat moves from one
    member to another on a shift already planned (a swap): an archived post takes no new
    seats, but the shifts it had planned take place, and so may change hands, and a seat held
    weeks ahead may change hands before the sign-up window opens. The rules are those
    of ``refusals``, asked for one pair. The dates the refusal names are worded for `reader`
    when someone other than the member reads it (the other side of a swap, a coordinator
    deciding it), else in the member's language.
    """
    found = await refusals(
        session,
        [(member, shift)],
        now,
        settings,
        from_waitlist=from_waitlist,
        leaving=leaving,
        assigned=assigned,
        planned=planned,
    )
    refusal = found[(member.id, shift.id)]
    if refusal is not None:
        raise await _error(session, refusal, member, shift, settings, reader)
