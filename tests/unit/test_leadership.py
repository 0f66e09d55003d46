"""The outbox sender's leadership on PostgreSQL: of two processes (two connections) only one
leads; when its connection ends, however it ends, the other takes the lead."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.db.engine import Database
from bot.db.leadership import Leadership, current_leader, sender_leadership


@pytest.fixture
async def pair(database: Database) -> AsyncIterator[tuple[Leadership, Leadership]]:
    if database.is_sqlite:
        pytest.skip("leadership is for several processes on PostgreSQL")
    first, second = Leadership(database.url, "host:1"), Leadership(database.url, "host:2")
    yield first, second
    await first.release()
    await second.release()


async def leader_named(database: Database) -> str | None:
    async with database.session() as session:
        return await current_leader(session)


async def test_only_one_of_two_leads(database: Database, pair: tuple[Leadership, ...]) -> None:
    first, second = pair
    assert await leader_named(database) is None
    assert await first.hold()
    assert not await second.hold()
    # Holding again is a check, not a second lock; the standby keeps trying in vain.
    assert await first.hold()
    assert not await second.hold()
    assert first.leading and not second.leading
    assert await leader_named(database) == "host:1"


async def test_release_hands_over(database: Database, pair: tuple[Leadership, ...]) -> None:
    first, second = pair
    assert await first.hold()
    await first.release()
    assert await second.hold()
    assert await leader_named(database) == "host:2"


async def test_a_dead_leader_connection_hands_over(
    database: Database, pair: tuple[Leadership, ...]
) -> None:
    """The leader's session ends without a word (its process killed, its connection cut):
    the server frees the lock, the standby leads, and the old leader learns it lost the lead
    at its next check instead of sending on."""
    first, second = pair
    assert await first.hold()
    # With a timeout, pg_terminate_backend waits until the session has ended.
    async with database.session() as session:
        ended = await session.scalar(
            text(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                " WHERE application_name = 'host:1'"
            )
        )
    assert ended
    assert await second.hold()
    assert not await first.hold()
    assert not first.leading
    assert await leader_named(database) == "host:2"
    # Once the new leader hands over, the old one may lead again.
    await second.release()
    assert await first.hold()


async def test_sqlite_needs_no_leader(database: Database) -> None:
    leadership = sender_leadership(database, "host:1")
    if database.is_sqlite:
        assert leadership is None
    else:
        assert leadership is not None
        await leadership.release()
