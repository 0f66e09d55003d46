"""An admin archives a unit while its coordinator is at /newpost: the next step (the name or
the radius) is refused once, naming the unit, /newpost ends and no post is written, rather
than a post made in a unit that has left the campaign. /newpost in an archived unit is
refused at once."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Dialogue, Post, Role, Unit
from bot.emulator import SimUser
from tests.e2e.schedule import command, person, press_and_settle, unit
from tests.harness import Harness

ARCHIVED = "「城管局」已归档，不能再新建岗位（管理员可在 /units 里恢复）。"
NOT_UNDERSTOOD = "没看懂这条消息。发送 /help 查看可用的命令。"


async def _archive(harness: Harness, unit_id: int) -> None:
    async with harness.session() as session:
        await session.execute(update(Unit).where(Unit.id == unit_id).values(archived=True))


async def _coordinator(harness: Harness) -> tuple[SimUser, int]:
    unit_id = await unit(harness)
    coordinator = await person(harness, 8001, unit_id, "王协调", role=Role.COORDINATOR)
    return coordinator, unit_id


async def _at_radius(harness: Harness) -> SimUser:
    coordinator, unit_id = await _coordinator(harness)
    await command(harness, coordinator, "newpost")
    await coordinator.send_text("黄河路-人民路口")
    await harness.settle()
    await press_and_settle(harness, coordinator, "文明交通劝导岗")
    await coordinator.send_location(30.6586, 104.0648)
    await harness.settle()
    assert "默认 150 米" in coordinator.last().buttons()
    await _archive(harness, unit_id)
    return coordinator


async def test_a_typed_radius_in_a_unit_archived_meanwhile_ends_newpost(
    harness: Harness,
) -> None:
    coordinator = await _at_radius(harness)
    await coordinator.send_text("200")
    await harness.settle()
    assert coordinator.last().text == ARCHIVED
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Post) == 0
    await coordinator.send_text("300")
    await harness.settle()
    assert coordinator.last().text == NOT_UNDERSTOOD
    assert await harness.count(Post) == 0


async def test_a_tapped_radius_in_a_unit_archived_meanwhile_ends_newpost(
    harness: Harness,
) -> None:
    coordinator = await _at_radius(harness)
    await coordinator.press("默认 150 米")
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == ARCHIVED
    assert coordinator.last().text == ARCHIVED
    assert coordinator.last().buttons() == []
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Post) == 0


async def test_a_name_typed_in_a_unit_archived_meanwhile_ends_newpost(harness: Harness) -> None:
    coordinator, unit_id = await _coordinator(harness)
    await command(harness, coordinator, "newpost")
    await _archive(harness, unit_id)
    await coordinator.send_text("黄河路-人民路口")
    await harness.settle()
    assert coordinator.last().text == ARCHIVED
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Post) == 0


async def test_newpost_in_an_archived_unit_is_refused_at_once(harness: Harness) -> None:
    coordinator, unit_id = await _coordinator(harness)
    await _archive(harness, unit_id)
    reply = await command(harness, coordinator, "newpost")
    assert reply == ARCHIVED
    assert await harness.count(Dialogue) == 0
