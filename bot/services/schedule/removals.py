"""The word that a coordinator took someone off a shift (➖ 移出, written by ``signup.remove``),
drawn again when it goes out (a kind of bot/redraw.py). It is urgent, so only a 429 or retries
hold it; meanwhile the shift may be moved or cancelled, or the person put back on it. A shift
cancelled since does not drop it: the cancellation tells only those on the shift, and the word
held back is then all that tells them not to go. Put back and taken off again while the first
word waits, they have a second word (under its own key): the later one tells, the earlier is
dropped, so they read it once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, AssignmentStatus, OutboxMessage, Shift
from bot.i18n import Translator
from bot.services.platform import outbox
from bot.services.platform.notify import translators
from bot.services.platform.redraw import Subject
from bot.services.schedule.shift_text import shift_label
from bot.settings import Settings

# What the word is drawn again from: the seat taken away (one row per member and shift, which
# a new seat on the shift reuses).
REMOVED = "removed"


KEY_PREFIX = "assignment-removed:"


def removed_key(assignment_id: int, now: dt.datetime) -> str:
    return f"{KEY_PREFIX}{assignment_id}:{now.isoformat()}"


async def _latest_words(
    session: AsyncSession, subjects: Sequence[Subject]
) -> dict[int, dt.datetime]:
    """When the latest word that a seat was taken away was queued, by seat, among the words to
    these subjects' chats since the earliest of them (the chat's index narrows it down)."""
    chats = sorted({subject.chat_id for subject in subjects})
    since = min(subject.queued_at for subject in subjects)
    rows = await session.execute(
        select(OutboxMessage.idempotency_key, OutboxMessage.created_at).where(
            OutboxMessage.chat_id.in_(chats),
            OutboxMessage.created_at >= since,
            OutboxMessage.idempotency_key.startswith(KEY_PREFIX, autoescape=True),
        )
    )
    latest: dict[int, dt.datetime] = {}
    for key, queued_at in rows.all():
        seat_id = key.removeprefix(KEY_PREFIX).partition(":")[0]
        if seat_id.isdigit():
            latest[int(seat_id)] = max(queued_at, latest.get(int(seat_id), queued_at))
    return latest


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
    nothing left to stay away from), or a later word of the seat was queued (put back and taken
    off again: that one tells it). Kept when the shift was cancelled while they were off it:
    its notice goes only to those on it, so this word is the only one to say they need not go."""
    ids = sorted({subject.args[0] for subject in subjects})
    found = await session.scalars(select(Assignment).where(Assignment.id.in_(ids)))
    removed = {seat.id: seat for seat in found.unique()}
    latest = await _latest_words(session, subjects)
    translator = translators(settings)
    drawn: list[outbox.Message | None] = []
    for subject in subjects:
        seat = removed.get(subject.args[0])
        if (
            seat is None
            or seat.status is not AssignmentStatus.REMOVED
            or seat.shift.ends_at <= now
            or latest.get(seat.id, subject.queued_at) > subject.queued_at
        ):
            drawn.append(None)
            continue
        drawn.append(removed_notice(translator(seat.member.language), seat.id, seat.shift))
    return drawn
