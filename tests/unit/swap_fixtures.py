"""Two units (城管局 and 教育局) with one post written straight into the database for the swap
rules without Telegram: members by name (a name starting with 外 joins the other unit), shifts
hours ahead, seats on them and the actor each member is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Member,
    MemberRole,
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
    post_id: int
    people: dict[str, int]  # name -> member id


async def swap_world(database: Database, *names: str) -> World:
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
        for number, name in enumerate(names, start=1):
            elsewhere = name.startswith("外")
            member = Member(
                telegram_id=5000 + number,
                display_name=name,
                language="zh_Hans",
                unit_id=other.id if elsewhere else unit.id,
                registered_at=NOW,
                blocked_bot=False,
                active=True,
            )
            member.role_rows = [MemberRole(role=Role.VOLUNTEER)]
            session.add(member)
            await session.flush()
            people[name] = member.id
        return World(unit.id, post.id, people)


async def shift_ahead(database: Database, world: World, hours_ahead: int, length: int = 2) -> int:
    async with database.session() as session:
        shift = Shift(
            post_id=world.post_id,
            starts_at=NOW + dt.timedelta(hours=hours_ahead),
            ends_at=NOW + dt.timedelta(hours=hours_ahead + length),
            capacity=4,
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
) -> int:
    async with database.session() as session:
        row = Assignment(
            shift_id=shift_id, member_id=member_id, status=status, created_at=NOW, updated_at=NOW
        )
        session.add(row)
        await session.flush()
        return row.id


async def actor_of(database: Database, member_id: int) -> Actor:
    async with database.session() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        return Actor.of(member.telegram_id, member, [])
