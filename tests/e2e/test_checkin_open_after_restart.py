"""The check-in-open notice after an outage waits for the backlog: a volunteer whose early
check-in (location and photo sent once the check-in opened) waits in Telegram's queue is not
asked by the first tick after the bot comes back to send the location she sent."""

from __future__ import annotations

from tests.e2e.checkin_fixtures import assign, near, post, shift, team, today
from tests.harness import Harness

OPEN = "签到已开放"


async def test_the_first_tick_after_an_outage_does_not_ask_for_a_check_in_that_waits(
    harness: Harness,
) -> None:
    crew = await team(harness, ("王芳", "李明"))
    fang, ming = crew.volunteers
    morning = await shift(harness, await post(harness, crew.unit), today(8, 0), today(10, 0))
    for person in (fang, ming):
        await assign(harness, morning, person)
    await harness.bot.stop()
    harness.clock.set(today(7, 35))
    await fang.send_location(*near(20))
    harness.clock.set(today(7, 36))
    await fang.send_photo()
    told = {person.user_id: len(person.texts()) for person in (fang, ming)}
    harness.clock.set(today(7, 40))
    await harness.bot.start()
    await harness.bot.tick()
    await harness.settle()
    await harness.deliver()
    said = fang.texts()[told[fang.user_id] :]
    assert any("签到成功" in text for text in said), said
    assert not any(OPEN in text for text in said), said
    await harness.tick()
    assert any(OPEN in text for text in ming.texts()[told[ming.user_id] :])
    assert not any(OPEN in text for text in fang.texts()[told[fang.user_id] :])
