"""A member who blocked the bot is marked once and their coordinators told once, even when two
sender processes get Telegram's 403 for them at the same moment (PostgreSQL, several senders)."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Member, MemberRole, OutboxMessage, Role, Unit
from bot.services.people import reachability
from tests.conftest import make_settings

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
VOLUNTEER, COORDINATOR = 5001, 5002


async def _unit_with_two(database: Database) -> None:
    async with database.session() as session:
        unit = Unit(name="城管局", created_at=NOW, require_swap_approval=False)
        session.add(unit)
        await session.flush()
        for telegram_id, name, role in (
            (VOLUNTEER, "吴志愿", Role.VOLUNTEER),
            (COORDINATOR, "周协调", Role.COORDINATOR),
        ):
            member = Member(
                telegram_id=telegram_id,
                display_name=name,
                language="zh_Hans",
                unit_id=unit.id,
                registered_at=NOW,
                blocked_bot=False,
                active=True,
            )
            member.role_rows = [MemberRole(role=role)]
            session.add(member)


async def test_two_senders_meeting_the_same_block_tell_the_coordinator_once(
    database: Database,
) -> None:
    settings = make_settings(database.url)
    await _unit_with_two(database)

    async def sender_meets_403(seconds: int) -> None:
        async with database.session() as session:
            await reachability.mark_unreachable(
                session, VOLUNTEER, NOW + dt.timedelta(seconds=seconds), settings
            )

    if database.is_sqlite:  # one process on SQLite: the two meet it one after the other
        await sender_meets_403(0)
        await sender_meets_403(1)
    else:
        await asyncio.gather(sender_meets_403(0), sender_meets_403(1))

    async with database.session() as session:
        notices = list(await session.scalars(select(OutboxMessage)))
        member = await session.scalar(select(Member).where(Member.telegram_id == VOLUNTEER))
    assert member is not None and member.blocked_bot
    assert [notice.chat_id for notice in notices] == [COORDINATOR]
    assert "吴志愿" in str(notices[0].payload["text"])
