"""Deciding leave (bot/services/rostering/leave.py asks it): a coordinator of the unit (or an
admin) approves or rejects, the asker is told and the other deciders' cards say how it went.
Approved leave frees the seat: it goes to the shift's waitlist first; a seat still open is then
offered to every member of the unit who may take it (the sign-up rules), and the first to tap
🙋 我来接 takes it through sign-up, under the shift's lock, so of many taps exactly one wins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    LeaveRequest,
    LeaveStatus,
    Role,
    Shift,
)
from bot.errors import DomainError, ErrorCode
from bot.services.duty.reminders import is_urgent
from bot.services.people.access import Actor
from bot.services.people.reachability import coordinators_of
from bot.services.platform import audit, cards
from bot.services.platform.notify import notify, notify_all
from bot.services.rostering import leave_waiting, notices, rotas
from bot.services.schedule import (
    eligibility,
    leave_cards,
    seat_scan,
    seats,
    signup,
    unavailability,
    waitlist,
)
from bot.services.schedule.broadcast import volunteers
from bot.settings import Settings


@dataclass(frozen=True)
class Decided:
    leave: LeaveRequest
    promoted: list[Assignment]  # from the waitlist
    offered: int  # members the freed seat was offered to
    open_seats: int  # seats still open after the waitlist


def _decided_error(leave: LeaveRequest) -> DomainError:
    if leave.status is LeaveStatus.WITHDRAWN:
        return DomainError(ErrorCode.LEAVE_SEAT_GONE)
    if leave.status is LeaveStatus.LAPSED:
        return DomainError(ErrorCode.LEAVE_APPROVE_STARTED)
    by = leave.decided_by.display_name if leave.decided_by is not None else "-"
    return DomainError(ErrorCode.LEAVE_ALREADY_DECIDED, name=by)


def require_decider(actor: Actor, leave: LeaveRequest) -> None:
    """Who may decide `leave`: a coordinator of the shift's unit, or an admin; not the member
    who asked it (a coordinator who also stands on posts)."""
    actor.require_unit(leave.assignment.shift.post.unit_id, Role.COORDINATOR)
    if actor.member is not None and actor.member.id == leave.member_id:
        raise DomainError(ErrorCode.LEAVE_OWN_DECISION)


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
    leave = await leave_waiting.get(session, leave_id)
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
    keys = await leave_cards.keys(session, leave)
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
