"""Asked whether she is coming to a shift already started, a volunteer presses "on my way": she
is told to check in on arrival with the 📍 button alone (no Cancel: nothing is begun to cancel,
and being on the way is not undone by a button). The location that button sends from the post
is her check-in, as any location sent when a check-in is due is; where a live location is
required, no button could share one: she is told how, with no keyboard."""

from __future__ import annotations

import pytest

from bot.db.models import Dialogue
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import coordinator, duty, near, team, today
from tests.harness import Harness

COMING = "🚶 在路上，马上到"
LOCATION = "📍 发送我的位置"


async def _on_my_way(harness: Harness) -> SimUser:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await coordinator(harness, "城管局", 7001, "赵队长")
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 31))
    await harness.tick()
    question = fang.last()
    await fang.press(COMING, question.message_id)
    await harness.settle()
    return fang


async def test_on_my_way_shows_the_location_button_alone(harness: Harness) -> None:
    fang = await _on_my_way(harness)
    assert fang.last().text == "到岗后点下面的按钮发送位置签到。"
    assert fang.reply_keyboard() == [[{"text": LOCATION, "request_location": True}]]
    assert await harness.count(Dialogue) == 0
    harness.clock.set(today(8, 45))
    await fang.send_location(*near(30))
    await harness.settle()
    assert "照片" in (fang.last().text or "")


@pytest.mark.parametrize("settings_overrides", [{"checkin_require_live_location": True}])
async def test_on_my_way_with_a_live_location_required_leaves_no_keyboard(
    harness: Harness,
) -> None:
    fang = await _on_my_way(harness)
    assert "实时位置" in (fang.last().text or "")
    assert fang.reply_keyboard() is None
    assert await harness.count(Dialogue) == 0
