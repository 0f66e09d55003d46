"""What a person joining can get wrong, each answered clearly with nothing changed: used-up,
forged and expired codes (and one's own used link tapped again), wrong input at each step, a
name of invisible characters (and the name suggested never a command nor blank), buttons of a
revoked or earlier invite, and forged invite buttons; /cancel ends the registration."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Dialogue, Invite, Role
from tests.e2e.journeys import create_unit, invite_code, invite_of, join
from tests.harness import Harness


async def test_used_up_forged_and_expired_codes_are_refused(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, None, "协调员")
    first = harness.user(3301, "甲")
    await join(harness, first, code, "甲")
    # The one who used the one-seat link taps it again: told they have its role, not to ask
    # for a new link (nor, once it expired, that it expired).
    already = "您在「城管局」已经是协调员了，不需要这个邀请链接。"
    await first.send_command("start", code)
    await harness.settle()
    assert first.last().text == already

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
    await first.send_command("start", code)
    await harness.settle()
    assert first.last().text == already
    assert (await invite_of(harness, code)).uses == 1


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
    assert texts[0] == "请点下方「📱 发送我的手机号」按钮，而不是手动输入。"
    assert "别人的联系方式" in texts[1]
    # A sticker, a location or a photo was not typed: told what the step needs, not "don't type".
    press = "这一步需要您的手机号：请点下方「📱 发送我的手机号」按钮。"
    assert texts[2:] == [press, press, press]
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

    # Cancelled at the last step, the language question keeps no button (✖️ included).
    await person.send_command("start", code)
    await person.send_contact(phone_number="+8613800000005")
    await person.send_text("孙")
    await harness.settle()
    languages = person.last()
    await person.send_command("cancel")
    await harness.settle()
    assert person.last().text == "已取消。"
    shown = next(m for m in person.messages() if m.message_id == languages.message_id)
    assert shown.buttons() == []
    assert await harness.count(Dialogue) == 0
    assert await harness.member(3501) is None


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
    too: the language buttons of the first joining's message go, and one pressed all the same
    belongs to a dialogue that was replaced, and says so rather than join 交警队 from the
    message that named 城管局."""
    await create_unit(harness, "城管局")
    await create_unit(harness, "交警队")
    first = await invite_code(harness, harness.admin, "城管局", "志愿者")
    second = await invite_code(harness, harness.admin, "交警队", "志愿者")
    person = harness.user(4501, "卫")
    languages, chinese = [], []
    for code in (first, second):
        await person.send_command("start", code)
        await harness.settle()
        await person.send_contact(phone_number="+8613800000000")
        await harness.settle()
        await person.send_text("卫")
        await harness.settle()
        languages.append(person.last())
        chinese.append(person.last().button_data("简体中文") or "")

    # The first joining's language buttons went when the second link started afresh; one
    # pressed all the same (an older client's copy) joins nothing and says so.
    first_languages = next(m for m in person.messages() if m.message_id == languages[0].message_id)
    assert first_languages.buttons() == []
    await person.press_data(chinese[0], languages[0].message_id)
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
