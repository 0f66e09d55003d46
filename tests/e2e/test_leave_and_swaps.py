"""Leave and a swap on the same assigned seat: one way out at a time, and a swap whose seat went
away some other way (the holder taken off, the shift cancelled) is called off at once, with
everyone waiting on it told."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.buttons import SwapApprove
from bot.db.models import LeaveStatus, SwapOffer, SwapStatus
from tests.e2e.rostering_fixtures import assign_by_hand, assigned_seat, leaves, town
from tests.e2e.schedule import DAY, command, press_and_settle, shift, statuses
from tests.e2e.swap_fixtures import last_offer, require_approval
from tests.harness import Harness

GIVE_AWAY = "📢 转让（单位里谁都可以接）"
CALLED_OFF = "🔁 换岗取消了（12月2日 周三 07:00–09:00 · 黄河路-人民路口）"


async def offers_made(harness: Harness) -> int:
    return await harness.count(SwapOffer)


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

    # A later seat is 2 in /my, and /swap numbers it 2 as well, not 1 of what it lists.
    later = await shift(harness, t.post_id, day=DAY + dt.timedelta(days=2))
    await assigned_seat(harness, later, wang.user_id)
    await command(harness, wang, "my")
    assert "🔁 换岗 2" in wang.last().buttons()
    text = await command(harness, wang, "swap")
    assert "\n2. 12月3日 周四 07:00–09:00" in text, text
    assert "\n1. " not in text, text
    assert wang.last().buttons()[0] == "🔁 换岗 2"


async def test_a_swap_awaiting_approval_is_called_off_when_its_holder_is_taken_off(
    harness: Harness,
) -> None:
    t = await town(harness)
    await require_approval(harness, t.unit_id)
    li, wang, _ = t.people
    await assign_by_hand(harness, t.coordinator, t.shift_id, "王芳")
    await command(harness, wang, "my")
    await press_and_settle(harness, wang, "🔁 换岗 1")
    await press_and_settle(harness, wang, GIVE_AWAY)
    await harness.deliver()
    assert "正在等协调员审批" in await press_and_settle(harness, li, "🙋 我来接")
    await harness.deliver()
    approval_card = t.coordinator.last()
    assert approval_card.buttons() == ["✅ 批准", "✖️ 驳回"]

    # The coordinator takes 王芳 off the shift instead.
    await command(harness, t.coordinator, "roster", "12-02")
    await press_and_settle(harness, t.coordinator, "⚙️ 07:00 黄河路-人民路口")
    await press_and_settle(harness, t.coordinator, "➖ 移出 王芳")
    await press_and_settle(harness, t.coordinator, "是，移出")
    await harness.tick()
    await harness.deliver()
    # 李明, 王芳 and the coordinator asked to approve it are each told, once.
    for person in (li, wang, t.coordinator):
        assert sum(text.startswith(CALLED_OFF) for text in person.texts()) == 1, person
    # It says why as it is: a seat taken off or given up; a cancelled shift has words of its own.
    [said] = [text for text in li.texts() if text.startswith(CALLED_OFF)]
    assert "被移出或本人取消报名" in said and "班次取消" not in said, said
    assert (await last_offer(harness)).status is SwapStatus.VOID
    await harness.tick()
    await harness.deliver()
    assert sum(text.startswith(CALLED_OFF) for text in li.texts()) == 1
    # The approval card is closed in place, saying the swap became void; an old copy of its
    # buttons changes nothing.
    card = next(m for m in t.coordinator.messages() if m.message_id == approval_card.message_id)
    assert card.buttons() == [] and "系统：已失效" in (card.text or "")
    offer = await last_offer(harness)
    await t.coordinator.press_data(SwapApprove(offer.id).pack(), approval_card.message_id)
    await harness.settle()
    assert li.user_id not in await statuses(harness, t.shift_id)
    assert (await last_offer(harness)).status is SwapStatus.VOID


async def test_a_seat_with_leave_asked_is_not_swapped_even_from_an_old_button(
    harness: Harness,
) -> None:
    t = await town(harness)
    _, wang, _ = t.people
    await assign_by_hand(harness, t.coordinator, t.shift_id, "王芳")
    await command(harness, wang, "my")
    old_my = wang.last()
    await press_and_settle(harness, wang, "🙋 请假 1")
    await wang.send_text("出差")
    await harness.settle()
    # /swap lists nothing to offer, and the old /my message's Swap button is refused.
    assert "🔁" not in " ".join(wang.last().buttons())
    assert (await command(harness, wang, "swap")).startswith("您没有可以换岗的班次。")
    await wang.press("🔁 换岗 1", message_id=old_my.message_id)
    await harness.settle()
    assert wang.answered_callbacks[-1]["text"] == (
        "这个班次的请假正在等协调员处理，处理完之前不能换岗。"
    )
    assert await offers_made(harness) == 0
    [asked] = await leaves(harness)
    assert asked.status is LeaveStatus.ASKED
