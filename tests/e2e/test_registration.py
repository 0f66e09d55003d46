"""Joining by invite link, roles, and what strangers are told."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.db.models import AuditEntry, Dialogue, Invite, Member, Role, Unit
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


async def test_used_up_forged_and_expired_codes_are_refused(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, None, "协调员")
    await join(harness, harness.user(3301, "甲"), code, "甲")

    late = harness.user(3302, "乙")
    await late.send_command("start", code)
    await late.send_command("start", "AAAAAAAAAAAAAAAAAAAA")
    await late.send_command("start", "x'; drop table members;--")
    await harness.settle()
    texts = late.texts()
    assert "名额已用完" in texts[0]
    assert "邀请码无效" in texts[1]
    assert "邀请码无效" in texts[2]

    volunteer_code = await invite_code(harness, harness.admin, "城管局", "志愿者")
    harness.clock.advance(days=8)
    await late.send_command("start", volunteer_code)
    await harness.settle()
    assert "已过期" in (late.last().text or "")
    assert await harness.member(3302) is None
    assert await harness.count(Dialogue) == 0


async def test_wrong_input_during_registration_changes_nothing(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, None, "志愿者")
    person = harness.user(3401, "钱")
    await person.send_command("start", code)
    await harness.settle()

    await person.send_text("13800000000")
    await person.send_contact(phone_number="+8613911111111", user_id=999)
    await person.send_sticker()
    await person.send_location(30.0, 104.0)
    # A street-report photo belongs to members; mid-registration it is one more wrong input.
    await person.send_photo(caption="随手拍")
    await harness.settle()
    texts = person.texts()[-5:]
    assert "按钮" in texts[0]
    assert "别人的联系方式" in texts[1]
    assert "按钮" in texts[2] and "按钮" in texts[3] and "按钮" in texts[4]
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, 3401)
    assert dialogue is not None and dialogue.step == "contact" and "phone" not in dialogue.data

    await person.send_contact(phone_number="+8613800000002")
    await harness.settle()
    await person.send_sticker()
    await person.send_text("/" + "x")
    await person.send_text("名" * 40)
    await harness.settle()
    texts = person.texts()[-3:]
    assert "用文字" in texts[0]
    assert "没有这个命令" in texts[1]
    assert "最多 32 个字" in texts[2]
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, 3401)
    assert dialogue is not None and dialogue.step == "name"

    await person.send_text("钱七")
    await person.send_text("中文")
    await harness.settle()
    assert "语言按钮" in (person.last().text or "")
    await person.press_data("reg.lang:xx", person.messages()[-2].message_id)
    await harness.settle()
    assert person.answered_callbacks[-1]["text"] == "这个按钮已失效，请重新打开菜单。"
    assert await harness.member(3401) is None

    await person.press("简体中文")
    await harness.settle()
    assert "注册成功" in "".join(person.texts())
    assert await harness.member(3401) is not None


async def test_cancel_ends_registration(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, None, "志愿者")
    person = harness.user(3501, "孙")
    await person.send_command("start", code)
    await person.send_text("取消")
    await person.send_command("cancel")
    await harness.settle()
    assert person.texts()[-2:] == ["已取消。", "当前没有进行中的操作。"]
    assert await harness.count(Dialogue) == 0
    assert (await invite_of(harness, code)).uses == 0


async def test_an_invite_revoked_while_joining_ends_the_dialogue_and_its_buttons(
    harness: Harness,
) -> None:
    """The invite is revoked while the person types their name: the language button is
    refused, the language list gives way to the reason (no dead buttons to tap again), the
    dialogue ends and no member is made; a new link starts afresh."""
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, None, "志愿者")
    person = harness.user(3551, "褚")
    await person.send_command("start", code)
    await person.send_contact(phone_number="+8613800000005")
    await person.send_text("褚十一")
    await harness.settle()
    languages = person.last()
    assert "简体中文" in languages.buttons()
    async with harness.session() as session:
        await session.execute(update(Invite).where(Invite.code == code).values(revoked=True))
        await session.commit()

    await person.press("简体中文", languages.message_id)
    await harness.settle()
    refusal = "这个邀请链接已被撤销，请向协调员索取新的链接。"
    assert person.answered_callbacks[-1]["text"] == refusal
    assert person.last().message_id == languages.message_id
    assert (person.last().text, person.last().buttons()) == (refusal, [])
    assert await harness.count(Dialogue) == 0
    assert await harness.member(3551) is None
    assert (await invite_of(harness, code)).uses == 0

    again = await invite_code(harness, harness.admin, None, "志愿者")
    await join(harness, person, again, "褚十一")
    member = await harness.member(3551)
    assert member is not None and member.active and member.roles == {Role.VOLUNTEER}


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


async def test_forged_invite_buttons_are_refused_and_create_nothing(harness: Harness) -> None:
    """A coordinator may invite only volunteers of their own unit, whatever the button says."""
    own = await create_unit(harness, "城管局")
    other = await create_unit(harness, "交警队")
    code = await invite_code(harness, harness.admin, "城管局", "协调员")
    coordinator = harness.user(3601, "孙")
    await join(harness, coordinator, code, "孙协调")
    await coordinator.send_command("invite")  # one unit, one role: the link comes at once
    await harness.settle()
    assert "城管局 · 志愿者" in (coordinator.last().text or "")
    anchor = coordinator.last().message_id
    before = await harness.count(Invite)
    answers = []
    for data in (
        f"inv.r:{own.id}:coordinator",
        f"inv.r:{own.id}:leader",
        f"inv.r:{other.id}:volunteer",
        f"inv.u:{other.id}",
        f"inv.r:{own.id}:chief",
        "inv.u:x",
    ):
        await coordinator.press_data(data, anchor)
        await harness.settle()
        answers.append(coordinator.answered_callbacks[-1]["text"])
    assert answers == [
        "您不能邀请这个身份。",
        "您不能邀请这个身份。",
        "抱歉，您没有权限执行这个操作。",
        "抱歉，您没有权限执行这个操作。",
        "这个按钮已失效，请重新打开菜单。",
        "这个按钮已失效，请重新打开菜单。",
    ]
    assert await harness.count(Invite) == before

    # An admin pressing a button of a unit that no longer exists is told so.
    await harness.admin.send_command("invite")
    await harness.settle()
    await harness.admin.press_data("inv.u:999999", harness.admin.last().message_id)
    await harness.settle()
    assert harness.admin.answered_callbacks[-1]["text"] == "找不到这个单位，可能已被删除。"
    assert await harness.count(Invite) == before


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


async def test_a_name_of_invisible_characters_is_refused_and_hidden_marks_are_dropped(
    harness: Harness,
) -> None:
    """Rosters, cards and /tag find people by the name they gave: one made only of zero-width
    spaces or direction marks would show as nothing and could not be typed. It is refused as
    a blank name; marks hidden in a real name (a right-to-left override that turns the rest
    around on screen) are dropped, the letters kept."""
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, "城管局", "志愿者")
    person = harness.user(4301, "郑")
    await person.send_command("start", code)
    await harness.settle()
    await person.send_contact(phone_number="+8613800000000")
    await harness.settle()
    for blank in ("\u200b\u200b", "\u2066\u202e \u2069", "\ufeff\u00ad"):
        await person.send_text(blank)
        await harness.settle()
        assert person.last().text == "姓名不能为空，最多 32 个字，且不能以 / 开头。"
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, 4301)
    assert dialogue is not None and dialogue.step == "name"

    await person.send_text("郑\u202e小\u200b明")
    await harness.settle()
    assert person.last().text is not None and "郑小明" in person.texts()[-2]
    await person.press("简体中文")
    await harness.settle()
    member = await harness.member(4301)
    assert member is not None and member.display_name == "郑小明"


async def test_the_name_suggested_is_never_a_command_nor_blank(harness: Harness) -> None:
    """The name step offers the Telegram profile's name on a button, as the bot would keep it:
    a profile named like a command would send a command, one of Hangul fillers a blank, so
    neither is offered (the Cancel button stays); a filler inside a name is dropped on the
    button as it is from a typed name."""
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, "城管局", "志愿者")
    offered = {}
    for user_id, profile in ((4401, "/start"), (4402, "\u3164\u3164"), (4403, "王\u3164五")):
        person = harness.user(user_id, profile)
        await person.send_command("start", code)
        await harness.settle()
        await person.send_contact(phone_number="+8613800000000")
        await harness.settle()
        keyboard = person.reply_keyboard()
        assert keyboard is not None
        offered[profile] = [row[0]["text"] for row in keyboard]
    assert offered == {"/start": ["取消"], "\u3164\u3164": ["取消"], "王\u3164五": ["王五", "取消"]}

    person = harness.user(4402, "\u3164\u3164")
    for blank in ("\u3164", "\u115f\u1160", "\ufe0f", "\U000e0041"):
        await person.send_text(blank)
        await harness.settle()
        assert person.last().text == "姓名不能为空，最多 32 个字，且不能以 / 开头。"
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, 4402)
    assert dialogue is not None and dialogue.step == "name" and "name" not in dialogue.data
    await person.send_text("李\u3164四\ufe0f")
    await harness.settle()
    await person.press("简体中文")
    await harness.settle()
    member = await harness.member(4402)
    assert member is not None and member.display_name == "李四"


async def test_a_language_button_of_an_earlier_invite_does_not_finish_a_later_one(
    harness: Harness,
) -> None:
    """Someone halfway through joining 城管局 opens a 交警队 link and gets to its language step
    too: the language buttons still on the first joining's message belong to a dialogue that
    was replaced, and say so rather than join 交警队 from the message that named 城管局."""
    await create_unit(harness, "城管局")
    await create_unit(harness, "交警队")
    first = await invite_code(harness, harness.admin, "城管局", "志愿者")
    second = await invite_code(harness, harness.admin, "交警队", "志愿者")
    person = harness.user(4501, "卫")
    languages = []
    for code in (first, second):
        await person.send_command("start", code)
        await harness.settle()
        await person.send_contact(phone_number="+8613800000000")
        await harness.settle()
        await person.send_text("卫")
        await harness.settle()
        languages.append(person.last())

    await person.press("简体中文", languages[0].message_id)
    await harness.settle()
    assert person.answered_callbacks[-1]["text"] == (
        "这个按钮属于您之前未做完的一次操作，已由之后开始的那次取代，没有生效。请在最新的消息里继续。"
    )
    assert await harness.member(4501) is None
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, 4501)
    assert dialogue is not None and dialogue.data["code"] == second
    assert (await invite_of(harness, first)).uses == 0

    await person.press("简体中文", languages[1].message_id)
    await harness.settle()
    member = await harness.member(4501)
    assert member is not None and member.unit is not None and member.unit.name == "交警队"
    assert (await invite_of(harness, second)).uses == 1
