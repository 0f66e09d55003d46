"""Two admins each take one of a member's two roles at the same moment, each confirmation
saying the member stays in the unit: the one who comes second would take the last role, a
removal nobody confirmed, and is refused; never an active member left with no role. And a
removal or a role taken while someone signs up: no deadlock, no seat for one who no longer
stands on posts. And a role taken from a confirmation naming one unit while the member moves to
another: nothing is taken from them there.

PostgreSQL only: on SQLite the second waits for the held write lock (the gate's two seconds)
and then meets the refusal before any lock, as tests/e2e/test_members.py shows without waiting."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from bot.buttons import MemberRemoveConfirm, MemberRoleTakeConfirm, SignUp
from bot.db.models import AssignmentStatus, AuditEntry, Member, MemberRole, Role
from bot.services.schedule import seats, signup
from tests.databases import postgres_url
from tests.e2e.lock_fixtures import SHIFT_LOCK, until_another_waits_for_a_member_lock
from tests.e2e.race_gate import Gate, until
from tests.e2e.schedule import command, person, post, shift, statuses, unit
from tests.e2e.swap_fixtures import seat
from tests.harness import ADMIN_ID, Harness

OTHER_ADMIN = 610_201


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"admin_ids": [ADMIN_ID, OTHER_ADMIN]}


@pytest.mark.skipif(postgres_url() is None, reason="SQLite serializes the two takes")
async def test_two_admins_taking_both_roles_at_once_leave_the_member_one(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = await unit(harness, "城管局")
    await person(harness, 8901, city, "甲", role=Role.COORDINATOR)
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == 8901))
        assert member is not None
        member_id = member.id
        session.add(MemberRole(member_id=member_id, role=Role.VOLUNTEER))
    first, second = harness.admin, harness.user(OTHER_ADMIN, "Admin2")
    await command(harness, first, "members")
    await command(harness, second, "members")

    # The first admin's take of 协调员 has found another role left, and is about to take it,
    # when the second admin confirms taking 志愿者.
    gate = Gate(monkeypatch, seats, "lock_members")
    await first.press_data(
        MemberRoleTakeConfirm(member_id, Role.COORDINATOR, removes=False).pack(),
        first.last().message_id,
    )
    await gate.wait_reached()
    answered = len(second.answered_callbacks)
    await second.press_data(
        MemberRoleTakeConfirm(member_id, Role.VOLUNTEER, removes=False).pack(),
        second.last().message_id,
    )
    await until(lambda: len(second.answered_callbacks) > answered)
    gate.release()
    await harness.settle()

    async with harness.session() as session:
        gone = await session.get(Member, member_id)
        assert gone is not None
        roles = set(
            await session.scalars(select(MemberRole.role).where(MemberRole.member_id == member_id))
        )
    # The second admin took 志愿者 while the first was held; the first, now taking the last
    # role that its confirmation said was not the last, is refused: 甲 stays a coordinator.
    assert gone.active and roles == {Role.COORDINATOR}
    assert first.answered_callbacks[-1]["text"] == (
        "「甲」的其他身份已被取消：现在再取消协调员身份，ta 将被移出「城管局」。"
        "如确要移出，请重新打开 ta 的卡片。"
    )
    assert second.texts()[-1].startswith("已取消「甲」的志愿者身份。现在的身份：协调员。")


@pytest.mark.skipif(postgres_url() is None, reason="SQLite serializes the removal and the sign-up")
async def test_a_removal_giving_up_two_seats_while_one_waiting_signs_up_for_the_second(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """甲 holds the one seat of the morning shift, where 乙 waits, and a seat of the noon one.
    乙 signs up for the noon shift (its lock taken, hers not yet) as the admin removes 甲: the
    removal gives up both seats, and the morning's goes to 乙. Were the shifts locked one by one,
    with 乙 locked to promote her in between, the removal would hold 乙 and wait for the noon
    shift while her sign-up held it and waited for her: a deadlock, one side told of an error."""
    city = await unit(harness, "城管局")
    jia = await person(harness, 8911, city, "甲")
    yi = await person(harness, 8912, city, "乙")
    crossing = await post(harness, city)
    morning = await shift(harness, crossing, start=7, end=9, capacity=1)
    noon = await shift(harness, crossing, start=12, end=14, capacity=2)
    await seat(harness, morning, jia.user_id)
    await seat(harness, noon, jia.user_id)
    await seat(harness, morning, yi.user_id, AssignmentStatus.WAITLISTED)
    jia_member = await harness.member(jia.user_id)
    assert jia_member is not None
    admin = harness.admin
    await command(harness, admin, "members")
    await command(harness, yi, "shifts")

    gate = Gate(monkeypatch, signup, "lock_members")
    await yi.press_data(SignUp(noon).pack(), yi.last().message_id)
    await gate.wait_reached()
    await admin.press_data(MemberRemoveConfirm(jia_member.id, city).pack(), admin.last().message_id)
    await until_another_waits_for_a_member_lock(harness, SHIFT_LOCK)
    gate.release()
    await harness.settle()

    assert "报名成功" in " ".join(yi.texts()[-2:]), yi.texts()[-2:]
    assert admin.last().text == "已将「甲」移出「城管局」，释放了 2 个班次。已通知 ta。"
    assert await statuses(harness, morning) == {
        jia.user_id: AssignmentStatus.REMOVED,
        yi.user_id: AssignmentStatus.SIGNED_UP,
    }
    assert await statuses(harness, noon) == {
        jia.user_id: AssignmentStatus.REMOVED,
        yi.user_id: AssignmentStatus.SIGNED_UP,
    }


@pytest.mark.skipif(postgres_url() is None, reason="SQLite serializes the removal and the sign-up")
async def test_one_signing_up_as_they_are_removed_gets_no_seat(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The admin's removal of 甲 holds her row (her seat given up, not yet committed) when she
    presses 报名 for another shift: her sign-up waits for her row and then reads her as she is,
    removed, and is refused; never a seat held by someone no longer a member."""
    city = await unit(harness, "城管局")
    jia = await person(harness, 8921, city, "甲")
    crossing = await post(harness, city)
    morning = await shift(harness, crossing, start=7, end=9)
    noon = await shift(harness, crossing, start=12, end=14)
    await seat(harness, morning, jia.user_id)
    jia_member = await harness.member(jia.user_id)
    assert jia_member is not None
    admin = harness.admin
    await command(harness, admin, "members")
    await command(harness, jia, "shifts")

    gate = Gate(monkeypatch, signup, "lock_ahead", after=True)  # 甲 locked
    await admin.press_data(MemberRemoveConfirm(jia_member.id, city).pack(), admin.last().message_id)
    await gate.wait_reached()
    await jia.press_data(SignUp(noon).pack(), jia.last().message_id)
    await until_another_waits_for_a_member_lock(harness)
    gate.release()
    await harness.settle()

    assert admin.last().text == "已将「甲」移出「城管局」，释放了 1 个班次。已通知 ta。"
    assert await statuses(harness, morning) == {jia.user_id: AssignmentStatus.REMOVED}
    assert await statuses(harness, noon) == {}
    assert jia.answered_callbacks[-1]["text"] == (
        "您还没有注册。请向所在单位的协调员索取邀请链接，点开即可注册。"
    )
    assert "报名成功" not in " ".join(jia.texts())


