"""Offers of a shift's open seats about to go out, judged again: whether the seat is still
there for the reader to take by signing up. Both the understaffed alert's ✋ 报名 and the seat
freed by leave (🙋 我来接) are drawn again this way when the outbox sends them (bot/redraw.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, Shift, ShiftStatus
from bot.services.platform.notify import members_of_chats
from bot.services.platform.redraw import Subject
from bot.services.schedule import seats
from bot.services.schedule.eligibility import refusals
from bot.settings import Settings


@dataclass(frozen=True)
class OpenSeat:
    reader: Member
    shift: Shift
    missing: int


async def still_open(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[OpenSeat | None]:
    """One per subject (its first argument the shift's id): the reader, the shift as it is and
    the seats it still misses; None when there is no seat to offer any more (the shift full,
    cancelled or started) or the reader may no longer take it by signing up (the rules of
    sign-up: on it since, on another shift or on leave at that hour, left the unit, ...)."""
    shift_ids = sorted({subject.args[0] for subject in subjects})
    found = await session.scalars(select(Shift).where(Shift.id.in_(shift_ids)))
    shifts = {shift.id: shift for shift in found.unique()}
    taken = await seats.seats(session, shift_ids)
    readers = await members_of_chats(session, [subject.chat_id for subject in subjects])
    asked: dict[int, tuple[Member, Shift]] = {}
    for index, subject in enumerate(subjects):
        shift = shifts.get(subject.args[0])
        reader = readers.get(subject.chat_id)
        if (
            shift is not None
            and reader is not None
            and shift.status is ShiftStatus.SCHEDULED
            and taken[shift.id].seated < shift.capacity
        ):
            asked[index] = (reader, shift)
    refused = await refusals(session, asked.values(), now, settings)
    drawn: list[OpenSeat | None] = []
    for index in range(len(subjects)):
        pair = asked.get(index)
        if pair is None or refused[(pair[0].id, pair[1].id)] is not None:
            drawn.append(None)
            continue
        reader, shift = pair
        drawn.append(OpenSeat(reader, shift, shift.capacity - taken[shift.id].seated))
    return drawn
