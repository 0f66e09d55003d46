"""A coordinator moves a shift to another hour while someone on it signs up for another shift
at that new hour: the volunteer never ends up on two posts at once. And while a colleague
creates a shift at that start on the same post: the move is refused, naming it."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.buttons import SignUp
from bot.db.models import AssignmentStatus, Role, Shift
from bot.services.schedule import shifts, signup
from tests.e2e.import_fixtures import csv_bytes
from tests.e2e.lock_fixtures import until_another_waits_for_a_member_lock
from tests.e2e.race_gate import Gate, until
from tests.e2e.schedule import (
    DAY,
    at,
    command,
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


async def test_a_shift_moved_onto_a_seat_taken_meanwhile_is_refused(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit_id = await unit(harness)
    morning = await shift(harness, await post(harness, unit_id), start=7, end=9)
    later = await shift(harness, await post(harness, unit_id, "长江路口"), start=10, end=12)
    coordinator = await person(harness, 6300, unit_id, "王协调", role=Role.COORDINATOR)
    volunteer = await person(harness, 6301, unit_id, "甲")
    await seat(harness, morning, volunteer.user_id)
    await command(harness, volunteer, "shifts")
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 07:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "🕒 时间")

    # 甲's sign-up for 长江路口 10:00 has checked her seats (07:00-09:00: no clash) when the
    # coordinator moves her 07:00 shift to 10:00. The move must wait for her, then see it.
    gate = Gate(monkeypatch, signup, "seated_count")
    await volunteer.press_data(SignUp(later).pack(), volunteer.last().message_id)
    await gate.wait_reached()
    seen = len(coordinator.messages())
    await coordinator.send_text("10:00-12:00")
    await until(lambda: len(coordinator.messages()) > seen)
    gate.release()
    await harness.settle()

    assert "报名成功" in (volunteer.last().text or "")
    assert (await statuses(harness, later)) == {volunteer.user_id: AssignmentStatus.SIGNED_UP}
    assert coordinator.last().text == (
        "改不了时间：甲 在新的时间已有别的班次（1 人），请先和他们商量或换人。"
    )
    card = await command(harness, coordinator, "roster", "12-02")
    assert "🕒 07:00–09:00 · 1/4 人" in card, card


async def test_a_shift_moved_to_a_start_a_colleague_is_creating_is_refused_naming_it(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both checked the post free at 10:00 before either wrote: the move, second to write, is
    refused as a start the post has is, and may be typed again (PostgreSQL)."""
    unit_id = await unit(harness)
    morning = await shift(harness, await post(harness, unit_id), start=7, end=9)
    wang = await person(harness, 6300, unit_id, "王协调", role=Role.COORDINATOR)
    li = await person(harness, 6302, unit_id, "李协调", role=Role.COORDINATOR)
    await command(harness, li, "newshift")
    await press_and_settle(harness, li, "黄河路-人民路口 · 城管局")
    await li.send_text("12-02")
    await harness.settle()
    await li.send_text("10:00-12:00")
    await harness.settle()
    await press_and_settle(harness, li, "2")
    await command(harness, wang, "roster", "12-02")
    await press_and_settle(harness, wang, "⚙️ 07:00 黄河路-人民路口")
    await press_and_settle(harness, wang, "🕒 时间")

    # 王协调's move has found 10:00 free when 李协调 creates the 10:00 shift.
    gate = Gate(monkeypatch, shifts, "busy_at", after=True)
    await wang.send_text("10:00-12:00")
    await gate.wait_reached()
    answered = len(li.answered_callbacks)
    await li.press("✅ 新建")
    await until(lambda: len(li.answered_callbacks) > answered)
    gate.release()
    await harness.settle()

    taken = "「黄河路-人民路口」在 2026-12-02 10:00 已经有班次了。"
    async with harness.session() as session:
        row = await session.get(Shift, morning)
        assert row is not None
    if row.starts_at == at(TOMORROW, 7):
        # The new shift was written first (on PostgreSQL, where both run at once).
        assert (li.last().text or "").startswith("✅ 已新建 1 个班次")
        assert wang.last().text == taken
        assert "取消" in " ".join(wang.last().buttons())  # the time may be typed again
        assert await harness.count(Shift) == 2
    else:
        # SQLite's writers take turns: the move went first, and the new shift is refused.
        assert row.starts_at == at(TOMORROW, 10)
        assert li.last().text == taken
        assert await harness.count(Shift) == 1


