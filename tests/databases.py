"""Fresh databases for tests: SQLite by default, PostgreSQL when DUTYBOT_TEST_DATABASE_URL
names one (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from sqlalchemy import text

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Base

ENV_VAR = "DUTYBOT_TEST_DATABASE_URL"


def postgres_url() -> str | None:
    url = os.environ.get(ENV_VAR, "").strip()
    return url or None


def migrate_sync(url: str, *, reset_postgres: bool = False) -> None:
    async def run() -> None:
        database = Database(url)
        try:
            if reset_postgres:
                async with database.engine.begin() as connection:
                    await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                    await connection.execute(text("CREATE SCHEMA public"))
            await upgrade(database)
        finally:
            await database.dispose()

    asyncio.run(run())


def sqlite_template(directory: Path) -> Path:
    template = directory / "template.db"
    migrate_sync(f"sqlite+aiosqlite:///{template}")
    return template


def fresh_sqlite(template: Path, directory: Path) -> str:
    target = directory / "dutybot.db"
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


async def truncate_postgres(database: Database) -> None:
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
