"""Swaps at their edges: the shift of a swap cancelled, an exchange whose other side may not be
taken, people who left, forged and replayed presses, and expiry on the injected clock."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.buttons import SwapAccept, SwapTake
from bot.db.models import AssignmentStatus, LeaveRequest, LeaveStatus, Member, SwapStatus
from bot.emulator import SimUser
from tests.e2e.held_fixtures import move_shift
from tests.e2e.schedule import DAY, command, post, press_and_settle, shift, statuses
from tests.e2e.swap_fixtures import Town, last_offer, offers, seat, town, trail
from tests.harness import Harness

TOMORROW = DAY + dt.timedelta(days=1)
LABEL = "12月2日 周三 07:00–09:00 · 黄河路-人民路口"
LATER_LABEL = "12月2日 周三 17:00–19:00 · 黄河路-人民路口"
GIVE_AWAY = "📢 转让（单位里谁都可以接）"
HAND_OVER = "👤 请指定的人代班"
EXCHANGE = "🔄 和别人互换班次"
SHIFT_CANCELLED = "班次已取消"
SWAP_VOID = "换岗取消了"
VOID_CANCELLED = "换岗作废了"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"swap_expiry_before_start_min": 60}


async def _open_swap(harness: Harness, user: SimUser, kind: str) -> str:
    await command(harness, user, "my")
    await press_and_settle(harness, user, "🔁 换岗 1")
    return await press_and_settle(harness, user, kind)


async def _cancel(harness: Harness, coordinator: SimUser, button: str) -> None:
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, button)
    await press_and_settle(harness, coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, coordinator, "是，取消班次")


def _about(user: SimUser, seen: int, *words: str) -> list[str]:
    return [text for text in user.texts()[seen:] if any(word in text for word in words)]


# -- the shift of a swap cancelled -----------------------------------------------------------


async def test_the_holder_of_a_hand_over_whose_shift_is_cancelled_is_told_once(
    harness: Harness,
) -> None:
    """李明 asks 王芳 to take his 07:00 seat; before she answers, the coordinator cancels the
    shift. 李明 reads once that the shift is cancelled, and nothing more of the swap; 王芳,
    who holds no seat on it, reads once that the swap is void because the shift was cancelled."""
    town_ = await town(harness)
    li, (wang, _) = town_.holder, town_.others
    await _open_swap(harness, li, HAND_OVER)
    await li.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    seen = {user.user_id: len(user.texts()) for user in (li, wang)}

    await _cancel(harness, town_.coordinator, "⚙️ 07:00 黄河路-人民路口")
    await harness.tick()
    await harness.tick()
    await harness.deliver()

    li_told = _about(li, seen[li.user_id], SHIFT_CANCELLED, SWAP_VOID, VOID_CANCELLED)
    assert len(li_told) == 1 and SHIFT_CANCELLED in li_told[0], li_told
    wang_told = _about(wang, seen[wang.user_id], SHIFT_CANCELLED, SWAP_VOID, VOID_CANCELLED)
    assert wang_told == [f"🔁 换岗作废了（{LABEL}）：这个班次已经取消，换岗不用再处理。"], wang_told
    offer = await last_offer(harness)
    assert offer.status is SwapStatus.VOID
    assert await trail(harness, offer.id) == ["swap.offer", "swap.void"]


async def test_the_member_asked_in_an_exchange_whose_own_shift_is_cancelled_is_told_once(
    harness: Harness,
) -> None:
    """李明 offers 王芳 his 07:00 seat for her 17:00 one; the coordinator cancels the 17:00
    shift. 王芳, who held its seat, reads once that it is cancelled; 李明 reads once that the
    swap is void because that shift was cancelled."""
    town_ = await town(harness)
    li, (wang, _) = town_.holder, town_.others
    later = await shift(harness, town_.post_id, start=17, end=19)
    await seat(harness, later, wang.user_id)
    await _open_swap(harness, li, EXCHANGE)
    await press_and_settle(harness, li, "1")
    await harness.deliver()
    seen = {user.user_id: len(user.texts()) for user in (li, wang)}

    await _cancel(harness, town_.coordinator, "⚙️ 17:00 黄河路-人民路口")
    await harness.tick()
    await harness.tick()
    await harness.deliver()

    wang_told = _about(wang, seen[wang.user_id], SHIFT_CANCELLED, SWAP_VOID, VOID_CANCELLED)
    assert len(wang_told) == 1 and SHIFT_CANCELLED in wang_told[0], wang_told
    li_told = _about(li, seen[li.user_id], SHIFT_CANCELLED, SWAP_VOID, VOID_CANCELLED)
    assert li_told == [f"🔁 换岗作废了（{LATER_LABEL}）：这个班次已经取消，换岗不用再处理。"], (
        li_told
    )
    assert (await statuses(harness, town_.shift_id))[li.user_id] is AssignmentStatus.SIGNED_UP


# -- leave approved at the hour ----------------------------------------------------------------


async def _excused_at_seven(harness: Harness, town_: Town, user: SimUser) -> None:
    """`user` was on a 07:00–09:00 shift tomorrow at another post and was excused from it (their
    leave approved)."""
    elsewhere = await post(harness, town_.unit_id, "人民路-解放路口")
    other = await shift(harness, elsewhere, start=7, end=9)
    seat_id = await seat(harness, other, user.user_id, AssignmentStatus.CANCELLED)
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == user.user_id))
        assert member is not None
        session.add(
            LeaveRequest(
                assignment_id=seat_id,
                member_id=member.id,
                status=LeaveStatus.APPROVED,
                reason="出差",
                asked_at=harness.clock.now(),
                decided_at=harness.clock.now(),
            )
        )


async def test_a_member_excused_at_that_hour_is_neither_offered_the_seat_nor_handed_it(
    harness: Harness,
) -> None:
    """王芳's leave at 07:00 tomorrow was approved. 李明 gives his 07:00 seat away: only 张伟
    is offered it, and 王芳 finds nothing to take in /swaps. 李明 then asks 王芳 by name to
    take another: he is told she has leave at that hour, and nothing is offered."""
    town_ = await town(harness)
    li, (wang, zhang) = town_.holder, town_.others
    await _excused_at_seven(harness, town_, wang)

    text = await _open_swap(harness, li, GIVE_AWAY)
    assert "转让给本单位 1 位符合条件的成员" in text, text
    await harness.deliver()
    assert "李明 转让一个班次" in (zhang.last().text or "")
    assert not [t for t in wang.texts() if "李明 转让一个班次" in t]
    assert "目前没有可接的换岗" in await command(harness, wang, "swaps")
    await press_and_settle(harness, li, "↩️ 撤回换岗")

    await _open_swap(harness, li, HAND_OVER)
    await li.send_text("王芳")
    await harness.settle()
    assert (li.last().text or "").startswith(
        "王芳 不能接这个班次：这个时间已经请假（已批准），不能再接这个时间的班次。"
    ), li.last().text
    assert [offer.status for offer in await offers(harness)] == [SwapStatus.WITHDRAWN]
    assert (await statuses(harness, town_.shift_id)) == {li.user_id: AssignmentStatus.SIGNED_UP}


# -- pressed again -----------------------------------------------------------------------------


async def test_pressing_take_again_tells_the_taker_the_shift_is_already_theirs(
    harness: Harness,
) -> None:
    """王芳 takes 李明's give-away and, the answer slow to show, taps 🙋 我来接 again: she is
    told she already took it, not that someone else did; nothing moves twice."""
    town_ = await town(harness)
    li, (wang, zhang) = town_.holder, town_.others
    await _open_swap(harness, li, GIVE_AWAY)
    await harness.deliver()
    offered = wang.last().message_id
    assert "换岗完成" in await press_and_settle(harness, wang, "🙋 我来接")
    # The same press again (the old message's button, as a slow client sends it twice).
    await wang.press_data(SwapTake((await last_offer(harness)).id).pack(), offered)
    await harness.settle()
    assert wang.answered_callbacks[-1]["text"] == "您已经接下了这个换岗。"
    await zhang.press("🙋 我来接")
    await harness.settle()
    assert zhang.answered_callbacks[-1]["text"] == "来晚了，这个班次已经被别人接走了。"
    assert await statuses(harness, town_.shift_id) == {
        li.user_id: AssignmentStatus.CANCELLED,
        wang.user_id: AssignmentStatus.SIGNED_UP,
    }
    offer = await last_offer(harness)
    assert await trail(harness, offer.id) == ["swap.offer", "swap.accept", "swap.complete"]


async def test_accepting_an_exchange_again_tells_the_member_it_is_already_accepted(
    harness: Harness,
) -> None:
    """王芳 accepts 李明's exchange, which waits for the coordinator, and taps ✅ 接受 again on
    the old question: she is told she already took it; the coordinator is asked once."""
    town_ = await town(harness, approval=True)
    li, (wang, _) = town_.holder, town_.others
    later = await shift(harness, town_.post_id, start=17, end=19)
    await seat(harness, later, wang.user_id)
    await _open_swap(harness, li, EXCHANGE)
    await press_and_settle(harness, li, "1")
    await harness.deliver()
    asked = wang.last().message_id
    assert "正在等协调员审批" in await press_and_settle(harness, wang, "✅ 接受")
    await wang.press_data(SwapAccept((await last_offer(harness)).id).pack(), asked)
    await harness.settle()
    assert wang.answered_callbacks[-1]["text"] == "您已经接下了这个换岗。"
    await harness.deliver()
    approvals = [t for t in town_.coordinator.texts() if "换岗待审批" in t]
    assert len(approvals) == 1, approvals
    offer = await last_offer(harness)
    assert offer.status is SwapStatus.AWAITING_APPROVAL
    assert await trail(harness, offer.id) == ["swap.offer", "swap.accept"]


# -- nobody to give it to ----------------------------------------------------------------------


async def test_a_give_away_nobody_may_take_is_refused_with_the_other_ways(
    harness: Harness,
) -> None:
    """Everyone else of 李明's unit already stands on a shift at 07:00 tomorrow: a give-away
    would reach nobody. He is told so, with what he may do instead, and no offer is made; he may
    still hand the seat over or exchange it."""
    town_ = await town(harness)
    li, (wang, zhang) = town_.holder, town_.others
    elsewhere = await post(harness, town_.unit_id, "人民路-解放路口")
    busy = await shift(harness, elsewhere, start=7, end=9)
    for user in (wang, zhang):
        await seat(harness, busy, user.user_id)

    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await li.press(GIVE_AWAY)
    await harness.settle()
    assert li.answered_callbacks[-1]["text"] == (
        "本单位目前没有人能接这个班次。可以请指定的人代班、和别人互换，或联系协调员。"
    )
    assert await offers(harness) == []
    assert (await statuses(harness, town_.shift_id)) == {li.user_id: AssignmentStatus.SIGNED_UP}
    await harness.deliver()
    assert not [t for t in wang.texts() + zhang.texts() if "李明 转让一个班次" in t]


async def test_an_exchange_accepted_twice_at_once_moves_the_seats_once(harness: Harness) -> None:
    """王芳 taps ✅ 接受 on 李明's exchange twice at the same moment (a double tap): the seats
    move once, one tap says the swap is done and the other that she already took it."""
    town_ = await town(harness)
    li, (wang, _) = town_.holder, town_.others
    later = await shift(harness, town_.post_id, start=17, end=19)
    await seat(harness, later, wang.user_id)
    await _open_swap(harness, li, EXCHANGE)
    await press_and_settle(harness, li, "1")
    await harness.deliver()
    asked = wang.last().message_id
    accept = SwapAccept((await last_offer(harness)).id).pack()
    harness.emulator.latency = 0.02
    await wang.press_data(accept, asked)
    await wang.press_data(accept, asked)
    await harness.settle()
    answers = sorted(str(answer.get("text")) for answer in wang.answered_callbacks[-2:])
    assert answers == ["您已经接下了这个换岗。", "换岗完成"], answers
    assert await statuses(harness, town_.shift_id) == {
        li.user_id: AssignmentStatus.CANCELLED,
        wang.user_id: AssignmentStatus.SIGNED_UP,
    }
    assert await statuses(harness, later) == {
        wang.user_id: AssignmentStatus.CANCELLED,
        li.user_id: AssignmentStatus.SIGNED_UP,
    }
    offer = await last_offer(harness)
    assert await trail(harness, offer.id) == ["swap.offer", "swap.accept", "swap.complete"]


# -- the other shift of an exchange moved --------------------------------------------------------


async def test_an_exchange_called_off_by_a_move_of_the_shift_asked_for_names_that_shift(
    harness: Harness,
) -> None:
    """李明 offers 王芳 his 07:00 seat for her 17:00 one; the coordinator moves her shift to
    18:00–20:00. Both read that the swap is off because the time of the shift at 18:00–20:00
    changed, not of 李明's 07:00 shift, whose time did not."""
    town_ = await town(harness)
    li, (wang, _) = town_.holder, town_.others
    later = await shift(harness, town_.post_id, start=17, end=19)
    await seat(harness, later, wang.user_id)
    await _open_swap(harness, li, EXCHANGE)
    await press_and_settle(harness, li, "1")
    await harness.deliver()
    seen = {user.user_id: len(user.texts()) for user in (li, wang)}

    await move_shift(harness, town_.coordinator, "⚙️ 17:00 黄河路-人民路口", "18:00-20:00")
    await harness.deliver()
    for user in (li, wang):
        [told] = _about(user, seen[user.user_id], SWAP_VOID)
        assert told.startswith("🔁 换岗取消了（12月2日 周三 18:00–20:00 · 黄河路-人民路口）："), (
            told
        )
        assert "班次时间改了" in told, told
    assert (await last_offer(harness)).status is SwapStatus.VOID


