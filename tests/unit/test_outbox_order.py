"""The order in which the sender takes due messages: edits of a message already sent (a
broadcast's running count) before new messages, each in the order they were queued."""

from __future__ import annotations

import datetime as dt

from bot.db.engine import Database
from bot.services.platform import outbox

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
COORDINATOR = 1


async def test_edits_are_claimed_before_the_broadcast_queued_ahead_of_them(
    database: Database,
) -> None:
    async with database.session() as session:
        await outbox.enqueue_many(
            session,
            [
                outbox.Queued(f"broadcast:1:{n}", 1000 + n, outbox.payload(f"通知 {n}"))
                for n in range(100)
            ],
            now=NOW,
            batch="broadcast:1",
        )
        for count in (10, 20):
            await outbox.enqueue(
                session,
                key=f"broadcast:1:progress:{count}/0/0",
                chat_id=COORDINATOR,
                body=outbox.payload(f"已送达 {count} / 100", edit_message_id=42),
                now=NOW,
                urgent=True,
            )
    async with database.session() as session:
        rows = await outbox.claim_due(session, NOW, "sender-1", limit=10)
        claimed = [(row.chat_id, (row.payload or {}).get("text")) for row in rows]
    assert claimed[:2] == [(COORDINATOR, "已送达 10 / 100"), (COORDINATOR, "已送达 20 / 100")]
    assert claimed[2:] == [(1000 + n, f"通知 {n}") for n in range(8)]
    # The next pass goes on with the broadcast where this one stopped.
    async with database.session() as session:
        rows = await outbox.claim_due(session, NOW, "sender-2", limit=3)
        assert [row.chat_id for row in rows] == [1008, 1009, 1010]
