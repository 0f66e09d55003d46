"""Drawing a queued notice again when it goes out.

A notice is rendered when it is queued, in the transaction of the change that caused it; the
quiet hours (or a 429, or retries) may hold it for hours, while the shift is moved, a seat is
given up, leave is asked. A notice whose text depends on such state carries a ``Redraw`` (its
kind and ids): the sender, in the transaction that claims it, has it drawn again from the
database by the function of its kind (the table in bot/redraw.py) and stores what it will send
under the same key, or drops it when nothing of it holds any more. Nothing else changes: the
key, the chat, the urgency and the claim are those of the row, so a crash repeats at most what
it repeated before, and a notice is still sent once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxMessage, OutboxStatus
from bot.services.platform import outbox
from bot.services.platform.outbox import Message
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subject:
    """One message to draw again: the ids its kind names, when it was queued (what it says of
    that moment, "starts in 2 hours" say, is said of it again), and the chat it goes to (whose
    language it is drawn in, when the ids do not name the reader)."""

    args: tuple[int, ...]
    queued_at: dt.datetime
    chat_id: int = 0


# The messages of one kind drawn again at `now`, in the order given: a message, or None when
# nothing it said still holds (it is dropped).
RedrawFunction = Callable[
    [AsyncSession, Sequence[Subject], dt.datetime, Settings], Awaitable[Sequence[Message | None]]
]


async def redraw_claimed(
    session: AsyncSession,
    rows: Sequence[OutboxMessage],
    now: dt.datetime,
    settings: Settings,
    kinds: Mapping[str, RedrawFunction],
) -> list[OutboxMessage]:
    """Draw again the claimed `rows` that carry a Redraw, in bulk per kind, and store them as
    they will be sent; returns the rows still to send, in their order. A kind that fails to
    draw (a bug, not a state) leaves its messages as stored rather than stopping the sender."""
    wanted: dict[str, list[tuple[OutboxMessage, Subject]]] = defaultdict(list)
    for row in rows:
        drawn = row.payload.get("redraw")
        if not drawn or str(drawn[0]) not in kinds:
            continue
        stored = Message.from_json(row.payload).redraw
        assert stored is not None  # as read
        wanted[stored.kind].append((row, Subject(stored.args, row.created_at, row.chat_id)))
    for kind, pairs in wanted.items():
        try:
            async with session.begin_nested():
                subjects = [subject for _, subject in pairs]
                bodies = await kinds[kind](session, subjects, now, settings)
                if len(bodies) != len(subjects):
                    raise ValueError(f"{len(bodies)} messages drawn for {len(subjects)}")
        except Exception:
            log.exception("outbox messages of kind %s could not be drawn again", kind)
            continue
        for (row, _), drawn_body in zip(pairs, bodies, strict=True):
            outbox.redrawn(row, drawn_body)
    await session.flush()
    return [row for row in rows if row.status is OutboxStatus.PENDING]
