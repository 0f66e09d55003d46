"""The word that a coordinator took someone off a shift (➖ 移出, written by ``signup.remove``),
drawn again when it goes out (a kind of bot/redraw.py). It is urgent, so only a 429 or retries
hold it; meanwhile the shift may be moved or cancelled, or the person put back on it. A shift
cancelled since does not drop it: the cancellation tells only those on the shift, and the word
held back is then all that tells them not to go."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, AssignmentStatus, Shift
from bot.i18n import Translator
from bot.services.platform import outbox
from bot.services.platform.notify import translators
from bot.services.platform.redraw import Subject
from bot.services.schedule.shift_text import shift_label
from bot.settings import Settings

# What the word is drawn again from: the seat taken away (one row per member and shift, which
# a new seat on the shift reuses).
REMOVED = "removed"


def removed_key(assignment_id: int, now: dt.datetime) -> str:
    return f"assignment-removed:{assignment_id}:{now.isoformat()}"


def removed_notice(t: Translator, assignment_id: int, shift: Shift) -> outbox.Message:
    return outbox.payload(
        t("signup.notice.removed", shift=shift_label(t, shift)),
        redraw=outbox.Redraw(REMOVED, (assignment_id,)),
    )


async def redraw_removed(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[outbox.Message | None]:
    """The word to people taken off a shift, drawn again at `now`: the shift as it is. None once
    the seat is no longer as the removal left it (put back, signed up again, and whatever
    followed: on it when it was cancelled, they were told so), or the shift is over (there is
    nothing left to stay away from). Kept when the shift was cancelled while they were off it:
    its notice goes only to those on it, so this word is the only one to say they need not go."""
    ids = sorted({subject.args[0] for subject in subjects})
    found = await session.scalars(select(Assignment).where(Assignment.id.in_(ids)))
    removed = {seat.id: seat for seat in found.unique()}
    translator = translators(settings)
    drawn: list[outbox.Message | None] = []
    for subject in subjects:
        seat = removed.get(subject.args[0])
        if seat is None or seat.status is not AssignmentStatus.REMOVED or seat.shift.ends_at <= now:
            drawn.append(None)
            continue
        drawn.append(removed_notice(translator(seat.member.language), seat.id, seat.shift))
    return drawn
