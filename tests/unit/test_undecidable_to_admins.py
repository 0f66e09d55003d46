"""The swaps and the leave that none of their unit's coordinators can decide any more are
handed to the admins by two rows of the scheduler's tick (bot/due.py): they read what waits in
as many statements whatever the number waiting, not a statement or two per swap or request,
and ask the admins once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import OutboxMessage
from bot.services.rostering import leave
from bot.services.swaps import jobs
from tests.conftest import ADMIN_ID, make_settings
from tests.unit.statement_fixtures import statements
from tests.unit.swap_fixtures import NOW
from tests.unit.undecidable_fixtures import (
    leave_asked,
    swap_awaiting_approval,
    unit_whose_coordinator_blocked_the_bot,
)


async def _admin_keys(database: Database) -> list[str]:
    async with database.session() as session:
        return list(
            await session.scalars(
                select(OutboxMessage.idempotency_key)
                .where(OutboxMessage.chat_id == ADMIN_ID)
                .order_by(OutboxMessage.idempotency_key)
            )
        )


async def _counted(
    database: Database,
    waiting: Callable[[int], Awaitable[int]],
    job: Callable[..., Awaitable[int]],
) -> list[int]:
    """Statements of a tick of `job` once the admins were asked, with one waiting, then four."""
    settings = make_settings(database.url)
    counts: list[int] = []
    for n in range(4):
        await waiting(24 + 6 * n)
        if n not in (0, 3):
            continue
        async with database.session() as session:
            assert await job(session, NOW, settings) == (1 if n == 0 else 3)
        async with database.session() as session, statements(database) as sent:
            assert await job(session, NOW, settings) == 0
        counts.append(len(sent))
    return counts


async def test_swaps_nobody_of_the_unit_can_decide_are_read_in_a_few_statements(
    database: Database,
) -> None:
    world = await unit_whose_coordinator_blocked_the_bot(database)
    offers: list[int] = []

    async def waiting(hours: int) -> int:
        offers.append(await swap_awaiting_approval(database, world, hours))
        return offers[-1]

    one, four = await _counted(database, waiting, jobs.ask_admins_instead)
    assert four == one, (one, four)
    assert await _admin_keys(database) == sorted(f"swap-approval:{o}:{ADMIN_ID}" for o in offers)


async def test_leave_nobody_of_the_unit_can_decide_is_read_in_a_few_statements(
    database: Database,
) -> None:
    world = await unit_whose_coordinator_blocked_the_bot(database)

    async def waiting(hours: int) -> int:
        return await leave_asked(database, world, hours)

    one, four = await _counted(database, waiting, leave.ask_admins_if_unread)
    assert four == one, (one, four)
    assert len(await _admin_keys(database)) == 4
