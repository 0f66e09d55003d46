"""Pressing buttons as people do, and as a modified client might: paging through a long picker,
and presses with callback data the bot never offered."""

from __future__ import annotations

from bot.emulator import SimUser
from tests.e2e.schedule import command, press_and_settle
from tests.harness import Harness

NEXT = "下一页 ▶️"
PREVIOUS = "◀️ 上一页"
CANCEL = "✖️ 取消"
STALE = "这个按钮已失效，请重新打开菜单。"


async def turn_pages(harness: Harness, user: SimUser, label: str, times: int) -> str:
    text = ""
    for _ in range(times):
        text = await press_and_settle(harness, user, label)
    return text


async def forged_pages_change_nothing(harness: Harness, user: SimUser, prefix: str) -> None:
    """Page buttons with made-up offsets get the stale-button answer; the message stays."""
    shown = user.last()
    before = (shown.text, shown.button_rows())
    for data in (f"{prefix}:abc", f"{prefix}:-20", f"{prefix}:20:1", prefix):
        await user.press_data(data, shown.message_id)
        await harness.settle()
        assert user.answered_callbacks[-1]["text"] == STALE, data
        assert user.answered_callbacks[-1]["show_alert"] is True
    after = user.last()
    assert after.message_id == shown.message_id
    assert (after.text, after.button_rows()) == before


async def forged_press(harness: Harness, user: SimUser, data: str) -> str:
    """A press with callback data the bot never offered this person (a modified client)."""
    if not user.messages():
        await command(harness, user, "my")
    await user.press_data(data, user.last().message_id)
    await harness.settle()
    return str(user.answered_callbacks[-1].get("text", ""))
