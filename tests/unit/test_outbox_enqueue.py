from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import OutboxMessage
from bot.services.platform import outbox

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


async def test_same_key_is_queued_once(database: Database) -> None:
    body = outbox.payload("提醒", buttons=[[("签到", "ci.go:1")]])
    async with database.session() as session:
        assert await outbox.enqueue(session, key="remind:1:30", chat_id=5, body=body, now=NOW)
        assert not await outbox.enqueue(session, key="remind:1:30", chat_id=5, body=body, now=NOW)
    async with database.session() as session:
        assert not await outbox.enqueue(session, key="remind:1:30", chat_id=5, body=body, now=NOW)
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert len(rows) == 1
    assert rows[0].payload == {"text": "提醒", "buttons": [[["签到", "ci.go:1"]]]}
    assert rows[0].kind == "text" and rows[0].not_before == NOW


def test_payload_kinds() -> None:
    assert outbox._kind(outbox.payload("x", photo="F")) == "photo"
    assert outbox._kind(outbox.payload(None, media=["a", "b"])) == "media"
    assert outbox._kind(outbox.payload("x", document="D", filename="a.xlsx")) == "document"
