"""Two coordinators giving one tag at the same moment, by a press or by /tag, whose
transactions overlap: the second waits for the first, and both see the tag given once."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.db.models import AuditEntry, Role
from bot.services.people import tags
from bot.services.people.access import Actor
from tests.e2e.lock_fixtures import until_another_waits_for_a_member_lock
from tests.e2e.rostering_fixtures import member_id_of
from tests.e2e.schedule import person, unit
from tests.e2e.tag_fixtures import tags_of
from tests.harness import Harness


async def test_two_coordinators_giving_one_tag_at_the_same_moment_both_see_it_given(
    harness: Harness,
) -> None:
    """Two presses of ➕ on 乙's card whose transactions overlap (two coordinators, one moment):
    the second waits for the first and finds the tag given, rather than adding the same row
    again and failing (on PostgreSQL both read "not held" before either wrote)."""
    unit_id = await unit(harness)
    await person(harness, 8361, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 8362, unit_id, "乙", tags=())
    await person(harness, 8363, unit_id, "甲", tags=("党员",))
    member_id = await member_id_of(harness, 8362)
    coordinator = await harness.member(8361)
    assert coordinator is not None
    actor = Actor(telegram_id=8361, member=coordinator, roles=frozenset({Role.COORDINATOR}))
    key = tags.tag_key("党员")
    now = harness.clock.now()

    first_wrote = asyncio.Event()
    second_started = asyncio.Event()

    async def first() -> tags.Toggled | None:
        async with harness.session() as session:
            toggled = await tags.toggle_by_key(session, actor, member_id, key, True, now)
            assert toggled is not None and toggled.given, toggled
            first_wrote.set()
            await second_started.wait()
            await until_another_waits_for_a_member_lock(harness)
            return toggled

    async def second() -> tags.Toggled | None:
        await first_wrote.wait()
        second_started.set()
        async with harness.session() as session:
            return await tags.toggle_by_key(session, actor, member_id, key, True, now)

    given = await asyncio.gather(first(), second())
    assert [toggled is not None and toggled.given for toggled in given] == [True, True]
    assert await tags_of(harness, 8362) == {"党员"}
    async with harness.session() as session:
        added = await session.scalars(
            select(AuditEntry.id).where(
                AuditEntry.action == "member.tag.add", AuditEntry.object_id == member_id
            )
        )
        assert len(list(added)) == 1


async def test_two_coordinators_typing_one_tag_at_the_same_moment_take_turns(
    harness: Harness,
) -> None:
    """Two `/tag 乙 党员` whose transactions overlap: the second waits for the first and acts
    as if typed after it (the same again takes the tag away), rather than adding the row the
    first added and failing (on PostgreSQL both read "not held" before either wrote)."""
    unit_id = await unit(harness)
    await person(harness, 8371, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 8372, unit_id, "乙", tags=())
    member_id = await member_id_of(harness, 8372)
    coordinator = await harness.member(8371)
    assert coordinator is not None
    actor = Actor(telegram_id=8371, member=coordinator, roles=frozenset({Role.COORDINATOR}))
    now = harness.clock.now()

    first_wrote = asyncio.Event()
    second_started = asyncio.Event()

    async def first() -> bool:
        async with harness.session() as session:
            _, given = await tags.toggle(session, actor, "乙", "党员", now)
            first_wrote.set()
            await second_started.wait()
            await until_another_waits_for_a_member_lock(harness)
            return given

    async def second() -> bool:
        await first_wrote.wait()
        second_started.set()
        async with harness.session() as session:
            _, given = await tags.toggle(session, actor, "乙", "党员", now)
            return given

    assert await asyncio.gather(first(), second()) == [True, False]
    assert await tags_of(harness, 8372) == frozenset()
    async with harness.session() as session:
        actions = await session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "member", AuditEntry.object_id == member_id)
            .order_by(AuditEntry.id)
        )
        assert list(actions) == ["member.tag.add", "member.tag.remove"]
