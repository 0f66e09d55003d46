"""Typed names and single-line texts other than people's, units' and tags' (a post's name, a
hand-over's name, names to assign, a zone's name) are cleaned as those are: a name of invisible
marks alone (zero-width spaces, direction marks) is blank, and two names that look the same are
one. A shift's notes and an announcement keep their line breaks, but a text of marks alone is
refused as an empty one is."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.engine import Database
from bot.db.models import Member, Post, PostType, Unit
from bot.errors import DomainError, ErrorCode
from bot.services.oversight import zones
from bot.services.people import names
from bot.services.rostering import names as roster_names
from bot.services.schedule import broadcast, posts, shifts
from bot.services.swaps import queries
from tests.e2e.oversight_fixtures import geojson, square

INVISIBLE = "\u200b\u200c\u2060\u200e\u200f\u200b"
NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
CENTER = (30.6586, 104.0648)


def test_a_post_name_of_invisible_marks_alone_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        posts.clean_name(INVISIBLE)
    assert refused.value.code is ErrorCode.POST_NAME_INVALID
    assert posts.clean_name("人民路\u200b口\u200e") == "人民路口"


async def test_a_post_name_with_invisible_marks_is_the_same_name(database: Database) -> None:
    async with database.session() as session:
        unit = Unit(name="城管局", created_at=NOW, require_swap_approval=False)
        session.add(unit)
        await session.flush()
        post = Post(
            unit_id=unit.id,
            name="人民路口",
            type=PostType.TRAFFIC,
            latitude=CENTER[0],
            longitude=CENTER[1],
            radius_m=100,
            archived=False,
            created_at=NOW,
        )
        session.add(post)
        await session.flush()
        found = await posts.by_name(session, unit.id, "人民\u200b路口\u2060")
        assert found is not None and found.id == post.id


async def test_a_hand_over_name_of_invisible_marks_alone_is_refused(database: Database) -> None:
    member = Member(telegram_id=1, display_name="王芳", unit_id=1)
    async with database.session() as session:
        with pytest.raises(DomainError) as refused:
            await queries.find_member(session, member, INVISIBLE)
    assert refused.value.code is ErrorCode.SWAP_NAME_INVALID


def test_names_to_assign_drop_invisible_marks() -> None:
    assert roster_names.split(f"王芳\u200b，{INVISIBLE}，王\u200e芳、李明") == ["王芳", "李明"]
    with pytest.raises(DomainError) as refused:
        roster_names.typed(INVISIBLE)
    assert refused.value.code is ErrorCode.ASSIGN_NAMES_INVALID


async def test_a_zone_named_with_invisible_marks_alone_gets_the_default_name(
    database: Database,
) -> None:
    async with database.session() as session:
        session.add(Unit(name="城管局", created_at=NOW, require_swap_approval=False))
        await session.flush()
        imported = await zones.read(
            session,
            geojson(
                ("城管局", INVISIBLE, square(CENTER, 100)),
                ("城管局", "黄河\u200b路段", square((30.70, 104.10), 100)),
            ),
        )
    assert imported.ok
    assert [draft.name for draft in imported.zones] == ["城管局 #1", "黄河路段"]


def test_notes_of_invisible_marks_alone_are_refused_and_line_breaks_kept() -> None:
    with pytest.raises(DomainError) as refused:
        shifts.typed_notes(INVISIBLE)
    assert refused.value.code is ErrorCode.NOTE_TOO_LONG
    assert shifts.typed_notes("带好\u200b袖标\n 穿马甲\u200e\n") == "带好袖标\n 穿马甲"
    # A spreadsheet's cell of marks alone is an empty cell: no notes.
    assert shifts.clean_notes(INVISIBLE) is None


def test_an_announcement_of_invisible_marks_alone_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        broadcast.clean_announcement(f"{INVISIBLE}\n{INVISIBLE}")
    assert refused.value.code is ErrorCode.BROADCAST_TEXT_INVALID
    assert broadcast.clean_announcement("明早\u200b集合\n\n地点：人民路口\u2060") == (
        "明早集合\n\n地点：人民路口"
    )


def test_lines_keep_an_emoji_joiner_between_letters() -> None:
    assert names.lines("👩\u200d🚒 \u200d到岗\n\u200d") == "👩\u200d🚒 到岗"
