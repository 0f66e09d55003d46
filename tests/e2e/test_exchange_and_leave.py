"""An exchange and leave on the other side's seat: one way out of a seat at a time holds for the
seat asked for in an exchange too. A seat whose leave waits for a decision is not offered for an
exchange, and a seat someone asked to exchange takes no leave until its holder declines."""

from __future__ import annotations

import pytest

from bot.db.models import AssignmentStatus, LeaveStatus, SwapOffer
from tests.e2e.rostering_fixtures import Unit, assigned_seat, leaves, town
from tests.e2e.schedule import command, press_and_settle, shift, statuses
from tests.e2e.swap_fixtures import require_approval
from tests.harness import Harness

EXCHANGE = "🔄 和别人互换班次"
SIGNED = AssignmentStatus.SIGNED_UP


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"cancel_cutoff_hours": 12}


async def _two_seats(harness: Harness, t: Unit) -> int:
    """王芳 assigned 07:00–09:00 tomorrow, 李明 17:00–19:00; the later shift's id."""
    li, wang, _ = t.people
    later = await shift(harness, t.post_id, start=17, end=19)
    await assigned_seat(harness, t.shift_id, wang.user_id)
    await assigned_seat(harness, later, li.user_id)
    return later


async def test_a_seat_whose_leave_is_asked_is_not_offered_for_an_exchange(
    harness: Harness,
) -> None:
    t = await town(harness)
    li, wang, _ = t.people
    later = await _two_seats(harness, t)
    await command(harness, wang, "my")
    await press_and_settle(harness, wang, "🙋 请假 1")
    await wang.send_text("出差")
    await harness.settle()

    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, EXCHANGE)
    assert li.answered_callbacks[-1]["text"] == "目前没有可以和这个班次互换的班次。"
    assert await harness.count(SwapOffer) == 0
    assert await statuses(harness, t.shift_id) == {wang.user_id: SIGNED}
    assert await statuses(harness, later) == {li.user_id: SIGNED}
    [asked] = await leaves(harness)
    assert asked.status is LeaveStatus.ASKED


async def test_a_seat_asked_for_an_exchange_takes_no_leave_until_declined(
    harness: Harness,
) -> None:
    t = await town(harness)
    li, wang, _ = t.people
    await _two_seats(harness, t)
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, EXCHANGE)
    await press_and_settle(harness, li, "1")
    await harness.deliver()
    asked_to_exchange = wang.last()
    assert asked_to_exchange.buttons() == ["✅ 接受", "✖️ 拒绝"]

    await command(harness, wang, "my")
    await wang.press("🙋 请假 1")
    await harness.settle()
    assert wang.answered_callbacks[-1]["text"] == (
        "李明 想和您互换这个班次。请先在 /swaps 拒绝，再请假。"
    )
    assert await leaves(harness) == []

    # Declined, the seat takes leave again.
    await press_and_settle(harness, wang, "✖️ 拒绝")
    await command(harness, wang, "my")
    await press_and_settle(harness, wang, "🙋 请假 1")
    await wang.send_text("出差")
    await harness.settle()
    [asked] = await leaves(harness)
    assert asked.status is LeaveStatus.ASKED


async def test_a_seat_whose_exchange_awaits_approval_takes_no_leave_until_decided(
    harness: Harness,
) -> None:
    """Accepted, the exchange can no longer be declined: the answer says it waits for the
    coordinator, not to decline it."""
    t = await town(harness)
    await require_approval(harness, t.unit_id)
    li, wang, _ = t.people
    await _two_seats(harness, t)
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, EXCHANGE)
    await press_and_settle(harness, li, "1")
    await harness.deliver()
    assert "正在等协调员审批" in await press_and_settle(harness, wang, "✅ 接受")

    await command(harness, wang, "my")
    await wang.press("🙋 请假 1")
    await harness.settle()
    assert wang.answered_callbacks[-1]["text"] == (
        "这个班次和 李明 的互换正在等协调员审批，审批之前不能请假。"
    )
    assert await leaves(harness) == []
