"""Where a unit archived since the dispatch list was shown stood in that list: counted by the
database, in the order the list itself is drawn in (a collation other than code points, such as
a PostgreSQL database created with a locale, may order names otherwise than Python)."""

from __future__ import annotations

import datetime as dt

from bot.db.engine import Database
from bot.db.models import Unit
from bot.services.oversight import report_decisions

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
NAMES = ["城管局", "交通局", "b 社区", "C 社区", "Alpha", "团结社区", "环卫处"]


async def test_the_archived_units_place_agrees_with_the_lists_order(database: Database) -> None:
    async with database.session() as session:
        units = [Unit(name=name, created_at=NOW) for name in NAMES]
        session.add_all(units)
        await session.flush()
        ids = {unit.name: unit.id for unit in units}
    for name in NAMES:
        async with database.session() as session:
            listed = [unit.name for unit in await report_decisions.dispatch_units(session)]
            archived = await session.get(Unit, ids[name])
            assert archived is not None
            archived.archived = True
            await session.flush()
            remaining = [unit.name for unit in await report_decisions.dispatch_units(session)]
            before = await report_decisions.dispatch_units_before(session, ids[name])
            assert before == listed.index(name)
            assert remaining[:before] == listed[:before]
            archived.archived = False
