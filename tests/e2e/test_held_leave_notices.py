"""Leave and the seats it frees, held by the quiet hours: a request to the coordinator, the
word that it was approved or rejected, the offers of the freed seat and the word that it was
taken are drawn again at 07:00 (bot/redraw.py), name the shift's new time, go only to who may
still act on them, and are dropped once they no longer hold."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import (
    AssignmentStatus,
    LeaveStatus,
    Member,
    MemberRole,
    OutboxStatus,
    Role,
    Shift,
)
from bot.services.people.access import Actor
from bot.services.rostering import departure
from tests.e2e.held_fixtures import (
    keyed_rows,
    leave_approved_at_22_30,
    leave_asked_at_22_30,
    move_shift,
)
from tests.e2e.rostering_fixtures import TOMORROW, ask_leave, assign_by_hand, leaves, town
from tests.e2e.schedule import DAY, at, command, post, press_and_settle, shift, statuses
from tests.e2e.swap_fixtures import seat
from tests.harness import ADMIN_ID, Harness


async def test_an_offer_of_a_freed_seat_held_until_07_00_is_dropped_once_the_seat_is_taken(
    harness: Harness,
) -> None:
    """The seat 王芳 was let off at 22:30 is offered to 李明 and 张伟, for 07:00. At 23:00 the
    coordinator gives it to 张伟 by hand. At 07:00 nobody reads 🙋 我来接 for a seat that is
    no longer free: both offers are dropped."""
    (li, _, zhang), coordinator, late = await leave_approved_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await assign_by_hand(harness, coordinator, late, "张伟")
    seen = {user.user_id: len(user.texts()) for user in (li, zhang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    for taker in (li, zhang):
        assert not [t for t in taker.texts()[seen[taker.user_id] :] if "有人请假" in t]
        [row] = await keyed_rows(harness, taker.user_id, "freed-seat:")
        assert row.status is OutboxStatus.DROPPED, row.last_error
    assert (await statuses(harness, late))[zhang.user_id] is AssignmentStatus.SIGNED_UP


async def test_an_offer_of_a_freed_seat_held_until_07_00_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """The freed seat of tomorrow's 10:00–12:00 shift waits for 07:00; at 23:00 the shift is
    moved to 13:00–15:00. At 07:00 李明 is offered the seat at 13:00–15:00 and takes it."""
    (li, _, _), coordinator, late = await leave_approved_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await move_shift(harness, coordinator, "⚙️ 10:00 黄河路-人民路口", "13:00-15:00")
    seen = len(li.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [offer] = [m for m in li.messages()[seen:] if "有人请假" in (m.text or "")]
    assert "13:00–15:00" in (offer.text or "") and "10:00–12:00" not in (offer.text or "")
    assert offer.buttons() == ["🙋 我来接"]
    [row] = await keyed_rows(harness, li.user_id, "freed-seat:")
    assert row.status is OutboxStatus.SENT and "13:00–15:00" in row.payload["text"]
    await press_and_settle(harness, li, "🙋 我来接")
    assert (await statuses(harness, late))[li.user_id] is AssignmentStatus.SIGNED_UP


async def test_an_offer_of_a_freed_seat_held_until_07_00_goes_only_to_who_may_still_take_it(
    harness: Harness,
) -> None:
    """The seat 王芳 was let off at 22:30 is offered to 李明 and 张伟 for 07:00. At 23:00 张伟
    is put on another post at the same hour: at 07:00 he is not offered a seat that 🙋 我来接
    would refuse him (as the give-away of a swap is not); 李明 still is."""
    (li, _, zhang), _, late = await leave_approved_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    async with harness.session() as session:
        found = await session.get(Shift, late)
        assert found is not None
        unit_id = found.post.unit_id
    elsewhere = await post(harness, unit_id, "人民路-解放路口")
    await seat(harness, await shift(harness, elsewhere, TOMORROW, 10, 12), zhang.user_id)
    seen = {user.user_id: len(user.texts()) for user in (li, zhang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert [t for t in li.texts()[seen[li.user_id] :] if "有人请假" in t]
    assert not [t for t in zhang.texts()[seen[zhang.user_id] :] if "有人请假" in t]
    [row] = await keyed_rows(harness, zhang.user_id, "freed-seat:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    [row] = await keyed_rows(harness, li.user_id, "freed-seat:")
    assert row.status is OutboxStatus.SENT, row.last_error


async def test_a_leave_request_held_until_07_00_is_dropped_once_it_was_decided(
    harness: Harness,
) -> None:
    """王芳's request waits for 07:00; at 23:00 the coordinator finds it in /roster and approves
    it there. At 07:00 the coordinator is not asked again to decide it."""
    _, coordinator, _ = await leave_asked_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, coordinator, "roster")
    await press_and_settle(harness, coordinator, "🙋 待批请假 1")
    await harness.deliver()  # the copies go as cards, through the outbox
    await press_and_settle(harness, coordinator, "✅ 批准")
    assert [leave.status for leave in await leaves(harness)] == [LeaveStatus.APPROVED]
    seen = len(coordinator.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [t for t in coordinator.texts()[seen:] if "请假申请" in t]
    [row] = await keyed_rows(harness, coordinator.user_id, "leave-asked:")
    assert row.status is OutboxStatus.DROPPED, row.last_error


async def test_a_leave_request_held_until_07_00_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """王芳's request waits for 07:00; at 23:00 the coordinator moves the shift to 13:00–15:00.
    At 07:00 the request names 13:00–15:00, with 批准 / 驳回, and approving it frees the seat."""
    wang, coordinator, late = await leave_asked_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await move_shift(harness, coordinator, "⚙️ 10:00 黄河路-人民路口", "13:00-15:00")
    seen = len(coordinator.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [request] = [m for m in coordinator.messages()[seen:] if "请假申请" in (m.text or "")]
    text = request.text or ""
    assert "13:00–15:00" in text and "10:00–12:00" not in text, text
    assert request.buttons() == ["✅ 批准", "✖️ 驳回"]
    [row] = await keyed_rows(harness, coordinator.user_id, "leave-asked:")
    assert row.status is OutboxStatus.SENT and "13:00–15:00" in row.payload["text"]
    await press_and_settle(harness, coordinator, "✅ 批准")
    assert (await statuses(harness, late))[wang.user_id] is AssignmentStatus.CANCELLED


async def test_a_leave_request_held_until_07_00_is_dropped_for_a_coordinator_no_longer_one(
    harness: Harness,
) -> None:
    """王芳's request waits for 07:00; at 23:00 the admin takes 陈协调's coordinator role (he
    stays a volunteer of the unit). At 07:00 he is not asked to decide it: his 批准 would be
    refused. The admin, the unit left without a coordinator, is asked instead."""
    _, coordinator, _ = await leave_asked_at_22_30(harness)
    admin_user = harness.admin
    admin_user.started = True  # the admin has written to the bot
    harness.clock.set(at(DAY, 23, 0))
    settings = harness.runtime.settings
    async with harness.session() as session:
        chen = await session.scalar(select(Member).where(Member.telegram_id == coordinator.user_id))
        assert chen is not None
        session.add(MemberRole(member_id=chen.id, role=Role.VOLUNTEER))
    async with harness.session() as session:
        admin = Actor.of(ADMIN_ID, None, settings.admin_ids)
        taken = await departure.take_role(
            session, admin, chen.id, Role.COORDINATOR, harness.clock.now(), settings
        )
        assert isinstance(taken, departure.RoleTaken)
    seen = len(coordinator.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [t for t in coordinator.texts()[seen:] if "请假申请" in t]
    [row] = await keyed_rows(harness, coordinator.user_id, "leave-asked:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    assert [t for t in admin_user.texts() if "请假申请" in t]
    [row] = await keyed_rows(harness, ADMIN_ID, "leave-asked:")
    assert row.status is OutboxStatus.SENT, row.last_error


async def test_word_that_leave_was_approved_held_until_07_00_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """王芳's leave from tomorrow's 10:00–12:00 seat is approved at 22:30: the word of it waits
    for 07:00. At 23:00 the coordinator moves the shift to 13:00–15:00. At 07:00 she reads that
    her leave from the shift at 13:00–15:00 was approved, never the old time."""
    (_, wang, _), coordinator, _ = await leave_approved_at_22_30(harness)
    [row] = await keyed_rows(harness, wang.user_id, "leave-decided:")
    assert row.status is OutboxStatus.PENDING and "10:00–12:00" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await move_shift(harness, coordinator, "⚙️ 10:00 黄河路-人民路口", "13:00-15:00")
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [told] = [text for text in wang.texts()[seen:] if "批准了您的请假" in text]
    assert told == (
        "✅ 陈协调 批准了您的请假：12月2日 周三 13:00–15:00 · 黄河路-人民路口。"
        "这个班次不再由您负责。"
    ), told
    [row] = await keyed_rows(harness, wang.user_id, "leave-decided:")
    assert row.status is OutboxStatus.SENT and row.payload["text"] == told


async def test_word_that_leave_was_approved_held_until_07_00_is_dropped_once_the_shift_is_cancelled(
    harness: Harness,
) -> None:
    """王芳's leave is approved at 22:30: the word of it waits for 07:00. At 23:00 the shift is
    cancelled (rain). At 07:00 she is not told about leave from a shift that will not be."""
    (_, wang, _), coordinator, _ = await leave_approved_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, coordinator, "是，取消班次")
    await harness.deliver()
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [text for text in wang.texts()[seen:] if "批准了您的请假" in text]
    [row] = await keyed_rows(harness, wang.user_id, "leave-decided:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    assert [leave.status for leave in await leaves(harness)] == [LeaveStatus.APPROVED]


async def test_word_that_leave_was_rejected_held_until_07_00_is_dropped_once_she_is_taken_off(
    harness: Harness,
) -> None:
    """王芳's leave is rejected at 22:30: the word that the shift is still hers waits for 07:00.
    At 23:00 the coordinator takes her off it after all (she is told at once). At 07:00 she is
    not told to turn up."""
    wang, coordinator, late = await leave_asked_at_22_30(harness)
    await command(harness, coordinator, "roster")
    await press_and_settle(harness, coordinator, "🙋 待批请假 1")
    await harness.deliver()  # the copies go as cards, through the outbox
    await press_and_settle(harness, coordinator, "✖️ 驳回")
    await harness.deliver()
    [row] = await keyed_rows(harness, wang.user_id, "leave-decided:")
    assert row.status is OutboxStatus.PENDING and "没有批准您的请假" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "➖ 移出 王芳")
    await press_and_settle(harness, coordinator, "是，移出")
    await harness.deliver()
    assert "协调员已将您从这个班次移出" in (wang.last().text or "")
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [text for text in wang.texts()[seen:] if "没有批准您的请假" in text]
    [row] = await keyed_rows(harness, wang.user_id, "leave-decided:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    assert (await statuses(harness, late))[wang.user_id] is AssignmentStatus.REMOVED


async def test_word_that_a_freed_seat_was_taken_held_until_07_00_is_dropped_once_it_is_given_up(
    harness: Harness,
) -> None:
    """王芳's leave from tomorrow's 14:00–16:00 seat is approved at 21:00 and the seat offered
    at once; 张伟 takes it at 22:30: the word to the coordinator waits for 07:00. At 23:00 张伟
    gives it up (15 hours ahead, he may). At 07:00 the coordinator is not told he took it."""
    town_ = await town(harness, capacity=1)
    wang, zhang = town_.people[1], town_.people[2]
    coordinator = town_.coordinator
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    await assign_by_hand(harness, coordinator, afternoon, "王芳")
    harness.clock.set(at(DAY, 20, 30))
    await ask_leave(harness, wang, "发烧")
    await harness.deliver()
    harness.clock.set(at(DAY, 21, 0))
    await press_and_settle(harness, coordinator, "✅ 批准")
    await harness.deliver()
    assert "有人请假" in (zhang.last().text or "")
    harness.clock.set(at(DAY, 22, 30))
    await press_and_settle(harness, zhang, "🙋 我来接")
    await harness.deliver()
    [row] = await keyed_rows(harness, coordinator.user_id, "freed-taken:")
    assert row.status is OutboxStatus.PENDING and "张伟 接下了" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, zhang, "my")
    await press_and_settle(harness, zhang, "✖️ 取消 1")
    await press_and_settle(harness, zhang, "是，取消")
    assert (await statuses(harness, afternoon))[zhang.user_id] is AssignmentStatus.CANCELLED
    seen = len(coordinator.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [t for t in coordinator.texts()[seen:] if "接下了请假空出的班次" in t]
    [row] = await keyed_rows(harness, coordinator.user_id, "freed-taken:")
    assert row.status is OutboxStatus.DROPPED, row.last_error


async def test_an_offer_of_a_freed_seat_held_until_07_00_is_dropped_once_the_shift_is_cancelled(
    harness: Harness,
) -> None:
    """The seat 王芳 was let off at 22:30 is offered to 李明 and 张伟 for 07:00. At 23:00 the
    coordinator cancels the shift. At 07:00 neither reads 🙋 我来接 for a shift that is off."""
    (li, _, zhang), coordinator, late = await leave_approved_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, coordinator, "是，取消班次")
    seen = {user.user_id: len(user.texts()) for user in (li, zhang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    for taker in (li, zhang):
        assert not [t for t in taker.texts()[seen[taker.user_id] :] if "有人请假" in t]
        [row] = await keyed_rows(harness, taker.user_id, "freed-seat:")
        assert row.status is OutboxStatus.DROPPED, row.last_error
    assert not {li.user_id, zhang.user_id} & set(await statuses(harness, late))


async def test_a_sent_offer_of_a_freed_seat_pressed_once_the_seat_is_gone_says_so(
    harness: Harness,
) -> None:
    """The offers of the seat 王芳 was let off go out at 07:00. The coordinator gives the seat
    to 张伟 by hand: 李明's 🙋 我来接 says someone was quicker, and he is put on no waitlist.
    Then the coordinator cancels the shift: 张伟's 🙋 我来接 says it was cancelled."""
    (li, _, zhang), coordinator, late = await leave_approved_at_22_30(harness)
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    for taker in (li, zhang):
        [row] = await keyed_rows(harness, taker.user_id, "freed-seat:")
        assert row.status is OutboxStatus.SENT, row.last_error
    await assign_by_hand(harness, coordinator, late, "张伟")
    await li.press("🙋 我来接")
    await harness.settle()
    assert li.answered_callbacks[-1].get("text") == "来晚了，这个班次已经被别人接走了。"
    assert li.user_id not in await statuses(harness, late)

    harness.clock.set(at(TOMORROW, 7, 30))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, coordinator, "是，取消班次")
    await li.press("🙋 我来接")
    await harness.settle()
    assert li.answered_callbacks[-1].get("text") == "这个班次已取消。"
    assert li.user_id not in await statuses(harness, late)
