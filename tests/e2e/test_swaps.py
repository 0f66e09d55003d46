"""Members swap shifts by giving one away to the unit or handing it over to someone by name: the
offer reaches who may take it (in the morning if made at night), the first to take it wins,
/swaps lists and withdraws offers, a name is found by part of it or by phone, and a hand-over
declined or refused leaves the shift with its holder."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from bot.db.models import Dialogue, Member, SwapStatus
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


async def test_give_away_goes_to_every_eligible_member_and_the_first_to_take_it_wins(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang, zhang = town_.others
    # 赵强 already has a shift at the same hour elsewhere: he is not offered this one.
    zhao = await member(harness, 7004, town_.unit_id, "赵强")
    other_post = await post(harness, town_.unit_id, "人民路-解放路口")
    await seat(harness, await shift(harness, other_post, start=8, end=10), zhao.user_id)
    # 王芳 once signed up for this very shift and cancelled: her old row is reused.
    await seat(harness, town_.shift_id, wang.user_id, CANCELLED)

    text = await command(harness, town_.holder, "my")
    assert town_.holder.last().buttons() == ["✖️ 取消 1", "🔁 换岗 1", "📅 日历文件"]
    text = await open_swap(harness, town_.holder, GIVE_AWAY)
    # 王芳 and 张伟; not 赵强, nor the coordinator, who does not stand on posts.
    assert f"已把 {LABEL} 转让给本单位 2 位符合条件的成员" in text
    # Nothing moves until someone takes it: 李明 is still expected on post.
    assert (await statuses(harness, town_.shift_id))[town_.holder.user_id] == SIGNED
    assert f"1. {LABEL}（换岗中：等待接班；完成前仍由您负责）" in await command(
        harness, town_.holder, "my"
    )
    assert await harness.count(Dialogue) == 0

    await harness.deliver()
    for volunteer in (wang, zhang):
        assert "李明 转让一个班次" in (volunteer.last().text or "")
        assert LABEL in (volunteer.last().text or "")
        assert volunteer.last().buttons() == ["🙋 我来接"]
    assert zhao.messages() == []

    text = await press_and_settle(harness, wang, "🙋 我来接")
    assert f"换岗完成：现在由您负责 {LABEL}" in text
    assert wang.answered_callbacks[-1]["text"] == "换岗完成"
    assert await statuses(harness, town_.shift_id) == {
        town_.holder.user_id: CANCELLED,
        wang.user_id: SIGNED,
    }
    await harness.deliver()
    assert f"{LABEL} 已由 王芳 接班" in (town_.holder.last().text or "")
    # Withdrawing a completed swap through the old confirmation changes nothing.
    await town_.holder.press("↩️ 撤回换岗")
    await harness.settle()
    assert town_.holder.answered_callbacks[-1]["text"] == "这个换岗已经处理过了。"

    # The same button, pressed late by someone else, changes nothing.
    await zhang.press("🙋 我来接")
    await harness.settle()
    assert zhang.answered_callbacks[-1]["text"] == "来晚了，这个班次已经被别人接走了。"
    assert (await statuses(harness, town_.shift_id))[wang.user_id] == SIGNED
    assert zhang.user_id not in await statuses(harness, town_.shift_id)
    # The roster follows the new holder at once: /my of each side.
    assert LABEL in await command(harness, wang, "my")
    assert "您还没有报名任何班次" in await command(harness, town_.holder, "my")
    offer = await last_offer(harness)
    assert offer.status is SwapStatus.COMPLETED
    assert await trail(harness, offer.id) == ["swap.offer", "swap.accept", "swap.complete"]


async def test_an_offer_made_at_night_waits_for_the_morning_unless_it_would_expire_first(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang = town_.others[0]
    later = await shift(harness, town_.post_id, day=DAY + dt.timedelta(days=2), start=9, end=11)
    await seat(harness, later, town_.holder.user_id)
    harness.clock.set(at(DAY, 23, 0))  # inside the quiet hours, 22:00-07:00

    # Tomorrow 07:00 expires at 06:00, before the quiet hours end: offered at once.
    await open_swap(harness, town_.holder, GIVE_AWAY)
    await harness.deliver()
    assert LABEL in (wang.last().text or "") and wang.last().buttons() == ["🙋 我来接"]
    seen = len(wang.messages())

    # The day after tomorrow at 09:00 can wait for 07:00 like any other notice.
    await command(harness, town_.holder, "my")
    await press_and_settle(harness, town_.holder, "🔁 换岗 2")
    await press_and_settle(harness, town_.holder, GIVE_AWAY)
    await harness.deliver()
    assert wang.messages()[seen:] == []
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.deliver()
    morning = [message.text or "" for message in wang.messages()[seen:]]
    assert len(morning) == 1 and "12月3日 周四 09:00–11:00" in morning[0], morning
    # Both notices carry the offer's expiry, so a notice held back past it is never delivered.
    rows = await outbox_to(harness, wang.user_id)
    assert [row.payload.get("expires_at") is not None for row in rows] == [True, True]


async def test_swaps_lists_open_offers_and_my_own_and_withdraw_ends_an_offer(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang, zhang = town_.others
    await command(harness, town_.holder, "swap")
    assert town_.holder.last().buttons() == ["🔁 换岗 1", "✖️ 取消"]
    await town_.holder.send_text("第一个")
    await harness.settle()
    assert "请用上面的按钮选择" in (town_.holder.last().text or "")
    assert await press_and_settle(harness, town_.holder, "✖️ 取消") == "已取消。"
    await command(harness, town_.holder, "swap")
    await press_and_settle(harness, town_.holder, "🔁 换岗 1")
    await press_and_settle(harness, town_.holder, GIVE_AWAY)
    await harness.deliver()

    text = await command(harness, wang, "swaps")
    assert f"1. 转让 · {LABEL} · 来自 李明" in text
    assert wang.last().buttons() == ["🙋 接 1"]
    text = await command(harness, town_.holder, "swaps")
    assert f"1. 转让 · {LABEL} · 等待接班" in text
    assert town_.holder.last().buttons() == ["↩️ 撤回 1"]

    # Only the member who offered it may withdraw it.
    offer = await last_offer(harness)
    await wang.press_data(f"sww:{offer.id}", wang.last().message_id)
    await harness.settle()
    assert wang.answered_callbacks[-1]["text"] == "只有发起人才能撤回这个换岗。"

    text = await press_and_settle(harness, town_.holder, "↩️ 撤回 1")
    assert f"已撤回换岗（{LABEL}），这个班次仍由您负责" in text
    await zhang.press("🙋 我来接")
    await harness.settle()
    assert zhang.answered_callbacks[-1]["text"] == "发起人已经撤回了这个换岗。"
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}
    assert "目前没有可接的换岗" in await command(harness, wang, "swaps")
    assert await trail(harness, offer.id) == ["swap.offer", "swap.withdraw"]


async def test_hand_over_to_one_of_two_members_of_one_name_by_their_phone(
    harness: Harness,
) -> None:
    """Nobody can change the name they registered with, so "type more of the name" is no way
    out when two share it: the refusal shows their phone's last digits, which are taken."""
    town_ = await town(harness)
    first = await member(harness, 7005, town_.unit_id, "王伟")
    second = await member(harness, 7006, town_.unit_id, "王伟")
    async with harness.session() as session:
        for telegram_id, phone in ((7005, "+8613900001111"), (7006, "+8613900002222")):
            await session.execute(
                update(Member).where(Member.telegram_id == telegram_id).values(phone=phone)
            )

    await open_swap(harness, town_.holder, HAND_OVER)
    await town_.holder.send_text("王伟")
    await harness.settle()
    assert town_.holder.last().text == (
        "本单位有 2 位成员的名字包含「王伟」：王伟（尾号 1111）、王伟（尾号 2222）。"
        "请输入更完整的名字，或对方手机号的后四位。"
    )
    assert await offers(harness) == []
    # Part of a name: the last digits only where the name is shared.
    await town_.holder.send_text("王")
    await harness.settle()
    assert "：王伟（尾号 1111）、王伟（尾号 2222）、王芳。" in (town_.holder.last().text or "")
    # Typed with a Chinese keyboard's full-width digits, as phone numbers often are.
    await town_.holder.send_text("２２２２")
    await harness.settle()
    assert f"已请 王伟 代班 {LABEL}" in (town_.holder.last().text or "")
    await harness.deliver()
    assert "李明 请您代班" in (second.last().text or "")
    assert first.messages() == []
    [offer] = await offers(harness)
    assert offer.target_member_id == (await harness.member(7006)).id  # type: ignore[union-attr]


