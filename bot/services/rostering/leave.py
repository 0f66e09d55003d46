"""Leave (请假): an assigned person asks to be excused from a seat, with a reason; the unit's
coordinators get 批准 / 驳回 with the person's leaves this month. Until a coordinator approves,
the person holds the seat and is expected on post, even within the cancel cut-off.

Approved leave frees the seat: it goes to the shift's waitlist first; a seat still open is then
offered to every member of the unit who may take it (the sign-up rules), and the first to tap
🙋 我来接 takes it through sign-up, under the shift's lock, so of many taps exactly one wins.
A shift that has started takes no leave and no decision: whoever holds it is expected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    LeaveRequest,
    LeaveStatus,
    Member,
    Post,
    Role,
    Shift,
    ShiftStatus,
    SwapStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.services.duty.reminders import is_urgent
from bot.services.people import names
from bot.services.people.access import Actor
from bot.services.people.reachability import coordinators_of
from bot.services.platform import audit, cards
from bot.services.platform.notify import Render, notify, notify_admins, notify_all
from bot.services.rostering import notices, rotas
from bot.services.schedule import (
    eligibility,
    leave_cards,
    seat_scan,
    seats,
    signup,
    standing_leave,
    unavailability,
    waitlist,
)
from bot.services.schedule.broadcast import volunteers
from bot.services.schedule.timespec import local_day_bounds
from bot.services.swaps import queries as swap_queries
from bot.settings import Settings

REASON_MAX = 200


class Told(StrEnum):
    """Who got a leave request to decide."""

    COORDINATORS = "coordinators"
    ADMINS = "admins"  # no coordinator of the unit could be written to
    NOBODY = "nobody"  # nor any admin: the request waits for a coordinator


@dataclass(frozen=True)
class Asked:
    leave: LeaveRequest
    told: Told


@dataclass(frozen=True)
class Decided:
    leave: LeaveRequest
    promoted: list[Assignment]  # from the waitlist
    offered: int  # members the freed seat was offered to
    open_seats: int  # seats still open after the waitlist


async def _seat(session: AsyncSession, member: Member, assignment_id: int) -> Assignment:
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None or assignment.member_id != member.id:
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    return assignment


async def askable(
    session: AsyncSession, actor: Actor, assignment_id: int, now: dt.datetime
) -> Assignment:
    """The member's assigned seat they may ask leave from, refused with the rule it breaks."""
    member = actor.require_member()
    assignment = await _seat(session, member, assignment_id)
    shift = assignment.shift
    if assignment.status is AssignmentStatus.CHECKED_IN or shift.starts_at <= now:
        raise DomainError(ErrorCode.LEAVE_SHIFT_STARTED)
    if assignment.status is not AssignmentStatus.SIGNED_UP:
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    if not assignment.assigned:
        raise DomainError(ErrorCode.LEAVE_NOT_ASSIGNED)
    if await seats.pending_leave(session, assignment.id) is not None:
        raise DomainError(ErrorCode.LEAVE_ALREADY_ASKED)
    # One way out of a seat at a time: a swap's taker would otherwise wait for a freed seat.
    if await swap_queries.open_offer_of(session, assignment.id) is not None:
        raise DomainError(ErrorCode.LEAVE_SWAP_OPEN)
    # Nor while someone asks to exchange it: its holder declines first.
    asked = await swap_queries.open_exchange_for(session, assignment.id)
    if asked is not None:
        # Accepted, it can no longer be declined: it waits for a coordinator.
        code = (
            ErrorCode.LEAVE_SWAP_AWAITING_APPROVAL
            if asked.status is SwapStatus.AWAITING_APPROVAL
            else ErrorCode.LEAVE_SWAP_ASKED_OF_YOU
        )
        raise DomainError(code, name=asked.offered_by.display_name)
    return assignment


def clean_reason(text: str) -> str:
    reason = names.plain(text)
    if not reason or reason.startswith("/") or len(reason) > REASON_MAX:
        raise DomainError(ErrorCode.LEAVE_REASON_INVALID, limit=REASON_MAX)
    return reason


async def leaves_this_month(
    session: AsyncSession, member_id: int, now: dt.datetime, zone: dt.tzinfo
) -> int:
    """The member's approved leaves from shifts of the current month (not since cancelled)."""
    today = now.astimezone(zone).date()
    first, _ = local_day_bounds(today.replace(day=1), zone)
    following = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    after, _ = local_day_bounds(following, zone)
    return int(
        await session.scalar(
            standing_leave.approved(select(func.count()).select_from(LeaveRequest)).where(
                LeaveRequest.member_id == member_id,
                Shift.starts_at >= first,
                Shift.starts_at < after,
            )
        )
        or 0
    )


