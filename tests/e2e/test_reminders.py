"""Reminders with three leads (12 hours, 2 hours, 10 minutes) around two early shifts, with
quiet hours until 07:00: a reminder the quiet hours can hold back waits (it is deferred, never
dropped); one they would hold back past the start goes out at once; a seat taken after a
reminder's time gets no such reminder."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import OutboxMessage, OutboxStatus, Role, Shift, ShiftStatus
from bot.emulator import SimUser
from tests.e2e import schedule
from tests.e2e.checkin_fixtures import assign, post, shift, team
from tests.e2e.duty_day_fixtures import DAY_BEFORE, on, tick_at
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"reminder_leads": "720,120,10", "understaffed_alert_hours": 0}


def since(person: SimUser, seen: int) -> list[str]:
    return person.texts()[seen:]


async def outbox_rows(harness: Harness, chat_id: int) -> dict[str, OutboxMessage]:
    async with harness.session() as session:
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id))
        return {row.idempotency_key: row for row in rows}


async def test_each_lead_with_quiet_hours_and_a_late_sign_up(harness: Harness) -> None:
    crew = await team(harness, ("王芳", "李强"))
    fang, qiang = crew.volunteers
    place = await post(harness, crew.unit)
    half_past_seven = await shift(harness, place, on(7, 30), on(9, 30))
    ten_to_seven = await shift(harness, place, on(6, 50), on(8, 50))
    fang_seat = await assign(harness, half_past_seven, fang)
    seen = {person.user_id: len(person.texts()) for person in crew.volunteers}

    # 19:30 the evening before: 王芳's 12-hour reminder (no check-in hint yet).
    await tick_at(harness, on(19, 30, DAY_BEFORE))
    texts = since(fang, seen[fang.user_id])
    assert len(texts) == 1 and texts[0].startswith("⏰ 上岗提醒：12月2日 周三 07:30–09:30")
    assert "还有 12 小时" in texts[0] and "请用 /swap 换岗" in texts[0]
    seen[fang.user_id] += 1

    # 李强 signs up for 06:50 at 20:00, after its 12-hour reminder's time (18:50): none for him.
    harness.clock.set(on(20, 0, DAY_BEFORE))
    qiang_seat = await assign(harness, ten_to_seven, qiang)
    await tick_at(harness, on(20, 1, DAY_BEFORE))
    assert since(qiang, seen[qiang.user_id]) == []

    # 04:50, quiet hours: his 2-hour reminder could only wait until 07:00, after his start, so it
    # goes out now.
    await tick_at(harness, on(4, 50))
    texts = since(qiang, seen[qiang.user_id])
    assert len(texts) == 1 and "06:50–08:50" in texts[0] and "还有 2 小时" in texts[0], texts
    seen[qiang.user_id] += 1

    # 05:30: hers can wait until the quiet hours end; it is kept, not sent.
    await tick_at(harness, on(5, 30))
    assert since(fang, seen[fang.user_id]) == []
    assert (await outbox_rows(harness, fang.user_id))[
        f"remind:{fang_seat}:120"
    ].status == OutboxStatus.PENDING

    # 06:20: his check-in opens (urgent, inside the quiet hours); 06:40: ten minutes before, a
    # reminder with the location button.
    await tick_at(harness, on(6, 20))
    texts = since(qiang, seen[qiang.user_id])
    assert len(texts) == 1 and texts[0].startswith("📍 签到已开放"), texts
    await tick_at(harness, on(6, 40))
    texts = since(qiang, seen[qiang.user_id] + 1)
    assert len(texts) == 1 and "还有 10 分钟" in texts[0] and "发送我的位置" in texts[0]
    keyboard = qiang.reply_keyboard()
    assert keyboard is not None and keyboard[0][0]["request_location"] is True

    # 07:00: the quiet hours end: her deferred reminder arrives (with the start, not the time
    # that was left when it was written), and so does her check-in notice.
    await tick_at(harness, on(7, 0))
    texts = since(fang, seen[fang.user_id])
    assert len(texts) == 2, texts
    assert texts[0].startswith("⏰ 上岗提醒：12月2日 周三 07:30–09:30 · 黄河路-人民路口。\n")
    assert texts[1].startswith("📍 签到已开放")
    rows = await outbox_rows(harness, qiang.user_id)
    assert rows[f"remind:{qiang_seat}:120"].status == OutboxStatus.SENT
    assert f"remind:{qiang_seat}:720" not in rows


async def test_a_cancelled_shift_gets_no_reminders_nudges_or_alarms(harness: Harness) -> None:
    crew = await team(harness, ("王芳",))
    (fang,) = crew.volunteers
    place = await post(harness, crew.unit)
    gone = await shift(harness, place, on(9), on(11))
    await assign(harness, gone, fang)
    async with harness.session() as session:
        row = await session.get(Shift, gone.id)
        assert row is not None
        row.status = ShiftStatus.CANCELLED
    seen = len(fang.texts())
    for moment in (on(21, 0, DAY_BEFORE), on(7, 0), on(8, 30), on(8, 50), on(9, 6), on(9, 40)):
        await tick_at(harness, moment)
    assert since(fang, seen) == []


async def test_a_shift_moved_after_its_check_in_notice_is_announced_again_at_its_new_time(
    harness: Harness,
) -> None:
    unit_id = await schedule.unit(harness)
    shift_id = await schedule.shift(
        harness, await schedule.post(harness, unit_id), day=schedule.DAY, start=10, end=12
    )
    volunteer = await schedule.person(harness, 4101, unit_id, "甲")
    volunteer.started = True
    coordinator = await schedule.person(harness, 4202, unit_id, "协调", role=Role.COORDINATOR)
    await seat(harness, shift_id, 4101)
    harness.clock.set(schedule.at(schedule.DAY, 9, 30))
    await harness.tick()
    assert "签到已开放：12月1日 周二 10:00–12:00" in (volunteer.last().text or "")
    # 09:35: the coordinator moves the shift an hour later, on its card.
    harness.clock.set(schedule.at(schedule.DAY, 9, 35))
    await schedule.command(harness, coordinator, "posts")
    await coordinator.press_data(f"se.t:{shift_id}", coordinator.last().message_id)
    await harness.settle()
    await coordinator.send_text("11:00-13:00")
    await harness.settle()
    await harness.deliver()
    seen = len(volunteer.texts())
    # No late nudge for the old start, and the check-in notice again when it opens anew.
    harness.clock.set(schedule.at(schedule.DAY, 10, 10))
    await harness.tick()
    assert not any("迟到" in text for text in volunteer.texts()[seen:])
    harness.clock.set(schedule.at(schedule.DAY, 10, 30))
    await harness.tick()
    new = volunteer.texts()[seen:]
    assert any("签到已开放：12月1日 周二 11:00–13:00" in text for text in new), new


async def test_a_reminder_held_by_the_quiet_hours_is_not_sent_for_a_seat_gone_meanwhile(
    harness: Harness,
) -> None:
    """22:00: the 12-hour reminders of tomorrow's 10:00 shifts wait for the quiet hours to end.
    22:30: the coordinator takes 乙 off one shift and cancels the other. At 07:00 only 甲, who
    still holds a seat, is reminded: nobody is told to come to a shift they were just told
    they are off, or that was cancelled."""
    unit_id = await schedule.unit(harness)
    day = schedule.DAY + dt.timedelta(days=1)
    kept = await schedule.shift(harness, await schedule.post(harness, unit_id), day, 10, 12)
    other = await schedule.post(harness, unit_id, "人民路-长江路口")
    called_off = await schedule.shift(harness, other, day, 10, 12)
    jia, yi, bing = [
        await schedule.person(harness, user_id, unit_id, name)
        for user_id, name in ((4301, "甲"), (4302, "乙"), (4303, "丙"))
    ]
    for volunteer in (jia, yi, bing):
        volunteer.started = True
    coordinator = await schedule.person(harness, 4300, unit_id, "协调", role=Role.COORDINATOR)
    seats = {
        jia: await seat(harness, kept, 4301),
        yi: await seat(harness, kept, 4302),
        bing: await seat(harness, called_off, 4303),
    }
    await tick_at(harness, schedule.at(schedule.DAY, 22, 0))
    for volunteer, seat_id in seats.items():
        rows = await outbox_rows(harness, volunteer.user_id)
        assert rows[f"remind:{seat_id}:720"].status == OutboxStatus.PENDING
        assert volunteer.texts() == []

    harness.clock.set(schedule.at(schedule.DAY, 22, 30))
    await schedule.command(harness, coordinator, "roster", "12-02")
    await schedule.press_and_settle(harness, coordinator, "⚙️ 10:00 黄河路-人民路口")
    await schedule.press_and_settle(harness, coordinator, "➖ 移出 乙")
    await schedule.press_and_settle(harness, coordinator, "是，移出")
    await schedule.command(harness, coordinator, "roster", "12-02")
    await schedule.press_and_settle(harness, coordinator, "⚙️ 10:00 人民路-长江路口")
    await schedule.press_and_settle(harness, coordinator, "❌ 取消这个班次")
    await schedule.press_and_settle(harness, coordinator, "是，取消班次")
    await harness.deliver()
    assert ["协调员已将您从这个班次移出" in text for text in yi.texts()] == [True]
    assert ["班次已取消" in text for text in bing.texts()] == [True]

    await tick_at(harness, schedule.at(day, 7, 0))
    assert [text.startswith("⏰ 上岗提醒") for text in jia.texts()] == [True]
    assert not any("上岗提醒" in text for text in yi.texts() + bing.texts())
    for volunteer in (yi, bing):
        rows = await outbox_rows(harness, volunteer.user_id)
        withdrawn = [
            row for key, row in rows.items() if key.startswith(f"remind:{seats[volunteer]}:")
        ]
        assert [row.status for row in withdrawn] == [OutboxStatus.DROPPED]


async def test_a_reminder_held_overnight_is_dropped_once_the_check_in_notice_has_spoken(
    harness: Harness,
) -> None:
    """甲 holds tomorrow's 10:00 seat; its 12-hour reminder, due at 22:00, waits for the quiet
    hours to end. At 23:00 the coordinator moves the shift to 07:20–09:00: its reminders are
    due again for the new time and wait for 07:00 too, but its check-in opens at 06:50, and
    that notice goes at once. At 07:00 no ⏰ reminder follows the 📍 one: the reminders'
    occasions have passed, the check-in notice spoke since."""
    unit_id = await schedule.unit(harness)
    day = schedule.DAY + dt.timedelta(days=1)
    shift_id = await schedule.shift(harness, await schedule.post(harness, unit_id), day, 10, 12)
    jia = await schedule.person(harness, 4401, unit_id, "甲")
    jia.started = True
    coordinator = await schedule.person(harness, 4400, unit_id, "协调", role=Role.COORDINATOR)
    seat_id = await seat(harness, shift_id, 4401)
    await tick_at(harness, schedule.at(schedule.DAY, 22, 0))
    assert (await outbox_rows(harness, jia.user_id))[
        f"remind:{seat_id}:720"
    ].status == OutboxStatus.PENDING

    harness.clock.set(schedule.at(schedule.DAY, 23, 0))
    await schedule.command(harness, coordinator, "posts")
    await coordinator.press_data(f"se.t:{shift_id}", coordinator.last().message_id)
    await harness.settle()
    await coordinator.send_text("07:20-09:00")
    await harness.settle()
    await harness.deliver()
    seen = len(jia.texts())
    for moment in ((23, 1), (5, 20), (6, 50)):
        await tick_at(harness, schedule.at(schedule.DAY if moment[0] == 23 else day, *moment))
    texts = since(jia, seen)
    assert len(texts) == 1 and texts[0].startswith("📍 签到已开放：12月2日 周三 07:20–09:00"), texts

    await tick_at(harness, schedule.at(day, 7, 0))
    assert since(jia, seen + 1) == []
    rows = await outbox_rows(harness, jia.user_id)
    assert rows[f"remind:{seat_id}:720"].status == OutboxStatus.DROPPED
    assert rows[f"remind:{seat_id}:120"].status == OutboxStatus.DROPPED
