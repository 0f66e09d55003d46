"""Cards closed in place: a message with buttons sent to several people (a swap to approve, to
each coordinator of the unit) whose buttons stop applying once one of them decided, or once it
was withdrawn, expired or became void. Each reader's card then says how it ended instead.

A card is queued with ``keep_id``: the sender keeps the id Telegram gave the sent message in
the card's outbox row, in the transaction that marks it sent (`keep_sent`). Closing the cards
of a request (`close`) drops those not sent yet (nobody saw them) and queues, for each one sent
or being sent, an edit under the card's key and ``:closed``, rendered in its reader's language
in the transaction of the change that closed it. The edit names the card's row (``edit_of``),
not a message id: the sender, in the transaction that claims it, looks the id up (`resolve`).
A card being sent while it was closed was claimed by an earlier pass than its edit, which
finds it sent; an edit claimed while its card is still pending (being sent, or claimed by a
sender killed before it recorded it) waits for it; an edit whose card never went out is
dropped. A card whose send failed, closed while it was being sent, goes out closed when it
is claimed again: the text of its edit, no buttons, the edit dropped in the same transaction.
So a crash at any moment leaves each card either unsent, edited once, or sent closed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxMessage, OutboxStatus
from bot.services.platform import outbox
from bot.services.platform.notify import Render, members_of_chats, translators
from bot.settings import Settings

# Where a sent card's message id is kept in its outbox row's payload.
SENT_ID = "sent_message_id"
CLOSED = ":closed"
# How long at least the edit of a card still pending waits before it is tried again.
CARD_WAIT = dt.timedelta(seconds=10)


async def keep_sent(session: AsyncSession, sent: Mapping[int, tuple[OutboxMessage, int]]) -> None:
    """Keep the Telegram message id of each card just sent (by outbox row id)."""
    for row_id, (row, message_id) in sent.items():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(payload={**row.payload, SENT_ID: message_id})
        )


async def close(
    session: AsyncSession,
    keys: Sequence[str],
    render: Render,
    *,
    now: dt.datetime,
    settings: Settings,
    spare: tuple[int, int] | None = None,
) -> int:
    """Close the cards queued under `keys`: one not sent and not being sent is dropped, each
    other is edited once to `render` in its reader's language; but the one sent to chat and
    message `spare` (the card pressed, answered in place), whose own closing edit still queued
    is dropped. How many are to be edited."""
    if not keys:
        return 0
    stored = [key[:160] for key in keys]
    # Those nobody is sending are dropped first, in one statement that checks the claim as it
    # writes: on PostgreSQL a sender claiming one meanwhile makes it wait, and then skip it.
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.idempotency_key.in_(stored),
            OutboxMessage.status == OutboxStatus.PENDING,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(status=OutboxStatus.DROPPED, last_error="closed before it was sent")
        .execution_options(synchronize_session=False)
    )
    shown = list(
        await session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.idempotency_key.in_(stored),
                OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENT]),
            )
            .order_by(OutboxMessage.id)
        )
    )
    readers = await members_of_chats(session, [row.chat_id for row in shown])
    translator = translators(settings)
    edits = []
    spared: list[str] = []
    for row in shown:
        if spare is not None and (row.chat_id, row.payload.get(SENT_ID)) == spare:
            spared.append((row.idempotency_key + CLOSED)[:160])
            continue
        reader = readers.get(row.chat_id)
        body = render(translator(reader.language if reader is not None else None))
        edits.append(
            outbox.Queued(
                row.idempotency_key + CLOSED,
                row.chat_id,
                dataclasses.replace(body, edit_of=row.id, keep_id=False),
            )
        )
    if spared:
        # An edit closing the spared card earlier (a copy shown again below), not sent yet,
        # would cover the answer given in place: dropped, as a card closed before it is sent.
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.idempotency_key.in_(spared),
                OutboxMessage.status == OutboxStatus.PENDING,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .values(status=OutboxStatus.DROPPED, last_error="its card was answered in place")
            .execution_options(synchronize_session=False)
        )
    return await outbox.enqueue_many(session, edits, now=now, urgent=True)


async def keys_under(
    session: AsyncSession, prefix: str, *, chat_id: int | None = None
) -> list[str]:
    """The keys of the cards queued under `prefix` (copies of one card, each under its own key),
    without their closing edits; only those to `chat_id` if given. No range on the keys' index:
    under a glibc collation punctuation and unassigned characters weigh nothing, so a range
    bounded by the prefix could leave keys of the request out; a card left open is worse than a
    LIKE that reads past the index."""
    query = select(OutboxMessage.idempotency_key).where(
        OutboxMessage.idempotency_key.startswith(prefix, autoescape=True),
        OutboxMessage.idempotency_key.not_like(f"%{CLOSED}"),
    )
    if chat_id is not None:
        query = query.where(OutboxMessage.chat_id == chat_id)
    return list(await session.scalars(query.order_by(OutboxMessage.id)))


async def resolve(
    session: AsyncSession, rows: Sequence[OutboxMessage], now: dt.datetime
) -> list[OutboxMessage]:
    """The claimed `rows` with the edits of closed cards made sendable: each names the message
    its card went out as, waits (put back for later) while its card is still pending, or is
    dropped when its card never went out. Returns the rows still to send, in their order."""
    await _send_closed(session, rows)
    wanted = {
        row.id: int(row.payload["edit_of"])
        for row in rows
        if row.payload.get("edit_of") is not None and row.status is OutboxStatus.PENDING
    }
    if not wanted:
        await session.flush()
        return [row for row in rows if row.status is OutboxStatus.PENDING]
    cards = {
        card.id: card
        for card in await session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(sorted(set(wanted.values()))))
        )
    }
    waiting: set[int] = set()
    for row in rows:
        if row.id not in wanted:
            continue
        card = cards.get(wanted[row.id])
        if card is not None and card.status is OutboxStatus.PENDING:
            # Still being sent, or to be sent again (a sender killed before it recorded the
            # card, a retry): the edit waits for it rather than leave it open for good.
            row.not_before = max(now + CARD_WAIT, card.not_before, card.claimed_until or now)
            row.claimed_by = row.claimed_until = None
            waiting.add(row.id)
            continue
        sent_id = card.payload.get(SENT_ID) if card is not None else None
        if card is None or card.status is not OutboxStatus.SENT or sent_id is None:
            row.status = OutboxStatus.DROPPED
            row.last_error = "its card was never sent"
            row.claimed_by = row.claimed_until = None
            continue
        payload = {key: value for key, value in row.payload.items() if key != "edit_of"}
        row.payload = {**payload, "edit_message_id": int(sent_id)}
        row.kind = "edit"
    await session.flush()
    return [row for row in rows if row.status is OutboxStatus.PENDING and row.id not in waiting]


async def _send_closed(session: AsyncSession, rows: Sequence[OutboxMessage]) -> None:
    """A claimed card closed while it had not gone out yet (its first send failed and is
    retried) goes out as its edit says, without buttons: its edit, still waiting for it, is
    dropped in the same transaction, so a crash leaves one or the other."""
    claimed = {
        row.id: row
        for row in rows
        if row.payload.get("keep_id") and row.payload.get("edit_of") is None
    }
    if not claimed:
        return
    edits = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.idempotency_key.in_(
                sorted({(row.idempotency_key + CLOSED)[:160] for row in claimed.values()})
            ),
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    )
    for edit in edits:
        card = claimed.get(int(edit.payload.get("edit_of") or 0))
        if card is None:
            continue
        closed = {key: value for key, value in edit.payload.items() if key != "edit_of"}
        card.payload = {**closed, "keep_id": True}
        card.kind = outbox.Message.from_json(card.payload).kind
        edit.status = OutboxStatus.DROPPED
        edit.last_error = "its card went out closed"
        edit.claimed_by = edit.claimed_until = None
