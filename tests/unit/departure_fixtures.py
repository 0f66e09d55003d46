"""A small unit written straight into the database for the stories of a member's way out: its
people (a coordinator, an inspector, volunteers, one of another unit), shifts hours ahead, seats
on them, the actor each person is, and what the outbox holds for someone. The unit is the swap
stories' (swap_fixtures.py) with this cast."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Assignment, AssignmentStatus, Member, OutboxMessage, Role
from tests.unit import swap_fixtures
from tests.unit.swap_fixtures import NOW, Person, World, actor_of, seat_on, two_units

__all__ = [
    "NOW",
    "World",
    "actor_of",
    "departure_world",
    "seat_on",
    "seat_status",
    "shift_ahead",
    "texts_to",
]


async def departure_world(database: Database) -> World:
    """城管局 with 王协调 (coordinator), 李督查 (inspector), 甲 (volunteer, tagged 党员), 乙 and 丙
    (volunteers); 外人 of 教育局."""
    cast = [
        Person("王协调", Role.COORDINATOR),
        Person("李督查", Role.INSPECTOR),
        Person("甲", tags=("党员",)),
        Person("乙"),
        Person("丙"),
        Person("外人", elsewhere=True),
    ]
    return await two_units(database, cast, first_telegram_id=6001, phone="+8613800000000")


async def shift_ahead(database: Database, world: World, hours: int, capacity: int = 1) -> int:
    """A two-hour shift `hours` from NOW, of one seat unless told."""
    return await swap_fixtures.shift_ahead(database, world, hours, capacity=capacity)


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
