"""An announcement refused at /broadcast's text step (longer than the limit, or nothing but
invisible marks) is answered as a sticker there is: with ✖️ 取消, the step kept, so the
coordinator can type it again or cancel without knowing /cancel. Nothing is sent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.db.models import Broadcast, Dialogue, Member, OutboxMessage, Role
from bot.emulator import SimUser
from tests.e2e.schedule import DAY, at, command, person, post, press_and_settle, shift, unit
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


async def test_a_preview_longer_than_one_message_comes_in_two_with_send_on_the_last(
    harness: Harness,
) -> None:
    """2,000 emoji are 4,000 of Telegram's characters: with the volunteers to phone and the
    quiet hours said under it, the preview is longer than one message. It comes in two, cut at
    a line break, 📤 发送 under the second, rather than a crash."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 9601, unit_id, "王协调", role=Role.COORDINATOR)
    volunteer = await person(harness, 9602, unit_id, "甲")
    volunteer.started = True
    for n in range(12):
        await person(harness, 9700 + n, unit_id, f"张三丰{n}")
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id >= 9700).values(blocked_bot=True)
        )
    harness.clock.set(at(DAY, 22, 30))
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    shown = len(coordinator.messages())
    text = "😀" * 2000
    await coordinator.send_text(text)
    await harness.settle()
    first, second = coordinator.messages()[shown:]
    assert (first.text or "").startswith(f"将发给 1 名志愿者：\n\n{text}\n")
    assert first.buttons() == []
    said = f"{first.text}\n{second.text}"
    assert "\n📵 另有 12 名志愿者屏蔽了机器人，收不到：张三丰0、" in said
    assert (second.text or "").endswith("🌙 现在是免打扰时段，消息会在 07:00 之后发出。")
    assert second.buttons() == ["📤 发送", "✖️ 取消"]
    assert harness.emulator.refused("sendMessage") == []
    await press_and_settle(harness, coordinator, "📤 发送")
    assert await harness.count(Broadcast) == 1
    assert await harness.count(Dialogue) == 0
    harness.clock.set(at(DAY + dt.timedelta(days=1), 7, 0))
    await harness.deliver()
    assert volunteer.texts() == [f"📢 王协调 通知：\n{text}"]


async def test_an_announcement_corrected_at_the_preview_replaces_it(harness: Harness) -> None:
    """An edit of the announcement typed is not read ("send it again"): sent again at the
    preview, the corrected text is what the new preview shows and what goes out; the first
    preview's 📤 发送 goes."""
    coordinator = await _at_text_step(harness)
    typed = await coordinator.send_text("明早七点集合")
    await harness.settle()
    first = coordinator.last()
    assert first.buttons() == ["📤 发送", "✖️ 取消"]
    await coordinator.edit_text(typed["message_id"], "明早八点集合")
    await harness.settle()
    assert coordinator.last().text == (
        "您修改了一条已经发出的消息，修改不会被处理。如需更正，请重新发送。"
    )
    await coordinator.send_text("明早八点集合")
    await harness.settle()
    assert coordinator.last().text == "将发给 1 名志愿者：\n\n明早八点集合"
    assert coordinator.last().buttons() == ["📤 发送", "✖️ 取消"]
    assert (
        next(m for m in coordinator.messages() if m.message_id == first.message_id).buttons() == []
    )
    await press_and_settle(harness, coordinator, "📤 发送")
    async with harness.session() as session:
        [queued] = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 9602))
        ).all()
    assert queued.payload["text"] == "📢 王协调 通知：\n明早八点集合"
