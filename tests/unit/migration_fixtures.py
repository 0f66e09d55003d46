"""Reading back what a migration left in the schema."""

from __future__ import annotations

from sqlalchemy import inspect

from bot.db.engine import Database


async def indexes(database: Database, table: str) -> set[str]:
    async with database.engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: {str(index["name"]) for index in inspect(sync).get_indexes(table)}
        )
