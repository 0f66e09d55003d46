"""Telegram groups bound to the bot as an admin binds them, with /setgroup and the scope button."""

from __future__ import annotations

from tests.harness import Harness

HQ_GROUP = -100_111
UNIT_GROUP = -100_222


async def bind_group(harness: Harness, chat_id: int, title: str, scope_button: str) -> None:
    group = harness.emulator.group(chat_id, title)
    await group.send_command(harness.admin, "setgroup")
    await harness.settle()
    assert scope_button in group.last().buttons(), group.last().buttons()
    await group.press(harness.admin, scope_button)
    await harness.settle()
