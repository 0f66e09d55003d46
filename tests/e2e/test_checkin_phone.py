"""Check-in as it goes on a phone on a poor network: an album where one photo was asked for, a
photo sent twice, a location sent long before the photo, a live location that was refused while
the volunteer was still on the way."""

from __future__ import annotations

from bot.db.models import AssignmentStatus, Dialogue
from tests.e2e.checkin_fixtures import assignment, checkins, duty, near, team, today
from tests.harness import Harness

NOT_UNDERSTOOD = "没看懂这条消息"


async def test_an_album_where_one_photo_was_asked_checks_in_once_and_says_nothing_odd(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 50))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.send_location(*near(20))
    await harness.settle()
    before = len(fang.messages())
    # Three pictures chosen at once: Telegram sends them as three messages of one album.
    await fang.send_album(3)
    await harness.settle()
    said = fang.texts()[before:]
    assert len(said) == 1 and "签到成功" in said[0], said
    assert len(await checkins(harness)) == 1
    assert (await assignment(harness, seat)).status == AssignmentStatus.CHECKED_IN

    # A photo sent again later (the network seemed to drop it): told they are checked in.
    harness.clock.set(today(7, 55))
    await fang.send_photo()
    await harness.settle()
    text = fang.last().text or ""
    assert NOT_UNDERSTOOD not in text
    assert "您已在「黄河路-人民路口」签到" in text, text
    assert len(await checkins(harness)) == 1
    assert await harness.count(Dialogue) == 0
