from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.buttons import CheckInPick, SignUp
from bot.db.engine import Database
from bot.db.models import OutboxMessage, OutboxStatus
from bot.services.platform import outbox
from bot.services.schedule import seat_scan
from bot.settings import Settings

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


async def test_same_key_is_queued_once(database: Database) -> None:
    body = outbox.payload("提醒", buttons=[[("签到", CheckInPick(1))]])
    async with database.session() as session:
        assert await outbox.enqueue(session, key="remind:1:30", chat_id=5, body=body, now=NOW)
        assert not await outbox.enqueue(session, key="remind:1:30", chat_id=5, body=body, now=NOW)
    async with database.session() as session:
        assert not await outbox.enqueue(session, key="remind:1:30", chat_id=5, body=body, now=NOW)
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert len(rows) == 1
    assert rows[0].payload == {"text": "提醒", "buttons": [[["签到", "ci.pick:1"]]]}
    assert rows[0].kind == "text" and rows[0].not_before == NOW


def test_payload_kinds() -> None:
    assert outbox.payload("x", photo="F").kind == "photo"
    assert outbox.payload(None, media=["a", "b"]).kind == "media"
    assert outbox.payload("x", document="D", filename="a.xlsx").kind == "document"


async def test_many_messages_are_queued_in_bulk_and_each_key_once(database: Database) -> None:
    messages = [outbox.Queued(f"bulk:{n}", 100 + n, outbox.payload(f"#{n}")) for n in range(1200)]
    async with database.session() as session:
        assert await outbox.enqueue_many(session, messages[:700], now=NOW, batch="b") == 700
        # The overlap (keys 600-699) is skipped, even twice in one call.
        again = messages[600:] + messages[1100:]
        assert await outbox.enqueue_many(session, again, now=NOW, batch="b") == 500
    async with database.session() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert len(rows) == 1200
    assert {row.idempotency_key for row in rows} == {f"bulk:{n}" for n in range(1200)}
    assert rows[42].payload == {"text": "#42"} and rows[42].batch == "b"


def test_a_message_survives_its_stored_form() -> None:
    moment = dt.datetime(2026, 12, 1, 7, 30, tzinfo=dt.UTC)
    message = outbox.payload(
        "x", buttons=[[("a", SignUp(1)), ("b", SignUp(2))]], photo="F", expires_at=moment
    )
    assert outbox.Message.from_json(message.to_json()) == message


def test_a_message_that_removes_the_reply_keyboard_says_so_in_its_stored_form() -> None:
    message = outbox.payload("x", remove_keyboard=True)
    assert message.to_json() == {"text": "x", "remove_keyboard": True}
    assert outbox.Message.from_json(message.to_json()) == message
    assert "remove_keyboard" not in outbox.payload("x").to_json()
    # One reply markup a message: not with buttons of its own, a 📍 keyboard, nor where the
    # Bot API takes none (an edit, an album).
    for other in (
        {"buttons": [[("a", SignUp(1))]]},
        {"location_button": "📍"},
        {"edit_message_id": 5},
        {"media": ["a", "b"]},
    ):
        with pytest.raises(ValueError):
            outbox.payload("x", remove_keyboard=True, **other)  # type: ignore[arg-type]


async def test_a_seat_given_up_drops_its_promotion_word_and_frees_the_key(
    database: Database,
) -> None:
    """Seat 1 moved up from the waitlist and the word waits for 07:00; seat 2's word went out.
    Both seats go: seat 1's word is dropped, and both keys are free for a later promotion."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    body = outbox.payload("🎉 候补转正")
    async with database.session() as session:
        for seat in (1, 2):
            key = seat_scan.promoted_key(seat)
            await outbox.enqueue(session, key=key, chat_id=seat, body=body, now=NOW)
        sent = await session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.idempotency_key == seat_scan.promoted_key(2)
            )
        )
        assert sent is not None
        await outbox.mark_sent(session, [sent], NOW)
    async with database.session() as session:
        await seat_scan.withdraw_notices(session, [1, 2], NOW, settings)
    async with database.session() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        assert [row.status for row in rows] == [OutboxStatus.DROPPED, OutboxStatus.SENT]
        assert not {row.idempotency_key for row in rows} & {
            "waitlist-promoted:1",
            "waitlist-promoted:2",
        }
        for seat in (1, 2):
            key = seat_scan.promoted_key(seat)
            assert await outbox.enqueue(session, key=key, chat_id=seat, body=body, now=NOW)
