"""The statements a service sends to the database, counted: a list read in one statement
whatever the number of rows it weighs stays so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event

from bot.db.engine import Database


@asynccontextmanager
async def statements(database: Database) -> AsyncIterator[list[str]]:
    """The statements sent to the database (either engine) inside the block."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(" ".join(statement.split()))

    engines = [database.engine.sync_engine]
    if database.read_engine.pool is not database.engine.pool:
        # SQLite's reader is an engine of its own; PostgreSQL's is the engine with options,
        # whose statements the engine's listener hears already (listening twice counts twice).
        engines.append(database.read_engine.sync_engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)
