"""The seats an exchange may be for are read in one statement, the seats that cannot be
exchanged (leave asked, already in an open offer, a holder who blocked the bot) left out before
the list is cut short: however many of the unit's seats are such, the seats that may be
exchanged are still offered, and reading them costs the same."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    LeaveRequest,
    LeaveStatus,
    Member,
    SwapKind,
    SwapOffer,
    SwapStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.services.swaps import offers, queries
from tests.conftest import make_settings
from tests.unit.statement_fixtures import statements
from tests.unit.swap_fixtures import NOW, World, actor_of, seat_on, shift_ahead, swap_world

LIMIT_WEIGHED = queries.EXCHANGE_CHOICES * 5


async def _leave_asked(database: Database, world: World, name: str, hours: int) -> int:
    """`name`'s seat `hours` ahead, its leave asked and not decided yet."""
    member_id = world.people[name]
    seat_id = await seat_on(database, await shift_ahead(database, world, hours), member_id)
    async with database.session() as session:
        session.add(
            LeaveRequest(
                assignment_id=seat_id,
                member_id=member_id,
                status=LeaveStatus.ASKED,
                reason="出差",
                asked_at=NOW,
            )
        )
    return seat_id


async def test_seats_with_leave_asked_do_not_hide_the_seats_that_may_be_exchanged(
    database: Database,
) -> None:
    """More seats with leave asked than the list weighs, all earlier than 王芳's: 王芳's seat
    is still offered, and none of theirs."""
    settings = make_settings(database.url)
    asking = [f"请假{n}" for n in range(LIMIT_WEIGHED + 1)]
    world = await swap_world(database, "李明", "王芳", *asking)
    mine = await seat_on(database, await shift_ahead(database, world, 24), world.people["李明"])
    asked = [await _leave_asked(database, world, name, 30 + n) for n, name in enumerate(asking)]
    theirs = await seat_on(
        database, await shift_ahead(database, world, 30 + len(asking)), world.people["王芳"]
    )
    li = await actor_of(database, world.people["李明"])
    async with database.session() as session:
        _, choices = await queries.exchange_choices(session, li, mine, NOW, settings)
    shown = [choice.id for choice in choices]
    assert shown == [theirs]
    assert not set(shown) & set(asked)


async def _offered(database: Database, from_seat: int, by: int, target_seat: int | None) -> None:
    """An open offer of `from_seat` by its holder `by`, asking for `target_seat` if given."""
    async with database.session() as session:
        target = await session.get(Assignment, target_seat) if target_seat else None
        session.add(
            SwapOffer(
                kind=SwapKind.EXCHANGE if target else SwapKind.GIVE_AWAY,
                status=SwapStatus.PENDING,
                from_assignment_id=from_seat,
                offered_by_id=by,
                target_member_id=target.member_id if target else None,
                target_assignment_id=target_seat,
                expires_at=NOW + dt.timedelta(hours=20),
                created_at=NOW,
                updated_at=NOW,
            )
        )


async def _blocked(database: Database, member_id: int) -> None:
    async with database.session() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        member.blocked_bot = True


async def test_seats_in_open_offers_or_of_blocked_holders_do_not_hide_the_others(
    database: Database,
) -> None:
    """More seats than the list weighs, all earlier than 王芳's: each offered by its holder,
    asked for by another exchange, or held by someone who blocked the bot. 王芳's seat is still
    offered, and none of theirs."""
    settings = make_settings(database.url)
    others = [f"队员{n}" for n in range(LIMIT_WEIGHED + 2)]
    world = await swap_world(database, "李明", "王芳", "张伟", *others)
    li, zhang = world.people["李明"], world.people["张伟"]
    mine = await seat_on(database, await shift_ahead(database, world, 24), li)
    hidden: list[int] = []
    for n, name in enumerate(others):
        seat = await seat_on(
            database, await shift_ahead(database, world, 30 + n), world.people[name]
        )
        hidden.append(seat)
        if n % 3 == 0:  # its holder gives it away
            await _offered(database, seat, world.people[name], None)
        elif n % 3 == 1:  # 张伟 asks for it in an exchange of his own
            zhang_seat = await seat_on(database, await shift_ahead(database, world, 90 + n), zhang)
            await _offered(database, zhang_seat, zhang, seat)
        else:
            await _blocked(database, world.people[name])
    theirs = await seat_on(
        database, await shift_ahead(database, world, 30 + len(others)), world.people["王芳"]
    )
    actor = await actor_of(database, li)
    async with database.session() as session:
        _, choices = await queries.exchange_choices(session, actor, mine, NOW, settings)
    shown = [choice.id for choice in choices]
    assert shown == [theirs]
    assert not set(shown) & set(hidden)


