"""Held words about how a swap ended, drawn again when they go out. The scheduler's
(bot/services/swaps/closings.py): once a shift of the swap is cancelled, a swap that expired (or
was called off for a moved shift) is told as void for that reason to those the cancellation
did not reach, and not to the seat's holder, who was told of the cancellation. A swap not
approved (bot/services/swaps/endings.py): "nothing changes" only to whom it is still so."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Member,
    MemberRole,
    OutboxMessage,
    Role,
    Shift,
    Unit,
)
from bot.services.people.access import Actor
from bot.services.platform.outbox import Message
from bot.services.platform.redraw import Subject
from bot.services.schedule import shifts
from bot.services.swaps import answers, closings, endings, offers
from bot.services.swaps import jobs as swap_jobs
from tests.conftest import make_settings
from tests.unit.swap_fixtures import NOW, actor_of, seat_on, shift_ahead, swap_world


async def test_an_expired_swap_of_a_cancelled_shift_is_void_to_all_it_did_not_reach(
    database: Database,
) -> None:
    """李明 asks 王芳 to take his seat; she accepts, and it waits for the coordinator 赵强's
    approval when it expires. The shift is cancelled before the word goes out: 李明 was told
    of the cancellation and reads nothing more; 王芳 and 赵强 read that the swap is void, the
    shift cancelled."""
    settings = make_settings(database.url)
    world = await swap_world(database, "李明", "王芳", "赵强")
    li, wang, zhao = (world.people[name] for name in ("李明", "王芳", "赵强"))
    async with database.session() as session:
        unit = await session.get(Unit, world.unit_id)
        assert unit is not None
        unit.require_swap_approval = True
        session.add(MemberRole(member_id=zhao, role=Role.COORDINATOR))
    shift_id = await shift_ahead(database, world, 24)
    seat_id = await seat_on(database, shift_id, li)
    async with database.session() as session:
        offer_id = (
            await offers.hand_over(
                session, await actor_of(database, li), seat_id, "王芳", NOW, settings
            )
        ).offer.id
    async with database.session() as session:
        await answers.accept(session, await actor_of(database, wang), offer_id, NOW, settings)
    expired_at = NOW + dt.timedelta(hours=23)
    async with database.session() as session:
        assert await swap_jobs.expire(session, expired_at, settings) == 3
    async with database.session() as session:
        coordinator = await session.get(Member, zhao)
        assert coordinator is not None
        actor = Actor.of(coordinator.telegram_id, coordinator, [])
        await shifts.cancel(session, actor, shift_id, expired_at, settings)
    async with database.session() as session:
        held = {
            row.chat_id: row
            for row in await session.scalars(
                select(OutboxMessage).where(OutboxMessage.idempotency_key.like("swap-expired:%"))
            )
        }
        chats = {
            member.id: member.telegram_id
            for member in await session.scalars(
                select(Member).where(Member.id.in_(world.people.values()))
            )
        }
        subjects = [
            Subject((offer_id, member_id), expired_at, chats[member_id])
            for member_id in (li, wang, zhao)
        ]
        assert set(held) == set(chats.values())
        drawn = await closings.redraw_expired(session, subjects, expired_at, settings)
    assert drawn[0] is None
    label = "12月2日 周三 08:00–10:00 · 黄河路"
    for message in drawn[1:]:
        assert isinstance(message, Message)
        assert message.text == f"🔁 换岗作废了（{label}）：这个班次已经取消，换岗不用再处理。"
        assert message.redraw is not None and message.redraw.kind == "swap-expired"


async def test_an_exchange_not_approved_says_nothing_changes_only_while_it_has_not(
    database: Database,
) -> None:
    """李明 (tomorrow) and 王芳 (the day after) agree to exchange; the coordinator does not
    approve it. Drawn while the seats are as they were, both read that nothing changes; drawn
    once the seats have moved as the exchange would have moved them (a later swap), neither
    does."""
    settings = make_settings(database.url)
    world = await swap_world(database, "李明", "王芳", "赵强")
    li, wang, zhao = (world.people[name] for name in ("李明", "王芳", "赵强"))
    async with database.session() as session:
        unit = await session.get(Unit, world.unit_id)
        assert unit is not None
        unit.require_swap_approval = True
        session.add(MemberRole(member_id=zhao, role=Role.COORDINATOR))
    early, late = await shift_ahead(database, world, 24), await shift_ahead(database, world, 48)
    mine, theirs = await seat_on(database, early, li), await seat_on(database, late, wang)
    async with database.session() as session:
        offered = await offers.exchange(
            session, await actor_of(database, li), mine, theirs, NOW, settings
        )
        offer_id = offered.offer.id
    async with database.session() as session:
        await answers.accept(session, await actor_of(database, wang), offer_id, NOW, settings)
    async with database.session() as session:
        await answers.decide(
            session, await actor_of(database, zhao), offer_id, False, NOW, settings
        )
    subjects = [Subject((offer_id, member_id), NOW, 0) for member_id in (li, wang)]
    async with database.session() as session:
        drawn = await endings.redraw_ended(session, subjects, NOW, settings)
    assert [
        message is not None and "没有批准换岗" in (message.text or "") for message in drawn
    ] == [
        True,
        True,
    ]
    async with database.session() as session:
        for seat in await session.scalars(select(Assignment)):
            seat.status = AssignmentStatus.CANCELLED
        session.add_all(
            Assignment(
                shift_id=shift_id,
                member_id=member_id,
                status=AssignmentStatus.SIGNED_UP,
                created_at=NOW,
                updated_at=NOW,
            )
            for shift_id, member_id in ((early, wang), (late, li))
        )
    async with database.session() as session:
        assert await endings.redraw_ended(session, subjects, NOW, settings) == [None, None]


async def test_a_held_word_that_an_exchange_was_called_off_by_a_move_names_the_shift_moved(
    database: Database,
) -> None:
    """李明 (tomorrow) offers 王芳 (the day after) an exchange; her shift is moved an hour on,
    which calls it off. The word held for either of them, drawn again, names her shift at its
    new time, not 李明's, whose time did not change."""
    settings = make_settings(database.url)
    world = await swap_world(database, "李明", "王芳")
    li, wang = world.people["李明"], world.people["王芳"]
    early, late = await shift_ahead(database, world, 24), await shift_ahead(database, world, 48)
    mine, theirs = await seat_on(database, early, li), await seat_on(database, late, wang)
    async with database.session() as session:
        await offers.exchange(session, await actor_of(database, li), mine, theirs, NOW, settings)
    async with database.session() as session:
        shift = await session.get(Shift, late)
        assert shift is not None
        shift.starts_at += dt.timedelta(hours=1)
        shift.ends_at += dt.timedelta(hours=1)
        await session.flush()
        assert await swap_jobs.void_for_moved_shift(session, late, NOW, settings) == 2
    async with database.session() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.idempotency_key.like("swap-moved:%"))
            )
        )
        subjects = [
            Subject(tuple(int(arg) for arg in row.payload["redraw"][1:]), NOW, row.chat_id)
            for row in rows
        ]
        drawn = await closings.redraw_moved(session, subjects, NOW, settings)
    assert len(drawn) == 2
    for message in drawn:
        assert isinstance(message, Message)
        assert (message.text or "").startswith(
            "🔁 换岗取消了（12月3日 周四 09:00–11:00 · 黄河路）"
        ), message.text