async def test_hand_over_by_part_of_a_name_after_unknown_and_ambiguous_names(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang, zhang = town_.others
    await member(harness, 7005, town_.unit_id, "王强")

    text = await open_swap(harness, town_.holder, HAND_OVER)
    assert "请输入要请谁代班" in text
    assert town_.holder.last().buttons() == ["✖️ 取消"]
    for typed, expected in (
        ("不存在", "本单位没有名字包含「不存在」的成员"),
        ("王", "本单位有 2 位成员的名字包含「王」："),
        ("李明", "不能把班次转给自己"),
    ):
        await town_.holder.send_text(typed)
        await harness.settle()
        assert expected in (town_.holder.last().text or ""), typed
    await town_.holder.send_text("王")
    await harness.settle()
    # Two different names: the names tell them apart, their phones are nobody's business.
    assert town_.holder.last().text == (
        "本单位有 2 位成员的名字包含「王」：王强、王芳。请输入更完整的名字，或对方手机号的后四位。"
    )
    await town_.holder.send_sticker()
    await harness.settle()
    assert "请输入对方的名字" in (town_.holder.last().text or "")
    assert await offers(harness) == []

    await town_.holder.send_text("芳")
    await harness.settle()
    assert f"已请 王芳 代班 {LABEL}" in (town_.holder.last().text or "")
    assert await harness.count(Dialogue) == 0
    await harness.deliver()
    assert "李明 请您代班" in (wang.last().text or "")
    assert wang.last().buttons() == ["✅ 接受", "✖️ 拒绝"]
    assert zhang.messages() == []

    # Someone else pressing a button meant for 王芳 (a forged press) is refused.
    offer = await last_offer(harness)
    await command(harness, zhang, "swaps")
    await zhang.press_data(f"swa:{offer.id}", zhang.last().message_id)
    await harness.settle()
    assert zhang.answered_callbacks[-1]["text"] == "这个换岗不是发给您的。"
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}

    text = await press_and_settle(harness, wang, "✅ 接受")
    assert f"换岗完成：现在由您负责 {LABEL}" in text
    assert await statuses(harness, town_.shift_id) == {
        town_.holder.user_id: CANCELLED,
        wang.user_id: SIGNED,
    }


