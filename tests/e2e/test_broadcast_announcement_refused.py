"""An announcement refused at /broadcast's text step (longer than the limit, or nothing but
invisible marks) is answered as a sticker there is: with ✖️ 取消, the step kept, so the
coordinator can type it again or cancel without knowing /cancel. Nothing is sent."""

from __future__ import annotations

import datetime as dt

from bot.db.models import Broadcast, Dialogue, OutboxMessage, Role
from bot.emulator import SimUser
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, unit
from tests.harness import Harness

INVALID = "通知内容要有 1 到 2000 个字。"


async def _at_text_step(harness: Harness) -> SimUser:
    unit_id = await unit(harness)
    await shift(harness, await post(harness, unit_id), DAY + dt.timedelta(days=1))
    coordinator = await person(harness, 9601, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 9602, unit_id, "甲")
    await command(harness, coordinator, "broadcast")
    assert await press_and_settle(harness, coordinator, "📢 发一条通知") == (
        "请输入通知内容（最多 2000 字）："
    )
    return coordinator


async def _refused_then_typed_again(harness: Harness, coordinator: SimUser, text: str) -> None:
    await coordinator.send_text(text)
    await harness.settle()
    assert coordinator.last().text == INVALID
    assert coordinator.last().buttons() == ["✖️ 取消"]
    assert await harness.count(Dialogue) == 1
    assert await harness.count(Broadcast) == 0
    assert await harness.count(OutboxMessage) == 0
    await coordinator.send_text("明早七点集合")
    await harness.settle()
    assert coordinator.last().text == "将发给 1 名志愿者：\n\n明早七点集合"


async def test_an_announcement_of_4096_characters_is_refused_with_a_way_out(
    harness: Harness,
) -> None:
    coordinator = await _at_text_step(harness)
    await _refused_then_typed_again(harness, coordinator, "字" * 4096)


async def test_an_announcement_of_invisible_marks_is_refused_with_a_way_out(
    harness: Harness,
) -> None:
    coordinator = await _at_text_step(harness)
    await _refused_then_typed_again(harness, coordinator, "\u200b\u2060 \u200d")


async def test_cancel_on_the_refusal_ends_broadcast(harness: Harness) -> None:
    coordinator = await _at_text_step(harness)
    await coordinator.send_text("字" * 2001)
    await harness.settle()
    await press_and_settle(harness, coordinator, "✖️ 取消")
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Broadcast) == 0
