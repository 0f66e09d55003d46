"""Leave (请假): an assigned person asks with a reason; a coordinator approves (the seat goes to
the waitlist, or is offered to the unit and the first to tap takes it) or rejects; leave is
refused for a shift that has started, approval too, and for a seat one signed up for oneself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, update

from bot.buttons import ApproveLeave, AskLeave
from bot.db.models import (
    AssignmentStatus,
    Dialogue,
    LeaveStatus,
    Member,
    OutboxStatus,
    Role,
)
from tests.e2e.rostering_fixtures import (
    LABEL,
    TOMORROW,
    alert,
    approved_leave,
    ask_leave,
    assign_by_hand,
    assigned_seat,
    audit_actions,
    leaves,
    open_assign,
    press,
    seats,
    town,
    unavailable,
)
from tests.e2e.schedule import (
    DAY,
    at,
    command,
    outbox_to,
    post,
    press_and_settle,
    shift,
    statuses,
    unit,
)
from tests.e2e.swap_fixtures import also_volunteer, member, seat
from tests.harness import Harness

SIGNED, CANCELLED = AssignmentStatus.SIGNED_UP, AssignmentStatus.CANCELLED
WAITING = AssignmentStatus.WAITLISTED
NOT_FOUND = "找不到这条报名，可能已经取消了。"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"cancel_cutoff_hours": 12}


async def test_leave_approved_frees_the_seat_for_the_unit_and_the_first_to_tap_takes_it(
    harness: Harness,
) -> None:
    town_ = await town(harness, capacity=2)
    li, wang, zhang = town_.people
    coordinator = town_.coordinator
    await assign_by_hand(harness, coordinator, town_.shift_id, "王芳")
    # A leave approved earlier this month is counted for the coordinator.
    earlier = await shift(harness, town_.post_id, day=DAY, start=5, end=7)
    await approved_leave(harness, await assigned_seat(harness, earlier, wang.user_id))

    text = await press_and_settle(harness, wang, "🙋 请假")
    assert f"🙋 请假：{LABEL}" in text
    assert "请简单写一下原因" in (wang.last().text or "")
    await wang.send_sticker()
    await harness.settle()
    assert wang.last().text == "请用文字写请假原因。"
    await wang.send_text("/x")
    await harness.settle()
    await wang.send_text("出差去省里开会")
    await harness.settle()
    assert f"已把请假申请交给协调员（{LABEL}）" in (wang.last().text or "")
    assert "批准之前这个班次仍由您负责" in (wang.last().text or "")
    assert await harness.count(Dialogue) == 0
    # Until approved, 王芳 holds the seat.
    assert (await statuses(harness, town_.shift_id))[wang.user_id] is SIGNED

    await harness.deliver()
    request = coordinator.last().text or ""
    assert "🙋 请假申请" in request and f"王芳 +8613800000000 请假：{LABEL}" in request
    assert "原因：出差去省里开会" in request and "本月已批准请假 1 次。" in request
    assert "离开班不到" not in request  # 23 hours before the start: outside the cut-off
    assert coordinator.last().buttons() == ["✅ 批准", "✖️ 驳回"]

    text = await press_and_settle(harness, coordinator, "✅ 批准")
    assert f"✅ 已批准 王芳 请假：{LABEL}。" in text
    assert "空位已转给本单位 2 位符合条件的成员，先点先得。" in text
    assert (await statuses(harness, town_.shift_id))[wang.user_id] is CANCELLED
    [request_row] = [row for row in await leaves(harness) if row.reason == "出差去省里开会"]
    assert request_row.status is LeaveStatus.APPROVED

    await harness.deliver()
    assert f"✅ 陈协调 批准了您的请假：{LABEL}" in (wang.last().text or "")
    for taker in (li, zhang):
        assert f"🙋 有人请假，空出一个班次：{LABEL}" in (taker.last().text or "")
        assert taker.last().buttons() == ["🙋 我来接"]
    text = await press_and_settle(harness, zhang, "🙋 我来接")
    assert f"✅ 您接下了 {LABEL}" in text
    await li.press("🙋 我来接")
    await harness.settle()
    assert (await statuses(harness, town_.shift_id)).get(li.user_id) is SIGNED  # 2 seats
    # The coordinator hears who took them.
    await harness.deliver()
    told = coordinator.texts()[-2:]
    assert told == [f"✅ {name} 接下了请假空出的班次：{LABEL}" for name in ("张伟", "李明")]
    # The same request decided again changes nothing.
    await press(harness, coordinator, ApproveLeave(request_row.id))
    assert alert(coordinator) == "这条请假已经由 陈协调 处理过了。"
    assert await audit_actions(harness, "leave") == ["leave.ask", "leave.approve"]


async def test_the_last_seat_freed_by_leave_goes_to_one_taker_only(harness: Harness) -> None:
    town_ = await town(harness, capacity=1)
    li, wang, zhang = town_.people
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    await ask_leave(harness, wang, "生病")
    await harness.deliver()
    await press_and_settle(harness, town_.coordinator, "✅ 批准")
    await harness.deliver()
    await press_and_settle(harness, zhang, "🙋 我来接")
    await li.press("🙋 我来接")
    await harness.settle()
    assert alert(li) == "来晚了，这个班次已经被别人接走了。"
    assert await statuses(harness, town_.shift_id) == {
        wang.user_id: CANCELLED,
        zhang.user_id: SIGNED,
    }


async def test_approved_leave_gives_the_seat_to_the_waitlist_first(harness: Harness) -> None:
    town_ = await town(harness, capacity=1)
    li, wang, zhang = town_.people
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    await seat(harness, town_.shift_id, li.user_id, WAITING)
    await ask_leave(harness, wang, "家里有事")
    await harness.deliver()
    text = await press_and_settle(harness, town_.coordinator, "✅ 批准")
    assert "空位已由候补的 李明 补上，已通知。" in text
    assert await statuses(harness, town_.shift_id) == {wang.user_id: CANCELLED, li.user_id: SIGNED}
    await harness.deliver()
    assert "候补转正" in (li.last().text or "")
    assert all("有人请假" not in (m.text or "") for m in zhang.messages())


async def test_leave_rejected_keeps_the_seat_and_within_the_cut_off_still_needs_approval(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang = town_.people[1]
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    harness.clock.set(at(DAY, 20, 0))  # 11 hours before the start: within the cut-off
    await ask_leave(harness, wang, "临时加班")
    await harness.deliver()
    request = town_.coordinator.last().text or ""
    assert "⚠️ 离开班不到 12 小时。" in request and "本月已批准请假 0 次。" in request
    text = await press_and_settle(harness, town_.coordinator, "✖️ 驳回")
    assert f"✖️ 已驳回 王芳 的请假：{LABEL}，已通知本人。" in text
    assert (await statuses(harness, town_.shift_id))[wang.user_id] is SIGNED
    await harness.deliver()
    assert f"✖️ 陈协调 没有批准您的请假：{LABEL} 仍由您负责" in (wang.last().text or "")
    assert [row.status for row in await leaves(harness)] == [LeaveStatus.REJECTED]
    # Asked again after a rejection, it is a new request.
    await ask_leave(harness, wang, "真的去不了")
    assert [row.status for row in await leaves(harness)] == [
        LeaveStatus.REJECTED,
        LeaveStatus.ASKED,
    ]


async def test_leave_is_refused_once_started_and_for_seats_one_took_oneself(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li, wang, _ = town_.people
    coordinator = town_.coordinator
    await assign_by_hand(harness, coordinator, town_.shift_id, "王芳")
    assigned = (await seats(harness, town_.shift_id))[wang.user_id].id
    own = await seat(harness, town_.shift_id, li.user_id)
    await li.send_command("my")
    await harness.settle()
    await press(harness, li, AskLeave(own))
    assert alert(li) == "只有被安排的班次需要请假；自己报名的班次可以在 /my 里取消或换岗。"
    # Someone else's seat is not theirs to ask leave from.
    await press(harness, li, AskLeave(assigned))
    assert alert(li) == NOT_FOUND

    await ask_leave(harness, wang, "出差")
    # Asked twice: the second is refused.
    await press(harness, wang, AskLeave(assigned))
    assert alert(wang) == "这个班次已经提交过请假，正在等协调员处理。"
    await harness.deliver()
    harness.clock.set(at(TOMORROW, 7, 1))
    await coordinator.press("✅ 批准")
    await harness.settle()
    assert alert(coordinator) == "班次已经开始，不能再批准或驳回请假。"
    assert (await statuses(harness, town_.shift_id))[wang.user_id] is SIGNED
    await press(harness, wang, AskLeave(assigned))
    assert alert(wang) == "这个班次已经开始，不能再请假；如有急事请直接联系协调员。"
    assert [row.status for row in await leaves(harness)] == [LeaveStatus.ASKED]
    assert not [m for m in await outbox_to(harness, li.user_id) if "请假" in str(m.payload)]


async def test_a_reminder_waiting_out_the_quiet_hours_is_not_sent_after_leave_was_approved(
    harness: Harness,
) -> None:
    """王芳 asks leave from tomorrow's 10:00 shift at 21:30; 22:00: her 12-hour reminder waits
    for the quiet hours to end; 22:30 the leave is approved: at 07:00 she is not told to come
    after all."""
    town_ = await town(harness, capacity=1)
    wang = town_.people[1]
    late = await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1)
    await assign_by_hand(harness, town_.coordinator, late, "王芳")
    harness.clock.set(at(DAY, 21, 30))
    await ask_leave(harness, wang, "发烧")
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 0))
    await harness.tick()
    seen = len(wang.texts())
    harness.clock.set(at(DAY, 22, 30))
    await press_and_settle(harness, town_.coordinator, "✅ 批准")
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    told = wang.texts()[seen:]
    assert any("批准了您的请假" in text for text in told)
    assert not [text for text in told if "上岗提醒" in text], told


async def test_the_reminder_of_an_assigned_seat_says_to_ask_leave_not_to_cancel(
    harness: Harness,
) -> None:
    """An assigned seat is never cancelled: its way out is 🙋 请假 until the start. The evening
    reminder told 王芳 that it was too late to cancel and to swap or tell the coordinator,
    while 李明, who signed up himself, reads that, as before."""
    town_ = await town(harness)
    li, wang, _ = town_.people
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    await seat(harness, town_.shift_id, li.user_id)
    li.started = True
    await harness.deliver()
    seen = {person.user_id: len(person.texts()) for person in (li, wang)}
    harness.clock.set(at(DAY, 19, 0))  # 12 hours before 07:00
    await harness.tick()
    (hers,) = [text for text in wang.texts()[seen[wang.user_id] :] if "上岗提醒" in text]
    assert hers.endswith(
        "\n有事来不了？请在 /my 里点「🙋 请假」并写明原因；协调员批准前仍由您负责。"
    )
    (his,) = [text for text in li.texts()[seen[li.user_id] :] if "上岗提醒" in text]
    assert his.endswith(
        "\n有事来不了？已经不能取消了：请用 /swap 换岗，或告诉协调员，好让别人顶上。"
    )


async def test_an_acknowledgment_reminder_waiting_for_07_00_is_dropped_with_its_shift(
    harness: Harness,
) -> None:
    """王芳 is assigned tomorrow's 10:00 shift at 17:00 and does not press ✅ 收到; at 23:00 the
    reminder to acknowledge waits for the quiet hours to end. At 23:30 the coordinator
    cancels the shift (rain): she is told at once, and at 07:00 not asked to acknowledge it."""
    town_ = await town(harness, capacity=1)
    wang = town_.people[1]
    late = await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1)
    harness.clock.set(at(DAY, 17, 0))
    await assign_by_hand(harness, town_.coordinator, late, "王芳")
    await harness.deliver()
    harness.clock.set(at(DAY, 23, 0))
    await harness.tick()
    rows = [
        row
        for row in await outbox_to(harness, wang.user_id)
        if row.idempotency_key.startswith("ack-remind:")
    ]
    assert [row.status for row in rows] == [OutboxStatus.PENDING]
    harness.clock.set(at(DAY, 23, 30))
    await town_.coordinator.send_command("roster", "12-02")
    await harness.settle()
    await press_and_settle(harness, town_.coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, town_.coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, town_.coordinator, "是，取消班次")
    await harness.deliver()
    assert "班次已取消" in (wang.last().text or "")
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    assert not [text for text in wang.texts()[seen:] if "还没有确认收到" in text]


async def _block(harness: Harness, *telegram_ids: int) -> None:
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id.in_(telegram_ids)).values(blocked_bot=True)
        )


async def test_leave_in_a_unit_whose_coordinators_cannot_be_written_to_goes_to_the_admins(
    harness: Harness,
) -> None:
    """The unit's only coordinator blocked the bot: the request goes to the admins, who may
    approve it, and the volunteer is told so, not that the coordinators have it."""
    town_ = await town(harness)
    wang = town_.people[1]
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    await _block(harness, town_.coordinator.user_id)
    await command(harness, harness.admin, "start")
    await ask_leave(harness, wang, "出差")
    told = wang.last().text or ""
    assert told.startswith(f"本单位的协调员都收不到消息，请假申请已转给管理员（{LABEL}）。"), told
    assert "已把请假申请交给协调员" not in told
    await harness.deliver()
    request = harness.admin.last().text or ""
    assert "🙋 请假申请" in request and f"王芳 +8613800000000 请假：{LABEL}" in request
    assert harness.admin.last().buttons() == ["✅ 批准", "✖️ 驳回"]
    assert not [
        m
        for m in await outbox_to(harness, town_.coordinator.user_id)
        if "请假申请" in str(m.payload)
    ]
    await press_and_settle(harness, harness.admin, "✅ 批准")
    assert [row.status for row in await leaves(harness)] == [LeaveStatus.APPROVED]


async def test_a_coordinator_who_asks_leave_does_not_decide_it(harness: Harness) -> None:
    """赵协调, a coordinator who also stands on posts, was assigned a seat and asks leave from
    it: the unit's other coordinator, 陈协调, gets the request; he does not, /roster counts no
    request of his own for him to decide, and his own 批准 (a forged press) is refused."""
    town_ = await town(harness)
    zhao = await member(harness, 7950, town_.unit_id, "赵协调", role=Role.COORDINATOR)
    await also_volunteer(harness, zhao)
    await assigned_seat(harness, town_.shift_id, 7950, by=town_.coordinator)
    await command(harness, zhao, "my")
    await press_and_settle(harness, zhao, "🙋 请假 1")
    await zhao.send_text("开会")
    await harness.settle()
    assert (zhao.last().text or "").startswith(f"已把请假申请交给协调员（{LABEL}）"), (
        zhao.last().text
    )
    await harness.deliver()
    request = town_.coordinator.last().text or ""
    assert "🙋 请假申请" in request and f"赵协调 +8613800000000 请假：{LABEL}" in request
    assert not [m for m in await outbox_to(harness, 7950) if "请假申请" in str(m.payload)]
    assert "条请假待批" not in await command(harness, zhao, "roster", "12-02")
    assert "1 条请假待批" in await command(harness, town_.coordinator, "roster", "12-02")
    [leave] = await leaves(harness)
    await press(harness, zhao, ApproveLeave(leave.id))
    assert zhao.answered_callbacks[-1]["text"] == (
        "这是您本人的请假，不能由您审批，请由本单位其他协调员决定。"
    )
    assert [row.status for row in await leaves(harness)] == [LeaveStatus.ASKED]

    # 陈协调 blocks the bot: 赵协调's next request goes to the admins, and he reads why as it
    # is (nobody decides their own leave, and no other coordinator can be written to), not
    # that none of his unit's coordinators can receive messages: he can.
    later = await shift(harness, town_.post_id, start=12, end=13)
    await assigned_seat(harness, later, 7950, by=town_.coordinator)
    await _block(harness, town_.coordinator.user_id)
    await command(harness, harness.admin, "start")
    await command(harness, zhao, "my")
    await press_and_settle(harness, zhao, "🙋 请假 2")
    await zhao.send_text("出差")
    await harness.settle()
    told = zhao.last().text or ""
    assert told.startswith(
        "请假不能由您本人审批，本单位也没有其他能收到消息的协调员，请假申请已转给管理员"
        "（12月2日 周三 12:00–13:00"
    ), told
    await harness.deliver()
    assert "赵协调 +8613800000000 请假：12月2日 周三 12:00–13:00" in (
        harness.admin.last().text or ""
    )
    assert [row.status for row in await leaves(harness)] == [LeaveStatus.ASKED] * 2


async def test_leave_whose_only_coordinator_blocks_the_bot_once_asked_goes_to_the_admins(
    harness: Harness,
) -> None:
    """王芳 asks leave and the unit's only coordinator gets the request; he blocks the bot
    instead of deciding. At the next tick the request goes to the admins, once, who approve it,
    rather than lapse unread at the start."""
    town_ = await town(harness)
    wang = town_.people[1]
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    await command(harness, harness.admin, "start")
    await ask_leave(harness, wang, "出差")
    await harness.deliver()
    assert "🙋 请假申请" in (town_.coordinator.last().text or "")

    await town_.coordinator.block_bot()
    await harness.settle()
    # She reads Traditional Chinese: told in it that her request went to the admins, once.
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == wang.user_id).values(language="zh_Hant")
        )
    await harness.tick()
    await harness.tick()
    await harness.deliver()
    assert len([text for text in harness.admin.texts() if "🙋 请假申请" in text]) == 1
    moved = [text for text in wang.texts() if "轉給管理員" in text]
    assert moved == [
        "🙋 您的請假申請已轉給管理員（12月2日 週三 07:00–09:00 · 黄河路-人民路口）："
        "本單位的協調員現在都無法處理。批准之前這個班次仍由您負責，請留意通知。"
    ], wang.texts()[-3:]
    assert harness.admin.last().buttons() == ["✅ 批准", "✖️ 驳回"]
    await press_and_settle(harness, harness.admin, "✅ 批准")
    assert [row.status for row in await leaves(harness)] == [LeaveStatus.APPROVED]


@pytest.mark.parametrize("settings_overrides", [{"cancel_cutoff_hours": 12, "admin_ids": []}])
async def test_leave_nobody_can_be_told_of_says_so_and_to_phone_the_unit(
    harness: Harness,
) -> None:
    """No coordinator to write to and no admins: the volunteer is told that nobody got the
    request and to phone the unit; the request is kept for a coordinator to come."""
    town_ = await town(harness)
    wang = town_.people[1]
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    await _block(harness, town_.coordinator.user_id)
    await ask_leave(harness, wang, "出差")
    told = wang.last().text or ""
    assert told.startswith(f"本单位的协调员都收不到消息，请假申请没能送到任何人（{LABEL}）。"), told
    assert "请直接打电话" in told
    assert [row.status for row in await leaves(harness)] == [LeaveStatus.ASKED]


async def test_an_assignment_notice_waiting_for_07_00_is_dropped_with_its_shift(
    harness: Harness,
) -> None:
    """At 22:30 the coordinator puts 王芳 on tomorrow's 10:00 shift: the notice of it waits for
    the quiet hours to end. At 23:00 they cancel the shift (rain): 王芳 is told at once, and at
    07:00 not told that she was put on it."""
    town_ = await town(harness, capacity=1)
    wang = town_.people[1]
    late = await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1)
    harness.clock.set(at(DAY, 22, 30))
    await assign_by_hand(harness, town_.coordinator, late, "王芳")
    await harness.deliver()
    rows = [
        row
        for row in await outbox_to(harness, wang.user_id)
        if row.idempotency_key.startswith("rota:")
    ]
    assert [row.status for row in rows] == [OutboxStatus.PENDING]
    harness.clock.set(at(DAY, 23, 0))
    await town_.coordinator.send_command("roster", "12-02")
    await harness.settle()
    await press_and_settle(harness, town_.coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, town_.coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, town_.coordinator, "是，取消班次")
    await harness.deliver()
    assert "班次已取消" in (wang.last().text or "")
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [text for text in wang.texts()[seen:] if "给您排了" in text]


async def test_the_reminder_of_a_seat_with_leave_asked_says_it_awaits_the_coordinator(
    harness: Harness,
) -> None:
    """王芳 asked leave for her assigned seat at 18:00 and nobody has decided yet. The evening
    reminder does not tell her to ask for leave again: it says her request awaits the
    coordinator and that until then the shift is still hers."""
    town_ = await town(harness)
    wang = town_.people[1]
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    harness.clock.set(at(DAY, 18, 0))
    await ask_leave(harness, wang, "发烧")
    await harness.deliver()
    seen = len(wang.texts())
    harness.clock.set(at(DAY, 19, 0))  # 12 hours before 07:00
    await harness.tick()
    (hers,) = [text for text in wang.texts()[seen:] if "上岗提醒" in text]
    assert hers.endswith("\n您的请假申请正在等协调员处理；批准前这个班次仍由您负责。")
    assert "点「🙋 请假」" not in hers


async def test_a_coordinator_finds_a_missed_leave_request_in_the_roster_and_decides_it(
    harness: Harness,
) -> None:
    """王芳 asks leave at 09:00; the coordinator scrolls past the request. In /roster a line says
    one request waits, and its button brings the request back with ✅ 批准 / ✖️ 驳回; approving
    it there frees the seat as from the notice. A coordinator of another unit sees no such
    line; an admin sees every unit's."""
    town_ = await town(harness)
    wang = town_.people[1]
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    await ask_leave(harness, wang, "发烧")
    await harness.deliver()
    other_unit = await unit(harness, "交警队")
    stranger = await member(harness, 7950, other_unit, "外单位协调", role=Role.COORDINATOR)

    text = await command(harness, town_.coordinator, "roster")
    assert "🙋 有 1 条请假待批" in text
    await press_and_settle(harness, town_.coordinator, "🙋 待批请假 1")
    await harness.deliver()  # the copies go as cards, through the outbox
    request = town_.coordinator.last()
    assert (request.text or "").startswith("🙋 请假申请\n王芳")
    assert "发烧" in (request.text or "") and LABEL in (request.text or "")
    assert request.buttons() == ["✅ 批准", "✖️ 驳回"]

    assert "请假待批" not in await command(harness, stranger, "roster")
    assert "🙋 有 1 条请假待批" in await command(harness, harness.admin, "roster")

    await press_and_settle(harness, town_.coordinator, "✅ 批准")
    assert (town_.coordinator.last().text or "").startswith("✅ 已批准 王芳 请假")
    assert [leave.status for leave in await leaves(harness)] == [LeaveStatus.APPROVED]
    assert (await seats(harness, town_.shift_id))[wang.user_id].status is CANCELLED
    assert "请假待批" not in await command(harness, town_.coordinator, "roster")


