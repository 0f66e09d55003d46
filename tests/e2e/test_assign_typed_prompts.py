"""Names typed in ➕ 安排人员: a name not found, one that matches several members or a person who
may not take the shift is asked again with the choices, and that question is the dialogue's
prompt (the one before it loses its buttons, one ✖️ is left); a refusal no name could undo (the
shift started) ends the dialogue and takes the last question's buttons with it."""

from __future__ import annotations

import pytest

from bot.db.models import Dialogue
from bot.emulator import SimUser
from tests.e2e.rostering_fixtures import (
    ASSIGN_SETTINGS,
    LABEL,
    TOMORROW,
    open_assign,
    seats,
    town,
)
from tests.e2e.schedule import at, person, unit
from tests.e2e.swap_fixtures import member
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(ASSIGN_SETTINGS)


def _cancels(user: SimUser) -> int:
    """How many ✖️ are left in the chat."""
    return [b for m in user.messages() for b in m.buttons()].count("✖️ 取消")


async def _say(harness: Harness, user: SimUser, text: str) -> str:
    await user.send_text(text)
    await harness.settle()
    return user.last().text or ""


async def test_typed_names_asked_again_leave_one_cancel(harness: Harness) -> None:
    town_ = await town(harness, capacity=3)
    coordinator = town_.coordinator
    await member(harness, 7004, town_.unit_id, "王强")
    await person(harness, 7101, await unit(harness, "环保局"), "王五")
    await open_assign(harness, coordinator, town_.shift_id)
    assert _cancels(coordinator) == 1

    assert "· 找不到成员「不存在」" in await _say(harness, coordinator, "不存在")
    assert "王芳 · 0小时" in coordinator.last().buttons()
    assert _cancels(coordinator) == 1
    assert "对应 2 位成员" in await _say(harness, coordinator, "王")
    assert "王芳 · 0小时" in coordinator.last().buttons()
    assert _cancels(coordinator) == 1
    assert "王五 不是「城管局」的成员" in await _say(harness, coordinator, "王五")
    assert "王芳 · 0小时" in coordinator.last().buttons()
    assert _cancels(coordinator) == 1

    # Assigned, with seats left: the list again, the only question with buttons.
    assert f"✅ 已安排 1 人到 {LABEL}：张伟" in await _say(harness, coordinator, "张伟")
    assert "✖️ 取消" in coordinator.last().buttons()
    assert _cancels(coordinator) == 1
    assert await _say(harness, coordinator, "不存在")
    assert _cancels(coordinator) == 1

    # The shift has started: no name would do, the dialogue ends and no ✖️ is left.
    harness.clock.set(at(TOMORROW, 7, 5))
    text = await _say(harness, coordinator, "王芳")
    assert text == "这个班次已经开始，不能再安排人员。"
    assert await harness.count(Dialogue) == 0
    assert _cancels(coordinator) == 0
    assert set(await seats(harness, town_.shift_id)) == {town_.people[2].user_id}
