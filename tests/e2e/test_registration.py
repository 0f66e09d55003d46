"""Joining by invite link, roles, and what strangers are told; an update delivered twice, a
restart and two people on a one-seat invite at once still register each person once."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AuditEntry, Dialogue, Member, Role, Unit
from tests.e2e.journeys import create_unit, invite_code, invite_of, join
from tests.harness import Harness


async def test_stranger_is_told_how_to_join(harness: Harness) -> None:
    stranger = harness.user(2001, "路人")
    await stranger.send_command("start")
    await stranger.send_text("你好")
    await stranger.send_command("me")
    await harness.settle()
    texts = stranger.texts()
    assert "邀请链接" in texts[0]
    assert "邀请链接" in texts[1]
    assert "还没有注册" in texts[2]
    assert await harness.count(Member) == 0


async def test_admin_creates_unit_and_volunteer_joins_by_deep_link(harness: Harness) -> None:
    await harness.admin.send_command("start")
    await harness.settle()
    assert "管理员" in harness.admin.last().text

    unit = await create_unit(harness, "城管局")
    assert "已创建单位「城管局」" in (harness.admin.last().text or "")
    code = await invite_code(harness, harness.admin, None, "志愿者")
    assert "城管局 · 志愿者" in (harness.admin.last().text or "")

    volunteer = harness.user(3001, "Wei", language_code="en")
    await volunteer.send_command("start", code)
    await harness.settle()
    assert "城管局" in (volunteer.last().text or "")
    keyboard = volunteer.reply_keyboard()
    assert keyboard is not None and keyboard[0][0].get("request_contact") is True

    await volunteer.send_contact(phone_number="8613800000001")
    await harness.settle()
    # A stranger is addressed in the language of their Telegram app until they pick one.
    assert "which name" in (volunteer.last().text or "")
    await volunteer.send_text("  张  伟 ")
    await harness.settle()
    assert "English" in " ".join(volunteer.last().buttons())
    await volunteer.press("English")
    await harness.settle()

    assert any("You are registered!" in text for text in volunteer.texts())
    member = await harness.member(3001)
    assert member is not None
    assert (member.display_name, member.phone, member.language) == ("张 伟", "+8613800000001", "en")
    assert member.unit_id == unit.id and member.roles == {Role.VOLUNTEER}
    assert (await invite_of(harness, code)).uses == 1
    assert await harness.count(Dialogue) == 0
    # The person's command menu follows their role and language.
    menu = harness.emulator.chat_menu(3001)
    assert ("me", "my profile") in menu
    assert all(name != "units" for name, _ in menu)


async def test_coordinator_invite_and_coordinator_invites_volunteers(harness: Harness) -> None:
    await create_unit(harness, "人民路社区")
    code = await invite_code(harness, harness.admin, None, "协调员")
    coordinator = harness.user(3101, "李")
    await join(harness, coordinator, code, "李协调")
    member = await harness.member(3101)
    assert member is not None and member.roles == {Role.COORDINATOR}

    volunteer_code = await invite_code(harness, coordinator, None, "志愿者")
    assert "人民路社区 · 志愿者" in (coordinator.last().text or "")
    volunteer = harness.user(3102, "王")
    await join(harness, volunteer, volunteer_code, "王志愿")
    joined = await harness.member(3102)
    assert joined is not None and joined.roles == {Role.VOLUNTEER}
    assert joined.unit_id == member.unit_id


async def test_volunteer_cannot_invite_or_manage_units(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, None, "志愿者")
    volunteer = harness.user(3201, "赵")
    await join(harness, volunteer, code, "赵六")
    await volunteer.send_command("invite")
    await volunteer.send_command("units")
    await harness.settle()
    assert volunteer.texts()[-2:] == ["抱歉，您没有权限执行这个操作。"] * 2
    await volunteer.press_data("unit.new", volunteer.messages()[-1].message_id)
    await harness.settle()
    assert volunteer.answered_callbacks[-1]["text"] == "抱歉，您没有权限执行这个操作。"
    assert await harness.count(Dialogue) == 0


async def test_same_update_delivered_twice_registers_once(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, None, "志愿者")
    person = harness.user(3601, "周")
    await person.send_command("start", code)
    await person.send_contact(phone_number="+8613800000003")
    await person.send_text("周八")
    await harness.settle()
    await person.press("简体中文")
    await harness.settle()
    replies = len(person.messages())
    harness.redeliver_last(3601)
    await harness.settle()
    assert len(person.messages()) == replies
    assert (await invite_of(harness, code)).uses == 1
    member = await harness.member(3601)
    assert member is not None and member.display_name == "周八"
    assert await harness.count(Member) == 1  # the admin never sent /start here


async def test_restart_keeps_everyone_registered_and_resumes_dialogues(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, None, "志愿者")
    done = harness.user(3701, "吴")
    await join(harness, done, code, "吴九")
    halfway = harness.user(3702, "郑")
    await halfway.send_command("start", code)
    await halfway.send_contact(phone_number="+8613800000004")
    await harness.settle()

    await harness.bot.restart()

    await done.send_command("me")
    await halfway.send_text("郑十")
    await harness.settle()
    assert "吴九" in (done.last().text or "") and "城管局" in (done.last().text or "")
    await halfway.press("简体中文")
    await harness.settle()
    member = await harness.member(3702)
    assert member is not None and member.display_name == "郑十"


async def test_existing_member_gains_role_from_invite_of_same_unit(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    await create_unit(harness, "交警队")
    volunteer_code = await invite_code(harness, harness.admin, "城管局", "志愿者")
    person = harness.user(3801, "冯")
    await join(harness, person, volunteer_code, "冯")
    leader_code = await invite_code(harness, harness.admin, "城管局", "领导")
    other_code = await invite_code(harness, harness.admin, "交警队", "志愿者")
    await person.send_command("start", leader_code)
    await person.send_command("start", other_code)
    await harness.settle()
    assert "已为您增加身份：领导" in person.texts()[-2]
    assert person.texts()[-1] == (
        "您已经是「城管局」的成员了。一个人只能属于一个单位，「交警队」的邀请链接现在对您无效。"
        "要换到「交警队」，请先发送 /me，点「🚪 退出本单位」，再点开这个链接。"
    )
    again = await invite_code(harness, harness.admin, "城管局", "志愿者")
    await person.send_command("start", again)
    await harness.settle()
    assert person.texts()[-1] == "您在「城管局」已经是志愿者了，不需要这个邀请链接。"
    member = await harness.member(3801)
    assert member is not None and member.roles == {Role.VOLUNTEER, Role.LEADER}
    assert member.unit is not None and member.unit.name == "城管局"
    async with harness.session() as session:
        units = (await session.scalars(select(Unit))).all()
    assert len(units) == 2


async def test_an_admin_joins_a_unit_by_invite_like_anyone(harness: Harness) -> None:
    """An admin's record belongs to no unit: an invite registers them (phone and all) there."""
    admin = harness.admin
    await admin.send_command("start")
    await harness.settle()
    await create_unit(harness, "城管局")
    code = await invite_code(harness, admin, "城管局", "志愿者")
    await join(harness, admin, code, "管理员甲")
    member = await harness.member(admin.user_id)
    assert member is not None and member.unit is not None and member.unit.name == "城管局"
    assert member.roles == {Role.VOLUNTEER} and member.phone
    await admin.send_command("units")
    await harness.settle()
    assert "🏢 单位列表" in (admin.last().text or ""), "still an admin"


