"""Each test's database starts as a freshly migrated one, whatever the test before it left:
no rows in any table, and ids counting from 1 again (tests/databases.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.models import Base, Member, Unit


# Run twice: the second run finds what the first left behind, if anything was.
@pytest.mark.parametrize("run", ["first", "second"])
async def test_a_test_database_is_empty_and_its_ids_start_again(
    database: Database, run: str
) -> None:
    async with database.session() as session:
        for table in Base.metadata.sorted_tables:
            rows = await session.scalar(select(func.count()).select_from(table))
            assert rows == 0, f"{table.name} holds {rows} rows before the {run} run"
        unit = Unit(name="Unit", created_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        session.add(unit)
        await session.flush()
        member = Member(
            telegram_id=1, display_name="A", unit_id=unit.id, registered_at=unit.created_at
        )
        session.add(member)
        await session.commit()
        assert (unit.id, member.id) == (1, 1)
