"""The write side of the outbox (DESIGN principle 4).

A notification that is not a direct answer to the person's own message is written here, in the
same transaction as the change that caused it, under an idempotency key: writing the same key
twice is a no-op, so a tick that runs twice or a retried update never sends twice. Texts are
rendered for the recipient before they are stored; buttons are plain (text, callback data)
pairs so services stay free of Telegram types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxMessage, OutboxStatus

ButtonRows = Sequence[Sequence[tuple[str, str]]]


def payload(
    text: str | None = None,
    *,
    buttons: ButtonRows | None = None,
    photo: str | None = None,
    photo_path: str | None = None,
    document: str | None = None,
    filename: str | None = None,
    media: Sequence[str] | None = None,
    location_request: bool = False,
    edit_message_id: int | None = None,
) -> dict[str, Any]:
    """The stored form of one message: text (or caption), inline buttons, and a file_id of a
    photo or document, or several photo file_ids sent as an album. With `edit_message_id` the
    text and buttons replace those of a message sent before (a progress count, say)."""
    body: dict[str, Any] = {"text": text}
    if edit_message_id is not None:
        body["edit_message_id"] = edit_message_id
    if buttons:
        body["buttons"] = [[[label, data] for label, data in row] for row in buttons]
    if photo:
        body["photo"] = photo
    if photo_path:
        # A file the bot wrote under data/ (a tally's chart), uploaded by the sender.
        body["photo_path"] = photo_path
    if document:
        body["document"] = document
        body["filename"] = filename
    if media:
        body["media"] = list(media)
    if location_request:
        body["location_request"] = True
    return body


def _kind(body: dict[str, Any]) -> str:
    if body.get("edit_message_id") is not None:
        return "edit"
    for kind in ("media", "photo", "document"):
        if body.get(kind):
            return kind
    if body.get("photo_path"):
        return "photo"
    return "text"


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    chat_id: int,
    body: dict[str, Any],
    now: dt.datetime,
    urgent: bool = False,
    not_before: dt.datetime | None = None,
    batch: str | None = None,
) -> bool:
    """Queue one message; False when a message with this key was queued before."""
    values = {
        "idempotency_key": key[:160],
        "chat_id": chat_id,
        "batch": batch,
        "kind": _kind(body),
        "payload": body,
        "urgent": urgent,
        "status": OutboxStatus.PENDING,
        "not_before": not_before or now,
        "attempts": 0,
        "created_at": now,
    }
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))
