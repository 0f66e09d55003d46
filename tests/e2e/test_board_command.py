"""/board through the real Application: the Mini App button and the chat's menu button for
leaders, coordinators and admins; wall-screen links made, listed and revoked by admins."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from bot.board import screens
from bot.db.models import AuditEntry, BoardScreen, Unit
from bot.emulator import Fault
from bot.services.people.access import Actor
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    BOARD_URL,
    COORDINATOR_ID,
    LEADER_ID,
    VOLUNTEER_ID,
    local_address,
    prepare_morning,
    running_board,
    state,
    states,
)
from tests.harness import ADMIN_ID, Harness

OPEN = "🗺 打开挂图作战"
NEW_SCREEN = "📺 生成大屏链接"
CITY = "🏛 全部单位（指挥部）"
STALE = "这个按钮已失效，请重新打开菜单。"
FORBIDDEN = "抱歉，您没有权限执行这个操作。"
# A link names its screen's language (the admin's) after the token.
LINK = re.compile(re.escape(BOARD_URL) + r"screen/([^\s?]+)\?lang=zh_Hans")


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


async def test_admin_opens_the_city_board_and_the_menu_button_opens_it_too(
    harness: Harness,
) -> None:
    await prepare_morning(harness)
    admin = harness.admin
    await admin.send_command("board")
    await harness.settle()
    reply = admin.last()
    assert (reply.text or "").startswith("🗺 挂图作战 · 全部单位")
    assert "每 1 秒自动刷新" in (reply.text or "")
    assert reply.button_link(OPEN) == f"{BOARD_URL}?lang=zh_Hans"
    assert NEW_SCREEN in reply.buttons() and "🗂 管理大屏链接（0）" in reply.buttons()
    assert harness.emulator.menu_button(admin.user_id) == {
        "type": "web_app",
        "text": "挂图作战",
        "web_app": {"url": f"{BOARD_URL}?lang=zh_Hans"},
    }


async def test_a_menu_button_telegram_refuses_leaves_the_answer_alone(harness: Harness) -> None:
    await prepare_morning(harness)
    admin = harness.admin
    harness.emulator.inject_fault(Fault(kind="400", method="setChatMenuButton"))
    await admin.send_command("board")
    await harness.settle()
    [answer] = admin.messages()
    assert (answer.text or "").startswith("🗺 挂图作战 · 全部单位")
    assert harness.emulator.menu_button(admin.user_id)["type"] != "web_app"


@pytest.mark.parametrize(
    ("user_id", "scope"), [(LEADER_ID, "城管局"), (COORDINATOR_ID, "团结社区")]
)
async def test_leaders_and_coordinators_open_their_units_board(
    harness: Harness, user_id: int, scope: str
) -> None:
    await prepare_morning(harness)
    person = harness.user(user_id, "某人")
    await person.send_command("board")
    await harness.settle()
    reply = person.last()
    assert (reply.text or "").startswith(f"🗺 挂图作战 · {scope}")
    assert reply.buttons() == [OPEN]
    assert harness.emulator.menu_button(user_id)["type"] == "web_app"


async def test_a_volunteer_is_refused_and_keeps_the_commands_menu(harness: Harness) -> None:
    await prepare_morning(harness)
    volunteer = harness.user(VOLUNTEER_ID, "城管志愿者")
    await volunteer.send_command("board")
    await harness.settle()
    assert volunteer.last().text == FORBIDDEN
    assert harness.emulator.menu_button(VOLUNTEER_ID) == {"type": "commands"}
    await volunteer.send_command("help")
    await harness.settle()
    assert "/board" not in (volunteer.last().text or "")
    leader = harness.user(LEADER_ID, "李领导")
    # The leader's own menu was set (by /lang, say) while the board was off; the operator set
    # BOARD_URL since and restarted. The menu Telegram keeps for that chat did not offer
    # /board while /help did: /help (and /start) set the menu /help shows.
    runtime = harness.runtime
    with_board = runtime.settings
    runtime.settings = with_board.model_copy(update={"board_url": ""})
    await leader.send_command("lang")
    await harness.settle()
    await leader.press("简体中文")
    await harness.settle()
    assert "board" not in dict(harness.emulator.chat_menu(LEADER_ID))
    runtime.settings = with_board
    await leader.send_command("help")
    await harness.settle()
    # Wall-screen links are an admin's: a leader's /help says so rather than offer them.
    board_line = "挂图作战：实时地图、今日数据和排名（小程序）；管理员还能生成大屏链接"
    assert f"/board — {board_line}" in (leader.last().text or "")
    menu = harness.emulator.chat_menu(LEADER_ID)
    assert ("board", board_line) in menu
    assert [f"/{name}" for name, _ in menu] == [
        line.split(" — ")[0]
        for line in (leader.last().text or "").splitlines()
        if line.startswith("/")
    ]
    runtime.settings = with_board.model_copy(update={"board_url": ""})
    await leader.send_command("start")
    await harness.settle()
    assert (leader.last().text or "").startswith("欢迎回来，李领导")
    assert "board" not in dict(harness.emulator.chat_menu(LEADER_ID))
    # The volunteer's menu, set by the same /help, offers no /board.
    assert "board" not in dict(harness.emulator.chat_menu(VOLUNTEER_ID))


async def test_without_board_url_the_admin_is_told_what_to_set(harness: Harness) -> None:
    runtime = harness.runtime
    runtime.settings = runtime.settings.model_copy(update={"board_url": ""})
    await harness.admin.send_command("board")
    await harness.settle()
    assert "BOARD_URL" in (harness.admin.last().text or "")
    assert harness.emulator.menu_button(harness.admin.user_id) == {"type": "commands"}
    # Not offered in /help while it is off.
    await harness.admin.send_command("help")
    await harness.settle()
    assert "/board" not in (harness.admin.last().text or "")


async def test_admin_makes_a_screen_link_for_a_unit_lists_it_and_revokes_it(
    harness: Harness,
) -> None:
    morning = await prepare_morning(harness)
    admin = harness.admin
    await admin.send_command("board")
    await harness.settle()
    await admin.press(NEW_SCREEN)
    await harness.settle()
    assert admin.last().buttons()[0] == CITY
    assert set(admin.last().buttons()[1:3]) == {"城管局", "团结社区"}
    await admin.press("团结社区")
    await harness.settle()
    made = admin.last()
    match = LINK.search(made.text or "")
    assert match, made.text
    link = match.group(0)
    assert "团结社区" in (made.text or "") and "有效期至" in (made.text or "")
    assert made.button_link("📺 打开大屏") == link
    async with harness.session() as session:
        screen = await session.scalar(select(BoardScreen))
        assert screen is not None
        assert screen.unit_id == morning.units["团结社区"]
        assert (screen.expires_at - harness.clock.now()).days == 30
        assert await session.scalar(
            select(AuditEntry.id).where(AuditEntry.action == "board_screen.create")
        )

    async with running_board(harness) as board:
        page = local_address(board, link)
        assert page.endswith(f"/screen/{match.group(1)}?lang=zh_Hans")
        status, body = await state(board, f"screen {match.group(1)}")
        assert status == 200 and states(body) == {"垃圾分类点": "empty"}

        await admin.send_command("board")
        await harness.settle()
        await admin.press("🗂 管理大屏链接（1）")
        await harness.settle()
        listing = admin.last()
        assert "1. 团结社区 ·" in (listing.text or "")
        # Its unit archived since (straight in the table: it has shifts to come): the link is
        # still in force, its screen says the unit is archived, and the list says so too.
        await _archived(harness, morning.units["团结社区"], True)
        await admin.send_command("board")
        await harness.settle()
        await admin.press("🗂 管理大屏链接（1）")
        await harness.settle()
        assert "1. 团结社区（已归档，大屏暂停显示） ·" in (admin.last().text or "")
        assert (await state(board, f"screen {match.group(1)}"))[1]["error"] == "archived"
        await _archived(harness, morning.units["团结社区"], False)
        await admin.send_command("board")
        await harness.settle()
        await admin.press("🗂 管理大屏链接（1）")
        await harness.settle()
        listing = admin.last()
        assert "1. 团结社区 ·" in (listing.text or "")
        await admin.press("🚫 撤销 1")
        await harness.settle()
        assert (admin.last().text or "").startswith("🚫 已撤销大屏链接（团结社区）")
        assert (await state(board, f"screen {match.group(1)}"))[0] == 403

    await admin.press_data(f"brd.r:{screen.id}", listing.message_id)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == "这个链接已经撤销或过期了。"
    await admin.send_command("board")
    await harness.settle()
    await admin.press("🗂 管理大屏链接（0）")
    await harness.settle()
    assert admin.last().text == "现在没有有效的大屏链接。"


async def test_a_city_screen_link_shows_every_post(harness: Harness) -> None:
    morning = await prepare_morning(harness)
    admin = harness.admin
    await admin.send_command("board")
    await harness.settle()
    await admin.press(NEW_SCREEN)
    await harness.settle()
    await admin.press(CITY)
    await harness.settle()
    match = LINK.search(admin.last().text or "")
    assert match and "全部单位" in (admin.last().text or "")
    async with running_board(harness) as board:
        status, body = await state(board, f"screen {match.group(1)}")
    assert status == 200 and states(body) == morning.expected


async def test_a_unit_archived_while_the_picker_is_open_gets_no_screen_link(
    harness: Harness,
) -> None:
    """The scope picker stays in the chat; a unit archived since has left the campaign and its
    board would be an empty map: its stale button is refused in words and makes no link."""
    morning = await prepare_morning(harness)
    admin = harness.admin
    await admin.send_command("board")
    await harness.settle()
    await admin.press(NEW_SCREEN)
    await harness.settle()
    picker = admin.last()
    async with harness.session() as session:
        unit = await session.get(Unit, morning.units["团结社区"])
        assert unit is not None
        unit.archived = True
    await admin.press("团结社区", picker.message_id)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == "「团结社区」已归档，不能再为它生成大屏链接。"
    assert admin.last().message_id == picker.message_id and admin.last().text == picker.text
    async with harness.session() as session:
        assert await session.scalar(select(BoardScreen)) is None
        assert (
            await session.scalar(
                select(AuditEntry.id).where(AuditEntry.action == "board_screen.create")
            )
            is None
        )


async def test_the_scope_picker_pages_a_city_of_many_units(harness: Harness) -> None:
    async with harness.session() as session:
        session.add_all(
            Unit(name=f"第{n:02d}社区", require_swap_approval=False, created_at=harness.clock.now())
            for n in range(1, 26)
        )
    admin = harness.admin
    await admin.send_command("board")
    await harness.settle()
    await admin.press(NEW_SCREEN)
    await harness.settle()
    first = admin.last()
    assert "单位第 1–20 个，共 25 个" in (first.text or "")
    assert "第21社区" not in first.buttons()
    await admin.press("下一页 ▶️")
    await harness.settle()
    assert "第25社区" in admin.last().buttons()
    await admin.press("第25社区")
    await harness.settle()
    assert LINK.search(admin.last().text or "")


async def test_the_list_of_screen_links_pages_and_reaches_the_oldest(harness: Harness) -> None:
    """Every live link is counted and can be revoked, however many there are: a city with a
    wall screen in every unit has more than a page of them."""
    morning = await prepare_morning(harness)
    admin_actor = Actor.of(ADMIN_ID, None, harness.runtime.settings.admin_ids)
    async with harness.session() as session:
        made = [
            await screens.create(
                session,
                admin_actor,
                unit_id=morning.units["团结社区" if n == 0 else "城管局"],
                language="zh_Hans",
                now=harness.clock.now(),
            )
            for n in range(21)
        ]
    admin = harness.admin
    await admin.send_command("board")
    await harness.settle()
    await admin.press("🗂 管理大屏链接（21）")
    await harness.settle()
    first = admin.last()
    assert "链接第 1–20 个，共 21 个" in (first.text or "")
    assert "🚫 撤销 20" in first.buttons() and "🚫 撤销 21" not in first.buttons()
    await admin.press("下一页 ▶️")
    await harness.settle()
    second = admin.last()
    assert "21. 团结社区 ·" in (second.text or "")  # the oldest, numbered in the whole list
    assert second.button_data("🚫 撤销 21") == f"brd.r:{made[0].id}"
    await admin.press("🚫 撤销 21")
    await harness.settle()
    assert (admin.last().text or "").startswith("🚫 已撤销大屏链接（团结社区）")
    await admin.send_command("board")
    await harness.settle()
    assert "🗂 管理大屏链接（20）" in admin.last().buttons()


async def test_forged_board_buttons_change_nothing(harness: Harness) -> None:
    await prepare_morning(harness)
    admin = harness.admin
    await admin.send_command("board")
    await harness.settle()
    shown = admin.last()
    for data in ("brd.c:abc", "brd.c", "brd.p:-5", "brd.lp:-5", "brd.r:x"):
        await admin.press_data(data, shown.message_id)
        await harness.settle()
        assert admin.answered_callbacks[-1]["text"] == STALE, data
    await admin.press_data("brd.c:99999", shown.message_id)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] != STALE  # an unknown unit is refused
    async with harness.session() as session:
        assert await session.scalar(select(BoardScreen)) is None
    # A leader who forges an admin's button is refused by the command table.
    leader = harness.user(LEADER_ID, "李领导")
    await leader.send_command("board")
    await harness.settle()
    await leader.press_data("brd.c:0", leader.last().message_id)
    await harness.settle()
    assert leader.answered_callbacks[-1]["text"] == FORBIDDEN
    async with harness.session() as session:
        assert await session.scalar(select(BoardScreen)) is None


async def _archived(harness: Harness, unit_id: int, archived: bool) -> None:
    async with harness.session() as session:
        await session.execute(update(Unit).where(Unit.id == unit_id).values(archived=archived))
