"""The write side of the outbox (DESIGN principle 4).

A notification that is not a direct answer to the person's own message is written here, in the
same transaction as the change that caused it, under an idempotency key: writing the same key
twice is a no-op, so a tick that runs twice or a retried update never sends twice. Texts are
rendered for the recipient before they are stored; a message is a ``Message`` (no Telegram
types), which the sender (bot/sender.py) turns into a Bot API call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import CallbackData
from bot.db.leadership import current_leader
from bot.db.models import OutboxMessage, OutboxStatus

# A str only for data packed already (tests, and messages built before the buttons were typed).
# Button data is declared once, in bot/buttons/: never a string put together here.
ButtonRows = Sequence[Sequence[tuple[str, CallbackData]]]


@dataclass(frozen=True)
class InlineButton:
    text: str
    data: str


@dataclass(frozen=True)
class Redraw:
    """What a message is drawn again from when it goes out (bot/redraw.py): a kind of notice
    and its ids. One the quiet hours or a 429 held back then says what is true when it is sent
    (the shift's time now, the seats still held, leave asked since), not what was when it was
    queued; its key, and so exactly-once delivery, stay as they were."""

    kind: str
    args: tuple[int, ...]


@dataclass(frozen=True)
class Message:
    """One stored message, shared by the writer (services) and the sender: text (or caption),
    inline buttons, and a file_id of a photo or document, several photo file_ids sent as an
    album, or a file the bot made itself (a chart, a spreadsheet) stored on disk and uploaded.
    With `edit_message_id` the text and buttons replace those of a message sent before (a
    progress count, say). A message with `expires_at` that could not go out before then (quiet
    hours, a long 429, retries) is dropped instead of arriving when it no longer makes sense.
    `location_button` is a reply keyboard with one button that shares the person's location;
    `remove_keyboard` takes away the reply keyboard a dialogue left on the person's screen (a
    Cancel button that would cancel nothing any more): the Bot API's ReplyKeyboardRemove, made
    by the sender. A message carries one reply markup at most, and neither goes on an edit or an
    album (the Bot API takes none there): `payload` refuses such a mix.
    `thread_id`: in a forum supergroup, the topic it goes to (None: General). `redraw`: what
    it is drawn again from when it goes out (None: it goes as stored). `keep_id`: the id
    Telegram gives the sent message is kept with it, so that it can be edited later (a card
    whose buttons are closed once what it asks is settled, bot/services/platform/cards.py);
    `edit_of`: the outbox row of such a card that this message edits, once it has gone out."""

    text: str | None = None
    buttons: tuple[tuple[InlineButton, ...], ...] = ()
    photo: str | None = None
    document: str | None = None
    filename: str | None = None
    media: tuple[str, ...] = ()
    location_button: str | None = None
    edit_message_id: int | None = None
    photo_path: str | None = None
    document_path: str | None = None
    expires_at: dt.datetime | None = None
    thread_id: int | None = None
    redraw: Redraw | None = None
    remove_keyboard: bool = False
    keep_id: bool = False
    edit_of: int | None = None

    @property
    def kind(self) -> str:
        if self.edit_message_id is not None or self.edit_of is not None:
            return "edit"
        if self.media:
            return "media"
        if self.photo or self.photo_path:
            return "photo"
        if self.document or self.document_path:
            return "document"
        return "text"

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"text": self.text}
        if self.expires_at is not None:
            body["expires_at"] = self.expires_at.astimezone(dt.UTC).isoformat()
        if self.edit_message_id is not None:
            body["edit_message_id"] = self.edit_message_id
        if self.thread_id is not None:
            body["thread_id"] = self.thread_id
        if self.buttons:
            body["buttons"] = [[[b.text, b.data] for b in row] for row in self.buttons]
        for name in ("photo", "photo_path", "location_button"):
            if getattr(self, name):
                body[name] = getattr(self, name)
        for name in ("document", "document_path"):
            if getattr(self, name):
                body[name] = getattr(self, name)
                body["filename"] = self.filename
        if self.media:
            body["media"] = list(self.media)
        if self.redraw is not None:
            body["redraw"] = [self.redraw.kind, *self.redraw.args]
        if self.remove_keyboard:
            body["remove_keyboard"] = True
        if self.keep_id:
            body["keep_id"] = True
        if self.edit_of is not None:
            body["edit_of"] = self.edit_of
        return body

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Message:
        expires_at = body.get("expires_at")
        redraw = body.get("redraw")
        return cls(
            text=body.get("text"),
            buttons=tuple(
                tuple(InlineButton(str(text), str(data)) for text, data in row)
                for row in body.get("buttons") or ()
            ),
            photo=body.get("photo"),
            document=body.get("document"),
            filename=body.get("filename"),
            media=tuple(body.get("media") or ()),
            location_button=body.get("location_button"),
            edit_message_id=body.get("edit_message_id"),
            photo_path=body.get("photo_path"),
            document_path=body.get("document_path"),
            expires_at=dt.datetime.fromisoformat(expires_at) if expires_at else None,
            thread_id=body.get("thread_id"),
            redraw=Redraw(str(redraw[0]), tuple(map(int, redraw[1:]))) if redraw else None,
            remove_keyboard=bool(body.get("remove_keyboard")),
            keep_id=bool(body.get("keep_id")),
            edit_of=body.get("edit_of"),
        )


def payload(
    text: str | None = None,
    *,
    buttons: ButtonRows | None = None,
    photo: str | None = None,
    document: str | None = None,
    filename: str | None = None,
    media: Sequence[str] | None = None,
    location_button: str | None = None,
    edit_message_id: int | None = None,
    photo_path: str | None = None,
    document_path: str | None = None,
    expires_at: dt.datetime | None = None,
    thread_id: int | None = None,
    redraw: Redraw | None = None,
    remove_keyboard: bool = False,
    keep_id: bool = False,
) -> Message:
    """A message to store, with buttons given as (label, callback data) rows."""
    if remove_keyboard and (buttons or location_button or edit_message_id is not None or media):
        raise ValueError("remove_keyboard is a message's only reply markup, and not an edit's")
    return Message(
        text=text,
        buttons=tuple(
            tuple(InlineButton(label, data.pack()) for label, data in row) for row in buttons or ()
        ),
        photo=photo,
        document=document,
        filename=filename,
        media=tuple(media or ()),
        location_button=location_button,
        edit_message_id=edit_message_id,
        photo_path=photo_path,
        document_path=document_path,
        expires_at=expires_at,
        thread_id=thread_id,
        redraw=redraw,
        remove_keyboard=remove_keyboard,
        keep_id=keep_id,
    )


@dataclass(frozen=True)
class Queued:
    """One message of a bulk enqueue: its idempotency key, the chat, the message, and its own
    batch when the messages of one call belong to several (else the call's `batch`)."""

    key: str
    chat_id: int
    body: Message
    batch: str | None = None


# Rows per INSERT: well within SQLite's limit on bound parameters (10 columns a row).
BULK_ROWS = 500


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    chat_id: int,
    body: Message,
    now: dt.datetime,
    urgent: bool = False,
    not_before: dt.datetime | None = None,
    batch: str | None = None,
) -> bool:
    """Queue one message; False when a message with this key was queued before."""
    queued = await enqueue_many(
        session,
        [Queued(key, chat_id, body)],
        now=now,
        urgent=urgent,
        not_before=not_before,
        batch=batch,
    )
    return queued == 1


