"""A member's removal from a unit without Telegram: what it ends (seats, queue places, swap
offers, leave, a swap they took awaiting approval), what it keeps (the past), and that a new
invite registers one who left with that invite's role only."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import (
    AssignmentStatus,
    AuditEntry,
    Dialogue,
    DialogueKind,
    Invite,
    LeaveRequest,
    LeaveStatus,
    Member,
    OutboxMessage,
    OutboxStatus,
    Role,
    SwapKind,
    SwapOffer,
    SwapStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.services.people import members, registration
from bot.services.platform import outbox
from bot.services.rostering import departure, leave_decisions
from bot.services.schedule import seat_scan
from tests.conftest import make_settings
from tests.unit.departure_fixtures import (
    NOW,
    actor_of,
    departure_world,
    seat_on,
    seat_status,
    shift_ahead,
    texts_to,
)


async def test_a_removal_ends_what_the_member_holds_ahead_and_keeps_the_past(
    database: Database,
) -> None:
    settings = make_settings(database.url)
    world = await departure_world(database)
    jia, yi, bing = world.people["甲"], world.people["乙"], world.people["丙"]
    seated = await shift_ahead(database, world, 24)  # 甲 holds the seat, 乙 waits
    mine = await seat_on(database, seated, jia)
    waiting = await seat_on(database, seated, yi, AssignmentStatus.WAITLISTED, minutes=1)
    full = await shift_ahead(database, world, 48)  # 丙 holds it, 甲 waits
    await seat_on(database, full, bing)
    queued = await seat_on(database, full, jia, AssignmentStatus.WAITLISTED, minutes=1)
    asked = await shift_ahead(database, world, 72)  # 甲's seat with leave asked
    on_leave = await seat_on(database, asked, jia)
    offered = await shift_ahead(database, world, 96)  # 甲 hands this one to 乙
    handed = await seat_on(database, offered, jia)
    theirs = await shift_ahead(database, world, 120)  # 丙 hands this one to 甲
    bings = await seat_on(database, theirs, bing)
    past = await shift_ahead(database, world, -48)  # served: stays as it is
    served = await seat_on(database, past, jia, AssignmentStatus.CHECKED_OUT)
    ended = await shift_ahead(database, world, -24)  # ended, not yet marked absent: left to the job
    unmarked = await seat_on(database, ended, jia)
    async with database.session() as session:
        session.add(
            LeaveRequest(
                assignment_id=on_leave,
                member_id=jia,
                status=LeaveStatus.ASKED,
                reason="出差",
                asked_at=NOW,
            )
        )
        for seat, by, to in ((handed, jia, yi), (bings, bing, jia)):
            session.add(
                SwapOffer(
                    kind=SwapKind.HAND_OVER,
                    status=SwapStatus.PENDING,
                    from_assignment_id=seat,
                    offered_by_id=by,
                    target_member_id=to,
                    expires_at=NOW + dt.timedelta(days=3),
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        # Tomorrow's reminder, held in the queue: it speaks of a seat no longer theirs.
        await outbox.enqueue(
            session,
            key=seat_scan.reminder_key(mine, 720),
            chat_id=6003,
            body=outbox.payload("明天 07:00 黄河路 上岗"),
            now=NOW,
            not_before=NOW + dt.timedelta(hours=23),
        )
        # An announcement held by the quiet hours: for members of the unit, which 甲 no longer is.
        await outbox.enqueue(
            session,
            key="announcement:77:6003",
            chat_id=6003,
            body=outbox.payload("本周六全体志愿者集中培训"),
            now=NOW,
            not_before=NOW + dt.timedelta(hours=8),
        )
        session.add(
            Dialogue(
                telegram_id=6003,
                kind=DialogueKind.SWAP,
                step="pick",
                data={},
                updated_at=NOW,
            )
        )
    coordinator = await actor_of(database, world.people["王协调"])

    async with database.session() as session:
        _, count = await departure.removable(session, coordinator, jia, NOW, settings)
        assert count == 4  # the seats and the place in a queue ahead; not the served one
    async with database.session() as session:
        departed = await departure.remove(session, coordinator, jia, NOW, settings)
        assert departed.unit_name == "城管局"
        assert len(departed.released) == 4
        assert (departed.swaps_voided, departed.leaves_withdrawn) == (2, 1)

    assert await seat_status(database, mine) is AssignmentStatus.REMOVED
    assert await seat_status(database, waiting) is AssignmentStatus.SIGNED_UP  # promoted
    assert await seat_status(database, queued) is AssignmentStatus.REMOVED
    assert await seat_status(database, on_leave) is AssignmentStatus.REMOVED
    assert await seat_status(database, handed) is AssignmentStatus.REMOVED
    assert await seat_status(database, bings) is AssignmentStatus.SIGNED_UP  # 丙's own seat
    assert await seat_status(database, served) is AssignmentStatus.CHECKED_OUT
    assert await seat_status(database, unmarked) is AssignmentStatus.SIGNED_UP
    async with database.session() as session:
        offers = list(await session.scalars(select(SwapOffer).order_by(SwapOffer.id)))
        assert [offer.status for offer in offers] == [SwapStatus.VOID, SwapStatus.VOID]
        request = await session.scalar(select(LeaveRequest))
        assert request is not None and request.status is LeaveStatus.WITHDRAWN
        gone = await session.get(Member, jia)
        assert gone is not None and not gone.active and gone.unit_id == world.unit_id
        assert gone.roles == frozenset() and gone.tags == frozenset()
        assert await session.get(Dialogue, 6003) is None
        reminder = await session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.payload["text"].as_string() == "明天 07:00 黄河路 上岗"
            )
        )
        assert reminder is not None and reminder.status is OutboxStatus.DROPPED
        announcement = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == "announcement:77:6003")
        )
        assert announcement is not None and announcement.status is OutboxStatus.DROPPED
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "member.remove"))
        assert entry is not None and entry.actor_id == world.people["王协调"]
        assert entry.after == {
            "active": False,
            "released": 4,
            "swaps_voided": 2,
            "leaves_withdrawn": 1,
        }
        # No longer among those offered shifts or named in a swap.
        assert jia not in {m.id for m in await members.on_post(session, world.unit_id)}
        assert jia not in {m.id for m in await members.of_unit(session, world.unit_id)}

    # 甲 is told once, of the removal (not of each offer); 乙 of the seat and of the offer gone;
    # 丙 of their offer to 甲 gone.
    told = [t for t in await texts_to(database, jia) if "上岗" not in t and "培训" not in t]
    assert len(told) == 1 and told[0].startswith("王协调 已将您移出「城管局」")
    assert "未结束的 4 个班次已释放" in told[0]
    assert any("候补转正" in text for text in await texts_to(database, yi))
    assert any("换岗" in text for text in await texts_to(database, bing))

    # A coordinator's later press on the withdrawn leave hears the seat has gone.
    async with database.session() as session:
        request = await session.scalar(select(LeaveRequest))
        assert request is not None
        with pytest.raises(DomainError) as caught:
            await leave_decisions.decide(session, coordinator, request.id, True, NOW, settings)
        assert caught.value.code is ErrorCode.LEAVE_SEAT_GONE


async def test_one_who_left_joins_again_with_the_new_invites_role_only(
    database: Database,
) -> None:
    """A record left inactive with its roles and tags (as removals before this change left
    none, but any record might) is not given them back by a new registration."""
    world = await departure_world(database)
    async with database.session() as session:
        member = await session.get(Member, world.people["甲"])
        assert member is not None
        member.active = False
        session.add(
            Invite(
                code="JOIN1234abcd",
                unit_id=world.other_id,
                role=Role.LEADER,
                created_at=NOW,
                expires_at=NOW + dt.timedelta(days=1),
                max_uses=1,
                uses=0,
                revoked=False,
            )
        )
    async with database.session() as session:
        await registration.start(session, 6003, "JOIN1234abcd", NOW)
        dialogue = await session.get(Dialogue, 6003)
        assert dialogue is not None
        registration.receive_contact(dialogue, 6003, 6003, "8613800000000", NOW)
        registration.receive_name(dialogue, "甲", NOW)
        joined = await registration.complete(session, dialogue, "zh_Hans", NOW)
        assert joined.unit_id == world.other_id and joined.active
    async with database.session() as session:
        member = await session.get(Member, world.people["甲"])
        assert member is not None
        assert member.roles == frozenset({Role.LEADER}) and member.tags == frozenset()


async def test_a_removal_voids_the_swap_the_member_took_awaiting_approval(
    database: Database,
) -> None:
    """丙 offered a seat, 甲 took it and the coordinator is still to approve: removing 甲 calls
    it off, and 丙 and the coordinator are told; 丙 keeps the seat. 甲's own seat, that 乙 took
    awaiting approval, is freed and the offer is off too."""
    settings = make_settings(database.url)
    world = await departure_world(database)
    jia, yi, bing = world.people["甲"], world.people["乙"], world.people["丙"]
    bings = await seat_on(database, await shift_ahead(database, world, 24), bing)
    mine = await seat_on(database, await shift_ahead(database, world, 48), jia)
    async with database.session() as session:
        for seat, by, taker in ((bings, bing, jia), (mine, jia, yi)):
            session.add(
                SwapOffer(
                    kind=SwapKind.GIVE_AWAY,
                    status=SwapStatus.AWAITING_APPROVAL,
                    from_assignment_id=seat,
                    offered_by_id=by,
                    taken_by_id=taker,
                    expires_at=NOW + dt.timedelta(days=3),
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
    coordinator = await actor_of(database, world.people["王协调"])
    async with database.session() as session:
        departed = await departure.remove(session, coordinator, jia, NOW, settings)
        assert departed.swaps_voided == 2
    async with database.session() as session:
        offers = list(await session.scalars(select(SwapOffer).order_by(SwapOffer.id)))
        assert [offer.status for offer in offers] == [SwapStatus.VOID, SwapStatus.VOID]
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "member.remove"))
        assert entry is not None and entry.after is not None
        assert entry.after["swaps_voided"] == 2
    assert await seat_status(database, bings) is AssignmentStatus.SIGNED_UP
    assert await seat_status(database, mine) is AssignmentStatus.REMOVED
    assert any("换岗" in text for text in await texts_to(database, bing))
    assert any("换岗" in text for text in await texts_to(database, yi))
    assert any("换岗" in text for text in await texts_to(database, world.people["王协调"]))
    assert len(await texts_to(database, jia)) == 1  # the removal only
