"""Volunteers find open shifts, sign up, join the waitlist, cancel, and see /my."""

from __future__ import annotations

import datetime as dt

from bot.db.models import AssignmentStatus, OutboxStatus, PostType, Role
from tests.e2e.held_fixtures import promoted_at_23_00
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
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness

TOMORROW = DAY + dt.timedelta(days=1)


async def test_volunteer_signs_up_and_sees_it_in_my_shifts(harness: Harness) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    shift_id = await shift(harness, post_id, capacity=4)
    volunteer = await person(harness, 4001, unit_id, "李明")

    text = await command(harness, volunteer, "shifts")
    assert "12月2日 周三 07:00–09:00 · 黄河路-人民路口" in text
    assert "余 4/4 个名额" in text
    await press_and_settle(harness, volunteer, "✋ 报名 1")
    assert "✅ 报名成功" in volunteer.last().text
    assert "还剩 3 个名额" in volunteer.last().text
    assert volunteer.answered_callbacks[-1]["text"] == "报名成功"
    assert await statuses(harness, shift_id) == {4001: AssignmentStatus.SIGNED_UP}

    # Pressing the same button again is refused, and the shift is gone from the open list.
    await volunteer.press("✋ 报名 1")
    await harness.settle()
    assert "已经报名" in volunteer.answered_callbacks[-1]["text"]
    text = await command(harness, volunteer, "shifts")
    assert "暂时没有可报名的班次" in text

    text = await command(harness, volunteer, "my")
    assert "1. 12月2日 周三 07:00–09:00 · 黄河路-人民路口" in text
    assert volunteer.last().buttons() == ["✖️ 取消 1", "🔁 换岗 1", "📅 日历文件"]
    await press_and_settle(harness, volunteer, "📅 日历文件")
    document = volunteer.last()
    assert document.kind == "document" and document.file_name == "dutybot-shifts.ics"
    assert document.data is not None
    ics = document.data.decode()
    assert "DTSTART:20261201T230000Z" in ics and "黄河路-人民路口" in ics


async def test_full_shift_offers_the_waitlist_and_a_freed_seat_goes_to_the_first(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id), capacity=1)
    first = await person(harness, 4101, unit_id, "甲")
    second = await person(harness, 4102, unit_id, "乙")
    third = await person(harness, 4103, unit_id, "丙")

    await command(harness, first, "shifts")
    await press_and_settle(harness, first, "✋ 报名 1")
    text = await command(harness, second, "shifts")
    assert "已满（0 人候补）" in text
    await press_and_settle(harness, second, "⏳ 候补 1")
    assert "这个班次已满" in second.last().text
    await press_and_settle(harness, second, "⏳ 加入候补")
    assert "排第 1 位" in second.last().text
    await command(harness, third, "shifts")
    await press_and_settle(harness, third, "⏳ 候补 1")
    await press_and_settle(harness, third, "⏳ 加入候补")
    assert "排第 2 位" in third.last().text
    assert "候补第 2 位" in await command(harness, third, "my")

    # The first cancels (more than 12 hours ahead): the seat goes to the first in line.
    await command(harness, first, "my")
    await press_and_settle(harness, first, "✖️ 取消 1")
    assert "确定取消" in first.last().text
    await press_and_settle(harness, first, "是，取消")
    assert first.last().text.startswith("已取消")
    assert await statuses(harness, shift_id) == {
        4101: AssignmentStatus.CANCELLED,
        4102: AssignmentStatus.SIGNED_UP,
        4103: AssignmentStatus.WAITLISTED,
    }
    notices = await outbox_to(harness, 4102)
    assert len(notices) == 1 and "候补转正" in notices[0].payload["text"]
    # What is still possible, as a sign-up is told: more than 12 hours ahead, a cancel.
    assert "前可以在 /my 里取消" in notices[0].payload["text"]
    assert await outbox_to(harness, 4103) == []
    assert "候补第 1 位" in await command(harness, third, "my")

    # A place in the queue is left, not a shift cancelled: the words say so, on its button too.
    assert third.last().buttons() == ["✖️ 退出候补 1", "📅 日历文件"]
    confirm = await press_and_settle(harness, third, "✖️ 退出候补 1")
    assert confirm == "确定退出这个班次的候补吗？\n12月2日 周三 07:00–09:00 · 黄河路-人民路口"
    assert third.last().buttons() == ["是，退出候补", "不，保留"]
    left = await press_and_settle(harness, third, "是，退出候补")
    assert left == "已退出候补：\n12月2日 周三 07:00–09:00 · 黄河路-人民路口"
    assert (await statuses(harness, shift_id))[4103] is AssignmentStatus.CANCELLED