async def enqueue_many(
    session: AsyncSession,
    messages: Sequence[Queued],
    *,
    now: dt.datetime,
    urgent: bool = False,
    not_before: dt.datetime | None = None,
    batch: str | None = None,
) -> int:
    """Queue many messages in a few statements; returns how many were new (a key queued
    before is skipped). One INSERT ... ON CONFLICT DO NOTHING RETURNING, compiled once and sent
    with every row as parameters (SQLAlchemy batches them into multi-row VALUES), so a tick
    that queues ten thousand messages neither compiles nor round-trips per message."""
    if not messages:
        return 0
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.id)
    )
    queued = 0
    for start in range(0, len(messages), BULK_ROWS):
        rows = [
            {
                "idempotency_key": message.key[:160],
                "chat_id": message.chat_id,
                "batch": message.batch or batch,
                "kind": message.body.kind,
                "payload": message.body.to_json(),
                "urgent": urgent,
                "status": OutboxStatus.PENDING,
                "not_before": not_before or now,
                "attempts": 0,
                "created_at": now,
            }
            for message in messages[start : start + BULK_ROWS]
        ]
        connection = await session.connection()
        result = await connection.execute(statement, rows)
        queued += len(result.all())
    return queued


async def queued_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """The keys among these that a message was queued under before, in one statement per
    BULK_ROWS keys: a job asks this before it loads what it would need to render the rest."""
    found: set[str] = set()
    wanted = [key[:160] for key in keys]
    for start in range(0, len(wanted), BULK_ROWS):
        rows = await session.scalars(
            select(OutboxMessage.idempotency_key).where(
                OutboxMessage.idempotency_key.in_(wanted[start : start + BULK_ROWS])
            )
        )
        found.update(rows)
    return found


