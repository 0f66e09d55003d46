"""Swaps awaiting approval and leave asked in a unit whose only coordinator blocked the bot,
written straight into the database for the jobs that hand them to the admins
(bot/services/swaps/jobs.py `ask_admins_instead`, bot/services/rostering/leave.py
`ask_admins_if_unread`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.db.engine import Database
from bot.db.models import (
    LeaveRequest,
    LeaveStatus,
    Member,
    Role,
    SwapKind,
    SwapOffer,
    SwapStatus,
)
from tests.unit.swap_fixtures import NOW, Person, World, seat_on, shift_ahead, two_units


async def unit_whose_coordinator_blocked_the_bot(database: Database) -> World:
    """城管局 with 李明 and 王芳, volunteers, and 陈协调, its coordinator, who blocked the bot."""
    cast = [Person("李明"), Person("王芳"), Person("陈协调", role=Role.COORDINATOR)]
    world = await two_units(database, cast, first_telegram_id=5101)
    async with database.session() as session:
        await session.execute(
            update(Member).where(Member.id == world.people["陈协调"]).values(blocked_bot=True)
        )
    return world


async def swap_awaiting_approval(database: Database, world: World, hours: int) -> int:
    """李明's seat `hours` ahead, given away and taken by 王芳, awaiting approval."""
    seat = await seat_on(database, await shift_ahead(database, world, hours), world.people["李明"])
    async with database.session() as session:
        offer = SwapOffer(
            kind=SwapKind.GIVE_AWAY,
            status=SwapStatus.AWAITING_APPROVAL,
            from_assignment_id=seat,
            offered_by_id=world.people["李明"],
            taken_by_id=world.people["王芳"],
            expires_at=NOW + dt.timedelta(hours=hours - 1),
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(offer)
        await session.flush()
        return offer.id


async def leave_asked(database: Database, world: World, hours: int) -> int:
    """王芳's assigned seat `hours` ahead, with leave asked from it."""
    seat = await seat_on(database, await shift_ahead(database, world, hours), world.people["王芳"])
    async with database.session() as session:
        request = LeaveRequest(
            assignment_id=seat,
            member_id=world.people["王芳"],
            status=LeaveStatus.ASKED,
            reason="出差",
            asked_at=NOW,
        )
        session.add(request)
        await session.flush()
        return request.id
