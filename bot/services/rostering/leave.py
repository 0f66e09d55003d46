"""Leave (请假): an assigned person asks to be excused from a seat, with a reason; the unit's
coordinators get 批准 / 驳回 with the person's leaves this month. Until a coordinator approves,
the person holds the seat and is expected on post, even within the cancel cut-off.

Approved leave frees the seat: it goes to the shift's waitlist first; a seat still open is then
offered to every member of the unit who may take it (the sign-up rules), and the first to tap
🙋 我来接 takes it through sign-up, under the shift's lock, so of many taps exactly one wins.
A shift that has started takes no leave and no decision: whoever holds it is expected.

This module is the asking side: whether a seat may be asked leave from, the request and who
is told of it, and withdrawing what is still asked when the member leaves the unit. The
requests waiting for a decision are read in leave_waiting.py, decided in leave_decisions.py,
and those nobody decided in time end in leave_ends.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    LeaveRequest,
    LeaveStatus,
    Member,
    Post,
    Shift,
    SwapStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.duty.reminders import is_urgent
from bot.services.people import names
from bot.services.people.access import Actor
from bot.services.people.reachability import coordinators_of, deciders_of, has_decider
from bot.services.platform import audit, outbox
from bot.services.platform.notify import Render, notify, notify_admins, notify_all
from bot.services.rostering import leave_waiting
from bot.services.schedule import leave_cards, seats
from bot.services.schedule.shift_text import shift_label
from bot.services.swaps import queries as swap_queries
from bot.settings import Settings

REASON_MAX = 200


class Told(StrEnum):
    """Who got a leave request to decide."""

    COORDINATORS = "coordinators"
    ADMINS = "admins"  # no coordinator of the unit could be written to
    NOBODY = "nobody"  # nor any admin: the request waits for a coordinator
    # The asker is a coordinator of the unit (one who also stands on posts), who does not
    # decide their own leave, and none of its other coordinators could be written to: the
    # admins got it, or nobody did. Told so, not that no coordinator can receive messages.
    ADMINS_NOT_OWN = "admins-not-own"
    NOBODY_NOT_OWN = "nobody-not-own"


@dataclass(frozen=True)
class Asked:
    leave: LeaveRequest
    told: Told


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


async def ask(
    session: AsyncSession,
    actor: Actor,
    assignment_id: int,
    reason: str,
    now: dt.datetime,
    settings: Settings,
) -> Asked:
    """Ask leave from an assigned seat; the unit's coordinators are told (but the asker, should
    they be one), or the admins when none of them can be written to; who was told is returned,
    for the member to know."""
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
    render = await leave_waiting.request_render(session, leave, now, settings)
    urgent = is_urgent(shift, now, settings)
    coordinators = await _deciders(session, shift.post.unit_id, member.id)
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
    if await _is_coordinator(session, shift.post.unit_id, member.id):
        return Asked(leave, Told.ADMINS_NOT_OWN if admins else Told.NOBODY_NOT_OWN)
    return Asked(leave, Told.ADMINS if admins else Told.NOBODY)


async def _is_coordinator(session: AsyncSession, unit_id: int, member_id: int) -> bool:
    return any(c.id == member_id for c in await coordinators_of(session, unit_id))


async def _deciders(session: AsyncSession, unit_id: int, asker_id: int) -> list[Member]:
    """The unit's coordinators who decide a request of `asker_id`: those who can be written
    to, but not the asker (a coordinator who also stands on posts: nobody decides their own
    leave)."""
    return await deciders_of(session, unit_id, {asker_id})


async def ask_admins_if_unread(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """DueJob: the requests still to decide that none of their unit's coordinators can decide
    any more (each blocked the bot since they were asked, or Telegram refused the request) are
    asked of the admins, once each (under the admins' card keys), as when nobody of the unit
    could be written to when they were asked: otherwise they would lapse unread at the start.
    Read in a few statements whatever the number of requests waiting (a steady tick: one,
    through the index of statuses). How many were asked."""
    if not settings.admin_ids:
        return 0
    asked = select(LeaveRequest.id).where(seats.leave_undecided()).limit(1)
    if (await session.scalars(asked)).first() is None:
        return 0
    undecidable = list(
        (
            await session.scalars(
                leave_waiting.undecided(now)
                .where(~has_decider(Post.unit_id, LeaveRequest.member_id))
                .order_by(LeaveRequest.id)
            )
        ).unique()
    )
    if not undecidable:
        return 0
    # The admins who would be asked (not the asker: _ask_admins spares them), by request.
    keys = {
        leave.id: [
            leave_cards.admin_card_key(leave.id, admin_id)
            for admin_id in dict.fromkeys(settings.admin_ids)
            if admin_id != leave.member.telegram_id
        ]
        for leave in undecidable
    }
    queued_before = await outbox.queued_keys(
        session, [key for each in keys.values() for key in each]
    )
    queued = 0
    for leave in undecidable:
        # Asked of the admins before (then, or at an earlier tick), or none to ask.
        if not keys[leave.id] or queued_before.intersection(keys[leave.id]):
            continue
        shift = leave.assignment.shift
        render = await leave_waiting.request_render(session, leave, now, settings)
        urgent = is_urgent(shift, now, settings)
        told = await _ask_admins(session, leave, render, urgent, now, settings)
        if told:
            await _tell_moved_to_admins(session, leave, now, settings)
        queued += told
    return queued


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
        sparing=[leave.member.telegram_id],
    )


async def _tell_moved_to_admins(
    session: AsyncSession, leave: LeaveRequest, now: dt.datetime, settings: Settings
) -> None:
    """The asker hears, in their language and once, that their request went to the admins after
    it was asked: none of the unit's coordinators can decide it any more (as they are told when
    none could at the time of asking)."""
    shift = leave.assignment.shift

    def render(t: Translator) -> outbox.Message:
        return outbox.payload(t("rostering.leave.moved_to_admins", shift=shift_label(t, shift)))

    await notify(
        session, leave.member, render, key=f"leave:{leave.id}:to-admins", now=now, settings=settings
    )


async def ask_admins_instead(
    session: AsyncSession, unit_id: int, now: dt.datetime, settings: Settings
) -> int:
    """The unit was left without a coordinator: its requests still to decide go to the admins
    (once each, as to a unit that had none when they were asked). How many."""
    waiting = list(
        (
            await session.scalars(
                leave_waiting.undecided(now)
                .where(Post.unit_id == unit_id)
                .order_by(Shift.starts_at, LeaveRequest.id)
            )
        ).unique()
    )
    for leave in waiting:
        render = await leave_waiting.request_render(session, leave, now, settings)
        urgent = is_urgent(leave.assignment.shift, now, settings)
        if await _ask_admins(session, leave, render, urgent, now, settings):
            await _tell_moved_to_admins(session, leave, now, settings)
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
