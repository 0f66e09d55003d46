"""The ✖️ of a picker that belongs to no dialogue (/members' units, /board's screen scope and
its list of links, /me's 退出本单位 question) closes that message only: a dialogue open at the
time, or begun after it was sent, goes on; with none open it says it closed, not that there was
nothing to cancel."""

from __future__ import annotations

import pytest

from bot.db.models import Dialogue, Unit
from bot.emulator import SimUser
from tests.e2e.board_fixtures import BOARD_SETTINGS
from tests.e2e.rostering_fixtures import town
from tests.e2e.schedule import command, press_and_settle, unit
from tests.harness import Harness

CANCEL = "✖️ 取消"
CLOSED = "已取消。"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


async def _naming_a_unit(harness: Harness, admin: SimUser) -> None:
    """The admin is in the middle of /units' new-unit dialogue."""
    await command(harness, admin, "units")
    await press_and_settle(harness, admin, "➕ 新建单位")
    assert await harness.count(Dialogue) == 1


async def _the_unit_is_still_named(harness: Harness, admin: SimUser) -> None:
    await admin.send_text("环保局")
    await harness.settle()
    assert "环保局" in (admin.last().text or "")
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Unit) == 3


async def test_closing_the_members_unit_picker_leaves_the_dialogue_open(
    harness: Harness,
) -> None:
    await unit(harness, "城管局")
    await unit(harness, "交通局")
    admin = harness.admin
    await _naming_a_unit(harness, admin)
    await command(harness, admin, "members")
    assert CANCEL in admin.last().buttons()
    assert await press_and_settle(harness, admin, CANCEL) == CLOSED
    assert admin.last().buttons() == []
    assert await harness.count(Dialogue) == 1
    await _the_unit_is_still_named(harness, admin)


async def test_a_picker_sent_before_a_dialogue_does_not_cancel_it(harness: Harness) -> None:
    await unit(harness, "城管局")
    await unit(harness, "交通局")
    admin = harness.admin
    await command(harness, admin, "members")
    picker = admin.last().message_id
    await _naming_a_unit(harness, admin)
    await admin.press(CANCEL, picker)
    await harness.settle()
    [closed] = [m for m in admin.messages() if m.message_id == picker]
    assert closed.text == CLOSED
    assert await harness.count(Dialogue) == 1
    await _the_unit_is_still_named(harness, admin)


async def test_a_picker_closed_with_no_dialogue_says_it_closed(harness: Harness) -> None:
    await unit(harness, "城管局")
    await unit(harness, "交通局")
    admin = harness.admin
    await command(harness, admin, "members")
    assert await press_and_settle(harness, admin, CANCEL) == CLOSED


async def test_closing_the_board_pickers_leaves_the_dialogue_open(harness: Harness) -> None:
    await unit(harness, "城管局")
    await unit(harness, "交通局")
    admin = harness.admin
    await _naming_a_unit(harness, admin)
    await command(harness, admin, "board")
    await press_and_settle(harness, admin, "📺 生成大屏链接")
    assert await press_and_settle(harness, admin, CANCEL) == CLOSED
    assert await harness.count(Dialogue) == 1
    await command(harness, admin, "board")
    await press_and_settle(harness, admin, "📺 生成大屏链接")
    await press_and_settle(harness, admin, "城管局")
    await command(harness, admin, "board")
    await press_and_settle(harness, admin, "🗂 管理大屏链接（1）")
    assert await press_and_settle(harness, admin, CANCEL) == CLOSED
    assert await harness.count(Dialogue) == 1
    await _the_unit_is_still_named(harness, admin)


async def test_closing_the_leave_unit_question_leaves_the_dialogue_open(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li = town_.people[0]
    await command(harness, li, "unavailable")
    await command(harness, li, "me")
    await press_and_settle(harness, li, "🚪 退出本单位")
    assert await press_and_settle(harness, li, CANCEL) == CLOSED
    assert await harness.count(Dialogue) == 1
    member = await harness.member(li.user_id)
    assert member is not None and member.unit_id == town_.unit_id
