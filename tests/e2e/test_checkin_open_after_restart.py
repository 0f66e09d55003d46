"""The check-in-open notice after an outage waits for the backlog: a volunteer whose early
check-in (location and photo sent once the check-in opened) waits in Telegram's queue is not
asked by the first tick after the bot comes back to send the location she sent."""

from __future__ import annotations

from tests.e2e.checkin_fixtures import checked_in_while_down, today
from tests.harness import Harness

OPEN = "签到已开放"


async def test_the_first_tick_after_an_outage_does_not_ask_for_a_check_in_that_waits(
    harness: Harness,
) -> None:
    fang, ming, told = await checked_in_while_down(harness, today(7, 35), today(7, 40))
    said = fang.texts()[told[fang.user_id] :]
    assert any("签到成功" in text for text in said), said
    assert not any(OPEN in text for text in said), said
    await harness.tick()
    assert any(OPEN in text for text in ming.texts()[told[ming.user_id] :])
    assert not any(OPEN in text for text in fang.texts()[told[fang.user_id] :])
