"""Databases of the benchmarks: a PostgreSQL URL names a database the benchmark drops and
creates for itself, so each run starts empty. Only a database whose name starts with
``dutybot_bench`` is dropped, so that a URL pasted from elsewhere (the tests' `test`, a live
bot's database) cannot be wiped by a benchmark."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

BENCH_PREFIX = "dutybot_bench"


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
