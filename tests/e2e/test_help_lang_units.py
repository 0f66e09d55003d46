"""/help per role, /lang and the command menu, and renaming units with bad names refused."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import build_application
from bot.db.models import AuditEntry, Dialogue, Member, Role, Unit
from tests.e2e.schedule import command, person, press_and_settle, unit
from tests.harness import Harness

VOLUNTEER_COMMANDS = {
    "/me",
    "/lang",
    "/shifts",
    "/my",
    "/checkin",
    "/checkout",
    "/hours",
    "/swap",
    "/swaps",
    "/unavailable",
    "/report",
}
COORDINATOR_COMMANDS = {
    "/invite",
    "/invites",
    "/members",
    "/posts",
    "/newpost",
    "/newshift",
    "/roster",
    "/template",
    "/import",
    "/broadcast",
    "/unitsettings",
    "/tag",
    "/today",
    "/week",
    "/month",
    "/export",
    "/rotate",
    "/orders",
}
ADMIN_ONLY = {"/units", "/outbox", "/inspect", "/zones", "/checklist"}


def shown(text: str) -> set[str]:
    """The commands a /help answer lists, one per line as `/name — what it does`."""
    return {line.split(" — ")[0] for line in text.splitlines() if line.startswith("/")}


async def test_help_lists_the_commands_of_each_role_and_no_others(harness: Harness) -> None:
    unit_id = await unit(harness)
    volunteer = await person(harness, 5101, unit_id, "甲")
    coordinator = await person(harness, 5102, unit_id, "乙", role=Role.COORDINATOR)
    stranger = harness.user(5103, "路人")

    text = await command(harness, stranger, "help")
    assert shown(text) == {"/start", "/help", "/cancel"}
    assert "邀请链接" in text  # how to join
    # /start joins by an invite or says what to do next: the bot has no main menu to promise.
    assert "/start — 开始：凭邀请加入，或看看能做什么" in text

    text = await command(harness, volunteer, "help")
    assert text.startswith("您可以使用这些命令：")
    assert "/shifts — 可报名的班次" in text
    assert shown(text) == {"/start", "/help", "/cancel"} | VOLUNTEER_COMMANDS
    assert "邀请链接" not in text

    text = await command(harness, coordinator, "help")
    assert "/broadcast — 群发班次（带报名按钮）或通知，发送中可停止" in text
    # The lines a coordinator shares with other roles say who does which part, so that none
    # promises a coordinator an inspector's step (issuing, accepting an order) or a volunteer's.
    assert "/orders — 整改令：督查员和管理员下发、办结或退回，协调员签收、回复" in text
    assert "/members — 单位成员：查看、给或取消标签、移出" in text
    assert "/rotate — 自动排班：把一段时间的空位公平地排给单位的志愿者" in text
    assert "/my — 我的班次（取消或请假、换岗、日历文件）" in text
    assert shown(text) == {"/start", "/help", "/cancel"} | VOLUNTEER_COMMANDS | COORDINATOR_COMMANDS

    assert "/setgroup" not in text

    text = await command(harness, harness.admin, "help")
    assert "/units — 单位管理：查看、新建、改名、归档和恢复" in text
    assert "/outbox — 发送队列：待发、已发、无法送达、搁置和过时未发的消息" in text
    assert shown(text) == (
        {"/start", "/help", "/cancel", "/setgroup"}
        | VOLUNTEER_COMMANDS
        | COORDINATOR_COMMANDS
        | ADMIN_ONLY
    )
    # /setgroup works only in a group: /help names it apart, after the private commands.
    private_part, group_part = text.split("\n\n在群聊里发送（先把机器人拉进群）：\n")
    assert "/setgroup" not in private_part
    assert group_part == "/setgroup — 在群里绑定本群接收日报、周报和月报（管理员）"
    # A leader reads the reports, and nothing a coordinator manages.
    leader = await person(harness, 5104, unit_id, "丙", role=Role.LEADER)
    text = await command(harness, leader, "help")
    assert shown(text) == (
        {"/start", "/help", "/cancel"} | VOLUNTEER_COMMANDS | {"/today", "/week", "/month"}
    )
    # /board only where the board is switched on (BOARD_URL; tests/e2e/test_board_command.py).
    assert "/setgroup" not in text
    # Asking for help changes nothing.
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Member) == 3


async def test_lang_changes_the_replies_and_the_command_menu(harness: Harness) -> None:
    unit_id = await unit(harness)
    volunteer = await person(harness, 5201, unit_id, "甲")

    text = await command(harness, volunteer, "lang")
    assert text == "当前语言：简体中文。请选择界面语言："
    assert volunteer.last().buttons()[:3] == [
        "简体中文",
        "English（英文）",
        "繁體中文（繁体中文）",
    ]
    text = await press_and_settle(harness, volunteer, "English（英文）")
    assert text == "Done: I will speak English from now on."
    member = await harness.member(5201)
    assert member is not None and member.language == "en"
    # The per-chat command menu is set in the new language, for the volunteer's role.
    menu = harness.emulator.commands("chat", chat_id=5201)
    assert ("shifts", "open shifts to sign up for") in menu
    assert ("lang", "change language") in menu
    assert all(name not in {"units", "posts", "broadcast"} for name, _ in menu)
    assert harness.emulator.chat_menu(5201) == menu

    # Later messages come in English too.
    text = await command(harness, volunteer, "help")
    assert text.startswith("Here is what you can do:")
    assert "/my — my shifts (cancel or ask leave, swap, calendar file)" in text
    assert "/start — start: join by an invite, or see what to do next" in text
    text = await command(harness, volunteer, "lang")
    assert text.startswith("Current language: English.")

    # And on to Traditional Chinese.
    text = await press_and_settle(harness, volunteer, "繁體中文 (Traditional Chinese)")
    assert text == "好的，之後將使用繁體中文。"
    member = await harness.member(5201)
    assert member is not None and member.language == "zh_Hant"
    menu = harness.emulator.commands("chat", chat_id=5201)
    assert ("lang", "切換語言") in menu
    assert ("my", "我的班次（取消或請假、換崗、行事曆檔案）") in menu
    assert "繁體中文" in await command(harness, volunteer, "me")

    # The language typed after the command: switched at once, in its usual spellings.
    assert await command(harness, volunteer, "lang", "en") == (
        "Done: I will speak English from now on."
    )
    assert ("lang", "change language") in harness.emulator.commands("chat", chat_id=5201)
    assert await command(harness, volunteer, "lang", "简体") == "好的，之后将使用简体中文。"
    assert await command(harness, volunteer, "lang", "zh-tw") == "好的，之後將使用繁體中文。"
    member = await harness.member(5201)
    assert member is not None and member.language == "zh_Hant"
    # Anything else: the picker, and no change.
    assert await command(harness, volunteer, "lang", "klingon") == (
        "目前語言：繁體中文。請選擇介面語言："
    )
    member = await harness.member(5201)
    assert member is not None and member.language == "zh_Hant"


async def test_lang_refuses_bad_input_without_change(harness: Harness) -> None:
    unit_id = await unit(harness)
    volunteer = await person(harness, 5301, unit_id, "甲")
    stranger = harness.user(5302, "路人")

    # A forged language code in the button data: a clear alert, nothing changes.
    await command(harness, volunteer, "lang")
    prompt = volunteer.last().message_id
    await volunteer.press_data("lang:xx", prompt)
    await harness.settle()
    assert volunteer.answered_callbacks[-1]["text"] == "这个按钮已失效，请重新打开菜单。"
    await volunteer.press_data("lang", prompt)
    await harness.settle()
    assert volunteer.answered_callbacks[-1]["text"] == "这个按钮已失效，请重新打开菜单。"
    # A sticker or a photo while the language keyboard is open is not understood.
    await volunteer.send_sticker()
    await harness.settle()
    assert volunteer.last().text == "没看懂这条消息。发送 /help 查看可用的命令。"
    await volunteer.send_photo()
    await harness.settle()
    assert volunteer.last().text == "没看懂这条消息。发送 /help 查看可用的命令。"
    member = await harness.member(5301)
    assert member is not None and member.language == "zh_Hans"
    assert harness.emulator.commands("chat", chat_id=5301) == []

    # A stranger may not use /lang.
    assert await command(harness, stranger, "lang") == (
        "您还没有注册。请向所在单位的协调员索取邀请链接，点开即可注册。"
    )
    assert await harness.count(Member) == 1


async def _unit_names(harness: Harness) -> list[str]:
    async with harness.session() as session:
        return list((await session.scalars(select(Unit.name).order_by(Unit.id))).all())


async def test_admin_renames_a_unit(harness: Harness) -> None:
    first = await unit(harness, "城管局")
    await unit(harness, "交警队")
    admin = harness.admin
    text = await command(harness, admin, "units")
    assert "• 城管局：0 人" in text and "• 交警队：0 人" in text
    text = await press_and_settle(harness, admin, "✏️ 改名：城管局")
    assert text == "请输入「城管局」的新名称："
    await admin.send_text("  城市 管理局  ")
    await harness.settle()
    assert admin.last().text == "单位已改名为「城市 管理局」。"
    assert admin.last().buttons() == ["🔗 邀请"]
    assert await _unit_names(harness) == ["城市 管理局", "交警队"]
    assert await harness.count(Dialogue) == 0
    async with harness.session() as session:
        row = await session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.rename"))
        assert row is not None and row.object_id == first
        assert (row.before, row.after) == ({"name": "城管局"}, {"name": "城市 管理局"})
    assert "• 城市 管理局：0 人" in await command(harness, admin, "units")


async def test_bad_unit_names_are_refused_and_change_nothing(harness: Harness) -> None:
    await unit(harness, "城管局")
    await unit(harness, "Traffic Police")
    admin = harness.admin
    await command(harness, admin, "units")
    await press_and_settle(harness, admin, "✏️ 改名：城管局")

    # The same name as another unit, whatever the case and the spaces.
    await admin.send_text("  traffic   POLICE ")
    await harness.settle()
    assert admin.last().text == "已经有名为「traffic POLICE」的单位了，请换一个名称。"
    # A sticker or a photo where the name was asked for.
    await admin.send_sticker()
    await harness.settle()
    assert admin.last().text == "请用文字发送单位名称。"
    await admin.send_photo()
    await harness.settle()
    assert admin.last().text == "请用文字发送单位名称。"
    # Only blanks, or far too long.
    await admin.send_text("\u3000 ")
    await harness.settle()
    assert admin.last().text == "单位名称不能为空，最多 32 个字，且不能以 / 开头。"
    await admin.send_text("名" * 33)
    await harness.settle()
    assert admin.last().text == "单位名称不能为空，最多 32 个字，且不能以 / 开头。"
    # Only invisible marks (zero-width spaces, a direction override): blank as well.
    await admin.send_text("\u200b\u202e\u200b")
    await harness.settle()
    assert admin.last().text == "单位名称不能为空，最多 32 个字，且不能以 / 开头。"
    assert await _unit_names(harness) == ["城管局", "Traffic Police"]
    async with harness.session() as session:
        assert (
            await session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.rename"))
            is None
        )
    # The dialogue is still open: a good name now goes through.
    await admin.send_text("城管执法局")
    await harness.settle()
    assert admin.last().text == "单位已改名为「城管执法局」。"
    assert await _unit_names(harness) == ["城管执法局", "Traffic Police"]

    # Creating a unit under a taken name is refused in the same way.
    await command(harness, admin, "units")
    await press_and_settle(harness, admin, "➕ 新建单位")
    await admin.send_text("城管执法局")
    await harness.settle()
    assert admin.last().text == "已经有名为「城管执法局」的单位了，请换一个名称。"
    await admin.send_sticker()
    await harness.settle()
    assert admin.last().text == "请用文字发送单位名称。"
    assert await harness.count(Unit) == 2


async def test_only_admins_rename_units(harness: Harness) -> None:
    unit_id = await unit(harness, "城管局")
    coordinator = await person(harness, 5401, unit_id, "乙", role=Role.COORDINATOR)
    assert await command(harness, coordinator, "units") == "抱歉，您没有权限执行这个操作。"
    await coordinator.send_text("随便")
    await harness.settle()
    # A forged rename button from a coordinator is refused.
    await command(harness, coordinator, "help")
    await coordinator.press_data(f"unit.ren:{unit_id}", coordinator.last().message_id)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "抱歉，您没有权限执行这个操作。"
    assert await _unit_names(harness) == ["城管局"]
    assert await harness.count(Dialogue) == 0


async def test_at_start_up_groups_get_the_commands_that_work_there(harness: Harness) -> None:
    application = build_application(harness.runtime)
    await application.initialize()
    try:
        assert application.post_init is not None
        await application.post_init(application)
    finally:
        await application.shutdown()
    group = harness.emulator.group(-1_005_401, "城管局工作群")
    stranger = harness.user(5401, "路人")
    english = harness.user(5402, "Visitor", language_code="en")

    in_group = harness.emulator.chat_menu(group.chat_id, stranger.user_id)
    assert in_group == [
        ("today", "今日执勤统计"),
        ("week", "本周执勤周报"),
        ("month", "本月执勤月报"),
        ("setgroup", "在群里绑定本群接收日报、周报和月报（管理员）"),
    ]
    assert [name for name, _ in harness.emulator.chat_menu(group.chat_id, english.user_id)] == [
        "today",
        "week",
        "month",
        "setgroup",
    ]
    assert harness.emulator.chat_menu(group.chat_id, english.user_id)[0][1] != "今日执勤统计"
    # A private chat with a stranger: only what a stranger can do.
    assert [name for name, _ in harness.emulator.chat_menu(stranger.user_id)] == [
        "start",
        "help",
        "cancel",
    ]
    # Telegram keys menus by two letters, so zh-hant, zh-TW and zh-HK read "zh": a stranger
    # who reads Traditional Chinese gets the stranger's menu in it once they start the bot.
    hant = harness.runtime.translator("zh_Hant")
    for user_id, code in ((5403, "zh-hant"), (5404, "zh-TW"), (5405, "zh-HK")):
        visitor = harness.user(user_id, "訪客", language_code=code)
        await command(harness, visitor, "start")
        assert harness.emulator.chat_menu(user_id) == [
            ("start", hant("help.start")),
            ("help", hant("help.help")),
            ("cancel", hant("help.cancel")),
        ], code
    # One who reads Simplified Chinese keeps the menu Telegram already shows: none per chat.
    await command(harness, stranger, "start")
    assert harness.emulator.commands("chat", chat_id=stranger.user_id) == []


async def test_an_admin_whose_first_word_is_lang_changes_language(harness: Harness) -> None:
    """An admin of ADMIN_IDS needs no invite; their record is made on first contact. One whose
    first word is /lang is an admin all the same, not a stranger told to ask a coordinator for
    an invite link: the choice is kept."""
    admin = harness.admin
    await command(harness, admin, "lang")
    text = await press_and_settle(harness, admin, "English（英文）")
    assert text == "Done: I will speak English from now on."
    record = await harness.member(admin.user_id)
    assert record is not None and record.language == "en" and record.unit_id is None
    assert record.active and record.roles == frozenset()
    assert (await command(harness, admin, "help")).startswith("Here is what you can do:")


async def test_an_admin_whose_first_word_is_me_is_told_they_are_an_admin(
    harness: Harness,
) -> None:
    """/me only reads: an admin with no record yet is greeted as an admin (what /start says),
    not told to ask a coordinator for an invite link; /me after /start shows the profile."""
    admin = harness.admin
    text = await command(harness, admin, "me")
    assert text == "您好，Admin！您是管理员。用 /units 新建单位，用 /invite 生成邀请链接。"
    assert await harness.count(Member) == 0
    await command(harness, admin, "start")
    text = await command(harness, admin, "me")
    assert text.startswith("👤 我的资料") and "（未分配单位）" in text and "管理员" in text
