"""The late nudge after an outage waits for the backlog, as the no-show does: a volunteer whose
location and photo wait in Telegram's queue is not told "you have not checked in" by the first
tick after the bot comes back, only to be told a moment later that she checked in on time."""

from __future__ import annotations

from bot.services.duty import reminders
from bot.services.platform import inbox
from tests.e2e.checkin_fixtures import (
    assign,
    checked_in_while_down,
    near,
    post,
    run_due,
    shift,
    team,
    today,
)
from tests.harness import Harness

NUDGED = "您还没有签到"


async def test_the_first_tick_after_an_outage_nudges_nobody_whose_check_in_waits(
    harness: Harness,
) -> None:
    # The bot goes down; 王芳's location (08:02) and photo (08:03) wait in Telegram's queue.
    # Back at 08:15, past LATE_AFTER_MIN: the first tick runs before the queue is fetched.
    fang, ming, told = await checked_in_while_down(harness, today(8, 2), today(8, 15))
    said = fang.texts()[told[fang.user_id] :]
    assert not any(NUDGED in text for text in said), said
    assert any("签到成功" in text for text in said), said
    # The next tick, the backlog in: 李明, who sent nothing, is nudged.
    await harness.tick()
    assert any(NUDGED in text for text in ming.texts()[told[ming.user_id] :])
    assert not any(NUDGED in text for text in fang.texts()[told[fang.user_id] :])


async def test_a_seat_whose_holder_has_updates_waiting_in_the_inbox_is_not_nudged_yet(
    harness: Harness,
) -> None:
    crew = await team(harness, ("王芳", "李明"))
    fang, ming = crew.volunteers
    morning = await shift(harness, await post(harness, crew.unit), today(8, 0), today(10, 0))
    for person in (fang, ming):
        await assign(harness, morning, person)
    # 王芳's location, stored by a process that died before handling it (another worker's row:
    # this bot's sweep leaves it for now).
    world = harness.emulator.world
    latitude, longitude = near(20)
    location = {"location": {"latitude": latitude, "longitude": longitude}}
    waiting = world.add_message(world.chats[fang.chat_id], location, fang.user_json)
    async with harness.session() as session:
        await inbox.store(
            session,
            [(10**9, {"update_id": 10**9, "message": waiting})],
            harness.clock.now(),
            "dead",
        )
        await session.commit()
    told = {person.user_id: len(person.texts()) for person in (fang, ming)}
    harness.clock.set(today(8, 15))
    await run_due(harness, reminders.late_nudges)
    await harness.deliver()
    assert not any(NUDGED in text for text in fang.texts()[told[fang.user_id] :])
    assert any(NUDGED in text for text in ming.texts()[told[ming.user_id] :])
