"""The notices of leave drawn again when they go out (kinds of bot/redraw.py): a request to
decide, to the unit's coordinators; the decision, to the asker; a seat it freed, offered to the
unit, and who took it, to the coordinators. Written by bot/services/rostering/leave.py
and leave_decisions.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, LeaveRequest, LeaveStatus, Member, ShiftStatus
from bot.errors import DomainError
from bot.services.people.access import Actor
from bot.services.platform.notify import members_of_chats, translators
from bot.services.platform.outbox import Message
from bot.services.platform.redraw import Subject
from bot.services.rostering import leave_decisions, leave_waiting, notices
from bot.services.schedule import open_seats, seats
from bot.settings import Settings


async def redraw_requests(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The leave requests about to go out to their deciders (`notices.leave_asked`), drawn again
    at `now`: the shift as it is, the asker's leaves this month and the cut-off as of now. None
    for a request no longer to decide: decided (in /roster, by another coordinator), withdrawn,
    its seat gone, its shift cancelled or started; or for a reader who may no longer decide it
    (no longer a coordinator of its unit, nor an admin: their 批准 would be refused)."""
    found = {
        request.id: request
        for request in (
            await session.scalars(
                leave_waiting.undecided(now).where(
                    LeaveRequest.id.in_(sorted({subject.args[0] for subject in subjects}))
                )
            )
        ).unique()
    }
    readers = await members_of_chats(session, [subject.chat_id for subject in subjects])
    translator = translators(settings)
    drawn: list[Message | None] = []
    for subject in subjects:
        request = found.get(subject.args[0])
        reader = readers.get(subject.chat_id)
        if request is None or not _may_decide(subject.chat_id, reader, request, settings):
            drawn.append(None)
            continue
        render = await leave_waiting.request_render(session, request, now, settings)
        drawn.append(render(translator(reader.language if reader is not None else None)))
    return drawn


def _may_decide(
    chat_id: int, reader: Member | None, request: LeaveRequest, settings: Settings
) -> bool:
    """Whether the reader of `chat_id` may press 批准 / 驳回 on `request` (the rule the press
    is held to)."""
    try:
        leave_decisions.require_decider(Actor.of(chat_id, reader, settings.admin_ids), request)
    except DomainError:
        return False
    return True


async def redraw_offers(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The offers of seats freed by leave about to go out (`notices.freed_seat`), drawn again at
    `now`: the shift as it is. None when the seat is no longer to take: the shift full again
    (someone took it, the waitlist, a coordinator), cancelled or started; or the reader may no
    longer take it by 🙋 我来接 (the rules of sign-up, as when it was offered: on it, left the
    unit, on another shift at that hour since, the weekly cap reached, ...)."""
    translator = translators(settings)
    return [
        notices.freed_seat(seat.shift)(translator(seat.reader.language))
        if seat is not None
        else None
        for seat in await open_seats.still_open(session, subjects, now, settings)
    ]


async def redraw_decided(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The word to askers that their leave was decided (`notices.leave_decided`), drawn again at
    `now`: the shift as it is. None when it no longer holds as told: the shift cancelled (told
    in its own notice) or over (kept while it is under way: they may still be looked for there,
    or still turn up); approved, but the seat given back to them since; rejected, but the seat
    no longer theirs (taken off, swapped away)."""
    ids = sorted({subject.args[0] for subject in subjects})
    found = await session.scalars(select(LeaveRequest).where(LeaveRequest.id.in_(ids)))
    requests = {request.id: request for request in found.unique()}
    translator = translators(settings)
    drawn: list[Message | None] = []
    for subject in subjects:
        request = requests.get(subject.args[0])
        if request is None or request.assignment.shift.status is not ShiftStatus.SCHEDULED:
            drawn.append(None)
            continue
        approved = request.status is LeaveStatus.APPROVED
        seat = request.assignment
        holds = seat.member_id == request.member_id and seat.status in seats.SEATED
        if (
            request.status not in (LeaveStatus.APPROVED, LeaveStatus.REJECTED)
            or holds == approved
            or seat.shift.ends_at <= now
        ):
            drawn.append(None)
            continue
        by = request.decided_by.display_name if request.decided_by is not None else None
        render = notices.leave_decided(request, approved, by)
        drawn.append(render(translator(request.member.language)))
    return drawn


async def redraw_taken(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The word to coordinators that a seat freed by leave was taken (`notices.freed_seat_taken`),
    drawn again at `now`: the shift and the taker's name as they are. None once the taker no
    longer holds it (given up, taken off), the shift was cancelled, or it is over (kept while it
    is under way: the coordinator may look for them there)."""
    ids = sorted({subject.args[0] for subject in subjects})
    found = await session.scalars(select(Assignment).where(Assignment.id.in_(ids)))
    taken = {seat.id: seat for seat in found.unique()}
    readers = await members_of_chats(session, [subject.chat_id for subject in subjects])
    translator = translators(settings)
    drawn: list[Message | None] = []
    for subject in subjects:
        seat = taken.get(subject.args[0])
        if (
            seat is None
            or seat.status not in seats.SEATED
            or seat.shift.status is not ShiftStatus.SCHEDULED
            or seat.shift.ends_at <= now
        ):
            drawn.append(None)
            continue
        reader = readers.get(subject.chat_id)
        render = notices.freed_seat_taken(seat)
        drawn.append(render(translator(reader.language if reader is not None else None)))
    return drawn