async def test_a_freed_seat_is_not_offered_to_who_declared_that_hour_off_or_is_on_leave_then(
    harness: Harness,
) -> None:
    """王芳's seat is freed by leave. 李明 declared tomorrow morning off, and 张伟 has leave
    from another shift at that hour: neither is asked to take it; 王强 is."""
    town_ = await town(harness, capacity=1)
    li, wang, zhang = town_.people
    qiang = await member(harness, 7004, town_.unit_id, "王强")
    await unavailable(
        harness, li.user_id, TOMORROW, TOMORROW, start=dt.time(6, 0), end=dt.time(10, 0)
    )
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    other_post = await post(harness, town_.unit_id, "人民路-解放路口")
    other = await shift(harness, other_post, day=TOMORROW, start=8, end=10, capacity=1)
    await approved_leave(harness, await assigned_seat(harness, other, zhang.user_id))
    await ask_leave(harness, wang, "生病")
    await harness.deliver()
    text = await press_and_settle(harness, town_.coordinator, "✅ 批准")
    assert "空位已转给本单位 1 位符合条件的成员" in text, text
    await harness.deliver()
    assert "空出一个班次" in (qiang.last().text or "")
    for busy in (li, zhang):
        assert not any("空出一个班次" in text for text in busy.texts()), busy.first_name


