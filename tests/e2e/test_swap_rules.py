"""What ends a swap offer and who may take it: offers expire before the start with everyone
concerned told once, a move of the shift calls a give-away off, tags, the weekly cap and
no-shows decide who is offered the seat, every refusal and stale or forged press is answered
clearly without changing anything, and a member reads and takes an offer in their language."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.models import AssignmentStatus, Dialogue, SwapStatus
from bot.emulator import SimUser
from tests.e2e.schedule import DAY, at, command, outbox_to, post, press_and_settle, shift, statuses
from tests.e2e.swap_fixtures import (
    CANCELLED,
    GIVE_AWAY,
    HAND_OVER,
    LABEL,
    SIGNED,
    SWAP_SETTINGS,
    TOMORROW,
    last_offer,
    member,
    offers,
    open_swap,
    seat,
    town,
    trail,
)
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(SWAP_SETTINGS)


async def test_offers_expire_before_the_start_and_everyone_concerned_is_told_once(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang = town_.others[0]
    await open_swap(harness, town_.holder, HAND_OVER)
    await town_.holder.send_text("王芳")
    await harness.settle()
    await harness.deliver()

    harness.clock.set(at(TOMORROW, 6, 0))  # 60 minutes before 07:00
    await harness.tick()
    assert f"换岗已过期（{LABEL}）" in (town_.holder.last().text or "")
    assert f"换岗已过期（{LABEL}）" in (wang.last().text or "")
    told = len(await outbox_to(harness, wang.user_id)), len(town_.holder.messages())
    await harness.tick()
    assert (len(await outbox_to(harness, wang.user_id)), len(town_.holder.messages())) == told

    await wang.press("✅ 接受")
    await harness.settle()
    assert wang.answered_callbacks[-1]["text"] == "这个换岗已经过期。"
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}
    offer = await last_offer(harness)
    assert offer.status is SwapStatus.EXPIRED
    assert await trail(harness, offer.id) == ["swap.offer", "swap.expire"]

    # No new offer this close to the start: /my shows no Swap button, and an old one is refused.
    await command(harness, town_.holder, "my")
    assert town_.holder.last().buttons() == ["✖️ 取消 1", "📅 日历文件"]
    await town_.holder.press_data(f"sw:{offer.from_assignment_id}", town_.holder.last().message_id)
    await harness.settle()
    assert town_.holder.answered_callbacks[-1]["text"] == "开班前 60 分钟内不能再发起或接受换岗。"


async def test_refusals_each_with_a_clear_answer_and_no_change(harness: Harness) -> None:
    town_ = await town(harness)
    wang, zhang = town_.others
    later = await shift(harness, town_.post_id, start=17, end=19)
    wangs = await seat(harness, later, wang.user_id)
    await command(harness, town_.holder, "my")
    anchor = town_.holder.last().message_id

    async def press(user: SimUser, data: str) -> str:
        await user.press_data(data, user.last().message_id)
        await harness.settle()
        return str(user.answered_callbacks[-1].get("text") or "")

    # Only one's own shift, whatever the button says.
    assert await press(town_.holder, f"sw:{wangs}") == "只能为自己的班次换岗。"
    # A way to swap someone else's seat, never offered to this person: no /swap of theirs is
    # open at that seat.
    assert await press(town_.holder, f"swk:{wangs}:g") == "这个按钮已失效，请重新打开菜单。"
    # Forged and stale data.
    assert await press(town_.holder, "swk:abc:g") == "这个按钮已失效，请重新打开菜单。"
    assert await press(town_.holder, "swt:99999") == "找不到这个换岗，可能已经失效。"
    assert await press(town_.holder, "swt:") == "这个按钮已失效，请重新打开菜单。"

    # Text where a button was expected.
    await town_.holder.press("🔁 换岗 1", anchor)
    await harness.settle()
    await town_.holder.send_text("转让")
    await harness.settle()
    assert "请用上面的按钮选择" in (town_.holder.last().text or "")
    assert await offers(harness) == []
    # The Cancel button ends the step.
    text = await press_and_settle(harness, town_.holder, "✖️ 取消")
    assert text == "已取消。"
    assert await harness.count(Dialogue) == 0
    # /cancel takes the ways to swap off; one still shown (the edit not yet seen) offers nothing.
    await town_.holder.send_command("swap")
    await harness.settle()
    await press_and_settle(harness, town_.holder, "🔁 换岗 1")
    asked = town_.holder.last()
    give_away = asked.button_data(GIVE_AWAY)
    assert give_away is not None
    await command(harness, town_.holder, "cancel")
    assert (
        next(m for m in town_.holder.messages() if m.message_id == asked.message_id).buttons() == []
    )
    await town_.holder.press_data(give_away, asked.message_id)
    await harness.settle()
    assert town_.holder.answered_callbacks[-1]["text"] == "这个按钮已失效，请重新打开菜单。"
    assert await offers(harness) == []

    await command(harness, town_.holder, "my")
    await press_and_settle(harness, town_.holder, "🔁 换岗 1")
    await press_and_settle(harness, town_.holder, GIVE_AWAY)
    offer = await last_offer(harness)
    await harness.deliver()
    # One open offer per seat: /my shows no second Swap button, and an old one is refused.
    await command(harness, town_.holder, "my")
    assert town_.holder.last().buttons() == ["✖️ 取消 1", "📅 日历文件"]
    # Nor does /swap list the seat being swapped: it offers what /my offers.
    assert (await command(harness, town_.holder, "swap")).startswith("您没有可以换岗的班次。")
    assert await press(town_.holder, f"sw:{offer.from_assignment_id}") == (
        "这个班次已经有一个进行中的换岗，请先在 /swaps 撤回它。"
    )
    assert await press(town_.holder, f"swt:{offer.id}") == "这是您自己发起的换岗，不能自己接。"
    # A give-away has no one to accept or decline it by name.
    assert await press(wang, f"swd:{offer.id}") == "这个换岗不是发给您的。"
    # Only coordinators approve.
    assert await press(wang, f"swy:{offer.id}") == "抱歉，您没有权限执行这个操作。"

    # Eligibility is checked again at acceptance: 张伟 was offered it, then took a clashing shift.
    other_post = await post(harness, town_.unit_id, "人民路-解放路口")
    await seat(harness, await shift(harness, other_post, start=8, end=10), zhang.user_id)
    await zhang.press("🙋 我来接")
    await harness.settle()
    assert zhang.answered_callbacks[-1]["text"].startswith("时间冲突：您已报名")
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}
    assert (await last_offer(harness)).status is SwapStatus.PENDING

    # Not after the shift started, neither offering nor taking.
    harness.clock.set(at(TOMORROW, 7, 5))
    assert await press(town_.holder, f"sw:{offer.from_assignment_id}") == (
        "这个班次已经开始，不能再换岗。"
    )
    await wang.press("🙋 我来接")
    await harness.settle()
    assert wang.answered_callbacks[-1]["text"] == "这个班次已经开始，不能再换岗。"
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}


async def test_tag_cap_and_no_show_rules_decide_who_is_offered_and_who_may_take(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang, zhang = town_.others
    party = await member(harness, 7006, town_.unit_id, "党员刘", tags=("党员",))
    # 张伟 missed two shifts: blocked. 王芳 already has three shifts this week: at her cap.
    for days in (3, 4):
        past = await shift(harness, town_.post_id, day=DAY - dt.timedelta(days=days))
        await seat(harness, past, zhang.user_id, AssignmentStatus.ABSENT)
    for hour in (14, 16, 18):
        busy = await shift(
            harness, town_.post_id, day=DAY + dt.timedelta(days=2), start=hour, end=hour + 1
        )
        await seat(harness, busy, wang.user_id)

    text = await open_swap(harness, town_.holder, GIVE_AWAY)
    assert "转让给本单位 1 位符合条件的成员" in text  # 党员刘
    await harness.deliver()
    assert wang.messages() == [] and zhang.messages() == []
    offer = await last_offer(harness)

    async def take_by_hand(user: SimUser, offer_id: int) -> str:
        await command(harness, user, "swaps")
        await user.press_data(f"swt:{offer_id}", user.last().message_id)
        await harness.settle()
        return str(user.answered_callbacks[-1]["text"])

    assert (await take_by_hand(wang, offer.id)).startswith("每人每周最多报名 3 个班次")
    assert (await take_by_hand(zhang, offer.id)).startswith("您有 2 次报名后未到岗")
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}

    # A shift that needs a tag is offered only to members who have it.
    tagged = await shift(harness, town_.post_id, start=12, end=13, required_tag="党员")
    await seat(harness, tagged, town_.holder.user_id)
    # /swap lists it alone: the 07:00 seat is being swapped. It is 2, as /my numbers it.
    await command(harness, town_.holder, "swap")
    assert town_.holder.last().buttons() == ["🔁 换岗 2", "✖️ 取消"]
    await press_and_settle(harness, town_.holder, "🔁 换岗 2")
    text = await press_and_settle(harness, town_.holder, GIVE_AWAY)
    assert "转让给本单位 1 位符合条件的成员" in text
    await harness.deliver()
    tagged_offer = await last_offer(harness)
    untagged = await member(harness, 7007, town_.unit_id, "孙丽")
    assert (await take_by_hand(untagged, tagged_offer.id)).startswith("这个班次仅限「党员」报名")
    text = await press_and_settle(harness, party, "🙋 我来接")
    assert "换岗完成" in text
    assert (await statuses(harness, tagged))[party.user_id] == SIGNED


async def test_an_english_speaking_member_reads_the_offer_and_takes_it_in_english(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    alice = await member(harness, 7010, town_.unit_id, "Alice", language="en")
    await open_swap(harness, town_.holder, GIVE_AWAY)
    await harness.deliver()
    notice = alice.last().text or ""
    assert notice.startswith("🔁 李明 is giving away a shift:")
    assert "07:00–09:00" in notice and "First come, first served" in notice
    assert alice.last().buttons() == ["🙋 I'll take it"]
    text = await press_and_settle(harness, alice, "🙋 I'll take it")
    assert text.startswith("✅ Swap complete:")
    assert await statuses(harness, town_.shift_id) == {
        town_.holder.user_id: CANCELLED,
        alice.user_id: SIGNED,
    }
    assert (await last_offer(harness)).status is SwapStatus.COMPLETED
    assert "There are no swaps for you to take" in await command(harness, alice, "swaps")


async def test_a_give_away_is_off_when_the_coordinator_moves_the_shift(harness: Harness) -> None:
    town_ = await town(harness)
    wang = town_.others[0]
    await command(harness, town_.holder, "my")
    await press_and_settle(harness, town_.holder, "🔁 换岗 1")
    await press_and_settle(harness, town_.holder, "📢 转让（单位里谁都可以接）")
    await harness.deliver()
    assert "12月2日 周三 07:00–09:00" in (wang.last().text or "")
    # The coordinator moves the shift two hours earlier, on its card.
    coordinator = town_.coordinator
    await command(harness, coordinator, "posts")
    await coordinator.press_data(f"se.t:{town_.shift_id}", coordinator.last().message_id)
    await harness.settle()
    await coordinator.send_text("05:00-07:00")
    await harness.settle()
    await harness.deliver()
    # Those offered it read 07:00: the offer is off, the holder is told why, and a take refused.
    assert (await last_offer(harness)).status is SwapStatus.VOID
    assert any("班次时间改了，原来的换岗不再算数" in text for text in town_.holder.texts())
    await wang.press("🙋 我来接")
    await harness.settle()
    assert wang.answered_callbacks[-1]["text"] == "这个换岗已失效：班次已有变动。"
    assert await statuses(harness, town_.shift_id) == {
        town_.holder.user_id: AssignmentStatus.SIGNED_UP
    }
    # A change of notes alone leaves an offer standing.
    await command(harness, town_.holder, "my")
    await press_and_settle(harness, town_.holder, "🔁 换岗 1")
    await press_and_settle(harness, town_.holder, "📢 转让（单位里谁都可以接）")
    await command(harness, coordinator, "posts")
    await coordinator.press_data(f"se.n:{town_.shift_id}", coordinator.last().message_id)
    await harness.settle()
    await coordinator.send_text("带上雨衣")
    await harness.settle()
    assert (await last_offer(harness)).status is SwapStatus.PENDING