async def test_cancelling_close_to_the_start_is_refused(harness: Harness) -> None:
    unit_id = await unit(harness)
    # Tomorrow 07:00 is 23 hours away; the cut-off is 12 hours.
    shift_id = await shift(harness, await post(harness, unit_id))
    volunteer = await person(harness, 4201, unit_id)
    await command(harness, volunteer, "shifts")
    await press_and_settle(harness, volunteer, "✋ 报名 1")
    await command(harness, volunteer, "my")
    harness.clock.advance(hours=12)
    await press_and_settle(harness, volunteer, "✖️ 取消 1")
    await press_and_settle(harness, volunteer, "是，取消")
    assert "12 小时内不能自行取消" in volunteer.answered_callbacks[-1]["text"]
    assert "/swap" in volunteer.answered_callbacks[-1]["text"]
    assert await statuses(harness, shift_id) == {4201: AssignmentStatus.SIGNED_UP}

    # Inside the cut-off the coordinator can still take the volunteer off, who is told.
    coordinator = await person(harness, 4202, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 07:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, f"➖ 移出 志愿者{volunteer.user_id}")
    await press_and_settle(harness, coordinator, "是，移出")
    assert await statuses(harness, shift_id) == {4201: AssignmentStatus.REMOVED}
    notices = await outbox_to(harness, 4201)
    assert "协调员已将您从这个班次移出" in notices[-1].payload["text"]


async def test_filters_by_day_and_type_and_pages(harness: Harness) -> None:
    unit_id = await unit(harness)
    traffic = await post(harness, unit_id)
    hygiene = await post(harness, unit_id, "人民公园", PostType.HYGIENE)
    for offset in range(1, 7):
        await shift(harness, traffic, DAY + dt.timedelta(days=offset))
    await shift(harness, hygiene, TOMORROW, 9, 11)
    volunteer = await person(harness, 4301, unit_id, language="en")

    text = await command(harness, volunteer, "shifts")
    assert "1–5 of 7" in text
    await press_and_settle(harness, volunteer, "Next ▶️")
    assert "6–7 of 7" in volunteer.last().text
    await press_and_settle(harness, volunteer, "🏷 By type")
    await press_and_settle(harness, volunteer, "street hygiene")
    text = volunteer.last().text
    assert "人民公园" in text and "黄河路" not in text
    await press_and_settle(harness, volunteer, "📅 By day")
    await press_and_settle(harness, volunteer, "Thu 3 Dec")
    assert "No shifts open" in volunteer.last().text
    await press_and_settle(harness, volunteer, "🏷 By type")
    await press_and_settle(harness, volunteer, "any type")
    text = volunteer.last().text
    assert "Thu 3 Dec 07:00–09:00" in text and text.count("Dec") == 2  # header + one shift