@pytest.mark.parametrize("offer", ["given_away", "asked_for"])
async def test_an_exchange_for_a_seat_in_an_open_offer_is_refused(
    database: Database, offer: str
) -> None:
    """王芳's seat already in an open offer (she gives it away, or 张伟 asks for it): 李明's
    exchange for it is refused as gone, and no offer of his is stored."""
    settings = make_settings(database.url)
    world = await swap_world(database, "李明", "王芳", "张伟")
    li, wang, zhang = (world.people[name] for name in ("李明", "王芳", "张伟"))
    mine = await seat_on(database, await shift_ahead(database, world, 24), li)
    theirs = await seat_on(database, await shift_ahead(database, world, 48), wang)
    if offer == "given_away":
        await _offered(database, theirs, wang, None)
    else:
        await _offered(
            database,
            await seat_on(database, await shift_ahead(database, world, 72), zhang),
            zhang,
            theirs,
        )
    actor = await actor_of(database, li)
    with pytest.raises(DomainError) as refused:
        async with database.session() as session:
            await offers.exchange(session, actor, mine, theirs, NOW, settings)
    assert refused.value.code is ErrorCode.SWAP_TARGET_GONE
    async with database.session() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(SwapOffer).where(SwapOffer.offered_by_id == li)
            )
            == 0
        )


async def test_seats_with_leave_asked_cost_no_statement_of_their_own(database: Database) -> None:
    """Two seats that may be exchanged, beside one and then five seats with leave asked: the
    list is read in as many statements either way."""
    settings = make_settings(database.url)
    asking = [f"请假{n}" for n in range(5)]
    world = await swap_world(database, "李明", "王芳", "张伟", *asking)
    mine = await seat_on(database, await shift_ahead(database, world, 24), world.people["李明"])
    exchangeable = [
        await seat_on(database, await shift_ahead(database, world, hours), world.people[name])
        for hours, name in ((30, "王芳"), (40, "张伟"))
    ]
    li = await actor_of(database, world.people["李明"])
    counts: list[int] = []
    for n, name in enumerate(asking):
        await _leave_asked(database, world, name, 31 + n)
        if n not in (0, len(asking) - 1):
            continue
        async with database.session() as session, statements(database) as sent:
            _, choices = await queries.exchange_choices(session, li, mine, NOW, settings)
        assert [choice.id for choice in choices] == exchangeable
        counts.append(len(sent))
    one_asked, five_asked = counts
    assert five_asked == one_asked, (one_asked, five_asked)


async def test_the_seats_a_member_may_offer_cost_no_statement_each(database: Database) -> None:
    """李明's seats he may offer, the one with leave asked left out: read in as many
    statements with one seat to offer as with four."""
    settings = make_settings(database.url)
    world = await swap_world(database, "李明")
    li_id = world.people["李明"]
    asked = await _leave_asked(database, world, "李明", 20)
    counts: list[int] = []
    held: list[int] = []
    for hours in (24, 30, 36, 42):
        held.append(await seat_on(database, await shift_ahead(database, world, hours), li_id))
        if len(held) not in (1, 4):
            continue
        async with database.session() as session, statements(database) as sent:
            member = await session.get(Member, li_id)
            assert member is not None
            offered = await queries.swappable(session, member, NOW, settings)
        assert [seat.id for seat in offered] == held and asked not in held
        counts.append(len(sent))
    one_seat, four_seats = counts
    assert four_seats == one_seat, (one_seat, four_seats)


async def test_an_exchange_for_the_seat_of_someone_who_blocked_the_bot_is_refused(
    database: Database,
) -> None:
    """王芳 blocked the bot: 李明's exchange for her seat is refused with her name, no offer."""
    settings = make_settings(database.url)
    world = await swap_world(database, "李明", "王芳")
    li, wang = world.people["李明"], world.people["王芳"]
    mine = await seat_on(database, await shift_ahead(database, world, 24), li)
    theirs = await seat_on(database, await shift_ahead(database, world, 48), wang)
    await _blocked(database, wang)
    actor = await actor_of(database, li)
    with pytest.raises(DomainError) as refused:
        async with database.session() as session:
            await offers.exchange(session, actor, mine, theirs, NOW, settings)
    assert refused.value.code is ErrorCode.SWAP_TARGET_UNREACHABLE
    assert refused.value.params["name"] == "王芳"
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(SwapOffer)) == 0
