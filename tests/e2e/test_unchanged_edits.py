"""A message is edited only when its text or buttons change: Telegram answers an edit to what a
message already shows with 400 "message is not modified", a call wasted at Telegram's pace."""

from __future__ import annotations

import datetime as dt

from bot.db.models import Role
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, unit
from tests.harness import Harness

NOT_MODIFIED = "Bad Request: message is not modified"


async def test_the_broadcast_progress_is_edited_only_when_its_counts_move(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    await shift(harness, await post(harness, unit_id), DAY + dt.timedelta(days=1))
    coordinator = await person(harness, 9701, unit_id, "王协调", role=Role.COORDINATOR)
    for telegram_id in (9702, 9703):
        volunteer = await person(harness, telegram_id, unit_id)
        volunteer.started = True
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📆 未来 7 天")
    await press_and_settle(harness, coordinator, "📤 发送")
    progress = coordinator.last()
    assert progress.text == "📣 发送中：已送达 0 / 2，被屏蔽 0，失败 0"

    # The tick before anything went out has nothing new to show; the next one shows the end.
    await harness.tick()
    await harness.tick()
    await harness.tick()
    edited = next(m for m in coordinator.messages() if m.message_id == progress.message_id)
    assert edited.text == "✅ 发送完成（共 2 人）：送达 2，被屏蔽 0，失败 0"
    assert harness.emulator.refused("editMessageText") == []
    assert edits_of(harness, progress.message_id) == 1


def edits_of(harness: Harness, message_id: int) -> int:
    """editMessageText calls the bot made on one message, whatever Telegram answered."""
    return sum(
        1
        for method, params in harness.emulator.calls
        if method == "editMessageText" and str(params.get("message_id")) == str(message_id)
    )
