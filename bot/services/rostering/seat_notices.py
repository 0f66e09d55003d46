"""The word that a re-imported schedule took someone off a shift (`notices.unassigned`, written
by bot/services/rostering/importing.py), drawn again when it goes out (a kind of bot/redraw.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, ShiftStatus
from bot.services.platform.notify import translators
from bot.services.platform.outbox import Message
from bot.services.platform.redraw import Subject
from bot.services.rostering import notices
from bot.services.schedule import seats
from bot.settings import Settings


async def redraw_unassigned(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The word to people taken off a shift, drawn again at `now`: the shift as it is. None once
    they are on it again (the seat given back, by hand or by another import) or it was
    cancelled (told in its own notice)."""
    ids = sorted({subject.args[0] for subject in subjects})
    found = await session.scalars(select(Assignment).where(Assignment.id.in_(ids)))
    removed = {seat.id: seat for seat in found.unique()}
    shift_ids = sorted({seat.shift_id for seat in removed.values()})
    on_them = {
        (shift_id, member_id)
        for shift_id, member_id in await session.execute(
            select(Assignment.shift_id, Assignment.member_id).where(
                Assignment.shift_id.in_(shift_ids), Assignment.status.in_(seats.ATTACHED)
            )
        )
    }
    translator = translators(settings)
    drawn: list[Message | None] = []
    for subject in subjects:
        seat = removed.get(subject.args[0])
        if (
            seat is None
            or seat.shift.status is not ShiftStatus.SCHEDULED
            or (seat.shift_id, seat.member_id) in on_them
        ):
            drawn.append(None)
            continue
        drawn.append(notices.unassigned(seat)(translator(seat.member.language)))
    return drawn
