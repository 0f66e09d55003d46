"""The seats an exchange may be for are read in one statement, the seats whose leave is asked
left out before the list is cut short: however many of the unit's seats wait on a leave
decision, the seats that may be exchanged are still offered, and reading them costs the same."""

from __future__ import annotations

from bot.db.engine import Database
from bot.db.models import LeaveRequest, LeaveStatus, Member
from bot.services.swaps import queries
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
            offered = await queries.swappable(session, member, NOW)
        assert [seat.id for seat in offered] == held and asked not in held
        counts.append(len(sent))
    one_seat, four_seats = counts
    assert four_seats == one_seat, (one_seat, four_seats)
