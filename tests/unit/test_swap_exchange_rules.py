"""An exchange moves two seats: each member takes the other's shift, and each side is held to
the rules of taking a seat, at the offer, at the acceptance and at the approval: no clash with
another seat of theirs, no leave approved at that hour, no time they declared they cannot serve."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    LeaveRequest,
    LeaveStatus,
    SwapOffer,
    SwapStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.services.swaps import answers, offers, queries
from tests.conftest import make_settings
from tests.unit.swap_fixtures import NOW, World, actor_of, seat_on, shift_ahead, swap_world


async def _exchange_world(database: Database) -> tuple[World, int, int, int, int]:
    """李明 holds a seat tomorrow at 08:00 (+24 h), 王芳 one the day after (+48 h): the world,
    李明's seat and shift, 王芳's seat and shift."""
    world = await swap_world(database, "李明", "王芳")
    li, wang = world.people["李明"], world.people["王芳"]
    early, late = await shift_ahead(database, world, 24), await shift_ahead(database, world, 48)
    return (
        world,
        await seat_on(database, early, li),
        early,
        await seat_on(database, late, wang),
        late,
    )


async def _approved_leave(database: Database, world: World, member_id: int, hours: int) -> None:
    """The member was excused (leave approved) from a seat `hours` ahead, two hours long."""
    shift_id = await shift_ahead(database, world, hours)
    seat_id = await seat_on(database, shift_id, member_id, AssignmentStatus.CANCELLED)
    async with database.session() as session:
        session.add(
            LeaveRequest(
                assignment_id=seat_id,
                member_id=member_id,
                status=LeaveStatus.APPROVED,
                reason="出差",
                asked_at=NOW,
                decided_at=NOW,
            )
        )


async def _unchanged(database: Database, mine: int, theirs: int) -> None:
    async with database.session() as session:
        for seat_id in (mine, theirs):
            seat = await session.get(Assignment, seat_id)
            assert seat is not None and seat.status is AssignmentStatus.SIGNED_UP
        offer = await session.scalar(select(SwapOffer))
        assert offer is None or offer.status is SwapStatus.PENDING


@pytest.mark.parametrize("who", ["李明", "王芳"])
async def test_an_exchange_is_refused_at_the_offer_when_either_side_clashes(
    database: Database, who: str
) -> None:
    """Either member holds another seat at the hour of the shift they would get."""
    settings = make_settings(database.url)
    world, mine, _, theirs, _ = await _exchange_world(database)
    gets = 48 if who == "李明" else 24
    await seat_on(database, await shift_ahead(database, world, gets + 1), world.people[who])
    li = await actor_of(database, world.people["李明"])
    async with database.session() as session:
        _, choices = await queries.exchange_choices(session, li, mine, NOW, settings)
        assert theirs not in [choice.id for choice in choices]
        with pytest.raises(DomainError) as raised:
            await offers.exchange(session, li, mine, theirs, NOW, settings)
    assert raised.value.code is ErrorCode.SWAP_NOT_ELIGIBLE
    assert raised.value.params["name"] == who
    await _unchanged(database, mine, theirs)


@pytest.mark.parametrize("who", ["李明", "王芳"])
async def test_an_exchange_is_refused_at_the_acceptance_when_either_side_clashes_since(
    database: Database, who: str
) -> None:
    settings = make_settings(database.url)
    world, mine, _, theirs, _ = await _exchange_world(database)
    li = await actor_of(database, world.people["李明"])
    async with database.session() as session:
        await offers.exchange(session, li, mine, theirs, NOW, settings)
    gets = 48 if who == "李明" else 24
    await seat_on(database, await shift_ahead(database, world, gets + 1), world.people[who])
    offer_id = (await _offer(database)).id
    wang = await actor_of(database, world.people["王芳"])
    async with database.session() as session:
        with pytest.raises(DomainError) as raised:
            await answers.accept(session, wang, offer_id, NOW, settings)
    assert raised.value.code in (ErrorCode.SHIFT_CLASH, ErrorCode.SWAP_NOT_ELIGIBLE)
    await _unchanged(database, mine, theirs)


@pytest.mark.parametrize("who", ["李明", "王芳"])
async def test_an_exchange_is_refused_when_either_side_has_leave_at_that_hour(
    database: Database, who: str
) -> None:
    """Either member was excused (leave approved) at the hour of the shift they would get:
    they are not offered it, and an exchange asked for it is refused, naming them."""
    settings = make_settings(database.url)
    world, mine, _, theirs, _ = await _exchange_world(database)
    gets = 48 if who == "李明" else 24
    await _approved_leave(database, world, world.people[who], gets + 1)
    li = await actor_of(database, world.people["李明"])
    async with database.session() as session:
        _, choices = await queries.exchange_choices(session, li, mine, NOW, settings)
        assert theirs not in [choice.id for choice in choices]
        with pytest.raises(DomainError) as raised:
            await offers.exchange(session, li, mine, theirs, NOW, settings)
    assert raised.value.code is ErrorCode.SWAP_NOT_ELIGIBLE
    assert raised.value.params["name"] == who
    await _unchanged(database, mine, theirs)


async def _offer(database: Database) -> SwapOffer:
    async with database.session() as session:
        offer = await session.scalar(select(SwapOffer))
        assert offer is not None
        return offer
