"""/newpost's name refused for good (the unit archived meanwhile) ends /newpost, and the ✖️
goes from the "ask name" question with it, whether /newpost asked there at once (one unit) or
in place of the unit picker (an admin, several units)."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Dialogue, Post, Role, Unit
from bot.emulator import SimUser
from tests.e2e.schedule import command, person, press_and_settle, unit
from tests.harness import Harness

ARCHIVED = "「城管局」已归档，不能再新建岗位（管理员可在 /units 里恢复）。"


async def _archive(harness: Harness, unit_id: int) -> None:
    async with harness.session() as session:
        await session.execute(update(Unit).where(Unit.id == unit_id).values(archived=True))


async def _name_refused(harness: Harness, user: SimUser, unit_id: int) -> None:
    asked = user.last()
    assert "新建「城管局」的岗位" in (asked.text or "")
    assert asked.buttons() == ["✖️ 取消"]
    await _archive(harness, unit_id)
    await user.send_text("黄河路-人民路口")
    await harness.settle()
    assert user.last().text == ARCHIVED
    question = next(m for m in user.messages() if m.message_id == asked.message_id)
    assert question.buttons() == []
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Post) == 0


async def test_the_name_asked_at_once_loses_its_cancel(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 8001, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newpost")
    await _name_refused(harness, coordinator, unit_id)


async def test_the_name_asked_in_place_of_the_unit_picker_loses_its_cancel(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    await unit(harness, "交警队")
    admin = harness.admin
    await command(harness, admin, "newpost")
    await press_and_settle(harness, admin, "城管局")
    await _name_refused(harness, admin, unit_id)