async def ask(
    session: AsyncSession,
    actor: Actor,
    assignment_id: int,
    reason: str,
    now: dt.datetime,
    settings: Settings,
) -> Asked:
    """Ask leave from an assigned seat; the unit's coordinators are told, or the admins when
    none of them can be written to; who was told is returned, for the member to know."""
    # The holder's row, locked before the seat's other ways out are read: another member
    # asking to exchange this seat at the same moment takes the same lock (offers.exchange),
    # so one of the two waits and then finds the other's request.
    await seats.lock_members(session, [actor.require_member().id])
    assignment = await askable(session, actor, assignment_id, now)
    member = assignment.member
    leave = LeaveRequest(
        assignment=assignment,
        member=member,
        status=LeaveStatus.ASKED,
        reason=clean_reason(reason),
        asked_at=now,
    )
    session.add(leave)
    await session.flush()
    audit.record(
        session,
        actor_id=member.id,
        action="leave.ask",
        object_type="leave",
        object_id=leave.id,
        after={"assignment": assignment.id},
        reason=leave.reason,
        now=now,
    )
    shift = assignment.shift
    render = await request_render(session, leave, now, settings)
    urgent = is_urgent(shift, now, settings)
    coordinators = [
        coordinator
        for coordinator in await coordinators_of(session, shift.post.unit_id)
        if not coordinator.blocked_bot
    ]
    if coordinators:
        await notify_all(
            session,
            coordinators,
            render,
            key=lambda coordinator: leave_cards.card_key(leave.id, coordinator.id),
            now=now,
            settings=settings,
            urgent=urgent,
        )
        return Asked(leave, Told.COORDINATORS)
    # No coordinator to write to (none, or all blocked the bot): the admins, who may decide
    # any unit's leave, get the request, as they get a swap of a unit without a coordinator.
    admins = await _ask_admins(session, leave, render, urgent, now, settings)
    return Asked(leave, Told.ADMINS if admins else Told.NOBODY)


async def request_render(
    session: AsyncSession, leave: LeaveRequest, now: dt.datetime, settings: Settings
) -> Render:
    """The request as its deciders read it: with the asker's approved leaves this month and,
    inside the cancel cut-off, how close the shift is."""
    count = await leaves_this_month(session, leave.member_id, now, settings.zone)
    return notices.leave_asked(leave, count, _within_cutoff(leave, now, settings))


def _within_cutoff(leave: LeaveRequest, now: dt.datetime, settings: Settings) -> int | None:
    """The cancel cut-off in hours when the shift starts within it (its notice says so)."""
    cutoff = dt.timedelta(hours=settings.cancel_cutoff_hours)
    if leave.assignment.shift.starts_at - now <= cutoff:
        return settings.cancel_cutoff_hours
    return None


async def _ask_admins(
    session: AsyncSession,
    leave: LeaveRequest,
    render: Render,
    urgent: bool,
    now: dt.datetime,
    settings: Settings,
) -> int:
    return await notify_admins(
        session,
        render,
        key=lambda admin_id: leave_cards.admin_card_key(leave.id, admin_id),
        now=now,
        settings=settings,
        urgent=urgent,
    )


async def ask_admins_instead(
    session: AsyncSession, unit_id: int, now: dt.datetime, settings: Settings
) -> int:
    """The unit was left without a coordinator: its requests still to decide go to the admins
    (once each, as to a unit that had none when they were asked). How many."""
    waiting = list(
        (
            await session.scalars(
                undecided(now)
                .where(Post.unit_id == unit_id)
                .order_by(Shift.starts_at, LeaveRequest.id)
            )
        ).unique()
    )
    for leave in waiting:
        render = await request_render(session, leave, now, settings)
        urgent = is_urgent(leave.assignment.shift, now, settings)
        await _ask_admins(session, leave, render, urgent, now, settings)
    return len(waiting)


async def withdraw_asked(
    session: AsyncSession, member_id: int, now: dt.datetime, settings: Settings
) -> int:
    """The member's leave not yet decided is withdrawn: they left the unit (or the posts) and
    the seat with it. A coordinator who presses 批准 or 驳回 after hears the seat has gone."""
    asked = list(
        await session.scalars(
            select(LeaveRequest).where(LeaveRequest.member_id == member_id, seats.leave_undecided())
        )
    )
    return await leave_cards.withdraw_leave(session, asked, leave_cards.Ending.LEFT, now, settings)


