"""The sender's claim on the outbox: which due messages a pass takes, in what order, and for how
long they are its own (bot/sender.py). On PostgreSQL several processes may run a sender; rows
another is claiming are skipped, so two never take the same row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxMessage, OutboxStatus

# A claim is a lease: a process that dies mid-send leaves rows that another may take later.
CLAIM_LEASE = dt.timedelta(minutes=2)

# The order in which due messages are claimed. An edit of a message already on someone's screen
# (a broadcast's running count) goes ahead of new messages: edits are few, and one queued behind
# a broadcast of 3,000 messages would show its count minutes after it was true. Otherwise, and
# among the edits (one message's edits arrive in the order they were queued), oldest first. An
# edit needs nothing queued before it, since the message it edits has been sent already; the
# pacing still lets it go only within Telegram's limits. Read as up to two statements, all due
# messages and, past a backlog only, the edits, each walking an index in its order
# (ix_outbox_claim, ix_outbox_edits) and stopping at `limit`: one ordered by a rank computed
# from `kind` sorted every due row at every pass.
EDIT = "edit"


def claim_queries(
    now: dt.datetime, *, quiet: bool, limit: int, skip_chats: Collection[int] = ()
) -> tuple[Select[OutboxMessage], Select[OutboxMessage]]:
    """The due messages `claim_due` reads: the edits, then the others, each oldest first."""
    conditions = [
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.not_before <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    ]
    if quiet:
        conditions.append(OutboxMessage.urgent.is_(True))
    if skip_chats:
        # Not read at all rather than read and left: a chat with a day of messages due, all
        # waiting, would otherwise fill the `limit` rows of every pass, and no chat queued
        # after it would be reached.
        conditions.append(OutboxMessage.chat_id.not_in(sorted(skip_chats)))
    due = select(OutboxMessage).where(and_(*conditions))
    edits = due.where(OutboxMessage.kind == EDIT).order_by(OutboxMessage.id).limit(limit)
    # All due messages, the edits among them (`claim_due` skips those): a condition on `kind`
    # here would let the planner prefer sorting what it guesses is a few rows.
    everything = due.order_by(OutboxMessage.id).limit(limit)
    return edits, everything


async def claim_due(
    session: AsyncSession,
    now: dt.datetime,
    worker: str,
    *,
    quiet: bool = False,
    limit: int = 200,
    fits: Callable[[Sequence[OutboxMessage]], Sequence[bool]] | None = None,
    skip_chats: Collection[int] = (),
) -> list[OutboxMessage]:
    """Take up to `limit` due messages for `worker`: the edits, then the others, each oldest first.
    During quiet hours only urgent ones are due; the rest wait, they are never dropped. On
    PostgreSQL rows another process is claiming are skipped (SKIP LOCKED), so two senders never
    take the same row.
    `fits`: of the due rows read, in order, those that can go now (the sender's pacing); only
    they are claimed, the others stay as they were for a later pass.
    `skip_chats`: chats none of whose messages may go now (waiting behind a retry), not read."""
    edits_query, everything_query = claim_queries(
        now, quiet=quiet, limit=limit, skip_chats=skip_chats
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        edits_query = edits_query.with_for_update(skip_locked=True)
        everything_query = everything_query.with_for_update(skip_locked=True)
    everything = list((await session.scalars(everything_query)).all())
    if len(everything) < limit:
        # Every due message was read (the usual pass, no backlog): the edits among them are all
        # the edits due, and the pass is one statement.
        edits = [row for row in everything if row.kind == EDIT]
    else:
        # A backlog: an edit may wait beyond the first `limit` rows. Read again, the edits
        # already read are the same objects.
        edits = list((await session.scalars(edits_query)).all())
    taken = set(edits)
    rows = (edits + [row for row in everything if row not in taken])[:limit]
    if fits is not None:
        rows = [row for row, fit in zip(rows, fits(rows), strict=True) if fit]
    for row in rows:
        row.claimed_by = worker
        row.claimed_until = now + CLAIM_LEASE
    await session.flush()
    return rows