@pytest.mark.skipif(postgres_url() is None, reason="SQLite serializes the take and the sign-up")
async def test_one_signing_up_as_their_volunteer_role_is_taken_gets_no_seat(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The admin's take of 甲's 志愿者 role holds her row when she presses 报名: her sign-up
    waits for it, then reads her as a leader only, who stands on no post, and is refused."""
    city = await unit(harness, "城管局")
    jia = await person(harness, 8931, city, "甲", role=Role.LEADER)
    jia_member = await harness.member(jia.user_id)
    assert jia_member is not None
    async with harness.session() as session:
        session.add(MemberRole(member_id=jia_member.id, role=Role.VOLUNTEER))
    noon = await shift(harness, await post(harness, city), start=12, end=14)
    admin = harness.admin
    await command(harness, admin, "members")
    await command(harness, jia, "shifts")

    gate = Gate(monkeypatch, signup, "lock_ahead", after=True)  # 甲 locked
    take = MemberRoleTakeConfirm(jia_member.id, Role.VOLUNTEER, removes=False, unit_id=city)
    await admin.press_data(take.pack(), admin.last().message_id)
    await gate.wait_reached()
    await jia.press_data(SignUp(noon).pack(), jia.last().message_id)
    await until_another_waits_for_a_member_lock(harness)
    gate.release()
    await harness.settle()

    assert admin.last().text is not None and admin.last().text.startswith(
        "已取消「甲」的志愿者身份。"
    ), admin.last().text
    assert await statuses(harness, noon) == {}
    assert jia.answered_callbacks[-1]["text"] == (
        "只有志愿者上岗接班，需要志愿者身份（协调员可以发一个志愿者邀请链接）。"
    )


@pytest.mark.skipif(postgres_url() is None, reason="SQLite serializes the take and the move")
async def test_a_role_taken_as_its_member_moves_to_another_unit_is_not_taken_there(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The admin confirms taking 甲's 协调员 role in 城管局; before the take locks her row, she
    has left 城管局 and joined 交警队 by its invites, again a coordinator and a volunteer. The
    take reads her again under the lock and finds her in another unit than the confirmation
    named: she is no longer a member of 城管局, and keeps both roles in 交警队."""
    city = await unit(harness, "城管局")
    traffic = await unit(harness, "交警队")
    jia = await person(harness, 8941, city, "甲", role=Role.COORDINATOR)
    jia_member = await harness.member(jia.user_id)
    assert jia_member is not None
    async with harness.session() as session:
        session.add(MemberRole(member_id=jia_member.id, role=Role.VOLUNTEER))
    admin = harness.admin
    await command(harness, admin, "members")

    gate = Gate(monkeypatch, seats, "lock_members")
    take = MemberRoleTakeConfirm(jia_member.id, Role.COORDINATOR, removes=False, unit_id=city)
    await admin.press_data(take.pack(), admin.last().message_id)
    await gate.wait_reached()
    # What leaving 城管局 and two invites of 交警队 (协调员, then 志愿者) leave of her record.
    async with harness.session() as session:
        await session.execute(delete(MemberRole).where(MemberRole.member_id == jia_member.id))
        moved = await session.get(Member, jia_member.id)
        assert moved is not None
        moved.unit_id = traffic
        session.add_all(
            MemberRole(member_id=jia_member.id, role=role)
            for role in (Role.COORDINATOR, Role.VOLUNTEER)
        )
    gate.release()
    await harness.settle()

    assert admin.answered_callbacks[-1]["text"] == "「甲」已经不是本单位的成员了。"
    async with harness.session() as session:
        after = await session.get(Member, jia_member.id)
        assert after is not None
        roles = set(
            await session.scalars(
                select(MemberRole.role).where(MemberRole.member_id == jia_member.id)
            )
        )
        taken = await session.scalar(
            select(AuditEntry.id).where(AuditEntry.action == "member.take_role")
        )
    assert after.active and after.unit_id == traffic
    assert roles == {Role.COORDINATOR, Role.VOLUNTEER}
    assert taken is None
    assert jia.texts() == []
