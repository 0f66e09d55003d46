"""The cards that ask a leave request's deciders for 批准 / 驳回 (one to each coordinator of the
unit, or to each admin), named in one place: a decision closes the others' cards
(rostering/leave_decisions.py), and so does a request that ends without one, each card then
saying how (bot/services/platform/cards.py). Here, with `withdraw_leave`, as a seat taken off
(signup) ends a request in this domain and rostering reads them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LeaveRequest, LeaveStatus, Member
from bot.i18n import Translator
from bot.services.platform import audit, cards, outbox
from bot.services.platform.notify import Render
from bot.services.platform.outbox import Message
from bot.services.schedule import shift_text
from bot.services.schedule.seats import pending_leave
from bot.settings import Settings


class Ending(StrEnum):
    """How a leave request ended with nobody deciding it: its catalog key's last word."""

    LEFT = "left"  # the member left the unit (or the posts), and the seat with it
    TAKEN_OFF = "taken_off"  # the seat is no longer theirs: taken off, given up, swapped
    CANCELLED = "cancelled"  # the shift was cancelled
    STARTED = "started"  # the shift started first: they were expected on post


# The request's first cards, one to each decider when it was asked.
ASKED = "leave-asked:"


def card_key(leave_id: int, member_id: int) -> str:
    """The card to a coordinator (by member id)."""
    return f"{ASKED}{leave_id}:{member_id}"


def admin_card_key(leave_id: int, admin_id: int) -> str:
    """The card to an admin of ADMIN_IDS (by Telegram id)."""
    return f"{ASKED}{leave_id}:a{admin_id}"


# The copies /roster sends again (rostering/leave_copies.py), each showing under its own key.
COPIES = "leave-shown:"


def copy_key(leave_id: int, chat_id: int, token: str) -> str:
    """A copy of `leave`'s card sent again to a decider's chat under /roster."""
    return f"{COPIES}{leave_id}:{chat_id}:{token}"


async def keys(session: AsyncSession, leave: LeaveRequest) -> list[str]:
    """The keys every card of `leave` went out under, the /roster copies too: as the outbox
    holds them, not as the unit's coordinators (or ADMIN_IDS) are now, so the card of one who
    lost the role or left the unit since is closed too."""
    return await cards.keys_under(session, f"{ASKED}{leave.id}:") + await cards.keys_under(
        session, f"{COPIES}{leave.id}:"
    )


def who(member: Member) -> str:
    """The asker as a card names them: with their phone, to be called."""
    return f"{member.display_name} {member.phone}" if member.phone else member.display_name


def request_text(t: Translator, leave: LeaveRequest) -> str:
    """The request itself, as its card showed it (without the counts of the day it went)."""
    return t(
        "rostering.notice.leave_asked",
        name=who(leave.member),
        shift=shift_text.shift_label(t, leave.assignment.shift),
        reason=leave.reason,
    )


def ended(leave: LeaveRequest, ending: Ending, at: dt.datetime) -> Render:
    """A card of `leave` once it ended undecided: the request, and how and when it ended."""

    def render(t: Translator) -> Message:
        outcome = t(f"rostering.notice.leave_ended_{ending.value}", at=t.datetime(at))
        return outbox.payload(f"{request_text(t, leave)}\n{outcome}")

    return render


async def close_ended(
    session: AsyncSession,
    leave: LeaveRequest,
    ending: Ending,
    now: dt.datetime,
    settings: Settings,
    at: dt.datetime | None = None,
) -> int:
    """Every card of `leave` says how it ended (`at`, by default now), once (an end reached
    again queues nothing)."""
    return await cards.close(
        session,
        await keys(session, leave),
        ended(leave, ending, at or now),
        now=now,
        settings=settings,
    )


async def withdraw_leave(
    session: AsyncSession,
    asked: Iterable[LeaveRequest],
    ending: Ending,
    now: dt.datetime,
    settings: Settings,
) -> int:
    """Leave asked and not decided, withdrawn because its seat went (taken off the shift, the
    member left the unit, the shift cancelled), each in the audit log, and each card asking its
    deciders says so; how many."""
    count = 0
    for request in asked:
        request.status = LeaveStatus.WITHDRAWN
        request.decided_at = now
        audit.record(
            session,
            actor_id=None,
            action="leave.withdraw",
            object_type="leave",
            object_id=request.id,
            before={"status": LeaveStatus.ASKED.value},
            after={"status": LeaveStatus.WITHDRAWN.value},
            now=now,
        )
        await close_ended(session, request, ending, now, settings)
        count += 1
    return count


async def withdraw_taken_off(
    session: AsyncSession, assignment_id: int, now: dt.datetime, settings: Settings
) -> None:
    """Leave asked from a seat taken off (by a coordinator, or by an import) is over with it:
    the row is reused if the member is put on the shift again, and the old request would come
    back as if asked of the new seat."""
    leave = await pending_leave(session, assignment_id)
    if leave is not None:
        await withdraw_leave(session, [leave], Ending.TAKEN_OFF, now, settings)
