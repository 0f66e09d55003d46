"""The swap rules without Telegram: finding a member by name, exchanges at the weekly cap,
seats moving onto an old row, other offers of a moved seat, and an expiry that runs twice."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    AuditEntry,
    Member,
    MemberRole,
    OutboxMessage,
    Role,
    SwapOffer,
    SwapStatus,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.services.swaps import answers, lifecycle, offers, queries, unit_settings
from bot.services.swaps import jobs as swap_jobs
from tests.conftest import make_settings
from tests.unit.swap_fixtures import NOW, actor_of, seat_on, shift_ahead, swap_world


async def test_a_member_is_found_by_exact_name_first_then_by_part_of_it(
    database: Database,
) -> None:
    world = await swap_world(database, "李明", "王芳", "王芳芳", "王强", "外单位王五")
    async with database.session() as session:
        me = await session.get(Member, world.people["李明"])
        assert me is not None
        assert (await queries.find_member(session, me, " 王芳 ")).display_name == "王芳"
        assert (await queries.find_member(session, me, "强")).display_name == "王强"
        for typed, code in (
            ("王", ErrorCode.SWAP_MEMBER_AMBIGUOUS),
            ("王五", ErrorCode.SWAP_MEMBER_NOT_FOUND),  # another unit
            ("李", ErrorCode.SWAP_SELF),
            ("/start", ErrorCode.SWAP_NAME_INVALID),
            ("   ", ErrorCode.SWAP_NAME_INVALID),
        ):
            with pytest.raises(DomainError) as raised:
                await queries.find_member(session, me, typed)
            assert raised.value.code is code, typed
        with pytest.raises(DomainError) as raised:
            await queries.find_member(session, me, "王")
        assert raised.value.params["count"] == 3


async def test_an_exchange_at_the_weekly_cap_is_allowed_and_moves_onto_an_old_row(
    database: Database,
) -> None:
    settings = make_settings(database.url, weekly_shift_cap=1)
    world = await swap_world(database, "李明", "王芳")
    li, wang = world.people["李明"], world.people["王芳"]
    mine_shift = await shift_ahead(database, world, 24)
    their_shift = await shift_ahead(database, world, 25)  # overlaps: each gives up the other
    mine = await seat_on(database, mine_shift, li)
    theirs = await seat_on(database, their_shift, wang)
    # 李明 once waited for 王芳's shift and cancelled: that row is reused.
    old = await seat_on(database, their_shift, li, AssignmentStatus.CANCELLED)
    li_actor, wang_actor = await actor_of(database, li), await actor_of(database, wang)

    async with database.session() as session:
        _, choices = await queries.exchange_choices(session, li_actor, mine, NOW, settings)
        assert [a.id for a in choices] == [theirs]
        offered = await offers.exchange(session, li_actor, mine, theirs, NOW, settings)
        offer_id = offered.offer.id
    async with database.session() as session:
        result = await answers.accept(session, wang_actor, offer_id, NOW, settings)
        assert result.completed
    async with database.session() as session:
        rows = {
            (a.shift_id, a.member_id): a for a in (await session.scalars(select(Assignment))).all()
        }
        assert rows[(mine_shift, li)].status is AssignmentStatus.CANCELLED
        assert rows[(mine_shift, wang)].status is AssignmentStatus.SIGNED_UP
        assert rows[(their_shift, wang)].status is AssignmentStatus.CANCELLED
        assert rows[(their_shift, li)].status is AssignmentStatus.SIGNED_UP
        assert rows[(their_shift, li)].id == old


async def test_completing_a_swap_voids_other_open_offers_of_the_moved_seats(
    database: Database,
) -> None:
    settings = make_settings(database.url)
    world = await swap_world(database, "李明", "王芳", "张伟")
    li, wang, zhang = (world.people[n] for n in ("李明", "王芳", "张伟"))
    early = await shift_ahead(database, world, 24)
    late = await shift_ahead(database, world, 48)
    mine = await seat_on(database, early, li)
    theirs = await seat_on(database, late, wang)
    li_actor, wang_actor = await actor_of(database, li), await actor_of(database, wang)
    zhang_actor = await actor_of(database, zhang)
    async with database.session() as session:
        exchange = (await offers.exchange(session, li_actor, mine, theirs, NOW, settings)).offer.id
    async with database.session() as session:
        give_away = (await offers.give_away(session, wang_actor, theirs, NOW, settings)).offer.id
    async with database.session() as session:
        await answers.take(session, zhang_actor, give_away, NOW, settings)
    async with database.session() as session:
        assert (await lifecycle.get(session, exchange)).status is SwapStatus.VOID
        with pytest.raises(DomainError) as raised:
            await answers.accept(session, wang_actor, exchange, NOW, settings)
        assert raised.value.code is ErrorCode.SWAP_CLOSED


async def test_expiry_runs_twice_and_tells_once_and_a_vanished_seat_tells_no_one(
    database: Database,
) -> None:
    settings = make_settings(database.url, swap_expiry_before_start_min=60)
    world = await swap_world(database, "李明", "王芳")
    li, wang = world.people["李明"], world.people["王芳"]
    first = await seat_on(database, await shift_ahead(database, world, 24), li)
    second = await seat_on(database, await shift_ahead(database, world, 48), li)
    li_actor = await actor_of(database, li)
    async with database.session() as session:
        kept = (await offers.hand_over(session, li_actor, first, "王芳", NOW, settings)).offer.id
        gone = (await offers.give_away(session, li_actor, second, NOW, settings)).offer.id
        (await session.get(Assignment, second)).status = AssignmentStatus.CANCELLED  # type: ignore[union-attr]
    later = NOW + dt.timedelta(hours=47)
    async with database.session() as session:
        assert await swap_jobs.expire(session, later, settings) == 2  # 李明 and 王芳
    async with database.session() as session:
        assert await swap_jobs.expire(session, later, settings) == 0
        assert (await lifecycle.get(session, kept)).status is SwapStatus.EXPIRED
        assert (await lifecycle.get(session, gone)).status is SwapStatus.VOID
        keys = (await session.scalars(select(OutboxMessage.idempotency_key))).all()
        assert sorted(k for k in keys if k.startswith("swap-expired")) == [
            f"swap-expired:{kept}:{li}",
            f"swap-expired:{kept}:{wang}",
        ]
        actions = (
            await session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "swap"))
        ).all()
        assert sorted(actions) == ["swap.expire", "swap.offer", "swap.offer", "swap.void"]
        assert await session.scalar(select(func.count()).select_from(SwapOffer)) == 2


async def test_only_a_coordinator_of_the_unit_decides_and_toggles_approval(
    database: Database,
) -> None:
    world = await swap_world(database, "李明", "外单位协调")
    async with database.session() as session:
        outsider = await session.get(Member, world.people["外单位协调"])
        assert outsider is not None
        outsider.role_rows = [MemberRole(role=Role.COORDINATOR)]
    outsider_actor = await actor_of(database, world.people["外单位协调"])
    volunteer = await actor_of(database, world.people["李明"])
    async with database.session() as session:
        with pytest.raises(DomainError) as raised:
            await unit_settings.set_approval(session, outsider_actor, world.unit_id, True, NOW)
        assert raised.value.code is ErrorCode.FORBIDDEN
        with pytest.raises(DomainError) as raised:
            await unit_settings.managed_units(session, volunteer)
        assert raised.value.code is ErrorCode.FORBIDDEN
        units = await unit_settings.managed_units(session, outsider_actor)
        assert [u.name for u in units] == ["教育局"]


async def test_an_exchange_under_approval_moves_both_seats_only_when_approved(
    database: Database,
) -> None:
    settings = make_settings(database.url)
    world = await swap_world(database, "李明", "王芳", "陈协调")
    li, wang, chen = (world.people[n] for n in ("李明", "王芳", "陈协调"))
    async with database.session() as session:
        unit = await session.get(Unit, world.unit_id)
        coordinator = await session.get(Member, chen)
        assert unit is not None and coordinator is not None
        unit.require_swap_approval = True
        coordinator.role_rows = [MemberRole(role=Role.COORDINATOR)]
    early, late = await shift_ahead(database, world, 24), await shift_ahead(database, world, 48)
    mine, theirs = await seat_on(database, early, li), await seat_on(database, late, wang)
    li_actor, wang_actor = await actor_of(database, li), await actor_of(database, wang)
    chen_actor = await actor_of(database, chen)
    async with database.session() as session:
        offer_id = (await offers.exchange(session, li_actor, mine, theirs, NOW, settings)).offer.id
    async with database.session() as session:
        assert not (await answers.accept(session, wang_actor, offer_id, NOW, settings)).completed
        # A volunteer cannot approve, not even one of the two.
        with pytest.raises(DomainError) as raised:
            await answers.decide(session, wang_actor, offer_id, True, NOW, settings)
        assert raised.value.code is ErrorCode.FORBIDDEN
    async with database.session() as session:
        held = {
            (a.shift_id, a.member_id): a.status
            for a in (await session.scalars(select(Assignment))).all()
        }
        assert held == {
            (early, li): AssignmentStatus.SIGNED_UP,
            (late, wang): AssignmentStatus.SIGNED_UP,
        }
        offer = await lifecycle.get(session, offer_id)
        assert [r.no_shows for r in await queries.records(session, offer)] == [0, 0]
        approved = await answers.decide(session, chen_actor, offer_id, True, NOW, settings)
        assert approved.status is SwapStatus.COMPLETED and approved.decided_by_id == chen
    async with database.session() as session:
        held = {
            (a.shift_id, a.member_id): a.status
            for a in (await session.scalars(select(Assignment))).all()
        }
        assert held == {
            (early, li): AssignmentStatus.CANCELLED,
            (early, wang): AssignmentStatus.SIGNED_UP,
            (late, wang): AssignmentStatus.CANCELLED,
            (late, li): AssignmentStatus.SIGNED_UP,
        }
        keys = set((await session.scalars(select(OutboxMessage.idempotency_key))).all())
        assert f"swap-approval:{offer_id}:{5003}" in keys
        assert {f"swap-completed:{offer_id}:{li}", f"swap-completed:{offer_id}:{wang}"} <= keys
