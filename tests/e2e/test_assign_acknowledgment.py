"""Acknowledging an assignment: the reminder to press ✅ 收到 (for a seat later today, after the
time zone moved east, once per person however often the job runs), a rota made at night reaching
people in the morning, the card and roster showing who has not acknowledged, a late
acknowledgment covering only the seats ahead, and leave asked counting as an answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, update

from bot.buttons import Acknowledge, MyCancelConfirm
from bot.db.models import Assignment, AssignmentStatus, Rota, Shift
from bot.services.rostering import acknowledge
from tests.e2e.rostering_fixtures import (
    ASSIGN_SETTINGS,
    LABEL,
    SIGNED,
    TOMORROW,
    alert,
    assign_by_hand,
    assigned_seat,
    open_assign,
    press,
    rota_days,
    seats,
    town,
)
from tests.e2e.schedule import DAY, at, command, press_and_settle, shift
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(ASSIGN_SETTINGS)


async def test_a_seat_later_today_is_still_reminded(harness: Harness) -> None:
    """The reminder reads only the seats whose shift has not begun; a rota whose only seat is
    this evening is reminded of until the seat has started."""
    town_ = await town(harness)
    zhang = town_.people[2]
    evening = await shift(harness, town_.post_id, day=DAY, start=20, end=22)
    await assign_by_hand(harness, town_.coordinator, evening, "张伟")
    await harness.deliver()
    assert "📋 陈协调 给您排了 1 个班次：" in (zhang.last().text or "")
    assert await rota_days(harness) == [(DAY, DAY)]

    harness.clock.advance(hours=6)
    await harness.tick()
    reminder = zhang.last().text or ""
    assert "⏰ 陈协调 给您排的 1 个班次还没有确认收到" in reminder and "20:00–22:00" in reminder
    assert zhang.last().buttons() == ["✅ 收到", "🙋 请假"]


async def test_a_steady_reminder_tick_asks_one_question_without_joined_rows(
    harness: Harness,
) -> None:
    """Once everyone unacknowledged was reminded, the job asks one EXISTS question without the
    seats' joined shifts, posts and members (the database built those rows for every reminded
    seat before the outbox left it out: half the job's time after a year of rotas). On
    PostgreSQL, the question's generic plan, which asyncpg's prepared statement may settle on,
    still reads the partial index of unacknowledged seats."""
    town_ = await town(harness)
    evening = await shift(harness, town_.post_id, day=DAY, start=20, end=22)
    await assign_by_hand(harness, town_.coordinator, evening, "张伟")
    harness.clock.advance(hours=6)
    await harness.tick()
    assert "⏰ 陈协调 给您排的 1 个班次还没有确认收到" in (town_.people[2].last().text or "")

    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    engine = harness.database.engine
    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with harness.session() as session:
            now, settings = harness.clock.now(), harness.runtime.settings
            assert await acknowledge.reminders(session, now, settings) == 0
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert len(sent) == 1, sent
    statement, parameters = sent[0]
    assert statement.lstrip().upper().startswith("SELECT EXISTS"), statement
    assert "OUTER JOIN" not in statement.upper(), statement

    if engine.dialect.name != "postgresql":
        return
    async with engine.connect() as connection:
        # The tables are tiny: without seqscan off, any plan would read them whole.
        await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        await connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        await connection.exec_driver_sql(f"PREPARE due_seats AS {statement}")
        # EXECUTE takes no bound parameters: the values as quoted literals (dates, times, text).
        arguments = ", ".join("'" + str(value).replace("'", "''") + "'" for value in parameters)
        plan = await connection.exec_driver_sql(f"EXPLAIN EXECUTE due_seats({arguments})")
        lines = [str(line) for line in plan.scalars()]
        await connection.rollback()
    assert any("ix_assignments_unacknowledged" in line for line in lines), lines


async def test_a_rota_made_before_timezone_moved_east_is_still_reminded(
    harness: Harness,
) -> None:
    """A rota's days are the local days of the zone it was made in. With TIMEZONE moved east
    since, the new zone's today is already past the rota's last day while its evening seat has
    not started; the seat is still reminded."""
    town_ = await town(harness)
    zhang = town_.people[2]
    evening = await shift(harness, town_.post_id, day=DAY, start=20, end=22)
    await assign_by_hand(harness, town_.coordinator, evening, "张伟")
    await harness.deliver()
    assert await rota_days(harness) == [(DAY, DAY)]

    # 18:30 in Shanghai is 00:30 of the next day at UTC+14; the seat starts in 90 minutes.
    harness.clock.advance(hours=10, minutes=30)
    now = harness.clock.now()
    moved = harness.runtime.settings.model_copy(update={"timezone": "Pacific/Kiritimati"})
    assert now.astimezone(moved.zone).date() == DAY + dt.timedelta(days=1)
    async with harness.session() as session:
        assert await acknowledge.reminders(session, now, moved) == 1
    await harness.deliver()
    assert "⏰ 陈协调 给您排的 1 个班次还没有确认收到" in (zhang.last().text or "")


async def test_a_rota_made_at_night_reaches_people_in_the_morning(harness: Harness) -> None:
    town_ = await town(harness)
    wang = town_.people[1]
    later = await shift(harness, town_.post_id, day=TOMORROW + dt.timedelta(days=2))
    harness.clock.set(at(DAY, 23, 0))
    await open_assign(harness, town_.coordinator, later)
    await town_.coordinator.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    assert wang.messages() == []
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.deliver()
    assert "📋 陈协调 给您排了 1 个班次" in (wang.last().text or "")


async def test_an_evening_list_held_by_the_quiet_hours_is_not_sent_the_next_morning(
    harness: Harness,
) -> None:
    """The bot was down from before SUMMARY_TIME until the quiet hours began: the list of
    tomorrow's silent people is made then, but would reach the coordinator only as the day
    it calls tomorrow begins, its shifts starting. It goes only until midnight."""
    town_ = await town(harness)
    coordinator = town_.coordinator
    await assigned_seat(harness, town_.shift_id, town_.people[0].user_id)
    harness.clock.set(at(DAY, 22, 30))
    await harness.tick()
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not any("没有确认收到排班" in (m.text or "") for m in coordinator.messages())


async def test_the_card_and_roster_show_who_has_not_acknowledged_and_my_asks_leave_not_cancel(
    harness: Harness,
) -> None:
    town_ = await town(harness, capacity=3)
    li, wang, zhang = town_.people
    coordinator = town_.coordinator
    await seat(harness, town_.shift_id, li.user_id)  # 李明 signed up himself
    harness.clock.set(at(DAY, 9, 0))

    # The shift's card (⚙️ on the roster) offers ➕ 安排人员 while seats are open.
    await command(harness, coordinator, "roster", "12-02")
    await coordinator.press("⚙️ 07:00 黄河路-人民路口")
    await harness.settle()
    assert "➕ 安排人员" in coordinator.last().buttons()
    text = await press_and_settle(harness, coordinator, "➕ 安排人员")
    assert f"➕ 为 {LABEL} 安排人员（还差 2 人）" in text
    await coordinator.send_text("王芳、张伟")
    await harness.settle()
    assert f"✅ 已安排 2 人到 {LABEL}：王芳、张伟" in (coordinator.last().text or "")
    await harness.deliver()
    await wang.press("✅ 收到")
    await harness.settle()

    roster = await command(harness, coordinator, "roster", "12-02")
    assert "李明 — ⏳" in roster and "李明 — ⏳ 未签到 · 📋" not in roster
    assert "王芳 — " in roster and "· 📋 排班已确认" in roster
    assert "张伟 — " in roster and "· 📋 排班待确认" in roster
    card = await press_and_settle(harness, coordinator, "⚙️ 07:00 黄河路-人民路口")
    assert "张伟 — " in card and "📋 排班待确认" in card
    assert "➕ 安排人员" not in coordinator.last().buttons()  # full now

    # /my: an assigned seat asks leave (it is not cancelled) and says whether it was seen.
    text = await command(harness, zhang, "my")
    assert f"1. {LABEL}（排班 · 待确认收到）" in text
    assert zhang.last().buttons()[0] == "🙋 请假 1"
    text = await command(harness, li, "my")
    assert li.last().buttons()[0] == "✖️ 取消 1"  # his own sign-up
    # A forged Cancel of an assigned seat is refused.
    zhang_seat = (await seats(harness, town_.shift_id))[zhang.user_id]
    await command(harness, zhang, "my")
    await zhang.press_data(MyCancelConfirm(zhang_seat.id).pack(), zhang.last().message_id)
    await harness.settle()
    assert alert(zhang).startswith("这是协调员安排的班次，不能自己取消")
    assert (await seats(harness, town_.shift_id))[zhang.user_id].status is SIGNED
    text = await press_and_settle(harness, zhang, "🙋 请假 1")
    assert f"🙋 请假：{LABEL}" in text
    await zhang.send_text("出差")
    await harness.settle()
    assert f"1. {LABEL}（请假待批）" in await command(harness, zhang, "my")
    assert "🙋 请假 1" not in zhang.last().buttons()


async def test_an_acknowledgment_after_a_seat_started_covers_only_the_seats_ahead(
    harness: Harness,
) -> None:
    """✅ 收到 pressed late: a seat of the rota whose shift has begun is neither listed with a
    🙋 请假 (no leave once a shift has started) nor marked; once every seat has begun, the
    press says so and changes nothing."""
    town_ = await town(harness)
    wang = town_.people[1]
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    morning = (await seats(harness, town_.shift_id))[wang.user_id]
    assert morning.rota_id is not None
    # The same rota also gave her the evening (as a rotation gives several seats at once).
    evening_shift = await shift(harness, town_.post_id, day=TOMORROW, start=17, end=19)
    async with harness.session() as session:
        evening_seat = Assignment(
            shift_id=evening_shift,
            member_id=morning.member_id,
            status=SIGNED,
            rota_id=morning.rota_id,
            created_at=harness.clock.now(),
            updated_at=harness.clock.now(),
        )
        session.add(evening_seat)
        await session.execute(update(Rota).values(seats=2))
    notice = wang.last()
    assert notice.buttons() == ["✅ 收到", "🙋 请假"]

    harness.clock.set(at(TOMORROW, 7, 5))  # the morning shift is under way
    text = await press_and_settle(harness, wang, "✅ 收到")
    assert "✅ 已确认收到 1 个班次" in text
    assert "17:00–19:00" in text and "07:00–09:00" not in text
    assert wang.last().buttons() == ["🙋 请假"]
    assert (await seats(harness, town_.shift_id))[wang.user_id].acknowledged_at is None
    assert (await seats(harness, evening_shift))[wang.user_id].acknowledged_at == (
        harness.clock.now()
    )

    # Checked in ahead of the evening start, she is on post: no leave is offered for it.
    harness.clock.set(at(TOMORROW, 16, 50))
    async with harness.session() as session:
        await session.execute(
            update(Assignment)
            .where(Assignment.id == evening_seat.id)
            .values(status=AssignmentStatus.CHECKED_IN)
        )
    await press(harness, wang, Acknowledge(morning.rota_id))
    assert alert(wang) == "已经确认过了"
    assert "17:00–19:00" in (wang.last().text or "") and wang.last().buttons() == []

    harness.clock.set(at(TOMORROW, 17, 5))  # and now the evening one too
    shown = wang.last().text
    await press(harness, wang, Acknowledge(morning.rota_id))
    assert alert(wang) == "这些班次都已经开始了，不需要再确认。"
    assert wang.last().text == shown
    assert (await seats(harness, town_.shift_id))[wang.user_id].acknowledged_at is None


async def test_someone_who_asked_leave_is_not_reminded_to_acknowledge_nor_listed_as_silent(
    harness: Harness,
) -> None:
    """🙋 请假 is an answer to the notice: the person saw it. While the leave waits for the
    coordinator, neither the reminder to acknowledge nor the evening list of who has not
    answered names that seat, and a late ✅ 收到 offers no second 🙋 请假."""
    town_ = await town(harness)
    wang = town_.people[1]
    coordinator = town_.coordinator
    await assign_by_hand(harness, coordinator, town_.shift_id, "王芳")
    await wang.press("🙋 请假")
    await harness.settle()
    await wang.send_text("家里有事")
    await harness.settle()
    await harness.deliver()
    assert "🙋 请假申请" in (coordinator.last().text or "")
    held = await seats(harness, town_.shift_id)
    assert held[wang.user_id].status is SIGNED and held[wang.user_id].acknowledged_at is None

    seen = len(wang.messages())
    harness.clock.advance(hours=6, minutes=1)
    await harness.tick()
    await harness.deliver()
    assert len(wang.messages()) == seen  # no "还没有确认收到"

    heard = len(coordinator.messages())
    harness.clock.set(at(DAY, 20, 0))
    await harness.tick()
    await harness.deliver()
    assert all(
        "没有确认收到排班" not in (message.text or "") for message in coordinator.messages()[heard:]
    )
    assert (await seats(harness, town_.shift_id))[wang.user_id].acknowledged_at is None

    # ✅ 收到 pressed on the notice after all: the seat reads as waiting for its leave, with no
    # 🙋 请假 that could only answer that leave was asked already.
    notice = next(m for m in wang.messages() if "给您排了" in (m.text or ""))
    await wang.press("✅ 收到", notice.message_id)
    await harness.settle()
    acknowledged = next(m for m in wang.messages() if m.message_id == notice.message_id)
    assert f"1. {LABEL}（请假待批）" in (acknowledged.text or "")
    assert "如果去不了" not in (acknowledged.text or "")
    assert acknowledged.buttons() == []


async def test_a_shift_moved_after_its_acknowledgment_is_to_be_acknowledged_again(
    harness: Harness,
) -> None:
    """王芳 acknowledged 07:00–09:00; the coordinator moves the shift to 15:00–17:00. Her ✅ 收到
    was for hours that are no longer the shift's: the roster says she has not acknowledged the
    new ones, and she is asked again with ✅ 收到."""
    town_ = await town(harness)
    wang = town_.people[1]
    coordinator = town_.coordinator
    await assign_by_hand(harness, coordinator, town_.shift_id, "王芳")
    await press_and_settle(harness, wang, "✅ 收到")
    assert (await seats(harness, town_.shift_id))[wang.user_id].acknowledged_at is not None

    harness.clock.advance(hours=6)  # past the hours after which the silent are reminded
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 07:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "🕒 时间")
    await coordinator.send_text("15:00-17:00")
    await harness.settle()
    assert coordinator.texts()[-2] == "✅ 已更新，已通知报名的人。"
    assert (await seats(harness, town_.shift_id))[wang.user_id].acknowledged_at is None
    roster = await command(harness, coordinator, "roster", "12-02")
    assert "王芳 — " in roster and "· 📋 排班待确认" in roster

    await harness.tick()
    await harness.deliver()
    texts = wang.texts()[-2:]
    assert "时间：07:00–09:00 → 15:00–17:00" in texts[0]
    assert "⏰ 陈协调 给您排的 1 个班次还没有确认收到" in texts[1] and "15:00–17:00" in texts[1]
    text = await press_and_settle(harness, wang, "✅ 收到")
    assert "✅ 已确认收到 1 个班次" in text and "15:00–17:00" in text
    assert (await seats(harness, town_.shift_id))[wang.user_id].acknowledged_at == (
        harness.clock.now()
    )

    # Moved to 12-05, after the rota's last day (12-02), and acknowledged there; on 12-04 it
    # is moved again. The reminder follows the shift's day, not the rota's days.
    later = DAY + dt.timedelta(days=4)
    async with harness.session() as session:
        await session.execute(
            update(Shift)
            .where(Shift.id == town_.shift_id)
            .values(starts_at=at(later, 15), ends_at=at(later, 17))
        )
    assert await rota_days(harness) == [(TOMORROW, TOMORROW)]
    harness.clock.set(at(later - dt.timedelta(days=1), 9))
    await command(harness, coordinator, "roster", "12-05")
    await press_and_settle(harness, coordinator, "⚙️ 15:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "🕒 时间")
    await coordinator.send_text("16:00-18:00")
    await harness.settle()
    assert (await seats(harness, town_.shift_id))[wang.user_id].acknowledged_at is None
    await harness.tick()
    await harness.deliver()
    reminder = wang.last().text or ""
    assert "⏰ 陈协调 给您排的 1 个班次还没有确认收到" in reminder, wang.texts()[-3:]
    assert "12月5日 周六 16:00–18:00" in reminder, reminder


async def test_a_reminder_held_by_the_quiet_hours_is_dropped_when_leave_was_asked_meanwhile(
    harness: Harness,
) -> None:
    """The reminder to 王芳, due at 23:00, waits for the morning; at 06:30 she asks leave from
    the notice. Her 🙋 请假 answered it: the reminder does not go out at 07:00."""
    town_ = await town(harness)
    wang = town_.people[1]
    later = await shift(harness, town_.post_id, DAY + dt.timedelta(days=2), 10, 12)
    harness.clock.set(at(DAY, 17, 0))
    await assign_by_hand(harness, town_.coordinator, later, "王芳")
    assert "📋 陈协调 给您排了 1 个班次" in (wang.last().text or "")
    harness.clock.set(at(DAY, 23, 0))
    await harness.tick()  # the reminder is queued, and held by the quiet hours
    harness.clock.set(at(TOMORROW, 6, 30))
    await harness.deliver()
    await press_and_settle(harness, wang, "🙋 请假")
    await wang.send_text("家里有事")
    await harness.settle()
    seen = len(wang.messages())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not any("还没有确认收到" in text for text in wang.texts()[seen:]), wang.texts()


async def test_a_notice_held_by_the_quiet_hours_marks_a_seat_whose_leave_was_asked_meanwhile(
    harness: Harness,
) -> None:
    """Assigned at 23:00, 王芳's notice waits for 07:00; at 06:30 she finds the seat in /my and
    asks leave. The notice then marks it （请假待批） and offers no 🙋 请假 for it."""
    town_ = await town(harness)
    wang = town_.people[1]
    later = await shift(harness, town_.post_id, DAY + dt.timedelta(days=2), 10, 12)
    harness.clock.set(at(DAY, 23, 0))
    await assign_by_hand(harness, town_.coordinator, later, "王芳")
    assert not any("给您排了" in text for text in wang.texts())
    harness.clock.set(at(TOMORROW, 6, 30))
    await command(harness, wang, "my")
    await press_and_settle(harness, wang, "🙋 请假 1")
    await wang.send_text("家里有事")
    await harness.settle()
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    notice = wang.last()
    assert "📋 陈协调 给您排了 1 个班次" in (notice.text or "")
    assert "12月3日 周四 10:00–12:00 · 黄河路-人民路口（请假待批）" in (notice.text or "")
    assert notice.buttons() == ["✅ 收到"] and "🙋 请假" not in (notice.text or "")


async def test_a_notice_held_by_the_quiet_hours_offers_no_leave_for_a_seat_checked_in_meanwhile(
    harness: Harness,
) -> None:
    """Assigned at 23:00 to 08:00, 王芳 is on post before her notice goes out at 07:00: it asks
    only for ✅ 收到, as a late ✅ 收到 would answer, with no 🙋 请假 for that seat."""
    town_ = await town(harness)
    wang = town_.people[1]
    early = await shift(harness, town_.post_id, TOMORROW, 8, 10)
    harness.clock.set(at(DAY, 23, 0))
    await assign_by_hand(harness, town_.coordinator, early, "王芳")
    async with harness.session() as session:
        await session.execute(
            update(Assignment)
            .where(Assignment.shift_id == early)
            .values(status=AssignmentStatus.CHECKED_IN)
        )
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.deliver()
    notice = wang.last()
    assert "📋 陈协调 给您排了 1 个班次" in (notice.text or "")
    assert notice.buttons() == ["✅ 收到"] and "🙋 请假" not in (notice.text or "")