# -- the member asked blocks the bot ---------------------------------------------------------


async def test_a_hand_over_whose_member_blocks_the_bot_is_off_and_its_holder_told(
    harness: Harness,
) -> None:
    """李明 asks 王芳 to take his 07:00 seat; she blocks the bot instead of answering. The ask
    can no longer reach her (an offer to someone who blocked the bot is refused for that
    reason), so at the next tick the offer is off: 李明 reads once, naming her, that the shift
    is still his, and /my offers 🔁 换岗 again instead of showing it as being swapped."""
    town_ = await town(harness)
    li, (wang, _) = town_.holder, town_.others
    await _open_swap(harness, li, HAND_OVER)
    await li.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    seen = len(li.texts())

    await wang.block_bot()
    await harness.settle()
    await harness.tick()
    await harness.tick()
    await harness.deliver()

    assert _about(li, seen, SWAP_VOID) == [
        f"🔁 换岗取消了（{LABEL}）：王芳 已屏蔽本机器人，收不到换岗请求。"
        "这个班次仍由您负责，请照常上岗；也可以另请别人换岗，或联系协调员。"
    ], li.texts()[seen:]
    offer = await last_offer(harness)
    assert offer.status is SwapStatus.VOID
    assert await trail(harness, offer.id) == ["swap.offer", "swap.void"]
    assert (await statuses(harness, town_.shift_id))[li.user_id] is AssignmentStatus.SIGNED_UP
    mine = await command(harness, li, "my")
    assert "换岗中" not in mine, mine
    assert "🔁 换岗 1" in li.last().buttons()