async def test_a_freed_seat_is_judged_for_the_whole_unit_at_once(harness: Harness) -> None:
    """A unit of twelve: approving 王芳's leave asks the declared hours and the approved leave
    of all who might take her seat in one statement each, not a few per member (a unit of a
    hundred made the coordinator's ✅ 批准 wait on three hundred statements)."""
    town_ = await town(harness, capacity=1)
    li, wang, zhang = town_.people
    crowd = [await member(harness, 7100 + n, town_.unit_id, f"志愿者{n}") for n in range(9)]
    await unavailable(
        harness, li.user_id, TOMORROW, TOMORROW, start=dt.time(6, 0), end=dt.time(10, 0)
    )
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    await ask_leave(harness, wang, "生病")
    await harness.deliver()
    read: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM unavailability" in statement or "FROM leave_requests" in statement:
            read.append(statement)

    engine = harness.database.engine
    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        text = await press_and_settle(harness, town_.coordinator, "✅ 批准")
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert "空位已转给本单位 10 位符合条件的成员" in text, text
    unavailability = [s for s in read if "FROM unavailability" in s]
    assert len(unavailability) == 1, unavailability
    assert len(read) <= 4, read  # 35 when each member was asked on his own
    await harness.deliver()
    for taker in (zhang, *crowd):
        assert "空出一个班次" in (taker.last().text or ""), taker.first_name
    assert not any("空出一个班次" in text for text in li.texts())


