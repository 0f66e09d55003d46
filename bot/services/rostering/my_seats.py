"""A member's shifts that have not ended, each with what stands on it (a place in the queue, an
open swap, leave asked) and what the member may still do with it, so /my offers only the
buttons whose action the rules allow at this moment.

It lives here because it reads all three ways out of a seat: cancelling (schedule), swapping
(swaps) and leave (rostering)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, AssignmentStatus, Member, SwapStatus
from bot.services.schedule import seats, signup, waitlist
from bot.services.swaps import queries as swap_queries
from bot.settings import Settings


@dataclass(frozen=True)
class MySeat:
    assignment: Assignment
    waitlist_position: int | None
    offer_status: SwapStatus | None
    leave_asked: bool
    may_cancel: bool
    may_ask_leave: bool
    may_swap: bool


async def of(
    session: AsyncSession, member: Member, now: dt.datetime, settings: Settings
) -> list[MySeat]:
    mine: list[MySeat] = []
    # The seats /swap lists: 🔁 is offered on those alone (the one rule, in swaps).
    swappable = {seat.id for seat in await swap_queries.swappable(session, member, now, settings)}
    for assignment in await signup.upcoming_of(session, member, now):
        if signup.lapsed(assignment, now):
            continue  # its queue ended with the start, and the member was told so
        status = assignment.status
        held = status is AssignmentStatus.SIGNED_UP
        position = (
            await waitlist.waitlist_position(session, assignment)
            if status is AssignmentStatus.WAITLISTED
            else None
        )
        offer = await swap_queries.open_offer_of(session, assignment.id) if held else None
        leave_asked = held and assignment.assigned
        if leave_asked:
            leave_asked = await seats.pending_leave(session, assignment.id) is not None
        not_started = assignment.shift.starts_at > now
        mine.append(
            MySeat(
                assignment=assignment,
                waitlist_position=position,
                offer_status=offer.status if offer is not None else None,
                leave_asked=leave_asked,
                # An assigned seat is not cancelled: leave is asked, and a coordinator decides.
                # A late cancel stays offered: its refusal tells the member to swap instead;
                # once the shift has begun there is nothing left to cancel.
                may_cancel=status is AssignmentStatus.WAITLISTED
                or (held and not assignment.assigned and not_started),
                # One way out of a seat at a time: a leave asked or a swap open, not both.
                may_ask_leave=held
                and assignment.assigned
                and not leave_asked
                and offer is None
                and not_started,
                may_swap=assignment.id in swappable,
            )
        )
    return mine
