"""A shift moved to another time, through the service alone (no handler): what follows the move
in other domains (bot/moves.py) comes with the edit, whoever calls it. The reminders queued
for the old time are retired, so that they are due again at the new one, and the open swap
offers of its seats are off, with everyone waiting on them told. A change of notes moves
nothing and leaves both standing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import OutboxMessage, OutboxStatus, SwapOffer, SwapStatus
from bot.moves import AFTER_MOVE
from bot.services.people.access import Actor
from bot.services.platform import outbox
from bot.services.schedule import seat_scan, shifts
from bot.services.swaps import offers
from tests.conftest import make_settings
from tests.harness import ADMIN_ID
from tests.unit.swap_fixtures import NOW, actor_of, seat_on, shift_ahead, swap_world


async def _keys(database: Database) -> dict[str, OutboxStatus]:
    async with database.session() as session:
        rows = await session.scalars(select(OutboxMessage))
        return {row.idempotency_key: row.status for row in rows}


async def _offer_status(database: Database, offer_id: int) -> SwapStatus:
    async with database.session() as session:
        offer = await session.get(SwapOffer, offer_id)
        assert offer is not None
        return offer.status


async def test_editing_a_shift_s_time_in_the_service_rearms_its_reminders_and_voids_its_offers(
    database: Database,
) -> None:
    settings = make_settings(database.url, reminder_leads=[720, 30])
    world = await swap_world(database, "李明", "王芳")
    li = world.people["李明"]
    shift_id = await shift_ahead(database, world, 26)  # tomorrow 10:00–12:00 in Shanghai
    mine = await seat_on(database, shift_id, li)
    li_actor = await actor_of(database, li)
    admin = Actor.of(ADMIN_ID, None, [ADMIN_ID])
    remind = seat_scan.reminder_key(mine, 720)
    async with database.session() as session:
        offer_id = (await offers.give_away(session, li_actor, mine, NOW, settings)).offer.id
        # The 12-hour reminder, queued for the old time and not yet sent.
        await outbox.enqueue(
            session, key=remind, chat_id=5001, body=outbox.payload("上岗提醒"), now=NOW
        )

    # Notes alone: the time stands, and so do the reminder and the offer.
    async with database.session() as session:
        await shifts.edit(
            session, admin, shift_id, NOW, settings, notes="带小红旗", after_move=AFTER_MOVE
        )
    assert (await _keys(database))[remind] is OutboxStatus.PENDING
    assert await _offer_status(database, offer_id) is SwapStatus.PENDING

    async with database.session() as session:
        await shifts.edit(
            session,
            admin,
            shift_id,
            NOW,
            settings,
            times=(dt.time(12, 0), dt.time(14, 0)),
            after_move=AFTER_MOVE,
        )
    keys = await _keys(database)
    # The reminder's key is free for the reminder of the new time; the old one is kept, dropped.
    assert remind not in keys
    [retired] = [key for key in keys if key.startswith(f"{remind}:moved-")]
    assert keys[retired] is OutboxStatus.DROPPED
    # The offer is off, and 李明, who made it, is told why.
    assert await _offer_status(database, offer_id) is SwapStatus.VOID
    assert f"swap-moved:{offer_id}:{li}" in keys


async def test_a_new_end_alone_voids_the_offers_and_leaves_the_reminders_be(
    database: Database,
) -> None:
    """The end moves, the start stays: the offers (made for the old hours) are off, the
    reminders (counted from the start, which stands) stay queued as they were."""
    settings = make_settings(database.url, reminder_leads=[720, 30])
    world = await swap_world(database, "李明", "王芳")
    li = world.people["李明"]
    shift_id = await shift_ahead(database, world, 26)  # tomorrow 10:00–12:00 in Shanghai
    mine = await seat_on(database, shift_id, li)
    li_actor = await actor_of(database, li)
    admin = Actor.of(ADMIN_ID, None, [ADMIN_ID])
    remind = seat_scan.reminder_key(mine, 720)
    async with database.session() as session:
        offer_id = (await offers.give_away(session, li_actor, mine, NOW, settings)).offer.id
        await outbox.enqueue(
            session, key=remind, chat_id=5001, body=outbox.payload("上岗提醒"), now=NOW
        )

    async with database.session() as session:
        await shifts.edit(
            session,
            admin,
            shift_id,
            NOW,
            settings,
            times=(dt.time(10, 0), dt.time(13, 0)),
            after_move=AFTER_MOVE,
        )
    keys = await _keys(database)
    assert keys[remind] is OutboxStatus.PENDING
    assert await _offer_status(database, offer_id) is SwapStatus.VOID
    assert f"swap-moved:{offer_id}:{li}" in keys