async def test_a_promotion_inside_the_cut_off_says_what_is_still_possible(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    shift_id = await shift(
        harness, await post(harness, unit_id), day=DAY, start=9, end=11, capacity=1
    )
    first = await person(harness, 4101, unit_id, "甲")
    second = await person(harness, 4102, unit_id, "乙")
    coordinator = await person(harness, 4202, unit_id, "协调", role=Role.COORDINATOR)
    await command(harness, first, "shifts")
    await press_and_settle(harness, first, "✋ 报名 1")
    await command(harness, second, "shifts")
    await press_and_settle(harness, second, "⏳ 候补 1")
    await press_and_settle(harness, second, "⏳ 加入候补")
    # 08:40, twenty minutes before the start: the coordinator takes 甲 off; 乙 moves up.
    harness.clock.set(at(DAY, 8, 40))
    await command(harness, coordinator, "roster")
    await press_and_settle(harness, coordinator, "⚙️ 09:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "➖ 移出 甲")
    await press_and_settle(harness, coordinator, "是，移出")
    assert (await statuses(harness, shift_id))[4102] is AssignmentStatus.SIGNED_UP
    [notice] = await outbox_to(harness, 4102)
    text = notice.payload["text"]
    assert "候补转正" in text and "有人退出" not in text
    assert "马上就要开始了，已经不能取消或换岗；来不了请马上告诉协调员。" in text


async def test_a_freed_seat_passes_over_a_waiting_volunteer_who_blocked_the_bot(
    harness: Harness,
) -> None:
    """乙 waits first in line but has since blocked the bot (an announcement to them came back
    403). When 甲 gives the seat up it goes to 丙, who can be told, not to someone who would
    never hear of it and so not come; 乙 keeps their place."""
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id), capacity=1)
    coordinator = await person(harness, 4200, unit_id, "协调", role=Role.COORDINATOR)
    first = await person(harness, 4101, unit_id, "甲")
    await person(harness, 4102, unit_id, "乙")
    third = await person(harness, 4103, unit_id, "丙")
    first.started = third.started = True
    await seat(harness, shift_id, 4101)
    await seat(harness, shift_id, 4102, AssignmentStatus.WAITLISTED)
    harness.clock.advance(minutes=1)
    await seat(harness, shift_id, 4103, AssignmentStatus.WAITLISTED)

    harness.emulator.blocked_users.add(4102)
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("明早降温，注意保暖")
    await harness.settle()
    await press_and_settle(harness, coordinator, "📤 发送")
    await harness.deliver()
    member = await harness.member(4102)
    assert member is not None and member.blocked_bot

    await command(harness, first, "my")
    await press_and_settle(harness, first, "✖️ 取消 1")
    await press_and_settle(harness, first, "是，取消")
    assert await statuses(harness, shift_id) == {
        4101: AssignmentStatus.CANCELLED,
        4102: AssignmentStatus.WAITLISTED,
        4103: AssignmentStatus.SIGNED_UP,
    }
    await harness.deliver()
    assert "候补转正" in (third.last().text or "")


async def test_a_promotion_waiting_for_07_00_is_dropped_when_the_shift_is_cancelled(
    harness: Harness,
) -> None:
    """乙 moved up at 23:00; at 23:30 the coordinator cancels the shift (rain). 乙 is told of
    the cancellation at once, and at 07:00 not told they got a seat on it."""
    _, coordinator, _, second = await promoted_at_23_00(harness)
    harness.clock.set(at(DAY, 23, 30))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 12:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, coordinator, "是，取消班次")
    await harness.deliver()
    assert ["班次已取消" in text for text in second.texts()] == [True]
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not any("候补转正" in text for text in second.texts())
    rows = await outbox_to(harness, 4102)
    promoted = [row for row in rows if row.idempotency_key.startswith("waitlist-promoted:")]
    assert [row.status for row in promoted] == [OutboxStatus.DROPPED]


async def test_a_promotion_waiting_for_07_00_is_dropped_when_the_seat_is_taken_off(
    harness: Harness,
) -> None:
    """At 23:30 the coordinator takes 乙 off the seat 乙 moved up to at 23:00: at 07:00 乙
    hears only that they were taken off, not that they got the seat."""
    _, coordinator, _, second = await promoted_at_23_00(harness)
    harness.clock.set(at(DAY, 23, 30))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 12:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "➖ 移出 乙")
    await press_and_settle(harness, coordinator, "是，移出")
    await harness.deliver()
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    texts = second.texts()
    assert ["协调员已将您从这个班次移出" in text for text in texts[:1]] == [True]
    assert not any("候补转正" in text for text in texts)


async def test_a_seat_moved_up_to_twice_is_announced_twice(harness: Harness) -> None:
    """A promotion dropped with its seat does not keep the next one from being told: 乙 gives
    the seat up at 23:10 (the held word is dropped), joins the queue again, and when 甲, back
    in the seat, gives it up at 23:20 the word that 乙 moved up reaches them at 07:00."""
    shift_id, _, first, second = await promoted_at_23_00(harness)
    harness.clock.set(at(DAY, 23, 10))
    await command(harness, second, "my")
    await press_and_settle(harness, second, "✖️ 取消 1")
    await press_and_settle(harness, second, "是，取消")
    await command(harness, first, "shifts")
    await press_and_settle(harness, first, "✋ 报名 1")
    await command(harness, second, "shifts")
    await press_and_settle(harness, second, "⏳ 候补 1")
    await press_and_settle(harness, second, "⏳ 加入候补")
    assert (await statuses(harness, shift_id))[4102] is AssignmentStatus.WAITLISTED
    harness.clock.set(at(DAY, 23, 20))
    await command(harness, first, "my")
    await press_and_settle(harness, first, "✖️ 取消 1")
    await press_and_settle(harness, first, "是，取消")
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert len([text for text in second.texts() if "候补转正" in text]) == 1
