"""Alembic environment: runs on the connection handed over by ``bot.db.migrate.upgrade``,
or opens its own async engine when called from the alembic command line."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.db.engine import create_engine
from bot.db.migrate import run_in_one_transaction
from bot.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_standalone() -> None:
    engine = create_engine(str(config.get_main_option("sqlalchemy.url")))
    await run_in_one_transaction(engine, _run_on)
    await engine.dispose()


provided = config.attributes.get("connection")
if provided is not None:
    _run_on(provided)
else:
    asyncio.run(_run_standalone())
