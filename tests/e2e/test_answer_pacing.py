"""Direct answers and the outbox share Telegram's overall limit: the answers the bot gives
volunteers leave the sender that much less room in the same second."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.db.models import OutboxStatus
from bot.emulator import FloodLimits
from bot.services.platform import outbox
from tests.e2e.checkin_fixtures import duty, team, today
from tests.harness import Harness

VOLUNTEERS = ("王芳", "李明", "张伟", "刘洋", "陈静", "杨磊")
BROADCAST = 40


async def test_a_broadcast_leaves_room_for_the_check_in_answers_of_the_same_second(
    harness: Harness,
) -> None:
    """Six volunteers ask to check in at 08:01 while a broadcast to forty other members waits
    in the outbox. Telegram takes 30 messages in any one second: the six answers go at once
    (a person is waiting) and the sender fills only what they left of that second, so Telegram
    refuses nothing, and every volunteer and every member gets their message."""
    crew = await team(harness, VOLUNTEERS)
    for index, person in enumerate(crew.volunteers):
        await duty(
            harness, person, crew.unit, today(8, 30), today(10, 30), f"人民路{index + 1}号岗"
        )
    await harness.deliver()
    members = [harness.user(7001 + n, f"成员{n}") for n in range(BROADCAST)]
    for member in members:
        member.started = True
    harness.clock.set(today(8, 1))
    harness.emulator.flood_limits = FloodLimits.telegram()
    async with harness.session() as session:
        for member in members:
            await outbox.enqueue(
                session,
                key=f"broadcast:{member.user_id}",
                chat_id=member.user_id,
                body=outbox.payload("本周岗位已发布"),
                now=harness.clock.now(),
                batch="week",
            )
    before = {person.user_id: len(person.messages()) for person in crew.volunteers}
    start = harness.clock.now()

    await asyncio.gather(*(person.send_command("checkin") for person in crew.volunteers))
    await harness.settle()
    await harness.deliver()

    assert harness.emulator.rejected_429 == 0
    for index, person in enumerate(crew.volunteers):
        [answer] = person.messages()[before[person.user_id] :]
        assert f"人民路{index + 1}号岗" in answer.text and "实时位置" in answer.text
    assert all(member.texts() == ["本周岗位已发布"] for member in members)
    # 46 messages at 30 a second: the last of the broadcast waits for the next second.
    assert harness.clock.now() - start >= dt.timedelta(seconds=1)
    async with harness.session() as session:
        assert await outbox.batch_counts(session, "week") == {OutboxStatus.SENT: BROADCAST}
