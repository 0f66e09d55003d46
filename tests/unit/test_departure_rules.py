"""Who may remove whom and take which role, each rule of the way out on its own, and what a
role taken away does: a coordinator no longer on posts gives up the seats ahead, one still on
posts keeps them, and with the last coordinator gone the admins decide the leave waiting."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    LeaveRequest,
    LeaveStatus,
    Member,
    MemberRole,
    OutboxMessage,
    Role,
)
from bot.errors import DomainError, ErrorCode
from bot.services.people import members
from bot.services.people.access import Actor
from bot.services.rostering import departure
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


async def test_who_may_remove_whom(database: Database) -> None:
    settings = make_settings(database.url, admin_ids=[9999])
    world = await departure_world(database)
    coordinator = await actor_of(database, world.people["王协调"])
    admin = Actor.of(9999, None, [9999])

    async def refused(actor: Actor, name: str) -> ErrorCode:
        async with database.session() as session:
            with pytest.raises(DomainError) as caught:
                await departure.remove(session, actor, world.people[name], NOW, settings)
            return caught.value.code

    assert await refused(coordinator, "李督查") is ErrorCode.MEMBER_REMOVE_FORBIDDEN
    assert await refused(coordinator, "王协调") is ErrorCode.MEMBER_REMOVE_SELF
    assert await refused(coordinator, "外人") is ErrorCode.FORBIDDEN
    volunteer = await actor_of(database, world.people["乙"])
    assert await refused(volunteer, "甲") is ErrorCode.FORBIDDEN

    # On post: nobody removes them, not even an admin; after the check-out, they may.
    shift_id = await shift_ahead(database, world, -1)
    seat = await seat_on(database, shift_id, world.people["甲"], AssignmentStatus.CHECKED_IN)
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


async def test_a_coordinator_who_no_longer_stands_on_posts_gives_up_the_seats_ahead(
    database: Database,
) -> None:
    settings = make_settings(database.url, admin_ids=[9999])
    world = await departure_world(database)
    lead = world.people["王协调"]
    async with database.session() as session:
        session.add(MemberRole(member_id=lead, role=Role.VOLUNTEER))
    seat = await seat_on(database, await shift_ahead(database, world, 24), lead)
    admin = Actor.of(9999, None, [9999])
    async with database.session() as session:
        taken = await departure.take_role(session, admin, lead, Role.VOLUNTEER, NOW, settings)
        assert isinstance(taken, departure.RoleTaken) and len(taken.released) == 1
    assert await seat_status(database, seat) is AssignmentStatus.REMOVED
    async with database.session() as session:
        member = await session.get(Member, lead)
        assert member is not None and member.active
        assert member.roles == frozenset({Role.COORDINATOR})
        with pytest.raises(DomainError) as caught:
            await departure.take_role(session, admin, lead, Role.VOLUNTEER, NOW, settings)
        assert caught.value.code is ErrorCode.ROLE_NOT_HELD
    told = await texts_to(database, lead)
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
    world = await departure_world(database)
    coordinator = await actor_of(database, world.people["王协调"])
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
    volunteer = await actor_of(database, world.people["乙"])
    assert (
        await refused(lambda s: departure.roster(s, volunteer, world.unit_id))
        is ErrorCode.FORBIDDEN
    )
    assert (
        await refused(lambda s: departure.roster(s, coordinator, world.other_id))
        is ErrorCode.FORBIDDEN
    )
    # A confirmation naming another unit leaves nothing.
    me = await actor_of(database, jia)
    assert (
        await refused(lambda s: departure.leave_unit(s, me, world.other_id, NOW, settings))
        is ErrorCode.MEMBER_GONE
    )

    # On post: 甲 may not leave; 王协调, a volunteer too, keeps the volunteer role meanwhile.
    now_on = await shift_ahead(database, world, -1)
    await seat_on(database, now_on, jia, AssignmentStatus.CHECKED_IN)
    assert await refused(lambda s: departure.leavable(s, me, NOW)) is ErrorCode.LEAVE_UNIT_ON_POST
    assert (
        await refused(lambda s: departure.leave_unit(s, me, world.unit_id, NOW, settings))
        is ErrorCode.LEAVE_UNIT_ON_POST
    )
    lead = world.people["王协调"]
    async with database.session() as session:
        session.add(MemberRole(member_id=lead, role=Role.VOLUNTEER))
    await seat_on(database, now_on, lead, AssignmentStatus.CHECKED_IN)
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
    world = await departure_world(database)
    jia = world.people["甲"]
    async with database.session() as session:
        session.add(MemberRole(member_id=jia, role=Role.LEADER))
    seat = await seat_on(database, await shift_ahead(database, world, 24), jia)
    admin = Actor.of(9999, None, [9999])
    async with database.session() as session:
        taken = await departure.take_role(session, admin, jia, Role.LEADER, NOW, settings)
        assert isinstance(taken, departure.RoleTaken) and taken.released == []
    assert await seat_status(database, seat) is AssignmentStatus.SIGNED_UP
    told = await texts_to(database, jia)
    assert len(told) == 1 and "释放" not in told[0]


async def test_the_last_coordinator_gone_hands_the_leave_to_decide_to_the_admins(
    database: Database,
) -> None:
    """甲's leave waits for a decision: while a coordinator is left, one losing the role moves
    nothing; when the last goes, the request goes to the admins."""
    settings = make_settings(database.url, admin_ids=[9999])
    world = await departure_world(database)
    jia, lead = world.people["甲"], world.people["王协调"]
    seat = await seat_on(database, await shift_ahead(database, world, 24), jia)
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