async def statuses_of_keys(session: AsyncSession, keys: Sequence[str]) -> dict[str, OutboxStatus]:
    """What became of the messages queued under these keys (those never queued are absent): a
    notice drawn again asks which of its forerunners went out."""
    found: dict[str, OutboxStatus] = {}
    wanted = [key[:160] for key in keys]
    for start in range(0, len(wanted), BULK_ROWS):
        rows = await session.execute(
            select(OutboxMessage.idempotency_key, OutboxMessage.status).where(
                OutboxMessage.idempotency_key.in_(wanted[start : start + BULK_ROWS])
            )
        )
        found.update(dict(rows.all()))
    return found


async def pending_among(session: AsyncSession, message_ids: Sequence[int]) -> set[int]:
    """Those of these outbox ids whose messages are still to be sent."""
    if not message_ids:
        return set()
    rows = await session.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.id.in_(list(message_ids)),
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    )
    return set(rows)


async def retire_keys(session: AsyncSession, keys: Sequence[str], suffix: str) -> int:
    """Free `keys` for new messages: each row under one is renamed with `suffix`, and one not
    yet sent is dropped (it says what is no longer true). How many rows there were."""
    if not keys:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.idempotency_key.in_(list(keys)))
        .values(
            idempotency_key=OutboxMessage.idempotency_key + suffix,
            status=case(
                (
                    OutboxMessage.status == OutboxStatus.PENDING,
                    literal(OutboxStatus.DROPPED, OutboxMessage.status.type),
                ),
                else_=OutboxMessage.status,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def withdraw_keys(session: AsyncSession, keys: Sequence[str], suffix: str) -> int:
    """Drop the messages under `keys` not sent yet (they speak of what is no longer so), their
    keys freed with `suffix`; those sent stay as they are. How many were dropped."""
    if not keys:
        return 0
    dropped = 0
    wanted = [key[:160] for key in keys]
    for start in range(0, len(wanted), BULK_ROWS):
        result = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.idempotency_key.in_(wanted[start : start + BULK_ROWS]),
                OutboxMessage.status == OutboxStatus.PENDING,
            )
            .values(
                idempotency_key=OutboxMessage.idempotency_key + suffix,
                status=OutboxStatus.DROPPED,
                last_error="withdrawn: no longer so",
            )
            .execution_options(synchronize_session=False)
        )
        dropped += int(getattr(result, "rowcount", 0) or 0)
    return dropped


async def withdraw_under(session: AsyncSession, prefix: str, suffix: str) -> int:
    """Drop the messages whose keys start with `prefix` not sent yet, their keys freed with
    `suffix`, in one statement: whoever they were queued for, also someone the keys could not
    be built for again (no longer of the audience). How many were dropped."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.idempotency_key.startswith(prefix, autoescape=True),
        )
        .values(
            idempotency_key=OutboxMessage.idempotency_key + suffix,
            status=OutboxStatus.DROPPED,
            last_error="withdrawn: no longer so",
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def drop_chat(session: AsyncSession, chat_id: int, reason: str) -> int:
    """Drop every message for `chat_id` not sent yet (the bot may no longer write there); how
    many."""
    return await _end_chat(session, chat_id, OutboxStatus.DROPPED, reason)


async def block_chat(session: AsyncSession, chat_id: int, reason: str) -> int:
    """Mark every message for `chat_id` not sent yet undeliverable, with Telegram's reason (the
    person cannot be written to); how many."""
    return await _end_chat(session, chat_id, OutboxStatus.BLOCKED, reason)


async def park_chat(session: AsyncSession, chat_id: int, reason: str) -> int:
    """Park every message for `chat_id` not sent yet, with Telegram's reason (an id that is no
    member's cannot be written to: the admins see why); how many."""
    return await _end_chat(session, chat_id, OutboxStatus.PARKED, reason)