async def test_hand_over_declined_leaves_the_shift_with_its_holder(harness: Harness) -> None:
    town_ = await town(harness)
    wang = town_.others[0]
    await open_swap(harness, town_.holder, HAND_OVER)
    await town_.holder.send_text("王芳")
    await harness.settle()
    await harness.deliver()

    text = await press_and_settle(harness, wang, "✖️ 拒绝")
    assert f"您已拒绝换岗（{LABEL}）" in text
    await harness.deliver()
    assert f"王芳 拒绝了您的换岗（{LABEL}）" in (town_.holder.last().text or "")
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}
    offer = await last_offer(harness)
    await wang.press_data(f"swa:{offer.id}", wang.last().message_id)
    await harness.settle()
    assert wang.answered_callbacks[-1]["text"] == "这个换岗已经被拒绝了。"
    assert await trail(harness, offer.id) == ["swap.offer", "swap.decline"]


async def test_hand_over_to_someone_who_may_not_take_it_is_refused_at_the_offer(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang = town_.others[0]
    other_post = await post(harness, town_.unit_id, "人民路-解放路口")
    await seat(harness, await shift(harness, other_post, start=8, end=10), wang.user_id)
    await open_swap(harness, town_.holder, HAND_OVER)
    await town_.holder.send_text("王芳")
    await harness.settle()
    assert "王芳 不能接这个班次：时间冲突" in (town_.holder.last().text or "")
    assert await offers(harness) == []
    # The dialogue is still open; /cancel ends it.
    assert await harness.count(Dialogue) == 1
    assert await command(harness, town_.holder, "cancel") == "已取消。"
    assert await harness.count(Dialogue) == 0


async def test_hand_over_to_someone_who_blocked_the_bot_is_refused_at_the_offer(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang = town_.others[0]
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == wang.user_id).values(blocked_bot=True)
        )
    await open_swap(harness, town_.holder, HAND_OVER)
    await town_.holder.send_text("王芳")
    await harness.settle()
    assert "王芳 已屏蔽本机器人，收不到换岗请求。请换一个人，或直接联系协调员。" in (
        town_.holder.last().text or ""
    )
    assert await offers(harness) == []
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}
