"""A colleague creates a post of the same name while a coordinator is at /newpost's last step:
the radius, typed or tapped, is refused once with the reason and /newpost ends (the radius
step cannot change the name), rather than refusing every radius until Cancel."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import Dialogue, Post, Role
from bot.emulator import SimUser
from tests.e2e.schedule import command, person, post, press_and_settle, unit
from tests.harness import Harness

TAKEN = "本单位已经有叫「黄河路-人民路口」的岗位了。"
NOT_UNDERSTOOD = "没看懂这条消息。发送 /help 查看可用的命令。"


async def _at_radius(harness: Harness) -> tuple[SimUser, int]:
    unit_id = await unit(harness)
    coordinator = await person(harness, 8001, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newpost")
    await coordinator.send_text("黄河路-人民路口")
    await harness.settle()
    await press_and_settle(harness, coordinator, "文明交通劝导岗")
    await coordinator.send_location(30.6586, 104.0648)
    await harness.settle()
    assert "默认 150 米" in coordinator.last().buttons()
    await post(harness, unit_id, "黄河路-人民路口")  # the colleague's
    return coordinator, unit_id


async def _posts(harness: Harness) -> int:
    async with harness.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Post)) or 0)


async def test_a_typed_radius_after_the_name_was_taken_ends_newpost(harness: Harness) -> None:
    coordinator, _ = await _at_radius(harness)
    prompt = coordinator.last().message_id
    await coordinator.send_text("200")
    await harness.settle()
    assert coordinator.last().text == TAKEN
    assert await harness.count(Dialogue) == 0
    # The radius buttons of the prompt before go with /newpost: none is left to press.
    asked = next(m for m in coordinator.messages() if m.message_id == prompt)
    assert asked.buttons() == []
    await coordinator.send_text("300")
    await harness.settle()
    assert coordinator.last().text == NOT_UNDERSTOOD
    assert await _posts(harness) == 1


async def test_a_tapped_radius_after_the_name_was_taken_ends_newpost(harness: Harness) -> None:
    coordinator, _ = await _at_radius(harness)
    await coordinator.press("默认 150 米")
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == TAKEN
    assert coordinator.last().text == TAKEN
    assert coordinator.last().buttons() == []
    assert await harness.count(Dialogue) == 0
    assert await _posts(harness) == 1
