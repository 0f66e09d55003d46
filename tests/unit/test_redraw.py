"""Drawing queued notices again when they are claimed (bot/services/platform/redraw.py): one
drawn anew is stored as it will be sent under its own key, one with nothing left to say is
dropped, one of a kind that fails to draw goes as stored, and one without a Redraw is left
alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database
from bot.db.models import OutboxMessage, OutboxStatus
from bot.services.platform import outbox, outbox_claim, redraw
from bot.services.platform.outbox import Message, Redraw
from bot.services.platform.redraw import RedrawFunction, Subject
from bot.settings import Settings
from tests.conftest import make_settings

QUEUED = dt.datetime(2026, 12, 1, 14, 30, tzinfo=dt.UTC)
NOW = QUEUED + dt.timedelta(hours=9)


def test_a_redraw_survives_the_stored_form() -> None:
    message = outbox.payload("x", redraw=Redraw("reminder", (12, 720)))
    assert message.to_json()["redraw"] == ["reminder", 12, 720]
    assert Message.from_json(message.to_json()) == message


async def test_claimed_notices_are_drawn_again_dropped_or_left_as_stored(
    database: Database,
) -> None:
    settings = make_settings(database.url)
    seen: list[tuple[tuple[int, ...], dt.datetime, dt.datetime]] = []

    async def fresh(
        session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, _: Settings
    ) -> list[Message | None]:
        seen.extend((subject.args, subject.queued_at, now) for subject in subjects)
        return [
            None if subject.args == (2,) else outbox.payload(f"now {subject.args[0]}")
            for subject in subjects
        ]

    async def broken(
        session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, _: Settings
    ) -> list[Message | None]:
        await session.execute(select(OutboxMessage.id))  # a statement, then the failure
        raise RuntimeError("a bug")

    queued = [
        outbox.Queued("plain", 1, outbox.payload("plain")),
        outbox.Queued("fresh:1", 1, outbox.payload("then 1", redraw=Redraw("fresh", (1,)))),
        outbox.Queued("fresh:2", 2, outbox.payload("then 2", redraw=Redraw("fresh", (2,)))),
        outbox.Queued("broken", 3, outbox.payload("as stored", redraw=Redraw("broken", (3,)))),
    ]
    async with database.session() as session:
        await outbox.enqueue_many(session, queued, now=QUEUED)
    async with database.session() as session:
        rows = await outbox_claim.claim_due(session, NOW, "w")
        kinds: dict[str, RedrawFunction] = {"fresh": fresh, "broken": broken}
        left = await redraw.redraw_claimed(session, rows, NOW, settings, kinds)
    assert [row.idempotency_key for row in left] == ["plain", "fresh:1", "broken"]
    assert [Message.from_json(row.payload).text for row in left] == [
        "plain",
        "now 1",
        "as stored",
    ]
    assert seen == [((1,), QUEUED, NOW), ((2,), QUEUED, NOW)]
    async with database.session() as session:
        stored = {row.idempotency_key: row for row in await session.scalars(select(OutboxMessage))}
    assert stored["fresh:1"].payload == {"text": "now 1"}
    assert stored["fresh:1"].status is OutboxStatus.PENDING
    assert stored["fresh:1"].claimed_by == "w"  # still the sender's, to send now
    assert stored["fresh:2"].status is OutboxStatus.DROPPED
    assert stored["fresh:2"].payload["text"] == "then 2"
    assert stored["broken"].payload["text"] == "as stored"


async def test_a_kind_that_answers_with_the_wrong_number_of_messages_goes_as_stored(
    database: Database,
) -> None:
    """A kind whose function returns fewer messages than it was given subjects is a bug as much
    as one that raises: its messages go as stored, and the sender's claim of the others stands
    (an exception out of redraw_claimed would roll the claim back, and every pass after would
    meet the same rows and fail the same way: nothing would go out at all)."""
    settings = make_settings(database.url)

    async def short(
        session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, _: Settings
    ) -> list[Message | None]:
        return [outbox.payload("only one")]

    queued = [
        outbox.Queued("plain", 1, outbox.payload("plain")),
        outbox.Queued("short:1", 2, outbox.payload("then 1", redraw=Redraw("short", (1,)))),
        outbox.Queued("short:2", 3, outbox.payload("then 2", redraw=Redraw("short", (2,)))),
    ]
    async with database.session() as session:
        await outbox.enqueue_many(session, queued, now=QUEUED)
    async with database.session() as session:
        rows = await outbox_claim.claim_due(session, NOW, "w")
        left = await redraw.redraw_claimed(session, rows, NOW, settings, {"short": short})
    assert [row.idempotency_key for row in left] == ["plain", "short:1", "short:2"]
    assert [Message.from_json(row.payload).text for row in left] == ["plain", "then 1", "then 2"]
    async with database.session() as session:
        stored = {row.idempotency_key: row for row in await session.scalars(select(OutboxMessage))}
    assert all(row.claimed_by == "w" for row in stored.values())
