"""A member's way out of a unit without Telegram: what a removal ends (seats, queue places,
swap offers, leave), what it keeps (the past), who may remove whom, and that a new invite
registers one who left with that invite's role only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    AuditEntry,
    Dialogue,
    DialogueKind,
    Invite,
    LeaveRequest,
    LeaveStatus,
    Member,
    MemberRole,
    MemberTag,
    OutboxMessage,
    OutboxStatus,
    Post,
    PostType,
    Role,
    Shift,
    ShiftStatus,
    SwapKind,
    SwapOffer,
    SwapStatus,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.services.people import members, registration
from bot.services.people.access import Actor
from bot.services.platform import outbox
from bot.services.rostering import departure, leave
from bot.services.schedule import seat_scan
from tests.conftest import make_settings

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)  # 08:00 in Shanghai, a Tuesday


@dataclass
class World:
    unit_id: int
    other_id: int
    post_id: int
    people: dict[str, int]  # name -> member id


async def _world(database: Database) -> World:
    """城管局 with 王协调 (coordinator), 李督查 (inspector), 甲 (volunteer, tagged 党员), 乙 and 丙
    (volunteers); 外人 of 教育局."""
    async with database.session() as session:
        unit = Unit(name="城管局", created_at=NOW, require_swap_approval=False)
        other = Unit(name="教育局", created_at=NOW, require_swap_approval=False)
        session.add_all([unit, other])
        await session.flush()
        post = Post(
            unit_id=unit.id,
            name="黄河路",
            type=PostType.TRAFFIC,
            latitude=30.0,
            longitude=104.0,
            radius_m=150,
            archived=False,
            created_at=NOW,
        )
        session.add(post)
        people: dict[str, int] = {}
        cast = [
            ("王协调", Role.COORDINATOR, unit.id),
            ("李督查", Role.INSPECTOR, unit.id),
            ("甲", Role.VOLUNTEER, unit.id),
            ("乙", Role.VOLUNTEER, unit.id),
            ("丙", Role.VOLUNTEER, unit.id),
            ("外人", Role.VOLUNTEER, other.id),
        ]
        for number, (name, role, unit_id) in enumerate(cast, start=1):
            member = Member(
                telegram_id=6000 + number,
                display_name=name,
                phone="+8613800000000",
                language="zh_Hans",
                unit_id=unit_id,
                registered_at=NOW,
                blocked_bot=False,
                active=True,
            )
            member.role_rows = [MemberRole(role=role)]
            if name == "甲":
                member.tag_rows = [MemberTag(tag="党员")]
            session.add(member)
            await session.flush()
            people[name] = member.id
        return World(unit.id, other.id, post.id, people)


async def _shift(database: Database, world: World, hours: int, capacity: int = 1) -> int:
    async with database.session() as session:
        shift = Shift(
            post_id=world.post_id,
            starts_at=NOW + dt.timedelta(hours=hours),
            ends_at=NOW + dt.timedelta(hours=hours + 2),
            capacity=capacity,
            status=ShiftStatus.SCHEDULED,
            created_at=NOW,
        )
        session.add(shift)
        await session.flush()
        return shift.id


async def _seat(
    database: Database,
    shift_id: int,
    member_id: int,
    status: AssignmentStatus = AssignmentStatus.SIGNED_UP,
    minutes: int = 0,
) -> int:
    async with database.session() as session:
        at = NOW + dt.timedelta(minutes=minutes)
        row = Assignment(
            shift_id=shift_id, member_id=member_id, status=status, created_at=at, updated_at=at
        )
        session.add(row)
        await session.flush()
        return row.id


async def _actor(database: Database, member_id: int, admin_ids: list[int] = []) -> Actor:  # noqa: B006
    async with database.session() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        return Actor.of(member.telegram_id, member, admin_ids)


async def _status(database: Database, assignment_id: int) -> AssignmentStatus:
    async with database.session() as session:
        seat = await session.get(Assignment, assignment_id)
        assert seat is not None
        return seat.status


async def _texts_to(database: Database, member_id: int) -> list[str]:
    async with database.session() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == member.telegram_id)
            .order_by(OutboxMessage.id)
        )
        return [str(row.payload["text"]) for row in rows]


async def test_a_removal_ends_what_the_member_holds_ahead_and_keeps_the_past(
    database: Database,
) -> None:
    settings = make_settings(database.url)
    world = await _world(database)
    jia, yi, bing = world.people["甲"], world.people["乙"], world.people["丙"]
    seated = await _shift(database, world, 24)  # 甲 holds the seat, 乙 waits
    mine = await _seat(database, seated, jia)
    waiting = await _seat(database, seated, yi, AssignmentStatus.WAITLISTED, minutes=1)
    full = await _shift(database, world, 48)  # 丙 holds it, 甲 waits
    await _seat(database, full, bing)
    queued = await _seat(database, full, jia, AssignmentStatus.WAITLISTED, minutes=1)
    asked = await _shift(database, world, 72)  # 甲's seat with leave asked
    on_leave = await _seat(database, asked, jia)
    offered = await _shift(database, world, 96)  # 甲 hands this one to 乙
    handed = await _seat(database, offered, jia)
    theirs = await _shift(database, world, 120)  # 丙 hands this one to 甲
    bings = await _seat(database, theirs, bing)
    past = await _shift(database, world, -48)  # served: stays as it is
    served = await _seat(database, past, jia, AssignmentStatus.CHECKED_OUT)
    ended = await _shift(database, world, -24)  # ended, not yet marked absent: left to the job
    unmarked = await _seat(database, ended, jia)
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
    coordinator = await _actor(database, world.people["王协调"])

    async with database.session() as session:
        _, count = await departure.removable(session, coordinator, jia, NOW, settings)
        assert count == 4  # the seats and the place in a queue ahead; not the served one
    async with database.session() as session:
        departed = await departure.remove(session, coordinator, jia, NOW, settings)
        assert departed.unit_name == "城管局"
        assert len(departed.released) == 4
        assert (departed.swaps_voided, departed.leaves_withdrawn) == (2, 1)

    assert await _status(database, mine) is AssignmentStatus.REMOVED
    assert await _status(database, waiting) is AssignmentStatus.SIGNED_UP  # promoted
    assert await _status(database, queued) is AssignmentStatus.REMOVED
    assert await _status(database, on_leave) is AssignmentStatus.REMOVED
    assert await _status(database, handed) is AssignmentStatus.REMOVED
    assert await _status(database, bings) is AssignmentStatus.SIGNED_UP  # 丙's own seat
    assert await _status(database, served) is AssignmentStatus.CHECKED_OUT
    assert await _status(database, unmarked) is AssignmentStatus.SIGNED_UP
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
    told = [t for t in await _texts_to(database, jia) if "上岗" not in t and "培训" not in t]
    assert len(told) == 1 and told[0].startswith("王协调 已将您移出「城管局」")
    assert "未结束的 4 个班次已释放" in told[0]
    assert any("候补转正" in text for text in await _texts_to(database, yi))
    assert any("换岗" in text for text in await _texts_to(database, bing))

    # A coordinator's later press on the withdrawn leave hears the seat has gone.
    async with database.session() as session:
        request = await session.scalar(select(LeaveRequest))
        assert request is not None
        with pytest.raises(DomainError) as caught:
            await leave.decide(session, coordinator, request.id, True, NOW, settings)
        assert caught.value.code is ErrorCode.LEAVE_SEAT_GONE


async def test_who_may_remove_whom(database: Database) -> None:
    settings = make_settings(database.url, admin_ids=[9999])
    world = await _world(database)
    coordinator = await _actor(database, world.people["王协调"])
    admin = Actor.of(9999, None, [9999])

    async def refused(actor: Actor, name: str) -> ErrorCode:
        async with database.session() as session:
            with pytest.raises(DomainError) as caught:
                await departure.remove(session, actor, world.people[name], NOW, settings)
            return caught.value.code

    assert await refused(coordinator, "李督查") is ErrorCode.MEMBER_REMOVE_FORBIDDEN
    assert await refused(coordinator, "王协调") is ErrorCode.MEMBER_REMOVE_SELF
    assert await refused(coordinator, "外人") is ErrorCode.FORBIDDEN
    volunteer = await _actor(database, world.people["乙"])
    assert await refused(volunteer, "甲") is ErrorCode.FORBIDDEN

    # On post: nobody removes them, not even an admin; after the check-out, they may.
    shift_id = await _shift(database, world, -1)
    seat = await _seat(database, shift_id, world.people["甲"], AssignmentStatus.CHECKED_IN)
    assert await refused(admin, "甲") is ErrorCode.MEMBER_ON_POST
    async with database.session() as session:
        row = await session.get(Assignment, seat)
        assert row is not None
        row.status = AssignmentStatus.CHECKED_OUT
    async with database.session() as session:
        await departure.remove(session, coordinator, world.people["甲"], NOW, settings)
    assert await refused(coordinator, "甲") is ErrorCode.MEMBER_GONE

    # An admin removes an inspector, and a coordinator.
    async with database.session() as session:
        await departure.remove(session, admin, world.people["李督查"], NOW, settings)
        await departure.remove(session, admin, world.people["王协调"], NOW, settings)
    async with database.session() as session:
        assert [m.display_name for m in await members.of_unit(session, world.unit_id)] == [
            "丙",
            "乙",
        ]


async def test_one_who_left_joins_again_with_the_new_invites_role_only(
    database: Database,
) -> None:
    """A record left inactive with its roles and tags (as removals before this change left
    none, but any record might) is not given them back by a new registration."""
    world = await _world(database)
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


async def test_a_coordinator_who_no_longer_stands_on_posts_gives_up_the_seats_ahead(
    database: Database,
) -> None:
    settings = make_settings(database.url, admin_ids=[9999])
    world = await _world(database)
    lead = world.people["王协调"]
    async with database.session() as session:
        session.add(MemberRole(member_id=lead, role=Role.VOLUNTEER))
    seat = await _seat(database, await _shift(database, world, 24), lead)
    admin = Actor.of(9999, None, [9999])
    async with database.session() as session:
        taken = await departure.take_role(session, admin, lead, Role.VOLUNTEER, NOW, settings)
        assert isinstance(taken, departure.RoleTaken) and len(taken.released) == 1
    assert await _status(database, seat) is AssignmentStatus.REMOVED
    async with database.session() as session:
        member = await session.get(Member, lead)
        assert member is not None and member.active
        assert member.roles == frozenset({Role.COORDINATOR})
        with pytest.raises(DomainError) as caught:
            await departure.take_role(session, admin, lead, Role.VOLUNTEER, NOW, settings)
        assert caught.value.code is ErrorCode.ROLE_NOT_HELD
    told = await _texts_to(database, lead)
    assert told == [
        "管理员取消了您在「城管局」的志愿者身份。您现在的身份：协调员。发送 /help 查看可用命令。\n"
        "您不再站岗，未结束的 1 个班次已释放。"
    ]


async def test_the_rules_of_the_way_out_each_hold(database: Database) -> None:
    """Each refusal on its own: roles are the admins' to take, never from an admin of
    ADMIN_IDS; the list is for the unit's coordinators; someone on post neither leaves nor
    loses the role they stand on posts with; a confirmation of a unit they are no longer in
    leaves nothing."""
    settings = make_settings(database.url, admin_ids=[9999, 6002])
    world = await _world(database)
    coordinator = await _actor(database, world.people["王协调"])
    admin = Actor.of(9999, None, [9999, 6002])
    jia = world.people["甲"]

    async def refused(call: object) -> ErrorCode:
        async with database.session() as session:
            with pytest.raises(DomainError) as caught:
                await call(session)  # type: ignore[operator]
            return caught.value.code

    # A coordinator takes no role away, not even a volunteer's.
    assert (
        await refused(
            lambda s: departure.take_role(s, coordinator, jia, Role.VOLUNTEER, NOW, settings)
        )
        is ErrorCode.FORBIDDEN
    )
    # An admin of ADMIN_IDS (李督查 is one here) keeps every role, even one of two.
    inspector = world.people["李督查"]
    async with database.session() as session:
        session.add(MemberRole(member_id=inspector, role=Role.VOLUNTEER))
    assert (
        await refused(
            lambda s: departure.take_role(s, admin, inspector, Role.INSPECTOR, NOW, settings)
        )
        is ErrorCode.MEMBER_REMOVE_ADMIN
    )
    # The list is the unit's coordinators' (and the admins').
    volunteer = await _actor(database, world.people["乙"])
    assert (
        await refused(lambda s: departure.roster(s, volunteer, world.unit_id))
        is ErrorCode.FORBIDDEN
    )
    assert (
        await refused(lambda s: departure.roster(s, coordinator, world.other_id))
        is ErrorCode.FORBIDDEN
    )
    # A confirmation naming another unit leaves nothing.
    me = await _actor(database, jia)
    assert (
        await refused(lambda s: departure.leave_unit(s, me, world.other_id, NOW, settings))
        is ErrorCode.MEMBER_GONE
    )

    # On post: 甲 may not leave; 王协调, a volunteer too, keeps the volunteer role meanwhile.
    now_on = await _shift(database, world, -1)
    await _seat(database, now_on, jia, AssignmentStatus.CHECKED_IN)
    assert await refused(lambda s: departure.leavable(s, me, NOW)) is ErrorCode.LEAVE_UNIT_ON_POST
    assert (
        await refused(lambda s: departure.leave_unit(s, me, world.unit_id, NOW, settings))
        is ErrorCode.LEAVE_UNIT_ON_POST
    )
    lead = world.people["王协调"]
    async with database.session() as session:
        session.add(MemberRole(member_id=lead, role=Role.VOLUNTEER))
    await _seat(database, now_on, lead, AssignmentStatus.CHECKED_IN)
    assert (
        await refused(lambda s: departure.take_role(s, admin, lead, Role.VOLUNTEER, NOW, settings))
        is ErrorCode.MEMBER_ON_POST
    )
    async with database.session() as session:
        member = await session.get(Member, lead)
        assert member is not None and member.active
        assert member.roles == frozenset({Role.COORDINATOR, Role.VOLUNTEER})


async def test_a_role_taken_from_one_still_on_posts_keeps_their_seats(database: Database) -> None:
    """A leader who is a volunteer too keeps standing on posts when the leader role is taken:
    their seats stay theirs."""
    settings = make_settings(database.url, admin_ids=[9999])
    world = await _world(database)
    jia = world.people["甲"]
    async with database.session() as session:
        session.add(MemberRole(member_id=jia, role=Role.LEADER))
    seat = await _seat(database, await _shift(database, world, 24), jia)
    admin = Actor.of(9999, None, [9999])
    async with database.session() as session:
        taken = await departure.take_role(session, admin, jia, Role.LEADER, NOW, settings)
        assert isinstance(taken, departure.RoleTaken) and taken.released == []
    assert await _status(database, seat) is AssignmentStatus.SIGNED_UP
    told = await _texts_to(database, jia)
    assert len(told) == 1 and "释放" not in told[0]


async def test_a_removal_voids_the_swap_the_member_took_awaiting_approval(
    database: Database,
) -> None:
    """丙 offered a seat, 甲 took it and the coordinator is still to approve: removing 甲 calls
    it off, and 丙 and the coordinator are told; 丙 keeps the seat. 甲's own seat, that 乙 took
    awaiting approval, is freed and the offer is off too."""
    settings = make_settings(database.url)
    world = await _world(database)
    jia, yi, bing = world.people["甲"], world.people["乙"], world.people["丙"]
    bings = await _seat(database, await _shift(database, world, 24), bing)
    mine = await _seat(database, await _shift(database, world, 48), jia)
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
    coordinator = await _actor(database, world.people["王协调"])
    async with database.session() as session:
        departed = await departure.remove(session, coordinator, jia, NOW, settings)
        assert departed.swaps_voided == 2
    async with database.session() as session:
        offers = list(await session.scalars(select(SwapOffer).order_by(SwapOffer.id)))
        assert [offer.status for offer in offers] == [SwapStatus.VOID, SwapStatus.VOID]
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "member.remove"))
        assert entry is not None and entry.after is not None
        assert entry.after["swaps_voided"] == 2
    assert await _status(database, bings) is AssignmentStatus.SIGNED_UP
    assert await _status(database, mine) is AssignmentStatus.REMOVED
    assert any("换岗" in text for text in await _texts_to(database, bing))
    assert any("换岗" in text for text in await _texts_to(database, yi))
    assert any("换岗" in text for text in await _texts_to(database, world.people["王协调"]))
    assert len(await _texts_to(database, jia)) == 1  # the removal only


async def test_the_last_coordinator_gone_hands_the_leave_to_decide_to_the_admins(
    database: Database,
) -> None:
    """甲's leave waits for a decision: while a coordinator is left, one losing the role moves
    nothing; when the last goes, the request goes to the admins."""
    settings = make_settings(database.url, admin_ids=[9999])
    world = await _world(database)
    jia, lead = world.people["甲"], world.people["王协调"]
    seat = await _seat(database, await _shift(database, world, 24), jia)
    async with database.session() as session:
        session.add(MemberRole(member_id=lead, role=Role.VOLUNTEER))
        session.add(
            LeaveRequest(
                assignment_id=seat,
                member_id=jia,
                status=LeaveStatus.ASKED,
                reason="出差",
                asked_at=NOW,
            )
        )
    admin = Actor.of(9999, None, [9999])

    async def to_admin() -> list[str]:
        async with database.session() as session:
            rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 9999))
            return [str(row.payload["text"]) for row in rows]

    # 乙 coordinates too: 王协调 losing the role moves nothing.
    yi = world.people["乙"]
    async with database.session() as session:
        session.add(MemberRole(member_id=yi, role=Role.COORDINATOR))
    async with database.session() as session:
        await departure.take_role(session, admin, lead, Role.COORDINATOR, NOW, settings)
    assert await to_admin() == []
    # 乙, the last one, removed: the admins get the request.
    async with database.session() as session:
        await departure.remove(session, admin, yi, NOW, settings)
    told = await to_admin()
    assert len(told) == 1 and "请假申请" in told[0] and "甲" in told[0]
