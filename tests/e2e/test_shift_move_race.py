"""A coordinator moves a shift to another hour while someone on it signs up for another shift
at that new hour: the volunteer never ends up on two posts at once."""

from __future__ import annotations

import pytest

from bot.buttons import SignUp
from bot.db.models import AssignmentStatus, Role
from bot.services.schedule import signup
from tests.e2e.race_gate import Gate, until
from tests.e2e.schedule import command, person, post, press_and_settle, shift, statuses, unit
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness


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
