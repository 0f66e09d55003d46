"""Leave and a swap on the same assigned seat: one way out at a time, and a swap whose seat went
away by leave (or any other way) is called off at once, with everyone waiting on it told."""

from __future__ import annotations

import pytest

from bot.db.models import AssignmentStatus, LeaveStatus, SwapStatus
from tests.e2e.rostering_fixtures import assign_by_hand, leaves, town
from tests.e2e.schedule import command, press_and_settle, statuses
from tests.e2e.swap_fixtures import last_offer, require_approval
from tests.harness import Harness

GIVE_AWAY = "📢 转让（单位里谁都可以接）"
CALLED_OFF = "🔁 换岗取消了（12月2日 周三 07:00–09:00 · 黄河路-人民路口）"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"cancel_cutoff_hours": 12}


async def test_a_seat_being_swapped_takes_no_leave_and_a_seat_on_leave_offers_no_swap(
    harness: Harness,
) -> None:
    t = await town(harness)
    li, wang, _ = t.people
    await assign_by_hand(harness, t.coordinator, t.shift_id, "王芳")
    rota_notice = wang.last()
    await command(harness, wang, "my")
    await press_and_settle(harness, wang, "🔁 换岗 1")
    await press_and_settle(harness, wang, GIVE_AWAY)

    # The 🙋 button of the rota notice: refused while the swap is open; nothing asked.
    await wang.press("🙋 请假", message_id=rota_notice.message_id)
    await harness.settle()
    assert wang.answered_callbacks[-1]["text"] == (
        "这个班次正在换岗。请先在 /swaps 撤回换岗，再请假。"
    )
    assert await leaves(harness) == []
    # /my offers neither way out a second time.
    assert "🙋 请假 1" not in wang.last().buttons()
    await command(harness, wang, "my")
    assert wang.last().buttons() == ["📅 日历文件"]

    # Withdrawn, the seat takes leave again; while it is asked, /my offers no swap.
    await command(harness, wang, "swaps")
    await press_and_settle(harness, wang, "↩️ 撤回换岗")
    await command(harness, wang, "my")
    await press_and_settle(harness, wang, "🙋 请假 1")
    await wang.send_text("出差")
    await harness.settle()
    [asked] = await leaves(harness)
    assert asked.status is LeaveStatus.ASKED
    await command(harness, wang, "my")
    assert wang.last().buttons() == ["📅 日历文件"]
    assert li.user_id not in await statuses(harness, t.shift_id)


async def test_leave_approved_under_a_swap_awaiting_approval_calls_the_swap_off(
    harness: Harness,
) -> None:
    t = await town(harness)
    await require_approval(harness, t.unit_id)
    li, wang, _ = t.people
    await assign_by_hand(harness, t.coordinator, t.shift_id, "王芳")
    # An old /my message, shown before the leave was asked, still carries its Swap button.
    await command(harness, wang, "my")
    old_my = wang.last()
    await press_and_settle(harness, wang, "🙋 请假 1")
    await wang.send_text("出差")
    await harness.settle()
    await harness.deliver()
    leave_card = t.coordinator.last()
    assert leave_card.buttons() == ["✅ 批准", "✖️ 驳回"]
    await wang.press("🔁 换岗 1", message_id=old_my.message_id)
    await harness.settle()
    await press_and_settle(harness, wang, GIVE_AWAY)
    await harness.deliver()
    assert "正在等协调员审批" in await press_and_settle(harness, li, "🙋 我来接")
    await harness.deliver()
    approval_card = t.coordinator.last()

    await t.coordinator.press("✅ 批准", message_id=leave_card.message_id)
    await harness.settle()
    assert any("已批准 王芳 请假" in text for text in t.coordinator.texts())
    assert [leave.status for leave in await leaves(harness)] == [LeaveStatus.APPROVED]
    await harness.tick()
    await harness.deliver()
    # 李明, 王芳 and the coordinator asked to approve it are each told, once.
    for person in (li, wang, t.coordinator):
        assert sum(text.startswith(CALLED_OFF) for text in person.texts()) == 1, person
    offer = await last_offer(harness)
    assert offer.status is SwapStatus.VOID
    await harness.tick()
    await harness.deliver()
    assert sum(text.startswith(CALLED_OFF) for text in li.texts()) == 1
    # The approval card's buttons now change nothing.
    await t.coordinator.press("✅ 批准", message_id=approval_card.message_id)
    await harness.settle()
    assert li.user_id not in await statuses(harness, t.shift_id)
    assert (await last_offer(harness)).status is SwapStatus.VOID


async def test_a_leave_whose_seat_was_swapped_away_needs_no_decision(harness: Harness) -> None:
    t = await town(harness)
    li, wang, _ = t.people
    await assign_by_hand(harness, t.coordinator, t.shift_id, "王芳")
    await command(harness, wang, "my")
    old_my = wang.last()
    await press_and_settle(harness, wang, "🙋 请假 1")
    await wang.send_text("出差")
    await harness.settle()
    await harness.deliver()
    leave_card = t.coordinator.last()
    await wang.press("🔁 换岗 1", message_id=old_my.message_id)
    await harness.settle()
    await press_and_settle(harness, wang, GIVE_AWAY)
    await harness.deliver()
    await press_and_settle(harness, li, "🙋 我来接")
    await harness.deliver()
    assert "您不用再去了" in (wang.last().text or "")

    told = len(wang.texts())
    for label in ("✖️ 驳回", "✅ 批准"):
        await t.coordinator.press(label, message_id=leave_card.message_id)
        await harness.settle()
        assert t.coordinator.answered_callbacks[-1]["text"] == (
            "这个座位已经不在申请人名下（可能已换岗或被移出），请假不需要再处理。"
        )
    await harness.deliver()
    assert len(wang.texts()) == told
    [asked] = await leaves(harness)
    assert asked.status is LeaveStatus.ASKED
    seats = await statuses(harness, t.shift_id)
    assert seats[wang.user_id] is AssignmentStatus.CANCELLED
    assert seats[li.user_id] is AssignmentStatus.SIGNED_UP
