"""Two units (城管局 and 教育局) with one post written straight into the database for the swap
rules without Telegram: members by name (a name starting with 外 joins the other unit), shifts
hours ahead, seats on them and the actor each member is. The stories of a member's way out
(departure_fixtures.py) build their unit on the same `two_units`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Member,
    MemberRole,
    MemberTag,
    Post,
    PostType,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.services.people.access import Actor

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)  # 08:00 in Shanghai, a Tuesday


@dataclass
class World:
    unit_id: int
    other_id: int  # 教育局
    post_id: int
    people: dict[str, int]  # name -> member id


@dataclass(frozen=True)
class Person:
    name: str
    role: Role = Role.VOLUNTEER
    elsewhere: bool = False  # of 教育局 rather than 城管局
    tags: tuple[str, ...] = ()


async def two_units(
    database: Database, cast: Sequence[Person], *, first_telegram_id: int, phone: str | None = None
) -> World:
    """城管局 with the post 黄河路, 教育局 beside it, and `cast` in that order, their telegram ids
    counting up from `first_telegram_id`."""
    async with database.session() as session:
        unit = Unit(name="城管局", created_at=NOW, require_swap_approval=False)
        other = Unit(name="教育局", created_at=NOW, require_swap_approval=False)
        session.add_all([unit, other])
        await session.flush()
        post = Post(
            unit_id=unit.id,
            name="黄河路",
            type=PostType.TRAFFIC,
            latitude=30.0,
            longitude=104.0,
            radius_m=150,
            archived=False,
            created_at=NOW,
        )
        session.add(post)
        people: dict[str, int] = {}
        for number, one in enumerate(cast):
            member = Member(
                telegram_id=first_telegram_id + number,
                display_name=one.name,
                phone=phone,
                language="zh_Hans",
                unit_id=other.id if one.elsewhere else unit.id,
                registered_at=NOW,
                blocked_bot=False,
                active=True,
            )
            member.role_rows = [MemberRole(role=one.role)]
            if one.tags:
                member.tag_rows = [MemberTag(tag=tag) for tag in one.tags]
            session.add(member)
            await session.flush()
            people[one.name] = member.id
        return World(unit.id, other.id, post.id, people)


async def swap_world(database: Database, *names: str) -> World:
    """Volunteers by name; a name starting with 外 joins 教育局."""
    cast = [Person(name, elsewhere=name.startswith("外")) for name in names]
    return await two_units(database, cast, first_telegram_id=5001)


async def shift_ahead(
    database: Database, world: World, hours_ahead: int, length: int = 2, capacity: int = 4
) -> int:
    async with database.session() as session:
        shift = Shift(
            post_id=world.post_id,
            starts_at=NOW + dt.timedelta(hours=hours_ahead),
            ends_at=NOW + dt.timedelta(hours=hours_ahead + length),
            capacity=capacity,
            status=ShiftStatus.SCHEDULED,
            created_at=NOW,
        )
        session.add(shift)
        await session.flush()
        return shift.id


async def seat_on(
    database: Database,
    shift_id: int,
    member_id: int,
    status: AssignmentStatus = AssignmentStatus.SIGNED_UP,
    minutes: int = 0,
) -> int:
    async with database.session() as session:
        at = NOW + dt.timedelta(minutes=minutes)
        row = Assignment(
            shift_id=shift_id, member_id=member_id, status=status, created_at=at, updated_at=at
        )
        session.add(row)
        await session.flush()
        return row.id


async def actor_of(database: Database, member_id: int, admin_ids: Sequence[int] = ()) -> Actor:
    async with database.session() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        return Actor.of(member.telegram_id, member, list(admin_ids))