async def _end_chat(session: AsyncSession, chat_id: int, status: OutboxStatus, reason: str) -> int:
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=status, last_error=reason[:500], claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def redrawn(row: OutboxMessage, body: Message | None) -> None:
    """A claimed message drawn again before it goes out (bot/services/platform/redraw.py): it
    is stored as it is sent, under its own key; None: nothing it said still holds, dropped."""
    if body is None:
        row.status = OutboxStatus.DROPPED
        row.last_error = "redrawn: nothing of it holds any more"
        row.claimed_by = row.claimed_until = None
        return
    row.kind = body.kind
    row.payload = body.to_json()


async def _finish(session: AsyncSession, message_id: int, **values: Any) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(claimed_by=None, claimed_until=None, **values)
    )


async def mark_sent(session: AsyncSession, message_ids: Sequence[int], now: dt.datetime) -> None:
    if message_ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids))
            .values(
                status=OutboxStatus.SENT,
                sent_at=now,
                last_error=None,
                claimed_by=None,
                claimed_until=None,
            )
        )


async def mark_blocked(session: AsyncSession, message_id: int, reason: str) -> None:
    await _finish(session, message_id, status=OutboxStatus.BLOCKED, last_error=reason[:500])


async def drop(session: AsyncSession, message_id: int, reason: str) -> None:
    await _finish(session, message_id, status=OutboxStatus.DROPPED, last_error=reason[:500])


async def park(session: AsyncSession, message_id: int, reason: str) -> None:
    await _finish(session, message_id, status=OutboxStatus.PARKED, last_error=reason[:500])


async def retry_at(
    session: AsyncSession, message_id: int, when: dt.datetime, reason: str, *, attempt: bool
) -> None:
    """Put a message back for later; `attempt` counts a failure (a 429 is not one)."""
    values: dict[str, Any] = {"not_before": when, "last_error": reason[:500]}
    if attempt:
        values["attempts"] = OutboxMessage.attempts + 1
    await _finish(session, message_id, **values)


async def release(session: AsyncSession, message_ids: Sequence[int], worker: str) -> None:
    """Hand back claimed messages that were not tried (their chat must wait). Only the
    worker's own claims: a sender that lost the lead while in a pass must not free rows that
    the new leader claimed meanwhile."""
    if message_ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids), OutboxMessage.claimed_by == worker)
            .values(claimed_by=None, claimed_until=None)
        )


async def release_others(session: AsyncSession, worker: str) -> int:
    """Free the pending messages claimed by any worker but `worker`, before their lease runs
    out; returns how many. For a sender that has just taken the lead (bot/sender.py says when
    that is safe)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.claimed_by.is_not(None),
            OutboxMessage.claimed_by != worker,
        )
        .values(claimed_by=None, claimed_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def batch_counts(session: AsyncSession, batch: str) -> dict[OutboxStatus, int]:
    """How many messages of a batch stand at each status."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.batch == batch)
        .group_by(OutboxMessage.status)
    )
    return {OutboxStatus(status): int(count) for status, count in rows.all()}


PARKED_SHOWN = 5


@dataclass(frozen=True)
class Overview:
    """The state of the outbox for admins: how many messages stand at each status, how many
    pending ones are due now, the latest parked ones with Telegram's reason, and which process
    sends (on PostgreSQL, where several may run; None on SQLite)."""

    counts: dict[OutboxStatus, int]
    due_now: int
    parked: list[OutboxMessage]
    leader: str | None = None


async def overview(session: AsyncSession, now: dt.datetime) -> Overview:
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    counts = {OutboxStatus(status): int(count) for status, count in rows.all()}
    due_now = await session.scalar(
        select(func.count()).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now
        )
    )
    parked = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PARKED)
        .order_by(OutboxMessage.id.desc())
        .limit(PARKED_SHOWN)
    )
    return Overview(
        counts=counts,
        due_now=int(due_now or 0),
        parked=list(parked),
        leader=await current_leader(session),
    )
