"""The chat's menu button that /board set follows the person's language: switched with /lang,
it opens the board in the new language and says so in it; a chat that never had the board's
button keeps the command menu."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.db.models import Member, MemberRole, Role, Unit
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    BOARD_URL,
    LEADER_ID,
    VOLUNTEER_ID,
    prepare_morning,
)
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


async def test_the_board_menu_button_follows_a_language_switch(harness: Harness) -> None:
    await prepare_morning(harness)
    admin = harness.admin
    await admin.send_command("board")
    await harness.settle()
    assert harness.emulator.menu_button(admin.user_id)["text"] == "挂图作战"

    await admin.send_command("lang")
    await harness.settle()
    await admin.press("English（英文）")
    await harness.settle()
    assert admin.last().text == "Done: I will speak English from now on."
    assert harness.emulator.menu_button(admin.user_id) == {
        "type": "web_app",
        "text": "Live board",
        "web_app": {"url": f"{BOARD_URL}?lang=en"},
    }
    member = await harness.member(admin.user_id)
    assert member is not None and member.language == "en"


async def test_a_chat_without_the_board_button_keeps_its_command_menu(harness: Harness) -> None:
    await prepare_morning(harness)
    volunteer = harness.user(VOLUNTEER_ID, "志愿者")
    await volunteer.send_command("lang")
    await harness.settle()
    await volunteer.press("English（英文）")
    await harness.settle()
    assert volunteer.last().text == "Done: I will speak English from now on."
    assert harness.emulator.menu_button(VOLUNTEER_ID).get("type") != "web_app"


async def test_the_board_menu_button_goes_once_the_board_is_refused(harness: Harness) -> None:
    """A leader whose /board set the chat's menu button to the board, and who then may not
    see it any more (their unit archived, their role taken), is not left with a button that
    opens nothing but a refusal: /board, refused, puts the command menu back, and /lang does
    not set the board's button again in the new language."""
    morning = await prepare_morning(harness)
    leader = harness.user(LEADER_ID, "李领导")
    await leader.send_command("board")
    await harness.settle()
    assert harness.emulator.menu_button(LEADER_ID)["type"] == "web_app"

    await _archive(harness, morning.units["城管局"], True)
    await leader.send_command("board")
    await harness.settle()
    assert (leader.last().text or "").startswith("您所在的单位「城管局」已归档")
    assert harness.emulator.menu_button(LEADER_ID)["type"] != "web_app"

    await _archive(harness, morning.units["城管局"], False)
    await leader.send_command("board")
    await harness.settle()
    assert harness.emulator.menu_button(LEADER_ID)["text"] == "挂图作战"

    # The leader's role taken (they stay a volunteer): /board, refused, puts the command menu
    # back as for an archived unit.
    await _leader_role(harness, Role.LEADER, Role.VOLUNTEER)
    await leader.send_command("board")
    await harness.settle()
    assert leader.last().text == "抱歉，您没有权限执行这个操作。"
    assert harness.emulator.menu_button(LEADER_ID)["type"] != "web_app"

    # The role given back and the button with it; taken again, then /lang.
    await _leader_role(harness, Role.VOLUNTEER, Role.LEADER)
    await leader.send_command("board")
    await harness.settle()
    assert harness.emulator.menu_button(LEADER_ID)["text"] == "挂图作战"
    await _leader_role(harness, Role.LEADER, Role.VOLUNTEER)
    await leader.send_command("lang")
    await harness.settle()
    await leader.press("English（英文）")
    await harness.settle()
    assert leader.last().text == "Done: I will speak English from now on."
    assert harness.emulator.menu_button(LEADER_ID)["type"] != "web_app"
    member_now = await harness.member(LEADER_ID)
    assert member_now is not None and member_now.language == "en"


async def _archive(harness: Harness, unit_id: int, archived: bool) -> None:
    # Straight in the table: the morning's unit has shifts to come, which /units refuses.
    async with harness.session() as session:
        await session.execute(update(Unit).where(Unit.id == unit_id).values(archived=archived))


async def _leader_role(harness: Harness, was: Role, becomes: Role) -> None:
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == LEADER_ID))
        assert member is not None
        await session.execute(
            update(MemberRole)
            .where(MemberRole.member_id == member.id, MemberRole.role == was)
            .values(role=becomes)
        )
