"""Databases of the benchmarks: a PostgreSQL URL names a database the benchmark drops and
creates for itself, so each run starts empty. Only a database whose name starts with
``dutybot_bench`` is dropped, so that a URL pasted from elsewhere (the tests' `test`, a live
bot's database) cannot be wiped by a benchmark."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

BENCH_PREFIX = "dutybot_bench"


def checkin_row(assignment_id: int, checked_in_at: dt.datetime, **changes: Any) -> dict[str, Any]:
    """A check-in for a bulk load, its id the assignment's: on post with a photo, within the
    geofence, not checked out; `changes` set other columns (every row has the same keys)."""
    row: dict[str, Any] = {
        "id": assignment_id,
        "assignment_id": assignment_id,
        "checked_in_at": checked_in_at,
        "latitude": 30.6,
        "longitude": 104.0,
        "distance_m": 30.0,
        "accuracy_m": 10.0,
        "live": False,
        "photo_file_id": "p",
        "photo_file_unique_id": None,
        "photo_flagged": False,
        "minutes_late": 0,
        "late": False,
        "checked_out_at": None,
        "checkout_kind": None,
        "early_reason": None,
        "presence_ratio": None,
        "credited_minutes": None,
    }
    assert changes.keys() <= row.keys(), changes.keys() - row.keys()
    row.update(changes)
    return row


async def fresh_postgres(url: str) -> None:
    parsed = make_url(url)
    name = parsed.database
    if not name or not name.startswith(BENCH_PREFIX):
        raise SystemExit(
            f"--database-url: a benchmark drops and recreates its database; name one starting "
            f"with {BENCH_PREFIX} (got {name!r})"
        )
    server = create_async_engine(
        parsed.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        async with server.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await server.dispose()


async def after_bulk_load(engine: AsyncEngine) -> None:
    """The database after a bulk load as a live one would be: fresh statistics (and, on
    PostgreSQL, the visibility map autovacuum would have set), and on PostgreSQL the load's
    pages written out. Without the CHECKPOINT, the server and the kernel are still writing the
    city back to disk when the measuring begins, and the first commit to meet that write-back
    waits 100-200 ms (seen in each of three fresh runs of bench/freeze.py on
    PostgreSQL, and in none of four with it): a figure of the load, not of the bot."""
    async with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("COMMIT"))
            await connection.execute(text("VACUUM ANALYZE"))
            try:
                await connection.execute(text("CHECKPOINT"))
            except DBAPIError as refused:
                # CHECKPOINT needs a superuser or the pg_checkpoint role.
                print(
                    f"note: CHECKPOINT refused ({refused.orig}); the first figures may include "
                    f"the load's write-back",
                    file=sys.stderr,
                )
        else:
            await connection.execute(text("ANALYZE"))
            await connection.commit()


async def reset_id_sequences(connection: AsyncConnection, tables: Iterable[str]) -> None:
    """On PostgreSQL, each table's id sequence moved past the ids a bulk load wrote itself, so
    that the bot's own inserts after the load do not collide with them. SQLite needs nothing:
    its next rowid is always the largest one plus one."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        await connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        )


def _naive(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(dt.UTC).replace(tzinfo=None)


async def bulk_insert(connection: AsyncConnection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Rows into a table in one go: COPY on PostgreSQL, one executemany on SQLite."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        # COPY: the fastest way into PostgreSQL; values in the stored form (naive UTC).
        columns = list(rows[0])
        records = [
            tuple(_naive(v) if isinstance(v, dt.datetime) else v for v in row.values())
            for row in rows
        ]
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.copy_records_to_table(table.name, records=records, columns=columns)
        return
    # SQLite: one executemany of plain tuples, datetimes in the text form SQLAlchemy stores.
    columns = list(rows[0])
    marks = ", ".join("?" for _ in columns)
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
    records = [tuple(_sqlite_text(v) for v in row.values()) for row in rows]
    await connection.exec_driver_sql(statement, records)


def _sqlite_text(value: Any) -> Any:
    """Dates and times in the text form SQLAlchemy stores them in on SQLite."""
    if isinstance(value, dt.datetime):
        return _naive(value).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S.%f")
    return value