async def test_leave_from_a_shift_since_cancelled_neither_counts_nor_keeps_her_off_that_hour(
    harness: Harness,
) -> None:
    """王芳 was let off tomorrow's 10:00–12:00 shift, which the coordinator then cancels. The
    leave excused her from nothing: the coordinator finds her among those who may take a new
    shift at that hour and assigns her, and her next request reads 本月已批准请假 0 次."""
    town_ = await town(harness, capacity=2)
    coordinator = town_.coordinator
    wang = town_.people[1]
    late = await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1)
    await approved_leave(harness, await assigned_seat(harness, late, wang.user_id))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, coordinator, "是，取消班次")
    assert (await leaves(harness))[0].status is LeaveStatus.APPROVED

    elsewhere = await post(harness, town_.unit_id, "人民路-解放路口")
    instead = await shift(harness, elsewhere, TOMORROW, 10, 12, capacity=1)
    await open_assign(harness, coordinator, instead)
    assert any(label.startswith("王芳") for label in coordinator.last().buttons()), (
        coordinator.last().buttons()
    )
    await coordinator.send_text("王芳")
    await harness.settle()
    assert "✅ 已安排 1 人" in (coordinator.last().text or ""), coordinator.last().text
    assert (await statuses(harness, instead))[wang.user_id] is SIGNED
    await coordinator.send_command("cancel")
    await harness.settle()

    await assign_by_hand(harness, coordinator, town_.shift_id, "王芳")
    await ask_leave(harness, wang, "家里有事")
    await harness.deliver()
    request = coordinator.last().text or ""
    assert "原因：家里有事" in request and "本月已批准请假 0 次。" in request, request
