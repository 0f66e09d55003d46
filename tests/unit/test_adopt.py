"""The member read at the start of every turn (platform/dialogues.with_member), read with one
Core statement and adopted (bot/db/adopt.py): the objects are what an ORM load would give,
persistent with nothing pending, their relationships loaded, the identity map kept."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, select

from bot.db import adopt
from bot.db.engine import Database
from bot.db.models import Dialogue, DialogueKind, Member, MemberRole, MemberTag, Role, Unit
from bot.services.platform import dialogues

NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def _clean(obj: object) -> bool:
    state = inspect(obj)
    return bool(state.persistent) and not state.modified


async def _seed(database: Database) -> None:
    async with database.session() as session:
        unit = Unit(name="一中队", created_at=NOW)
        session.add(unit)
        await session.flush()
        full = Member(
            telegram_id=501,
            display_name="张三",
            language="en",
            unit_id=unit.id,
            registered_at=NOW,
        )
        bare = Member(telegram_id=502, display_name="李四", registered_at=NOW)
        session.add_all([full, bare])
        await session.flush()
        session.add_all(
            [
                MemberRole(member_id=full.id, role=Role.VOLUNTEER),
                MemberRole(member_id=full.id, role=Role.COORDINATOR),
                MemberTag(member_id=full.id, tag="driver"),
                MemberTag(member_id=full.id, tag="first-aid"),
                MemberTag(member_id=full.id, tag="sign-language"),
                Dialogue(telegram_id=501, kind=DialogueKind.REGISTER, step="name", updated_at=NOW),
            ]
        )


async def test_a_member_with_unit_roles_tags_and_dialogue_comes_whole_in_one_statement(
    database: Database,
) -> None:
    await _seed(database)
    async with database.session() as session:
        member, dialogue = await dialogues.with_member(session, 501)
        assert member is not None and dialogue is not None
        # Each role once although the join repeats it per tag, and the other way round.
        assert member.roles == {Role.VOLUNTEER, Role.COORDINATOR} and len(member.role_rows) == 2
        assert member.tags == {"driver", "first-aid", "sign-language"}
        assert len(member.tag_rows) == 3
        assert member.unit is not None and member.unit.name == "一中队"
        assert (member.display_name, member.language, member.registered_at) == ("张三", "en", NOW)
        assert (dialogue.kind, dialogue.step, dialogue.data) == (DialogueKind.REGISTER, "name", {})
        objects = [member, member.unit, dialogue, *member.role_rows, *member.tag_rows]
        assert all(_clean(obj) for obj in objects)
        assert not session.new and not session.dirty
        # The session knows them: a later load returns the same objects, and the dialogue is
        # not asked for again.
        assert await session.get(Member, member.id) is member
        assert await session.get(Unit, member.unit.id) is member.unit
        assert await dialogues.current(session, 501) is dialogue


async def test_a_change_to_an_adopted_member_is_written_and_nothing_else_is(
    database: Database,
) -> None:
    await _seed(database)
    async with database.session() as session:
        member, _ = await dialogues.with_member(session, 501)
        assert member is not None
        member.language = "zh-hant"
        assert list(session.dirty) == [member]
    async with database.session() as session:
        stored = await session.scalar(select(Member).where(Member.telegram_id == 501))
        assert stored is not None
        assert (stored.language, stored.display_name) == ("zh-hant", "张三")
        assert stored.roles == {Role.VOLUNTEER, Role.COORDINATOR}


async def test_a_member_without_unit_roles_tags_or_dialogue(database: Database) -> None:
    await _seed(database)
    async with database.session() as session:
        member, dialogue = await dialogues.with_member(session, 502)
        assert member is not None and dialogue is None
        assert member.unit is None and member.roles == frozenset() and member.tags == frozenset()
        assert _clean(member)
        assert await dialogues.current(session, 502) is None


async def test_a_stranger_has_neither_member_nor_dialogue_unless_one_was_begun(
    database: Database,
) -> None:
    await _seed(database)
    async with database.session() as session:
        assert await dialogues.with_member(session, 999) == (None, None)
        await dialogues.begin(session, 998, DialogueKind.REGISTER, "name", NOW)
    async with database.session() as session:
        member, dialogue = await dialogues.with_member(session, 998)
        assert member is None and dialogue is not None and dialogue.step == "name"


async def test_an_object_the_session_holds_is_returned_as_it_is(database: Database) -> None:
    await _seed(database)
    async with database.session() as session:
        held = await session.scalar(select(Member).where(Member.telegram_id == 501))
        assert held is not None
        held.display_name = "张三丰"  # pending, not flushed: a load would not overwrite it
        member, _ = await dialogues.with_member(session, 501)
        assert member is held and member.display_name == "张三丰"
        assert member.roles == {Role.VOLUNTEER, Role.COORDINATOR}


async def test_a_held_object_gets_the_relationships_it_had_not_loaded(database: Database) -> None:
    await _seed(database)
    async with database.session() as session:
        unit = await session.scalar(select(Unit))
        assert unit is not None
        values = [getattr(unit, column.key) for column in adopt.columns(Unit)]
        assert adopt.adopt(session, Unit, values) is unit
        # A new object of a row the session does not hold: its relationships as given.
        member_id = await session.scalar(select(Member.id).where(Member.telegram_id == 502))
        assert member_id is not None
        row = (
            await session.execute(select(*adopt.columns(Member)).where(Member.id == member_id))
        ).one()
        adopted = adopt.adopt(session, Member, tuple(row), unit=unit, role_rows=[], tag_rows=[])
        assert adopted.unit is unit and adopted.roles == frozenset() and _clean(adopted)


async def test_roles_and_tags_of_an_adopted_member_change_as_loaded_ones_do(
    database: Database,
) -> None:
    # The collections are set as loaded: clearing, removing and appending must cascade (the
    # relationships delete orphans) exactly as on a member the ORM loaded itself.
    await _seed(database)
    async with database.session() as session:
        member, _ = await dialogues.with_member(session, 501)
        assert member is not None
        member.role_rows.clear()
        member.role_rows.append(MemberRole(role=Role.INSPECTOR))
        driver = next(row for row in member.tag_rows if row.tag == "driver")
        member.tag_rows.remove(driver)
        member.tag_rows.append(MemberTag(tag="photographer"))
    async with database.session() as session:
        roles = (await session.scalars(select(MemberRole.role))).all()
        tags = (await session.scalars(select(MemberTag.tag))).all()
        assert sorted(roles) == [Role.INSPECTOR]
        assert sorted(tags) == ["first-aid", "photographer", "sign-language"]