# The pending requests a coordinator is shown at once (soonest shift first); deciding them
# brings the next.
PENDING_SHOWN = 10


@dataclass(frozen=True)
class Pending:
    """A request still to decide, with what its notice says: the asker's approved leaves this
    month and, inside the cancel cut-off, how close the shift is."""

    leave: LeaveRequest
    leaves_this_month: int
    within_cutoff_hours: int | None


def undecided(now: dt.datetime) -> Select[LeaveRequest]:
    """Leave asked and not decided on a shift not yet started whose seat is still the asker's:
    those a decision can still be made on (joined to the shift's post, for its unit)."""
    return (
        select(LeaveRequest)
        .join(Assignment, LeaveRequest.assignment_id == Assignment.id)
        .join(Shift, Assignment.shift_id == Shift.id)
        .join(Post, Shift.post_id == Post.id)
        .where(
            seats.leave_undecided(),
            Assignment.status == AssignmentStatus.SIGNED_UP,
            Assignment.member_id == LeaveRequest.member_id,
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at > now,
        )
    )


def _pending_query(actor: Actor, now: dt.datetime) -> Select[LeaveRequest] | None:
    """The undecided leave on the actor's unit (an admin: every unit)."""
    actor.require(Role.COORDINATOR)
    query = undecided(now)
    if actor.is_admin:
        return query
    if actor.unit_id is None:
        return None
    return query.where(Post.unit_id == actor.unit_id)


async def pending_count(session: AsyncSession, actor: Actor, now: dt.datetime) -> int:
    """How many requests wait for a decision of the actor (the /roster line)."""
    query = _pending_query(actor, now)
    if query is None:
        return 0
    found = await session.scalar(select(func.count()).select_from(query.subquery()))
    return int(found or 0)


async def pending(
    session: AsyncSession, actor: Actor, now: dt.datetime, settings: Settings
) -> list[Pending]:
    """The first PENDING_SHOWN requests waiting for the actor's decision, soonest shift first
    (then the first asked), each with what its notice says."""
    query = _pending_query(actor, now)
    if query is None:
        return []
    found = (
        await session.scalars(
            query.order_by(Shift.starts_at, LeaveRequest.asked_at, LeaveRequest.id).limit(
                PENDING_SHOWN
            )
        )
    ).unique()
    return [
        Pending(
            leave,
            await leaves_this_month(session, leave.member_id, now, settings.zone),
            _within_cutoff(leave, now, settings),
        )
        for leave in found
    ]


async def get(session: AsyncSession, leave_id: int) -> LeaveRequest:
    leave = await session.get(LeaveRequest, leave_id)
    if leave is None:
        raise DomainError(ErrorCode.LEAVE_NOT_FOUND)
    return leave


def _decided_error(leave: LeaveRequest) -> DomainError:
    if leave.status is LeaveStatus.WITHDRAWN:
        return DomainError(ErrorCode.LEAVE_SEAT_GONE)
    if leave.status is LeaveStatus.LAPSED:
        return DomainError(ErrorCode.LEAVE_APPROVE_STARTED)
    by = leave.decided_by.display_name if leave.decided_by is not None else "-"
    return DomainError(ErrorCode.LEAVE_ALREADY_DECIDED, name=by)


def require_decider(actor: Actor, leave: LeaveRequest) -> None:
    """Who may decide `leave`: a coordinator of the shift's unit, or an admin."""
    actor.require_unit(leave.assignment.shift.post.unit_id, Role.COORDINATOR)


