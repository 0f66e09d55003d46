"""A live location whose sharing the volunteer stops (Telegram's last edit of it, with no
live_period any more): the stop is not a position. It shortens the check-in's wait on the
share at once (the next tick says the sharing ended, and to send a location from the post),
before the opening or after it; it never stands for a fresh location; and the position a check-in
waiting for its photo holds stays only as fresh as its last real fix."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import Dialogue, LocationSample
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import checkins, duty, near, team, today
from tests.harness import Harness

# An 08:00 shift's check-in opens at 07:45.
OPENS_15 = {"checkin_open_before_min": 15}


def share_ended(person: SimUser) -> list[str]:
    return [text for text in person.texts() if "实时位置共享已经结束" in text]


def never_reached(person: SimUser) -> list[str]:
    return [text for text in person.texts() if "实时位置一直没有进入" in text]


async def dialogue_of(harness: Harness, person: SimUser) -> Dialogue | None:
    async with harness.session() as session:
        return await session.scalar(select(Dialogue).where(Dialogue.telegram_id == person.user_id))


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_share_stopped_before_the_opening_ends_the_wait_at_once(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 30))
    shared = await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    assert "签到开放后" in (fang.last().text or "")
    harness.clock.set(today(7, 35))
    await fang.stop_live_location(shared["message_id"])
    await harness.settle()
    # The next tick says so: no waiting until half an hour after the opening.
    harness.clock.set(today(7, 36))
    await harness.tick()
    await harness.deliver()
    [told] = share_ended(fang)
    assert "黄河路-人民路口" in told and "07:45" in told and "重新发送位置" in told, told
    assert never_reached(fang) == []
    assert await dialogue_of(harness, fang) is None and await checkins(harness) == []
    # The opening is then announced as to anyone, with the 📍 button.
    harness.clock.set(today(7, 45))
    await harness.tick()
    await harness.deliver()
    assert "签到已开放" in (fang.last().text or ""), fang.texts()[-2:]
    assert await checkins(harness) == []


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_share_on_the_way_stopped_after_the_opening_ends_the_wait_at_once(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 50))
    shared = await fang.send_location(*near(600), live_period=8 * 3600)
    await harness.settle()
    assert "继续共享实时位置" in (fang.last().text or "")
    harness.clock.set(today(7, 55))
    await fang.stop_live_location(shared["message_id"])
    await harness.settle()
    harness.clock.set(today(7, 56))
    await harness.tick()
    await harness.deliver()
    [told] = share_ended(fang)
    assert "/checkin" in told, told
    assert never_reached(fang) == []
    assert await dialogue_of(harness, fang) is None and await checkins(harness) == []


@pytest.mark.parametrize("settings_overrides", [{**OPENS_15, "checkin_require_photo": False}])
async def test_a_stop_is_not_taken_for_a_fresh_location(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 30))
    # Far from the post before the opening; the opening finds it there and waits on.
    shared = await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    harness.clock.set(today(7, 45))
    await harness.tick()
    await harness.deliver()
    assert await checkins(harness) == []
    # Stopped at 07:50: nothing is checked in, the wait ends at the next tick.
    harness.clock.set(today(7, 50))
    await fang.stop_live_location(shared["message_id"])
    await harness.settle()
    harness.clock.set(today(7, 51))
    await harness.tick()
    await harness.deliver()
    assert len(share_ended(fang)) == 1, fang.texts()[-3:]
    assert await dialogue_of(harness, fang) is None and await checkins(harness) == []


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_share_stopped_after_the_opening_keeps_the_position_only_as_fresh_as_its_fix(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    shared = await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    harness.clock.set(today(7, 45))
    await harness.tick()
    await harness.deliver()
    assert "位置已确认" in (fang.last().text or "")
    # She stops sharing at 07:50: the location she has is the one of 07:45, no fresher.
    harness.clock.set(today(7, 50))
    await fang.stop_live_location(shared["message_id"])
    await harness.settle()
    waiting = await dialogue_of(harness, fang)
    assert waiting is not None and waiting.step == "photo"
    harness.clock.set(today(8, 17))
    await fang.send_photo()
    await harness.settle()
    text = fang.last().text or ""
    assert "签到成功" not in text and "07:45" in text, text
    assert await checkins(harness) == []
    waiting = await dialogue_of(harness, fang)
    assert waiting is not None and waiting.step == "location"


@pytest.mark.parametrize(
    "settings_overrides", [{**OPENS_15, "checkin_require_live_location": True}]
)
async def test_a_share_at_the_post_stopped_after_the_opening_before_the_tick_is_taken_as_of_it(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    shared = await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    # Shared at the post when the check-in opened; stopped a minute later, before the tick ran.
    harness.clock.set(today(7, 46))
    await fang.stop_live_location(shared["message_id"])
    await harness.settle()
    await harness.tick()
    await harness.deliver()
    assert "位置已确认" in (fang.last().text or ""), fang.texts()[-3:]
    waiting = await dialogue_of(harness, fang)
    assert waiting is not None and waiting.step == "photo", waiting
    assert dt.datetime.fromisoformat(waiting.data["located_at"]) == today(7, 45)
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    [record] = await checkins(harness)
    assert record.checked_in_at == today(7, 46)


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_share_stopped_while_the_shift_is_picked_is_not_fresh_for_ever(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(8, 0), today(9, 0), post_name="人民路口")
    harness.clock.set(today(7, 40))
    shared = await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    harness.clock.set(today(7, 45))
    await harness.tick()
    await harness.deliver()
    asked = fang.last()
    assert "几个班次" in (asked.text or ""), fang.texts()[-2:]
    # She stops sharing at 07:50 and picks the shift at 08:20: the location of 07:45 is too old.
    harness.clock.set(today(7, 50))
    await fang.stop_live_location(shared["message_id"])
    await harness.settle()
    harness.clock.set(today(8, 20))
    [label] = [label for label in asked.buttons() if "人民路口" in label and "黄河路" not in label]
    await fang.press(label)
    await harness.settle()
    assert "位置已确认" not in (fang.last().text or ""), fang.texts()[-2:]
    waiting = await dialogue_of(harness, fang)
    assert waiting is not None and waiting.step == "location", waiting
    assert await checkins(harness) == []


async def test_a_share_stopped_on_post_is_no_position_of_the_check_in(harness: Harness) -> None:
    # Checked in with a live location, she walks away at 08:30 and stops sharing at 08:40.
    # Telegram's stop repeats the last position with the stop's time: it is no new fix, so it
    # is neither kept in the track nor moves the presence figures.
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 0))
    shared = await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    harness.clock.set(today(8, 30))
    await fang.update_live_location(shared["message_id"], *near(800))
    await harness.settle()
    [before] = await checkins(harness)
    assert before.outside_since == today(8, 30) and before.presence_ratio == 1.0
    told = fang.texts()
    harness.clock.set(today(8, 40))
    await fang.stop_live_location(shared["message_id"])
    await harness.settle()
    [after] = await checkins(harness)
    assert after.outside_since == today(8, 30) and after.presence_ratio == 1.0
    async with harness.session() as session:
        track = list(
            await session.scalars(
                select(LocationSample.recorded_at).order_by(LocationSample.recorded_at)
            )
        )
    assert track == [today(8, 0), today(8, 30)], track
    assert fang.texts() == told
