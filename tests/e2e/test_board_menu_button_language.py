"""The chat's menu button that /board set follows the person's language: switched with /lang,
it opens the board in the new language and says so in it; a chat that never had the board's
button keeps the command menu."""

from __future__ import annotations

import pytest

from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    BOARD_URL,
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
