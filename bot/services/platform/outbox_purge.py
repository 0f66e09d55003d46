"""Forgetting the outbox's old rows: a message delivered, or given up on (blocked, parked,
dropped), is deleted once nothing can still ask for it (a scheduler job, bot/due.py).

A row outlives its sending because its idempotency key is how a job knows it told someone
already: a reminder, a tally, a notice that a seat was assigned (seat_scan's ``NOT EXISTS``), the
reminder to acknowledge a seat of a rota (asked until the shift starts), a card closed in place
once its request is settled (cards.keys_under reads its copies by key prefix, and the message id
Telegram gave it), the forerunners of a notice drawn again (shift_changes, removals), a
broadcast's counts by batch. Each of these asks only while what it concerns lies ahead: a shift
not yet begun, an order not yet closed, a request not yet settled. The settings cap every such
horizon at a year (SIGNUP_OPEN_DAYS, order deadlines, UNAVAILABLE periods); a crash replay asks
only within the two days the inbox keeps an update (platform/inbox.KEEP). Rows are therefore
kept KEEP_DELIVERED, a year and a margin: deleting one sooner could send a notice twice (a
reminder to acknowledge a seat of a shift planned far ahead) or leave a card's buttons open.
Pending rows are never deleted here, whatever their age: the sender still owes them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, delete, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxMessage, OutboxStatus
from bot.settings import Settings

KEEP_DELIVERED = dt.timedelta(days=400)
# The ids one run looks at per status, from the lowest: a bot back after a long stop, or the
# first run over a year of history, catches up over a few ticks rather than in one long write.
PURGE_SPAN = 1000
FINISHED = (OutboxStatus.SENT, OutboxStatus.BLOCKED, OutboxStatus.PARKED, OutboxStatus.DROPPED)


async def purge(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """DueJob: delete the finished rows older than KEEP_DELIVERED, up to PURGE_SPAN ids per
    status from the oldest. One read when there is nothing to delete (a tick then takes no
    write lock on SQLite), and one delete when there is; each walks the index of (status, id)
    over a bounded span, never the table. Queues no message (0)."""
    cutoff = now - KEEP_DELIVERED
    # The oldest row of each finished status: ids grow with time, so the oldest rows of a
    # status are its lowest ids, and when its lowest is young nothing of it is old.
    oldest = [
        select(OutboxMessage.status, OutboxMessage.id, OutboxMessage.created_at)
        .where(OutboxMessage.status == status)
        .order_by(OutboxMessage.id)
        .limit(1)
        .subquery()
        for status in FINISHED
    ]
    rows = await session.execute(union_all(*(select(lowest) for lowest in oldest)))
    spans = [
        and_(
            OutboxMessage.status == status,
            OutboxMessage.id >= lowest,
            OutboxMessage.id < lowest + PURGE_SPAN,
        )
        for status, lowest, created_at in rows.all()
        if created_at < cutoff
    ]
    if spans:
        await session.execute(
            delete(OutboxMessage)
            .where(or_(*spans), OutboxMessage.created_at < cutoff)
            .execution_options(synchronize_session=False)
        )
    return 0
