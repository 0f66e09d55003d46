"""➕ 安排人员 left open while the shift moved on (it started, or a volunteer took its last seat):
the names the coordinator types, or the name pressed, are refused with why and the dialogue
ends, rather than answering every later message with the same refusal; nobody is assigned."""

from __future__ import annotations

import pytest

from bot.db.models import AssignmentStatus, Dialogue, Role
from tests.e2e.rostering_fixtures import TOMORROW, alert, open_assign, seats, town
from tests.e2e.schedule import at
from tests.e2e.swap_fixtures import member, seat
from tests.harness import Harness

NOT_UNDERSTOOD = "没看懂这条消息。发送 /help 查看可用的命令。"
# Assigning has its own words: the shift's edits and cancels say "修改或取消".
STARTED = {
    "zh_Hans": "这个班次已经开始，不能再安排人员。",
    "en": "This shift has started; nobody more can be assigned to it.",
    "zh_Hant": "這個班次已經開始，不能再安排人員。",
}


async def test_names_typed_after_the_start_are_refused_and_the_dialogue_ends(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    coordinator = town_.coordinator
    await open_assign(harness, coordinator, town_.shift_id)

    harness.clock.set(at(TOMORROW, 7, 5))
    await coordinator.send_text("王芳")
    await harness.settle()
    assert coordinator.last().text == STARTED["zh_Hans"]
    assert coordinator.last().buttons() == []
    assert await harness.count(Dialogue) == 0
    assert await seats(harness, town_.shift_id) == {}

    await coordinator.send_text("张伟")
    await harness.settle()
    assert coordinator.last().text == NOT_UNDERSTOOD


async def test_names_typed_after_a_volunteer_took_the_last_seat_end_the_dialogue(
    harness: Harness,
) -> None:
    town_ = await town(harness, capacity=1)
    coordinator = town_.coordinator
    li = town_.people[0]
    await open_assign(harness, coordinator, town_.shift_id)
    await seat(harness, town_.shift_id, li.user_id)

    await coordinator.send_text("王芳")
    await harness.settle()
    assert coordinator.last().text == "这个班次已经满了（1 人），不能再安排。"
    assert await harness.count(Dialogue) == 0
    held = await seats(harness, town_.shift_id)
    assert {who: row.status for who, row in held.items()} == {
        li.user_id: AssignmentStatus.SIGNED_UP
    }


async def test_a_name_pressed_after_the_last_seat_went_ends_the_dialogue(
    harness: Harness,
) -> None:
    town_ = await town(harness, capacity=1)
    coordinator = town_.coordinator
    li = town_.people[0]
    await open_assign(harness, coordinator, town_.shift_id)
    await seat(harness, town_.shift_id, li.user_id)

    [wang_button] = [label for label in coordinator.last().buttons() if "王芳" in label]
    await coordinator.press(wang_button)
    await harness.settle()
    assert alert(coordinator) == "这个班次已经满了（1 人），不能再安排。"
    assert await harness.count(Dialogue) == 0
    assert set(await seats(harness, town_.shift_id)) == {li.user_id}


@pytest.mark.parametrize("language", ["zh_Hans", "en", "zh_Hant"])
async def test_assign_pressed_after_the_start_is_refused_in_the_coordinator_s_language(
    harness: Harness, language: str
) -> None:
    town_ = await town(harness)
    coordinator = await member(
        harness, 7901, town_.unit_id, "刘协调", role=Role.COORDINATOR, language=language
    )
    harness.clock.set(at(TOMORROW, 7, 5))
    await open_assign(harness, coordinator, town_.shift_id)
    assert alert(coordinator) == STARTED[language]
    assert await harness.count(Dialogue) == 0
    assert await seats(harness, town_.shift_id) == {}
