"""A small unit written straight into the database for the stories of a member's way out: its
people (a coordinator, an inspector, volunteers, one of another unit), shifts hours ahead, seats
on them, the actor each person is, and what the outbox holds for someone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Member,
    MemberRole,
    MemberTag,
    OutboxMessage,
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
    other_id: int
    post_id: int
    people: dict[str, int]  # name -> member id


async def departure_world(database: Database) -> World:
    """城管局 with 王协调 (coordinator), 李督查 (inspector), 甲 (volunteer, tagged 党员), 乙 and 丙
    (volunteers); 外人 of 教育局."""
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
        cast = [
            ("王协调", Role.COORDINATOR, unit.id),
            ("李督查", Role.INSPECTOR, unit.id),
            ("甲", Role.VOLUNTEER, unit.id),
            ("乙", Role.VOLUNTEER, unit.id),
            ("丙", Role.VOLUNTEER, unit.id),
            ("外人", Role.VOLUNTEER, other.id),
        ]
        for number, (name, role, unit_id) in enumerate(cast, start=1):
            member = Member(
                telegram_id=6000 + number,
                display_name=name,
                phone="+8613800000000",
                language="zh_Hans",
                unit_id=unit_id,
                registered_at=NOW,
                blocked_bot=False,
                active=True,
            )
            member.role_rows = [MemberRole(role=role)]
            if name == "甲":
                member.tag_rows = [MemberTag(tag="党员")]
            session.add(member)
            await session.flush()
            people[name] = member.id
        return World(unit.id, other.id, post.id, people)


async def shift_ahead(database: Database, world: World, hours: int, capacity: int = 1) -> int:
    async with database.session() as session:
        shift = Shift(
            post_id=world.post_id,
            starts_at=NOW + dt.timedelta(hours=hours),
            ends_at=NOW + dt.timedelta(hours=hours + 2),
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


async def actor_of(database: Database, member_id: int, admin_ids: list[int] = []) -> Actor:  # noqa: B006
    async with database.session() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        return Actor.of(member.telegram_id, member, admin_ids)


async def seat_status(database: Database, assignment_id: int) -> AssignmentStatus:
    async with database.session() as session:
        seat = await session.get(Assignment, assignment_id)
        assert seat is not None
        return seat.status


async def texts_to(database: Database, member_id: int) -> list[str]:
    async with database.session() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == member.telegram_id)
            .order_by(OutboxMessage.id)
        )
        return [str(row.payload["text"]) for row in rows]
