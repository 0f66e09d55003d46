"""Members swap shifts: give away, hand over by name, exchange; with and without a
coordinator's approval; decline, withdraw, expiry; and every refusal, wrong input and stale or
forged button press answered clearly without changing anything."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from bot.buttons import ShiftCard
from bot.db.models import (
    AssignmentStatus,
    AuditEntry,
    Dialogue,
    Member,
    Role,
    Shift,
    SwapStatus,
    Unit,
)
from bot.emulator import SimUser
from tests.e2e.schedule import (
    DAY,
    at,
    command,
    outbox_to,
    person,
    post,
    press_and_settle,
    shift,
    statuses,
    unit,
)
from tests.e2e.swap_fixtures import (
    last_offer,
    member,
    offers,
    require_approval,
    seat,
    town,
    trail,
)
from tests.harness import ADMIN_ID, Harness

TOMORROW = DAY + dt.timedelta(days=1)
LABEL = "12月2日 周三 07:00–09:00 · 黄河路-人民路口"
GIVE_AWAY = "📢 转让（单位里谁都可以接）"
HAND_OVER = "👤 请指定的人代班"
EXCHANGE = "🔄 和别人互换班次"
SIGNED, CANCELLED = AssignmentStatus.SIGNED_UP, AssignmentStatus.CANCELLED


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"weekly_shift_cap": 3, "no_show_block_after": 2, "swap_expiry_before_start_min": 60}


async def open_swap(harness: Harness, user: SimUser, kind: str) -> str:
    """/my, the Swap button of the first shift, then the kind of swap."""
    await command(harness, user, "my")
    text = await press_and_settle(harness, user, "🔁 换岗 1")
    assert "怎么换岗" in text, text
    return await press_and_settle(harness, user, kind)


# -- give away -------------------------------------------------------------------------------


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


# -- hand over -------------------------------------------------------------------------------


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


# -- exchange --------------------------------------------------------------------------------


async def test_exchange_moves_both_seats_when_the_other_accepts(harness: Harness) -> None:
    town_ = await town(harness)
    wang, zhang = town_.others
    later = await shift(harness, town_.post_id, start=17, end=19)
    theirs = await seat(harness, later, wang.user_id)
    later_label = "12月2日 周三 17:00–19:00 · 黄河路-人民路口"

    text = await open_swap(harness, town_.holder, EXCHANGE)
    assert f"1. {later_label} · 王芳" in text
    assert town_.holder.last().buttons() == ["1", "✖️ 取消"]
    # The choice left on the message after /cancel proposes nothing.
    choices = town_.holder.last().message_id
    await command(harness, town_.holder, "cancel")
    await town_.holder.press("1", choices)
    await harness.settle()
    assert town_.holder.answered_callbacks[-1]["text"] == "这个按钮已失效，请重新打开菜单。"
    assert await offers(harness) == []

    await open_swap(harness, town_.holder, EXCHANGE)
    text = await press_and_settle(harness, town_.holder, "1")
    assert f"已向 王芳 提出互换：您的 {LABEL} 换对方的 {later_label}" in text
    await harness.deliver()
    assert "李明 想和您互换班次" in (wang.last().text or "")
    assert f"您接：{LABEL}" in (wang.last().text or "")

    text = await press_and_settle(harness, wang, "✅ 接受")
    assert f"换岗完成：现在由您负责 {LABEL}，原来的 {later_label} 已交给对方" in text
    assert await statuses(harness, town_.shift_id) == {
        town_.holder.user_id: CANCELLED,
        wang.user_id: SIGNED,
    }
    assert await statuses(harness, later) == {
        wang.user_id: CANCELLED,
        town_.holder.user_id: SIGNED,
    }
    await harness.deliver()
    assert f"现在由您负责 {later_label}" in (town_.holder.last().text or "")
    assert zhang.messages() == []
    offer = await last_offer(harness)
    assert offer.target_assignment_id == theirs


async def test_exchange_under_approval_moves_both_seats_only_when_approved(
    harness: Harness,
) -> None:
    town_ = await town(harness, approval=True)
    wang = town_.others[0]
    coordinator = town_.coordinator
    later = await shift(harness, town_.post_id, start=17, end=19)
    await seat(harness, later, wang.user_id)
    later_label = "12月2日 周三 17:00–19:00 · 黄河路-人民路口"
    await open_swap(harness, town_.holder, EXCHANGE)
    await press_and_settle(harness, town_.holder, "1")
    await harness.deliver()
    assert "正在等协调员审批" in await press_and_settle(harness, wang, "✅ 接受")
    # Nothing moves before the coordinator decides.
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}
    assert await statuses(harness, later) == {wang.user_id: SIGNED}

    await harness.deliver()
    approval = coordinator.last().text or ""
    assert "换岗待审批（互换）" in approval and f"换成：{later_label}" in approval
    assert "发起人：李明（缺勤 0 次）" in approval and "接班人：王芳（缺勤 0 次）" in approval
    assert "陈协调 批准" in await press_and_settle(harness, coordinator, "✅ 批准")
    assert await statuses(harness, town_.shift_id) == {
        town_.holder.user_id: CANCELLED,
        wang.user_id: SIGNED,
    }
    assert await statuses(harness, later) == {
        wang.user_id: CANCELLED,
        town_.holder.user_id: SIGNED,
    }
    await harness.deliver()
    assert f"现在由您负责 {later_label}" in (town_.holder.last().text or "")
    assert f"现在由您负责 {LABEL}" in (wang.last().text or "")


async def test_exchange_with_nothing_to_exchange_for_says_so(harness: Harness) -> None:
    town_ = await town(harness)
    await command(harness, town_.holder, "my")
    await press_and_settle(harness, town_.holder, "🔁 换岗 1")
    await town_.holder.press(EXCHANGE)
    await harness.settle()
    assert town_.holder.answered_callbacks[-1]["text"] == "目前没有可以和这个班次互换的班次。"
    assert await offers(harness) == []


# -- approval --------------------------------------------------------------------------------


async def test_with_approval_the_coordinator_sees_both_records_and_approves(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang, zhang = town_.others
    coordinator = town_.coordinator
    # A no-show of 王芳 last week, shown to the coordinator.
    past = await shift(harness, town_.post_id, day=DAY - dt.timedelta(days=6))
    await seat(harness, past, wang.user_id, AssignmentStatus.ABSENT)

    text = await command(harness, coordinator, "unitsettings")
    assert "城管局：换岗无需审批" in text
    text = await press_and_settle(harness, coordinator, "开启审批：城管局")
    assert "城管局：换岗需要协调员审批" in text

    await open_swap(harness, town_.holder, GIVE_AWAY)
    await harness.deliver()
    text = await press_and_settle(harness, wang, "🙋 我来接")
    assert f"您已接受 {LABEL}，正在等协调员审批" in text
    # Until approved, 李明 still holds the shift.
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}
    await zhang.press("🙋 我来接")
    await harness.settle()
    assert zhang.answered_callbacks[-1]["text"] == "来晚了，这个班次已经被别人接走了。"

    await harness.deliver()
    assert "王芳 接受了您的换岗" in (town_.holder.last().text or "")
    approval = coordinator.last().text or ""
    assert "换岗待审批（转让）" in approval
    assert "发起人：李明（缺勤 0 次）" in approval
    assert "接班人：王芳（缺勤 1 次）" in approval
    assert "李明 发起换岗" in approval and "王芳 接受" in approval
    assert coordinator.last().buttons() == ["✅ 批准", "✖️ 驳回"]

    text = await press_and_settle(harness, coordinator, "✅ 批准")
    assert "陈协调 批准" in text
    assert await statuses(harness, town_.shift_id) == {
        town_.holder.user_id: CANCELLED,
        wang.user_id: SIGNED,
    }
    await harness.deliver()
    assert f"换岗完成：现在由您负责 {LABEL}" in (wang.last().text or "")
    assert f"{LABEL} 已由 王芳 接班" in (town_.holder.last().text or "")

    # The coordinator's shift card shows the swap and its trail.
    await coordinator.press_data(ShiftCard(town_.shift_id).pack(), coordinator.last().message_id)
    await harness.settle()
    card = coordinator.last().text or ""
    assert "换岗记录" in card and "转让：李明 → 王芳（已完成）" in card and "陈协调 批准" in card
    offer = await last_offer(harness)
    assert await trail(harness, offer.id) == [
        "swap.offer",
        "swap.accept",
        "swap.approve",
        "swap.complete",
    ]


async def test_approval_checks_eligibility_again_and_a_rejection_changes_nothing(
    harness: Harness,
) -> None:
    town_ = await town(harness, approval=True)
    wang = town_.others[0]
    coordinator = town_.coordinator
    await open_swap(harness, town_.holder, HAND_OVER)
    await town_.holder.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    await press_and_settle(harness, wang, "✅ 接受")
    await harness.deliver()
    # Meanwhile 王芳 took a shift at the same hour.
    other_post = await post(harness, town_.unit_id, "人民路-解放路口")
    await seat(harness, await shift(harness, other_post, start=8, end=10), wang.user_id)

    await coordinator.press("✅ 批准")
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"].startswith("王芳 不能接这个班次：时间冲突")
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}

    text = await press_and_settle(harness, coordinator, "✖️ 驳回")
    assert "陈协调 驳回" in text
    await harness.deliver()
    for volunteer in (town_.holder, wang):
        assert f"协调员没有批准换岗（{LABEL}）" in (volunteer.last().text or "")
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}
    # An old copy of the buttons, pressed after the decision.
    offer = await last_offer(harness)
    await coordinator.press_data(f"swy:{offer.id}", coordinator.last().message_id)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "这个换岗已经处理过了。"


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("tag", "这个班次仅限「党员」报名"),
        ("cap", "每人每周最多报名 3 个班次"),
        ("no_show", "王芳 有 2 次报名后未到岗"),
    ],
)
async def test_approval_refuses_a_taker_who_broke_a_rule_after_accepting(
    harness: Harness, rule: str, reason: str
) -> None:
    """Between acceptance and approval the shift came to need a tag 王芳 lacks, or she reached
    the weekly cap, or she missed shifts enough to be blocked: approving is refused with the
    reason, nothing moves, and the swap still waits for a decision."""
    town_ = await town(harness, approval=True)
    wang = town_.others[0]
    coordinator = town_.coordinator
    await open_swap(harness, town_.holder, GIVE_AWAY)
    await harness.deliver()
    assert "正在等协调员审批" in await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    assert coordinator.last().buttons() == ["✅ 批准", "✖️ 驳回"]

    if rule == "tag":
        async with harness.session() as session:
            await session.execute(
                update(Shift).where(Shift.id == town_.shift_id).values(required_tag="党员")
            )
    elif rule == "cap":
        for hour in (14, 16, 18):
            busy = await shift(
                harness, town_.post_id, day=DAY + dt.timedelta(days=2), start=hour, end=hour + 1
            )
            await seat(harness, busy, wang.user_id)
    else:
        for days in (3, 4):
            past = await shift(harness, town_.post_id, day=DAY - dt.timedelta(days=days))
            await seat(harness, past, wang.user_id, AssignmentStatus.ABSENT)

    await coordinator.press("✅ 批准")
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"].startswith(f"王芳 不能接这个班次：{reason}")
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}
    offer = await last_offer(harness)
    assert offer.status is SwapStatus.AWAITING_APPROVAL
    assert await trail(harness, offer.id) == ["swap.offer", "swap.accept"]


async def test_a_coordinator_of_another_unit_cannot_decide(harness: Harness) -> None:
    town_ = await town(harness, approval=True)
    elsewhere = await unit(harness, "教育局")
    stranger = await member(harness, 7950, elsewhere, "外单位协调", role=Role.COORDINATOR)
    await open_swap(harness, town_.holder, GIVE_AWAY)
    await harness.deliver()
    await press_and_settle(harness, town_.others[0], "🙋 我来接")
    offer = await last_offer(harness)
    await command(harness, stranger, "swaps")
    await stranger.press_data(f"swy:{offer.id}", stranger.last().message_id)
    await harness.settle()
    assert stranger.answered_callbacks[-1]["text"] == "抱歉，您没有权限执行这个操作。"
    assert (await last_offer(harness)).status is SwapStatus.AWAITING_APPROVAL


async def test_an_old_unitsettings_button_never_switches_approval_back(harness: Harness) -> None:
    """The button names the setting it makes: pressed on an old copy after the setting was
    already made, it changes nothing and says so; forged data is refused."""
    town_ = await town(harness)
    coordinator = town_.coordinator
    await command(harness, coordinator, "unitsettings")
    old_copy = coordinator.last().message_id
    await command(harness, coordinator, "unitsettings")
    assert coordinator.last().buttons() == ["开启审批：城管局"]
    text = await press_and_settle(harness, coordinator, "开启审批：城管局")
    assert "城管局：换岗需要协调员审批" in text
    assert coordinator.answered_callbacks[-1]["text"] == "换岗需要协调员审批"

    await coordinator.press("开启审批：城管局", old_copy)
    await harness.settle()
    assert (
        coordinator.answered_callbacks[-1]["text"]
        == "没有改动：城管局 已经是「换岗需要协调员审批」。"
    )
    assert "城管局：换岗需要协调员审批" in (coordinator.last().text or "")
    async with harness.session() as session:
        approval = await session.get(Unit, town_.unit_id)
        assert approval is not None and approval.require_swap_approval
        changes = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "unit.swap_approval")
        )
        assert [entry.after for entry in changes] == [{"require_swap_approval": True}]

    # A button of the old format, or with data made up, is stale; another unit's is forbidden.
    for data in (f"usa:{town_.unit_id}", f"usa:{town_.unit_id}:2", "usa:x:0"):
        await coordinator.press_data(data, old_copy)
        await harness.settle()
        assert coordinator.answered_callbacks[-1]["text"] == "这个按钮已失效，请重新打开菜单。"
    elsewhere = await unit(harness, "教育局")
    stranger = await member(harness, 7950, elsewhere, "外单位协调", role=Role.COORDINATOR)
    await command(harness, stranger, "unitsettings")
    await stranger.press_data(f"usa:{town_.unit_id}:0", stranger.last().message_id)
    await harness.settle()
    assert stranger.answered_callbacks[-1]["text"] == "抱歉，您没有权限执行这个操作。"
    async with harness.session() as session:
        approval = await session.get(Unit, town_.unit_id)
        assert approval is not None and approval.require_swap_approval


# -- expiry ----------------------------------------------------------------------------------


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


async def test_a_swap_awaiting_approval_expires_and_the_coordinators_are_told_too(
    harness: Harness,
) -> None:
    town_ = await town(harness, approval=True)
    wang, zhang = town_.others
    coordinator = town_.coordinator
    await open_swap(harness, town_.holder, GIVE_AWAY)
    await harness.deliver()
    await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    approval = coordinator.last().message_id
    seen = {user.user_id: len(user.texts()) for user in (town_.holder, wang, zhang, coordinator)}

    harness.clock.set(at(TOMORROW, 6, 0))  # 60 minutes before 07:00, not yet decided
    await harness.tick()
    await harness.tick()
    expired = f"换岗已过期（{LABEL}）"
    for user in (town_.holder, wang, coordinator):
        told = [text for text in user.texts()[seen[user.user_id] :] if expired in text]
        assert len(told) == 1, (user.user_id, user.texts()[seen[user.user_id] :])
    # 张伟 was only offered it: his Take button now says so when pressed.
    assert not [text for text in zhang.texts()[seen[zhang.user_id] :] if expired in text]
    await zhang.press("🙋 我来接")
    await harness.settle()
    assert zhang.answered_callbacks[-1]["text"] == "这个换岗已经过期。"

    # The coordinator's old Approve button changes nothing; 李明 still holds the shift.
    await coordinator.press("✅ 批准", approval)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "这个换岗已经过期。"
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}
    offer = await last_offer(harness)
    assert offer.status is SwapStatus.EXPIRED
    assert await trail(harness, offer.id) == ["swap.offer", "swap.accept", "swap.expire"]


# -- refusals and wrong input ----------------------------------------------------------------


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
    # A way to swap left on a message of a swap cancelled since offers nothing.
    await town_.holder.send_command("swap")
    await harness.settle()
    await press_and_settle(harness, town_.holder, "🔁 换岗 1")
    asked = town_.holder.last().message_id
    await command(harness, town_.holder, "cancel")
    await town_.holder.press(GIVE_AWAY, asked)
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
    await command(harness, town_.holder, "swap")
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


async def test_a_swap_whose_coordinators_all_blocked_the_bot_goes_to_the_admins(
    harness: Harness,
) -> None:
    """The unit's only coordinator blocked the bot: the approval request, which nobody would
    otherwise read, goes to the admins, as it does for a unit without a coordinator."""
    unit_id = await unit(harness)
    await require_approval(harness, unit_id)
    shift_id = await shift(harness, await post(harness, unit_id))
    holder = await member(harness, 7301, unit_id, "李明")
    taker = await member(harness, 7302, unit_id, "王芳")
    await member(harness, 7303, unit_id, "陈协调", role=Role.COORDINATOR)
    await seat(harness, shift_id, holder.user_id)
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == 7303).values(blocked_bot=True)
        )
    headquarters = await unit(harness, "创建办")
    admin = await person(harness, ADMIN_ID, headquarters, "管理员", role=Role.COORDINATOR)
    admin.started = True

    await open_swap(harness, holder, HAND_OVER)
    await holder.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    await press_and_settle(harness, taker, "✅ 接受")
    await harness.deliver()
    approval = admin.last()
    assert "换岗待审批" in (approval.text or ""), approval.text
    assert approval.buttons() == ["✅ 批准", "✖️ 驳回"]
    assert await outbox_to(harness, 7303) == []
    text = await press_and_settle(harness, admin, "✅ 批准")
    assert "管理员 批准" in text, text
    assert await statuses(harness, shift_id) == {holder.user_id: CANCELLED, taker.user_id: SIGNED}