async def decide(
    session: AsyncSession,
    actor: Actor,
    leave_id: int,
    approve: bool,
    now: dt.datetime,
    settings: Settings,
    spare: tuple[int, int] | None = None,
) -> Decided:
    """A coordinator of the unit approves (the seat is freed and offered) or rejects."""
    leave = await get(session, leave_id)
    assignment = leave.assignment
    require_decider(actor, leave)
    shift = await seats.lock(session, assignment.shift_id)
    await session.refresh(leave)
    await session.refresh(assignment)
    if not seats.is_undecided(leave):
        raise _decided_error(leave)
    if shift.starts_at <= now:
        raise DomainError(ErrorCode.LEAVE_APPROVE_STARTED)
    # Rejected or approved, a seat that has moved on needs no decision: a rejection would tell
    # the member to turn up for a shift that is no longer theirs.
    if (
        assignment.status is not AssignmentStatus.SIGNED_UP
        or assignment.member_id != leave.member_id
    ):
        raise DomainError(ErrorCode.LEAVE_SEAT_GONE)
    leave.status = LeaveStatus.APPROVED if approve else LeaveStatus.REJECTED
    leave.decided_by_id = rotas.actor_id(actor)
    leave.decided_at = now
    if actor.member is not None:
        leave.decided_by = actor.member
    audit.record(
        session,
        actor_id=leave.decided_by_id,
        action="leave.approve" if approve else "leave.reject",
        object_type="leave",
        object_id=leave.id,
        before={"status": LeaveStatus.ASKED.value},
        after={"status": leave.status.value},
        now=now,
    )
    await notify(
        session,
        leave.member,
        notices.leave_decided(leave, approve, rotas.actor_name(actor)),
        key=f"leave-decided:{leave.id}",
        now=now,
        settings=settings,
        urgent=is_urgent(shift, now, settings),
    )
    await _close_cards(session, actor, leave, approve, now, settings, spare)
    if not approve:
        return Decided(leave, [], 0, 0)
    assignment.status = AssignmentStatus.CANCELLED
    assignment.updated_at = now
    await session.flush()
    await seat_scan.withdraw_notices(session, [assignment.id], now, settings)
    promoted = await waitlist.promote_waitlist(session, shift, now, settings)
    open_seats = shift.capacity - await seats.seated_count(session, shift.id)
    offered = 0
    if open_seats > 0:
        offered = await _offer(session, shift, leave, now, settings)
    return Decided(leave, promoted, offered, open_seats)


async def _close_cards(
    session: AsyncSession,
    actor: Actor,
    leave: LeaveRequest,
    approved: bool,
    now: dt.datetime,
    settings: Settings,
    spare: tuple[int, int] | None,
) -> None:
    """The request's cards (to the unit's coordinators or the admins, and the copies /roster
    sent again) say how it was decided, without buttons; but the one pressed (chat, message:
    `spare`), answered where it was pressed, or without it the decider's own card."""
    keys = await leave_cards.keys(session, leave, settings)
    mine = {leave_cards.admin_card_key(leave.id, actor.telegram_id)}
    if actor.member is not None:
        mine.add(leave_cards.card_key(leave.id, actor.member.id))
    if spare is None:
        keys = [key for key in keys if key not in mine]
    render = notices.leave_closed(leave, approved, rotas.actor_name(actor))
    await cards.close(session, keys, render, now=now, settings=settings, spare=spare)


async def _offer(
    session: AsyncSession, shift: Shift, leave: LeaveRequest, now: dt.datetime, settings: Settings
) -> int:
    """Offer the freed seat to the unit's volunteers who may take it by signing up, but those
    who declared they cannot serve then or have leave at that hour (as the list of ➕ 安排人员
    and the rotation leave them out): they would be asked to come when excused."""
    attached = set(
        (
            await session.scalars(
                select(Assignment.member_id).where(
                    Assignment.shift_id == shift.id,
                    Assignment.status.in_(seats.ATTACHED),
                )
            )
        ).all()
    )
    candidates = [
        member
        for member in await volunteers(session, shift.post.unit_id)
        if member.id not in attached and member.id != leave.member_id
    ]
    # The rules of sign-up hold leave at that hour among them; all read at once, a unit's
    # worth of members, not a few statements per member.
    refused = await eligibility.refusals(
        session, [(member, shift) for member in candidates], now, settings
    )
    blocked = await unavailability.blocked(
        session, [member.id for member in candidates], shift, settings.zone
    )
    takers = [
        member
        for member in candidates
        if refused[(member.id, shift.id)] is None and member.id not in blocked
    ]
    return await notify_all(
        session,
        takers,
        notices.freed_seat(shift),
        key=lambda member: f"freed-seat:{leave.id}:{member.id}",
        now=now,
        settings=settings,
        urgent=is_urgent(shift, now, settings),
    )


async def take_freed(
    session: AsyncSession, actor: Actor, shift_id: int, now: dt.datetime, settings: Settings
) -> Assignment:
    """🙋 我来接 on a freed seat: sign up for it, or hear that someone was quicker."""
    outcome = await signup.sign_up(session, actor, shift_id, now, settings)
    if not isinstance(outcome, signup.SignedUp):
        raise DomainError(ErrorCode.SWAP_ALREADY_TAKEN)
    assignment = outcome.assignment
    shift = assignment.shift
    await notify_all(
        session,
        await coordinators_of(session, shift.post.unit_id),
        notices.freed_seat_taken(assignment),
        key=lambda coordinator: f"freed-taken:{assignment.id}:{now.isoformat()}:{coordinator.id}",
        now=now,
        settings=settings,
    )
    return assignment
