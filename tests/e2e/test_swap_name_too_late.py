"""A name typed for 👤 请指定的人代班 once the seat can no longer be swapped (too close to the
start, the seat given up meanwhile) is refused with why, and the dialogue ends, rather than
answering every later message with the same refusal; a name the bot cannot use (nobody of that
name) still waits for another try."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from bot.db.models import Assignment, AssignmentStatus, Dialogue, SwapOffer
from bot.emulator import SimUser
from tests.e2e.schedule import DAY, at, command, press_and_settle
from tests.e2e.swap_fixtures import town
from tests.harness import Harness

TOMORROW = DAY + dt.timedelta(days=1)
HAND_OVER = "👤 请指定的人代班"
NOT_UNDERSTOOD = "没看懂这条消息。发送 /help 查看可用的命令。"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"swap_expiry_before_start_min": 60}


async def _hand_over(harness: Harness, user: SimUser) -> None:
    await command(harness, user, "my")
    await press_and_settle(harness, user, "🔁 换岗 1")
    await press_and_settle(harness, user, HAND_OVER)


async def test_a_name_typed_too_close_to_the_start_is_refused_and_the_dialogue_ends(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    await _hand_over(harness, town_.holder)

    harness.clock.set(at(TOMORROW, 6, 30))  # the 07:00 shift takes no swap after 06:00
    await town_.holder.send_text("王芳")
    await harness.settle()
    assert town_.holder.last().text == "开班前 60 分钟内不能再发起或接受换岗。"
    assert town_.holder.last().buttons() == []
    assert await harness.count(Dialogue) == 0
    assert await harness.count(SwapOffer) == 0

    await town_.holder.send_text("张伟")
    await harness.settle()
    assert town_.holder.last().text == NOT_UNDERSTOOD
    # /swap lists what /my offers: past the swap deadline, neither offers the seat.
    await command(harness, town_.holder, "my")
    assert "🔁 换岗 1" not in town_.holder.last().buttons()
    assert (await command(harness, town_.holder, "swap")).startswith("您没有可以换岗的班次。")
    assert await harness.count(Dialogue) == 0


async def test_a_name_typed_for_a_seat_given_up_meanwhile_ends_the_dialogue(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    await _hand_over(harness, town_.holder)
    async with harness.session() as session:
        await session.execute(
            update(Assignment)
            .where(Assignment.shift_id == town_.shift_id)
            .values(status=AssignmentStatus.CANCELLED)
        )

    await town_.holder.send_text("王芳")
    await harness.settle()
    assert await harness.count(Dialogue) == 0
    assert await harness.count(SwapOffer) == 0


async def test_an_unknown_name_waits_for_another_try(harness: Harness) -> None:
    town_ = await town(harness)
    await _hand_over(harness, town_.holder)

    await town_.holder.send_text("赵六")
    await harness.settle()
    assert town_.holder.last().buttons() == ["✖️ 取消"]
    assert await harness.count(Dialogue) == 1
    await town_.holder.send_text("王芳")
    await harness.settle()
    assert await harness.count(SwapOffer) == 1
    assert await harness.count(Dialogue) == 0
