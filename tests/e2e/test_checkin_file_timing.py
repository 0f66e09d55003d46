"""A picture sent as a file (a document) is answered as its photo would be: judged when it was
sent, not when the bot read it. Sent while the check-in was open and read after it closed (the
bot down), it is still asked for again as a photo; sent before the check-in opened and read
after, it is not taken for a check-in."""

from __future__ import annotations

import pytest

from bot.db.models import Dialogue
from tests.e2e.checkin_fixtures import checkins, duty, team, today
from tests.harness import Harness

JPEG = b"\xff\xd8jpeg"
AS_FILE = "这是一个文件。请以照片方式发送，不要选「以文件发送」。"


@pytest.mark.parametrize("settings_overrides", [{"checkin_open_before_min": 15}])
async def test_a_file_sent_while_check_in_was_open_and_read_after_it_is_asked_as_a_photo(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await harness.bot.stop()
    harness.clock.set(today(9, 58))
    await fang.send_document("photo.jpg", JPEG, mime_type="image/jpeg")
    harness.clock.set(today(10, 5))
    await harness.bot.start()
    await harness.settle()
    assert fang.last().text == AS_FILE, fang.texts()[-2:]
    assert await checkins(harness) == [] and await harness.count(Dialogue) == 0


@pytest.mark.parametrize("settings_overrides", [{"checkin_open_before_min": 15}])
async def test_a_file_sent_before_check_in_opened_and_read_after_is_not_a_check_in(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await harness.bot.stop()
    harness.clock.set(today(7, 30))
    await fang.send_document("photo.jpg", JPEG, mime_type="image/jpeg")
    harness.clock.set(today(7, 50))
    await harness.bot.start()
    await harness.settle()
    # Answered as the photo sent at 07:30 would be: not the "send it as a photo" of a check-in.
    assert fang.last().text != AS_FILE, fang.texts()[-2:]
    assert await checkins(harness) == [] and await harness.count(Dialogue) == 0
