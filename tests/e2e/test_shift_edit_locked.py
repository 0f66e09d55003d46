"""A coordinator who opened a shift's capacity, notes or time prompt and types the new value
after the shift started, or after a colleague cancelled it, is told once: the edit ends, so
the next message is not refused the same way, and nothing on the shift changes."""

from __future__ import annotations

from bot.db.models import Dialogue, Role, Shift, ShiftStatus
from bot.emulator import SimUser
from tests.e2e.schedule import DAY, at, command, person, post, press_and_settle, shift, unit
from tests.harness import Harness

STARTED = "这个班次已经开始，不能再修改或取消。"
CANCELLED = "这个班次已取消。"
NOT_UNDERSTOOD = "没看懂这条消息。发送 /help 查看可用的命令。"


async def _shift_row(harness: Harness, shift_id: int) -> Shift:
    async with harness.session() as session:
        row = await session.get(Shift, shift_id)
        assert row is not None
        return row


async def _open_card(harness: Harness, coordinator_id: int, name: str) -> tuple[SimUser, int]:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    shift_id = await shift(harness, post_id, DAY, 9, 11, capacity=3)
    coordinator = await person(harness, coordinator_id, unit_id, name, role=Role.COORDINATOR)
    await command(harness, coordinator, "posts")
    await press_and_settle(harness, coordinator, "黄河路-人民路口")
    await press_and_settle(harness, coordinator, "📅 班次")
    await press_and_settle(harness, coordinator, "12月1日 周二 09:00–11:00 · 黄河路-人民路口")
    return coordinator, shift_id


async def test_a_capacity_typed_after_the_shift_started_ends_the_edit(harness: Harness) -> None:
    coordinator, shift_id = await _open_card(harness, 6001, "王协调")
    prompt = await press_and_settle(harness, coordinator, "👥 人数")
    assert "新的人数是多少" in prompt

    harness.clock.set(at(DAY, 9, 5))
    await coordinator.send_text("5")
    await harness.settle()
    assert coordinator.last().text == STARTED
    assert coordinator.last().buttons() == []
    assert await harness.count(Dialogue) == 0
    assert (await _shift_row(harness, shift_id)).capacity == 3

    # The next message is no longer read as the new capacity.
    await coordinator.send_text("6")
    await harness.settle()
    assert coordinator.last().text == NOT_UNDERSTOOD
    assert (await _shift_row(harness, shift_id)).capacity == 3


async def test_notes_typed_after_a_colleague_cancelled_the_shift_end_the_edit(
    harness: Harness,
) -> None:
    coordinator, shift_id = await _open_card(harness, 6001, "王协调")
    await press_and_settle(harness, coordinator, "📝 备注")
    async with harness.session() as session:
        row = await session.get(Shift, shift_id)
        assert row is not None
        row.status = ShiftStatus.CANCELLED

    await coordinator.send_text("带好小红旗")
    await harness.settle()
    assert coordinator.last().text == CANCELLED
    assert await harness.count(Dialogue) == 0
    assert (await _shift_row(harness, shift_id)).notes is None


async def test_a_time_that_is_already_past_may_be_typed_again(harness: Harness) -> None:
    """A refusal the coordinator can answer keeps the prompt open, with its Cancel."""
    coordinator, shift_id = await _open_card(harness, 6001, "王协调")
    await press_and_settle(harness, coordinator, "🕒 时间")
    await coordinator.send_text("07:00-08:30")
    await harness.settle()
    assert "取消" in " ".join(coordinator.last().buttons())
    assert await harness.count(Dialogue) == 1
    await coordinator.send_text("10:00-12:00")
    await harness.settle()
    row = await _shift_row(harness, shift_id)
    assert row.starts_at == at(DAY, 10) and row.ends_at == at(DAY, 12)


async def test_cancel_pressed_on_a_card_opened_before_the_start_is_refused_at_the_press(
    harness: Harness,
) -> None:
    """As 👥/📝/🕒 are: no confirmation is asked for what could only be refused."""
    coordinator, shift_id = await _open_card(harness, 6001, "王协调")
    harness.clock.set(at(DAY, 9, 5))
    card = coordinator.last()
    await coordinator.press("❌ 取消这个班次")
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == STARTED
    assert not (coordinator.last().text or "").startswith("确定取消这个班次吗")
    assert coordinator.last().message_id == card.message_id
    assert (await _shift_row(harness, shift_id)).status is ShiftStatus.SCHEDULED
