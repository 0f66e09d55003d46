"""Swaps in a unit that asks for approval: the coordinator sees both records and decides, the
rules are checked again at approval, only the unit's coordinators decide, an old settings button
never switches approval back, a swap left waiting expires with the coordinators told, and with
every coordinator unreachable the request goes to the admins."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from bot.buttons import ShiftCard, SwapApprove
from bot.db.models import (
    AssignmentStatus,
    AuditEntry,
    Member,
    Role,
    Shift,
    SwapStatus,
    Unit,
)
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
    CANCELLED,
    GIVE_AWAY,
    HAND_OVER,
    LABEL,
    SIGNED,
    SWAP_SETTINGS,
    TOMORROW,
    also_volunteer,
    last_offer,
    member,
    open_swap,
    require_approval,
    seat,
    town,
    trail,
)
from tests.harness import ADMIN_ID, Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(SWAP_SETTINGS)


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


async def test_neither_a_coordinator_of_another_unit_nor_the_taker_can_decide(
    harness: Harness,
) -> None:
    """赵协调, a coordinator of the unit who also stands on posts, takes 李明's give-away: the
    request to approve it goes to 陈协调 alone, not to him, and his own press of ✅ 批准 (a
    forged one) is refused, as is one by a coordinator of another unit."""
    town_ = await town(harness, approval=True)
    elsewhere = await unit(harness, "教育局")
    stranger = await member(harness, 7950, elsewhere, "外单位协调", role=Role.COORDINATOR)
    serving = await member(harness, 7951, town_.unit_id, "赵协调", role=Role.COORDINATOR)
    await also_volunteer(harness, serving)
    await open_swap(harness, town_.holder, GIVE_AWAY)
    await harness.deliver()
    await press_and_settle(harness, serving, "🙋 我来接")
    await harness.deliver()
    offer = await last_offer(harness)
    assert "换岗待审批" in (town_.coordinator.last().text or "")
    assert not [
        row for row in await outbox_to(harness, 7951) if row.idempotency_key.startswith("swap-ap")
    ]
    await command(harness, stranger, "swaps")
    await stranger.press_data(f"swy:{offer.id}", stranger.last().message_id)
    await harness.settle()
    assert stranger.answered_callbacks[-1]["text"] == "抱歉，您没有权限执行这个操作。"
    await command(harness, serving, "swaps")
    await serving.press_data(SwapApprove(offer.id).pack(), serving.last().message_id)
    await harness.settle()
    assert serving.answered_callbacks[-1]["text"] == (
        "这次换岗是您本人的（您发起或接下了它），不能由您审批，请由本单位其他协调员决定。"
    )
    assert (await last_offer(harness)).status is SwapStatus.AWAITING_APPROVAL
    assert (await statuses(harness, town_.shift_id))[town_.holder.user_id] is SIGNED


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
        == "没有改动：「城管局」已经是「换岗需要协调员审批」。"
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

    # The coordinator's card is closed in place: it says the swap expired. An old copy of its
    # Approve button changes nothing; 李明 still holds the shift.
    card = next(m for m in coordinator.messages() if m.message_id == approval)
    assert card.buttons() == [] and "系统：已过期" in (card.text or "")
    offer = await last_offer(harness)
    await coordinator.press_data(SwapApprove(offer.id).pack(), approval)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "这个换岗已经过期。"
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}
    assert offer.status is SwapStatus.EXPIRED
    assert await trail(harness, offer.id) == ["swap.offer", "swap.accept", "swap.expire"]


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


async def test_a_swap_whose_only_coordinator_blocks_the_bot_once_asked_goes_to_the_admins(
    harness: Harness,
) -> None:
    """王芳 accepts 李明's hand-over and the unit's only coordinator is asked to approve it; he
    blocks the bot instead. At the next tick the request goes to the admins, who decide it,
    rather than wait unread until the swap expires."""
    town_ = await town(harness, approval=True)
    holder, (taker, _) = town_.holder, town_.others
    headquarters = await unit(harness, "创建办")
    admin = await person(harness, ADMIN_ID, headquarters, "管理员", role=Role.COORDINATOR)
    admin.started = True
    await open_swap(harness, holder, HAND_OVER)
    await holder.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    await press_and_settle(harness, taker, "✅ 接受")
    await harness.deliver()
    assert "换岗待审批" in (town_.coordinator.last().text or "")

    await town_.coordinator.block_bot()
    await harness.settle()
    await harness.tick()
    await harness.tick()
    await harness.deliver()
    requests = [text for text in admin.texts() if "换岗待审批" in text]
    assert len(requests) == 1, admin.texts()
    assert admin.last().buttons() == ["✅ 批准", "✖️ 驳回"]
    text = await press_and_settle(harness, admin, "✅ 批准")
    assert "管理员 批准" in text, text
    assert await statuses(harness, town_.shift_id) == {
        holder.user_id: CANCELLED,
        taker.user_id: SIGNED,
    }
