"""A live location whose sharing ends before the shift's check-in opens can never be taken at
the opening: the check-in does not wait on it. The volunteer gets one clear answer (the share
ended, or will end, before the check-in opens: send a location on post once it is open), not
"keep sharing, it will be taken" followed later by "your share ended, the check-in stopped
waiting"."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import Dialogue
from bot.emulator import SimUser
from bot.scheduler import tick
from tests.e2e.checkin_fixtures import checkins, duty, near, team, today
from tests.harness import Harness

# An 08:00 shift's check-in opens at 07:45.
OPENS_15 = {"checkin_open_before_min": 15}
OPENING = today(7, 45)


def will_be_taken(texts: list[str]) -> list[str]:
    return [text for text in texts if "签到开放后" in text and "继续共享" in text]


def wait_stopped(texts: list[str]) -> list[str]:
    return [text for text in texts if "停止等待" in text]


async def dialogue_of(harness: Harness, person: SimUser) -> Dialogue | None:
    async with harness.session() as session:
        return await session.scalar(select(Dialogue).where(Dialogue.telegram_id == person.user_id))


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_share_that_ends_before_the_opening_is_answered_once_and_not_waited_on(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    # At the post at 07:30, she shares her live location for ten minutes only.
    harness.clock.set(today(7, 30))
    seen = len(fang.texts())
    await fang.send_location(*near(20), live_period=600)
    await harness.settle()
    [answer] = fang.texts()[seen:]
    assert will_be_taken([answer]) == [], answer
    assert "07:40" in answer and "07:45" in answer, answer
    assert await dialogue_of(harness, fang) is None
    # At the opening she is told that the check-in is open, and nothing about the share.
    told = len(fang.texts())
    harness.clock.set(OPENING)
    await harness.tick()
    await harness.deliver()
    harness.clock.set(today(7, 50))
    await harness.tick()
    await harness.deliver()
    later = fang.texts()[told:]
    assert wait_stopped(later) == [], later
    assert [text for text in later if "签到已开放" in text], later
    assert await checkins(harness) == []


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_share_ended_before_the_opening_and_read_after_it_is_answered_once(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    seen = len(fang.texts())
    # At the post, she shares her live location for one minute at 07:43:30; the bot reads it
    # only after the opening's tick told her that the check-in is open.
    await harness.bot.stop()
    harness.clock.set(today(7, 43) + dt.timedelta(seconds=30))
    await fang.send_location(*near(20), live_period=60)
    harness.clock.set(OPENING)
    await tick(harness.runtime)
    harness.clock.set(OPENING + dt.timedelta(seconds=5))
    await harness.bot.start()
    await harness.settle()
    await harness.deliver()
    for moment in (today(7, 46), today(7, 50)):
        harness.clock.set(moment)
        await harness.tick()
        await harness.deliver()
    told = fang.texts()[seen:]
    opening = [text for text in told if "签到已开放" in text and "发送我的位置" in text]
    others = [text for text in told if text not in opening]
    assert len(opening) == 1, told
    # One answer to the share: it ended before the opening; the check-in is open now.
    [answer] = others
    assert will_be_taken([answer]) == [] and "还没到签到时间" not in answer, answer
    assert "07:44" in answer, answer
    assert await dialogue_of(harness, fang) is None
    # A location sent now checks her location as usual.
    await fang.send_location(*near(20))
    await harness.settle()
    assert "位置已确认" in (fang.last().text or ""), fang.texts()[seen:]
