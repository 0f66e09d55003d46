"""Leave asked from a seat at the moment another member asks to exchange it (two chats, one
moment): one way out of a seat at a time holds even then. The second waits for the first's
lock on the seat's holder and is refused, rather than both reading "nothing asked" and both
writing (on PostgreSQL each transaction reads before the other commits)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.db.models import LeaveRequest, Role, SwapOffer
from bot.errors import DomainError, ErrorCode
from bot.services.people.access import Actor
from bot.services.rostering import leave
from bot.services.swaps import offers
from tests.e2e.lock_fixtures import until_another_waits_for_a_member_lock
from tests.e2e.rostering_fixtures import assigned_seat, town
from tests.e2e.schedule import shift
from tests.harness import Harness


async def _actor(harness: Harness, telegram_id: int) -> Actor:
    member = await harness.member(telegram_id)
    assert member is not None
    return Actor(telegram_id=telegram_id, member=member, roles=frozenset({Role.VOLUNTEER}))


async def _race(harness: Harness, leave_first: bool) -> list[object]:
    t = await town(harness)
    li, wang, _ = t.people
    later = await shift(harness, t.post_id, start=17, end=19)
    wang_seat = await assigned_seat(harness, t.shift_id, wang.user_id)
    li_seat = await assigned_seat(harness, later, li.user_id)
    settings = harness.runtime.settings
    now = harness.clock.now()
    first_wrote = asyncio.Event()
    second_started = asyncio.Event()

    async def ask_leave() -> object:
        async with harness.session() as session:
            try:
                return await leave.ask(
                    session, await _actor(harness, wang.user_id), wang_seat, "出差", now, settings
                )
            except DomainError as error:
                await session.rollback()
                return error.code

    async def ask_exchange() -> object:
        async with harness.session() as session:
            try:
                return await offers.exchange(
                    session, await _actor(harness, li.user_id), li_seat, wang_seat, now, settings
                )
            except DomainError as error:
                await session.rollback()
                return error.code

    async def first() -> object:
        async with harness.session() as session:
            actor = await _actor(harness, (wang if leave_first else li).user_id)
            if leave_first:
                done = await leave.ask(session, actor, wang_seat, "出差", now, settings)
            else:
                done = await offers.exchange(session, actor, li_seat, wang_seat, now, settings)
            first_wrote.set()
            await second_started.wait()
            # The lock both take: the row of the member whose seat it is.
            await until_another_waits_for_a_member_lock(harness)
            return done

    async def second() -> object:
        await first_wrote.wait()
        second_started.set()
        return await (ask_exchange() if leave_first else ask_leave())

    return list(await asyncio.gather(first(), second()))


async def test_leave_asked_while_an_exchange_of_the_seat_is_asked_refuses_the_exchange(
    harness: Harness,
) -> None:
    _, refused = await _race(harness, leave_first=True)
    assert refused is ErrorCode.SWAP_TARGET_GONE
    assert await harness.count(SwapOffer) == 0
    assert await harness.count(LeaveRequest) == 1


async def test_an_exchange_asked_while_leave_of_the_seat_is_asked_refuses_the_leave(
    harness: Harness,
) -> None:
    _, refused = await _race(harness, leave_first=False)
    assert refused is ErrorCode.LEAVE_SWAP_ASKED_OF_YOU
    assert await harness.count(LeaveRequest) == 0
    async with harness.session() as session:
        assert len(list(await session.scalars(select(SwapOffer.id)))) == 1
