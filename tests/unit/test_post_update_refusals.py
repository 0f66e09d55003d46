"""`posts.update` refuses before it changes anything: a caller that catches the refusal and
goes on (or a session that flushes before the rollback) never sees half an edit."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.engine import Database
from bot.db.models import Post, PostType, Role, Unit
from bot.errors import DomainError, ErrorCode
from bot.services.people.access import Actor
from bot.services.schedule import posts

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
ADMIN = Actor(telegram_id=1, member=None, roles=frozenset({Role.ADMIN}))


def _as_it_was(post: Post) -> tuple[object, ...]:
    return (post.name, post.type, post.latitude, post.longitude, post.radius_m, post.archived)


async def _archived_post(database: Database, *, unit_archived: bool) -> int:
    async with database.session() as session:
        unit = Unit(
            name="城管局", created_at=NOW, require_swap_approval=False, archived=unit_archived
        )
        session.add(unit)
        await session.flush()
        post = Post(
            unit_id=unit.id,
            name="黄河路-人民路口",
            type=PostType.TRAFFIC,
            latitude=30.6586,
            longitude=104.0648,
            radius_m=150,
            archived=True,
            created_at=NOW,
        )
        session.add(post)
        await session.flush()
        return post.id


async def test_a_restore_refused_for_the_archived_unit_changes_nothing(
    database: Database,
) -> None:
    post_id = await _archived_post(database, unit_archived=True)
    async with database.session() as session:
        post = await session.get(Post, post_id)
        assert post is not None
        before = _as_it_was(post)
        with pytest.raises(DomainError) as refused:
            await posts.update(
                session,
                ADMIN,
                post_id,
                NOW,
                name="人民路-解放路口",
                post_type=PostType.CIVILITY,
                location=(30.66, 104.07),
                radius_m=300,
                archived=False,
            )
        assert refused.value.code is ErrorCode.POST_UNIT_ARCHIVED
        assert _as_it_was(post) == before


async def test_a_radius_out_of_range_changes_no_name(database: Database) -> None:
    post_id = await _archived_post(database, unit_archived=False)
    async with database.session() as session:
        post = await session.get(Post, post_id)
        assert post is not None
        before = _as_it_was(post)
        with pytest.raises(DomainError):
            await posts.update(session, ADMIN, post_id, NOW, name="人民路-解放路口", radius_m=10**6)
        assert _as_it_was(post) == before
