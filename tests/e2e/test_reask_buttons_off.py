"""A question asked again after a wrong answer is the dialogue's prompt: the question before it
loses its buttons as it is sent, and when a typed answer ends the dialogue, the last question
asked loses its buttons too. No ✖️ is left behind to be answered as stale; in /newpost and in
the post-edit dialogue (rename, move, radius)."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Dialogue, Post, Role, Shift
from bot.emulator import SimUser
from tests.e2e.schedule import command, person, post, press_and_settle, unit
from tests.harness import Harness


def _with_buttons(user: SimUser) -> list[str]:
    """The first line of each message in the chat that still has buttons."""
    return [(m.text or "").split("\n")[0] for m in user.messages() if m.buttons()]


async def _say(harness: Harness, user: SimUser, text: str) -> None:
    await user.send_text(text)
    await harness.settle()


async def test_newpost_reasks_leave_no_buttons_behind(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 8001, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newpost")
    await coordinator.send_sticker()
    await harness.settle()
    assert coordinator.last().buttons() == ["✖️ 取消"]
    await _say(harness, coordinator, "黄河路-人民路口")
    await press_and_settle(harness, coordinator, "文明交通劝导岗")
    asked = coordinator.last()
    assert asked.buttons() == ["✖️ 取消"]
    await _say(harness, coordinator, "就在路口")  # not a location: asked again
    assert coordinator.last().buttons() == ["✖️ 取消"]
    assert _with_buttons(coordinator) == [(coordinator.last().text or "").split("\n")[0]]
    await coordinator.send_location(30.6586, 104.0648)
    await harness.settle()
    radius_buttons = coordinator.last().buttons()
    assert "✖️ 取消" in radius_buttons and len(radius_buttons) > 2
    await _say(harness, coordinator, "很大")  # not a radius: asked again, with the choices
    assert coordinator.last().buttons() == radius_buttons
    assert len(_with_buttons(coordinator)) == 1
    await _say(harness, coordinator, "80")
    assert await harness.count(Post) == 1
    assert await harness.count(Dialogue) == 0
    # Only the new post's card keeps buttons.
    assert _with_buttons(coordinator) == ["✅ 已新建岗位「黄河路-人民路口」。"]


async def test_post_edit_prompts_lose_their_buttons_when_a_typed_answer_ends_it(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    await post(harness, unit_id, "黄河路-人民路口")
    coordinator = await person(harness, 8001, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "posts")
    await press_and_settle(harness, coordinator, "黄河路-人民路口")

    await press_and_settle(harness, coordinator, "✏️ 改名")
    await coordinator.send_sticker()
    await harness.settle()
    assert coordinator.last().buttons() == ["✖️ 取消"]
    assert len(_with_buttons(coordinator)) == 1
    await _say(harness, coordinator, "甲路口")
    assert await harness.count(Dialogue) == 0
    assert _with_buttons(coordinator) == ["📍 甲路口"]

    await press_and_settle(harness, coordinator, "📍 改位置")
    await _say(harness, coordinator, "在东边")
    assert coordinator.last().buttons() == ["✖️ 取消"]
    await coordinator.send_location(30.66, 104.07)
    await harness.settle()
    assert _with_buttons(coordinator) == ["📍 甲路口"]

    await press_and_settle(harness, coordinator, "📏 范围")
    choices = coordinator.last().buttons()
    await _say(harness, coordinator, "很大")
    assert coordinator.last().buttons() == choices
    await _say(harness, coordinator, "120")
    assert await harness.count(Dialogue) == 0
    assert _with_buttons(coordinator) == ["📍 甲路口"]
    async with harness.session() as session:
        row = await session.scalar(select(Post))
        assert row is not None
        assert (row.name, row.radius_m) == ("甲路口", 120)


async def test_newshift_reasks_leave_no_buttons_behind(harness: Harness) -> None:
    unit_id = await unit(harness)
    await post(harness, unit_id, "黄河路-人民路口")
    coordinator = await person(harness, 8001, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    days = coordinator.last().buttons()
    await _say(harness, coordinator, "someday")  # asked again, with the days
    assert coordinator.last().buttons() == days
    assert len(_with_buttons(coordinator)) == 1
    await press_and_settle(harness, coordinator, days[1])
    slots = coordinator.last().buttons()
    await _say(harness, coordinator, "9点")
    assert coordinator.last().buttons() == slots
    assert len(_with_buttons(coordinator)) == 1
    await _say(harness, coordinator, "07:00-09:00")
    choices = coordinator.last().buttons()
    await _say(harness, coordinator, "③")
    assert coordinator.last().buttons() == choices
    assert len(_with_buttons(coordinator)) == 1
    await press_and_settle(harness, coordinator, "4")
    await press_and_settle(harness, coordinator, "🏷 限定人员标签")
    await coordinator.send_sticker()  # not a tag: asked again
    await harness.settle()
    await _say(harness, coordinator, "党员")
    assert len(_with_buttons(coordinator)) == 1
    await press_and_settle(harness, coordinator, "✅ 新建")
    assert await harness.count(Shift) == 1
    assert await harness.count(Dialogue) == 0
    assert len(_with_buttons(coordinator)) == 1
    assert "已新建" in (_with_buttons(coordinator)[0])


async def test_a_typed_cancel_takes_the_buttons_off_the_question(harness: Harness) -> None:
    unit_id = await unit(harness)
    await post(harness, unit_id, "黄河路-人民路口")
    coordinator = await person(harness, 8001, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    assert len(_with_buttons(coordinator)) == 1
    await command(harness, coordinator, "cancel")
    assert await harness.count(Dialogue) == 0
    assert _with_buttons(coordinator) == []