async def _member_trail(harness: Harness, member_id: int) -> list[tuple[object, ...]]:
    async with harness.session() as session:
        entries = await session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.object_type == "member",
                AuditEntry.object_id == member_id,
                AuditEntry.action.like("member.%role%") | (AuditEntry.action == "member.join"),
            )
            .order_by(AuditEntry.id)
        )
        return [
            (entry.action, entry.actor_id, entry.before, entry.after, entry.created_at)
            for entry in entries
        ]


async def test_every_role_given_by_an_invite_is_in_the_audit_trail(harness: Harness) -> None:
    """Joining gives the invite's role, and a second invite of the same unit adds one: each is
    a role change, written to the trail with who made it (the one who used the invite) and
    when, beside the invite and who issued it, as an admin taking a role away is."""
    await harness.admin.send_command("start")
    await harness.settle()
    unit = await create_unit(harness, "城管局")
    admin = await harness.member(harness.admin.user_id)
    assert admin is not None
    volunteer_code = await invite_code(harness, harness.admin, "城管局", "志愿者")
    person = harness.user(3901, "褚")
    await join(harness, person, volunteer_code, "褚")
    joined_at = harness.clock.now()
    harness.clock.advance(minutes=5)
    leader_code = await invite_code(harness, harness.admin, "城管局", "领导")
    await person.send_command("start", leader_code)
    await harness.settle()
    assert "已为您增加身份：领导" in person.texts()[-1]

    member = await harness.member(3901)
    assert member is not None and member.roles == {Role.VOLUNTEER, Role.LEADER}
    volunteer_invite = await invite_of(harness, volunteer_code)
    leader_invite = await invite_of(harness, leader_code)
    assert await _member_trail(harness, member.id) == [
        (
            "member.join",
            member.id,
            {"unit_id": None, "roles": []},
            {
                "unit_id": unit.id,
                "roles": ["volunteer"],
                "invite_id": volunteer_invite.id,
                "invited_by": admin.id,
            },
            joined_at,
        ),
        (
            "member.add_role",
            member.id,
            {"roles": ["volunteer"]},
            {
                "roles": ["leader", "volunteer"],
                "invite_id": leader_invite.id,
                "invited_by": admin.id,
            },
            harness.clock.now(),
        ),
    ]


async def test_two_people_finishing_on_a_one_seat_invite_at_once_only_one_joins(
    harness: Harness,
) -> None:
    """A coordinator's invite has one seat: two people at its language step press at the same
    moment (their chats run side by side). One joins; the other is told the invite is used up
    and their dialogue ends; the invite counts one use."""
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, "城管局", "协调员")
    first, second = harness.user(4101, "甲"), harness.user(4102, "乙")
    for who, name in ((first, "甲"), (second, "乙")):
        await who.send_command("start", code)
        await harness.settle()
        await who.send_contact(phone_number="+8613800000000")
        await harness.settle()
        await who.send_text(name)
        await harness.settle()
    await first.press("简体中文")
    await second.press("简体中文")
    await harness.settle()

    used_up = "这个邀请链接的名额已用完，请向协调员索取新的链接。"
    outcomes = sorted(
        "used up" if used_up in who.texts()[-1] else "joined" for who in (first, second)
    )
    assert outcomes == ["joined", "used up"]
    assert (await invite_of(harness, code)).uses == 1
    assert await harness.count(Member) == 1
    assert await harness.count(Dialogue) == 0
