"""The outbox's messages when Telegram changes a chat under them: a basic group upgraded to
a supergroup (a new chat id, its messages follow) and a forum topic deleted (its messages go to
the group's General topic). Dropping a chat's messages, which departures use too, stays in
outbox.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxMessage, OutboxStatus
from bot.services.platform.outbox import queued_keys


def _key_for_chat(key: str, old_chat_id: int, new_chat_id: int) -> str:
    """`key` with the chat it names changed: keys name a group as a part of their own, its id
    (``tally:<chat>:<day>``) or ``g<id>`` (``...:g<chat>``)."""
    names = {str(old_chat_id): str(new_chat_id), f"g{old_chat_id}": f"g{new_chat_id}"}
    return ":".join(names.get(part, part) for part in key.split(":"))[:160]


async def move_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> int:
    """A group that Telegram moved to a new id (a basic group upgraded to a supergroup): its
    messages follow, sent or not, under keys that name the new id, so that a job asking
    whether today's report went out finds it and sends nothing twice. A message not sent yet
    whose key the new id holds already is dropped, being that one's twin. How many moved."""
    rows = (
        await session.execute(
            select(OutboxMessage.id, OutboxMessage.idempotency_key, OutboxMessage.status).where(
                OutboxMessage.chat_id == old_chat_id
            )
        )
    ).all()
    if not rows:
        return 0
    renamed = {row.id: _key_for_chat(row.idempotency_key, old_chat_id, new_chat_id) for row in rows}
    taken = await queued_keys(session, list(renamed.values()))
    for row in rows:
        key = renamed[row.id]
        values: dict[str, Any] = {"chat_id": new_chat_id}
        if key != row.idempotency_key and key in taken:
            if row.status == OutboxStatus.PENDING:
                values.update(status=OutboxStatus.DROPPED, last_error="sent to the new chat id")
        else:
            values["idempotency_key"] = key
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return len(rows)


async def to_general(session: AsyncSession, chat_id: int, thread_id: int) -> int:
    """The messages for a forum topic that is gone go to the group's General topic instead;
    how many (those not sent yet, a few: what one group's reports queue)."""
    rows = await session.execute(
        select(OutboxMessage.id, OutboxMessage.payload).where(
            OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING
        )
    )
    moved = 0
    for message_id, body in rows.all():
        if body.get("thread_id") != thread_id:
            continue
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(payload={key: value for key, value in body.items() if key != "thread_id"})
            .execution_options(synchronize_session=False)
        )
        moved += 1
    return moved