async def test_an_import_correcting_two_ends_while_someone_signs_up_for_the_second_goes_through(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import holds the people of the first shift (checking them free at its new end) when
    甲 of them signs up for the second, whose end it corrects next: both go through, one after
    the other (PostgreSQL: not a deadlock answered with an error)."""
    unit_id = await unit(harness)
    morning = await shift(harness, await post(harness, unit_id, "甲路口"), start=7, end=9)
    later = await shift(harness, await post(harness, unit_id, "乙路口"), start=10, end=12)
    coordinator = await person(harness, 6300, unit_id, "王协调", role=Role.COORDINATOR)
    volunteer = await person(harness, 6301, unit_id, "甲")
    await seat(harness, morning, volunteer.user_id)
    await command(harness, volunteer, "shifts")
    await command(harness, coordinator, "import")
    rows = (
        "甲路口,,城管局,,,,2026-12-02,,,,07:00,08:00,4",
        "乙路口,,城管局,,,,2026-12-02,,,,10:00,11:00,4",
    )
    await coordinator.send_document("week.csv", csv_bytes(*rows), mime_type="text/csv")
    await harness.settle()

    gate = Gate(monkeypatch, shifts, "_check_people_free", after=True)  # 甲 locked
    await coordinator.press("✅ 确认导入")
    await gate.wait_reached()
    await volunteer.press_data(SignUp(later).pack(), volunteer.last().message_id)
    await until_another_waits_for_a_member_lock(harness, "SELECT % FOR UPDATE%")
    gate.release()
    await harness.settle()

    assert (coordinator.last().text or "").startswith("✅ 已导入"), coordinator.last().text
    assert "报名成功" in (volunteer.last().text or "")
    assert (await statuses(harness, later)) == {volunteer.user_id: AssignmentStatus.SIGNED_UP}


async def test_an_import_correcting_one_end_while_someone_signs_up_where_another_waits(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file corrects the first shift's end and leaves the second as it is, where 乙 waits.
    The import holds 甲 (checking her free at the new end) when she signs up for the second:
    its queue, promoted after the file's people, is locked with the file's other shifts before
    anyone, so both go through (PostgreSQL: not a deadlock answered with an error)."""
    unit_id = await unit(harness)
    morning = await shift(harness, await post(harness, unit_id, "甲路口"), start=7, end=9)
    later = await shift(harness, await post(harness, unit_id, "乙路口"), start=10, end=12)
    coordinator = await person(harness, 6300, unit_id, "王协调", role=Role.COORDINATOR)
    volunteer = await person(harness, 6301, unit_id, "甲")
    await person(harness, 6302, unit_id, "乙")
    await seat(harness, morning, volunteer.user_id)
    await seat(harness, later, 6302, AssignmentStatus.WAITLISTED)
    await command(harness, volunteer, "shifts")
    await command(harness, coordinator, "import")
    rows = (
        "甲路口,,城管局,,,,2026-12-02,,,,07:00,08:00,4",
        "乙路口,,城管局,,,,2026-12-02,,,,10:00,12:00,4",
    )
    await coordinator.send_document("week.csv", csv_bytes(*rows), mime_type="text/csv")
    await harness.settle()

    gate = Gate(monkeypatch, shifts, "_check_people_free", after=True)  # 甲 locked
    await coordinator.press("✅ 确认导入")
    await gate.wait_reached()
    await volunteer.press_data(SignUp(later).pack(), volunteer.last().message_id)
    await until_another_waits_for_a_member_lock(harness, "SELECT % FOR UPDATE%")
    gate.release()
    await harness.settle()

    assert (coordinator.last().text or "").startswith("✅ 已导入"), coordinator.last().text
    assert "报名成功" in (volunteer.last().text or ""), volunteer.texts()[-2:]
    # The queue's seat went to 乙 when the import promoted it, 甲's is hers.
    assert (await statuses(harness, later)) == {
        volunteer.user_id: AssignmentStatus.SIGNED_UP,
        6302: AssignmentStatus.SIGNED_UP,
    }
