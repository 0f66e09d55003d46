"""Fixtures of the unit tests that need a database of their own (the migration tests)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db.engine import Database
from bot.db.migrate import upgrade
from tests import databases


@pytest.fixture
async def empty_database(tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables: a SQLite file, or on PostgreSQL a private database (the
    shared one must keep its schema), dropped after."""
    server = databases.postgres_url()
    if server is None:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'migrate.db'}")
        yield database
        await database.dispose()
        return
    # The helpers run their own event loop: off this one, in a thread.
    url, private = await asyncio.to_thread(databases.create_private_postgres, server)
    if not private:
        pytest.skip("the PostgreSQL role may not create a database for this test")
    database = Database(url)
    yield database
    await database.dispose()
    await asyncio.to_thread(databases.drop_private_postgres, server, url)


async def seeded(database: Database, revision: str, statements: Sequence[str]) -> None:
    """`database` migrated to `revision`, with the rows `statements` insert as of that revision."""
    await upgrade(database, revision)
    async with database.engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement))
