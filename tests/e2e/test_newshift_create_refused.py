"""/newshift's review offers no way to change the post, the days or the time, so a Create the
rules refuse (the start went by, a colleague made the same shift meanwhile) ends /newshift with
the reason and takes the review's buttons away, rather than refusing every later press; and a
series refused on any of its days writes none of them."""

from __future__ import annotations

import pytest

from bot.db.models import Dialogue, Role, Shift
from bot.services.schedule import shifts
from tests.e2e.race_gate import Gate, until
from tests.e2e.schedule import DAY, at, command, person, post, press_and_settle, shift, unit
from tests.harness import Harness

PAST = "2026-12-01 的班次时间已经过去了。"


async def test_create_pressed_after_the_start_went_by_ends_the_new_shift(
    harness: Harness,
) -> None:
    """The review offers no way to change the day or time: a Create refused because the start
    went by ends /newshift, and the review's buttons go, rather than refuse every press."""
    unit_id = await unit(harness)
    await post(harness, unit_id)
    coordinator = await person(harness, 8101, unit_id, "王协调", role=Role.COORDINATOR)
    harness.clock.set(at(DAY, 22, 0))
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    await press_and_settle(harness, coordinator, "12月1日 周二")
    await coordinator.send_text("23:00-23:30")
    await harness.settle()
    review = await press_and_settle(harness, coordinator, "2")
    assert "✅ 新建" in coordinator.last().buttons(), review

    harness.clock.set(at(DAY, 23, 5))
    await coordinator.press("✅ 新建")
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == PAST
    assert coordinator.last().text == PAST
    assert coordinator.last().buttons() == []
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Shift) == 0


async def test_a_series_with_a_day_taken_meanwhile_is_refused_whole_and_ends(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    coordinator = await person(harness, 8101, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    await coordinator.send_text("mon-fri 12-02 12-04")
    await harness.settle()
    await coordinator.send_text("07:00-09:00")
    await harness.settle()
    await press_and_settle(harness, coordinator, "2")
    # A colleague makes the same shift on the series' last day meanwhile.
    await shift(harness, post_id, DAY.replace(day=4), 7, 9)

    await coordinator.press("✅ 新建")
    await harness.settle()
    refusal = coordinator.answered_callbacks[-1]["text"]
    assert "12-04" in refusal or "12月4日" in refusal
    assert coordinator.last().text == refusal
    assert coordinator.last().buttons() == []
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Shift) == 1


async def test_two_coordinators_creating_the_same_shift_at_once_one_is_refused(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both reviews checked the post free at 07:00 before either wrote: the second to write is
    refused as a colleague's shift made meanwhile is, not met with an error (PostgreSQL)."""
    unit_id = await unit(harness)
    await post(harness, unit_id)
    wang = await person(harness, 8101, unit_id, "王协调", role=Role.COORDINATOR)
    li = await person(harness, 8102, unit_id, "李协调", role=Role.COORDINATOR)
    for coordinator in (wang, li):
        await command(harness, coordinator, "newshift")
        await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
        await coordinator.send_text("12-02")
        await harness.settle()
        await coordinator.send_text("07:00-09:00")
        await harness.settle()
        await press_and_settle(harness, coordinator, "2")

    gate = Gate(monkeypatch, shifts, "check_window", after=True)
    await wang.press("✅ 新建")
    await gate.wait_reached()
    answered = len(li.answered_callbacks)
    await li.press("✅ 新建")
    await until(lambda: len(li.answered_callbacks) > answered)
    gate.release()
    await harness.settle()

    texts = [wang.last().text or "", li.last().text or ""]
    assert sorted(text.startswith("✅ 已新建 1 个班次") for text in texts) == [False, True], texts
    assert "「黄河路-人民路口」在 2026-12-02 07:00 已经有班次了。" in texts
    assert await harness.count(Shift) == 1
    assert await harness.count(Dialogue) == 0
