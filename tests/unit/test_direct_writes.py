"""Rows written with one Core statement (bot/db/direct.py): the row is what the object says,
and the object is left as a load would leave it, persistent with nothing pending."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, inspect, select

from bot.db import direct
from bot.db.engine import Database
from bot.db.models import Dialogue, DialogueKind, Unit

NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def _clean(obj: object) -> bool:
    state = inspect(obj)
    return bool(state.persistent) and not state.modified


async def test_an_inserted_row_is_the_object_and_the_object_is_persistent(
    database: Database,
) -> None:
    async with database.session() as session:
        dialogue = await direct.insert_row(
            session,
            Dialogue(telegram_id=7, kind=DialogueKind.REGISTER, step="name", updated_at=NOW),
        )
        assert _clean(dialogue)
        assert not session.new and not session.dirty
        # The data column's Python default was applied, and the identity map knows the row.
        assert dialogue.data == {}
        assert await session.get(Dialogue, 7) is dialogue
    async with database.session() as session:
        stored = await session.get(Dialogue, 7)
    assert stored is not None
    assert (stored.kind, stored.step, stored.data, stored.updated_at) == (
        DialogueKind.REGISTER,
        "name",
        {},
        NOW,
    )


async def test_an_autoincremented_key_comes_back_with_the_defaults_applied(
    database: Database,
) -> None:
    async with database.session() as session:
        first = await direct.insert_row(session, Unit(name="一中队", created_at=NOW))
        second = await direct.insert_row(session, Unit(name="二中队", created_at=NOW))
        assert first.id is not None and second.id == first.id + 1
        assert (first.archived, first.require_swap_approval) == (False, False)
        assert _clean(first) and _clean(second)
    async with database.session() as session:
        names = (await session.scalars(select(Unit.name).order_by(Unit.id))).all()
    assert names == ["一中队", "二中队"]


async def test_an_updated_row_and_its_object_hold_the_new_values(database: Database) -> None:
    async with database.session() as session:
        dialogue = await direct.insert_row(
            session,
            Dialogue(telegram_id=8, kind=DialogueKind.REGISTER, step="name", updated_at=NOW),
        )
        later = NOW + dt.timedelta(minutes=5)
        await direct.update_row(session, dialogue, step="phone", data={"name": "李四"})
        assert (dialogue.step, dialogue.data) == ("phone", {"name": "李四"})
        assert _clean(dialogue)
        await direct.update_row(session, dialogue, updated_at=later)
    async with database.session() as session:
        stored = await session.get(Dialogue, 8)
    assert stored is not None
    assert (stored.step, stored.data, stored.updated_at) == ("phone", {"name": "李四"}, later)


async def test_a_deleted_row_is_gone_and_its_object_left_the_session(database: Database) -> None:
    async with database.session() as session:
        dialogue = await direct.insert_row(
            session,
            Dialogue(telegram_id=9, kind=DialogueKind.REGISTER, step="name", updated_at=NOW),
        )
        await direct.delete_row(session, dialogue)
        assert inspect(dialogue).detached
        # The same key may be written again in the same transaction.
        again = await direct.insert_row(
            session,
            Dialogue(telegram_id=9, kind=DialogueKind.REGISTER, step="phone", updated_at=NOW),
        )
    async with database.session() as session:
        count = await session.scalar(select(func.count()).select_from(Dialogue))
        stored = await session.get(Dialogue, 9)
    assert count == 1 and stored is not None and stored.step == again.step == "phone"


async def test_a_rolled_back_insert_leaves_no_row(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.session() as session:
            await direct.insert_row(session, Unit(name="三中队", created_at=NOW))
            raise RuntimeError("the handler failed")
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(Unit)) == 0


async def test_only_a_new_object_is_inserted(database: Database) -> None:
    async with database.session() as session:
        unit = await direct.insert_row(session, Unit(name="四中队", created_at=NOW))
        with pytest.raises(ValueError, match="not a new object"):
            await direct.insert_row(session, unit)


async def test_a_row_updated_by_key_changes_and_an_object_the_session_holds_follows(
    database: Database,
) -> None:
    async with database.session() as session:
        held = await direct.insert_row(session, Unit(name="五中队", created_at=NOW))
        other = await direct.insert_row(session, Unit(name="六中队", created_at=NOW))
        other_id = other.id
        session.expunge(other)
        await direct.update_by_key(session, Unit, (held.id,), name="五中队（东）", archived=True)
        # Only the row of that key, and the object of it holds the values as loaded.
        assert (held.name, held.archived) == ("五中队（东）", True)
        assert _clean(held)
        # A row whose object the session does not hold is written all the same.
        await direct.update_by_key(session, Unit, (other_id,), name="六中队（西）")
    async with database.session() as session:
        rows = (await session.execute(select(Unit.name, Unit.archived).order_by(Unit.id))).all()
    assert [tuple(row) for row in rows] == [("五中队（东）", True), ("六中队（西）", False)]
