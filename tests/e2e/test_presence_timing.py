"""Being on post, by when each move of the live location was sent: after an outage the moves
wait in Telegram's queue or the inbox and are handled together, yet each counts when it was sent
(its `edit_date`, believed up to an hour back), and a move handled after a later one does not
overwrite where the later one put the volunteer."""

from __future__ import annotations

import copy
import datetime as dt

from sqlalchemy import select

from bot.db.models import LocationSample
from bot.emulator import SimUser
from bot.services.platform import inbox
from tests.e2e.checkin_fixtures import checkins, coordinator, duty, near, team, today
from tests.harness import Harness


def left_post(person: SimUser) -> list[str]:
    return [text for text in person.texts() if "好像离开了" in text]


async def samples(harness: Harness) -> list[tuple[dt.datetime, bool]]:
    async with harness.session() as session:
        rows = await session.execute(
            select(LocationSample.recorded_at, LocationSample.inside).order_by(
                LocationSample.recorded_at, LocationSample.id
            )
        )
        return [(at, inside) for at, inside in rows.all()]


async def checked_in_live(harness: Harness, person: SimUser) -> int:
    """At 08:00, a live location shared at the post and the photo: the live message's id."""
    harness.clock.set(today(8, 0))
    live = await person.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    await person.send_photo()
    await harness.settle()
    assert "签到成功" in (person.last().text or ""), person.texts()
    return int(live["message_id"])


async def test_moves_away_handled_after_an_outage_count_from_when_they_were_sent(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    live = await checked_in_live(harness, fang)
    # The bot is down from 08:05; she walks off at 08:10 and stays away.
    await harness.bot.stop()
    for minute, east in ((10, 500), (20, 600), (28, 500)):
        harness.clock.set(today(8, minute))
        await fang.update_live_location(live, *near(0, east))
    # Back at 08:30, it handles the three moves, then the tick: she has been away 20 minutes.
    harness.clock.set(today(8, 30))
    await harness.bot.start()
    await harness.tick()
    [alert] = left_post(fang)
    assert "黄河路-人民路口" in alert and "20 分钟" in alert and "500 米" in alert, alert
    [record] = await checkins(harness)
    assert record.outside_since == today(8, 10) and record.left_post_at == today(8, 10)
    assert [at for at, _ in await samples(harness)] == [
        today(8, 0),
        today(8, 10),
        today(8, 20),
        today(8, 28),
    ]
    # On post 08:00-08:10 of the half hour gone.
    assert record.presence_ratio is not None and abs(record.presence_ratio - 10 / 30) < 0.001


async def test_a_short_absence_handled_late_is_not_leaving_the_post(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    boss = await coordinator(harness, "城管局", 5100, "张协调")
    live = await checked_in_live(harness, fang)
    # 08:20: she steps across the road; 08:24 she is back, but the bot is down until 08:40.
    harness.clock.set(today(8, 20))
    await fang.update_live_location(live, *near(0, 600))
    await harness.settle()
    await harness.bot.stop()
    harness.clock.set(today(8, 24))
    await fang.update_live_location(live, *near(10))
    harness.clock.set(today(8, 40))
    await harness.bot.start()
    await harness.tick()
    # Away four minutes, not twenty: no question, nothing in the tallies.
    assert left_post(fang) == []
    [record] = await checkins(harness)
    assert record.left_post_at is None and record.outside_since is None
    assert record.presence_ratio is not None and abs(record.presence_ratio - 36 / 40) < 0.001
    harness.clock.set(today(12, 0))
    await harness.tick()
    told = len(boss.texts())
    await boss.send_command("today")
    await harness.settle()
    tally = "\n".join(boss.texts()[told:])
    assert "王芳" in tally and "离岗 1" not in tally, tally
    assert "离开了「黄河路-人民路口」" not in tally, tally


def _moved(
    harness: Harness, person: SimUser, message_id: int, east_m: float, at: dt.datetime
) -> dict[str, object]:
    """The edited message Telegram sends for a move of the live location, sent at `at`."""
    chat = harness.emulator.world.chats[person.chat_id]
    message = copy.deepcopy(chat.messages[message_id])
    latitude, longitude = near(0, east_m)
    message["location"] = {**message["location"], "latitude": latitude, "longitude": longitude}
    message["edit_date"] = int(at.timestamp())
    return message


async def test_an_older_move_handled_after_a_newer_one_does_not_overwrite_it(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    live = await checked_in_live(harness, fang)
    await harness.bot.stop()
    # Two moves wait in the inbox, the later first: back on post at 08:40, and, sent at
    # 08:35, away 500 m.
    moves = [
        _moved(harness, fang, live, 10, today(8, 40)),
        _moved(harness, fang, live, 500, today(8, 35)),
    ]
    stored = [
        (10**9 + n, {"update_id": 10**9 + n, "edited_message": m}) for n, m in enumerate(moves)
    ]
    harness.clock.set(today(8, 45))
    async with harness.session() as session:
        await inbox.store(session, stored, harness.clock.now(), "dead")
        await session.commit()
    told = len(fang.texts())
    await harness.bot.start()
    await harness.handled(update_id for update_id, _ in stored)
    # She is on post, as the latest move says: nobody asks her later whether she left.
    [record] = await checkins(harness)
    assert record.outside_since is None and record.left_post_at is None
    assert await samples(harness) == [
        (today(8, 0), True),
        (today(8, 35), False),
        (today(8, 40), True),
    ]
    # Away 08:35-08:40 of the 45 minutes gone.
    assert record.presence_ratio is not None and abs(record.presence_ratio - 40 / 45) < 0.001
    harness.clock.set(today(9, 5))
    await harness.tick()
    assert left_post(fang) == [] and len(fang.texts()) == told


async def test_a_move_handled_over_an_hour_after_it_was_sent_counts_from_an_hour_before(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(12, 0))
    live = await checked_in_live(harness, fang)
    await harness.bot.stop()
    harness.clock.set(today(8, 10))
    await fang.update_live_location(live, *near(0, 500))
    # Down until 09:30: a time that old is not believed; the move counts as of an hour before
    # it was handled (not as of now: a newer move handled right after would then come first).
    harness.clock.set(today(9, 30))
    await harness.bot.start()
    await harness.settle()
    [record] = await checkins(harness)
    assert record.outside_since == today(8, 30)
    assert [at for at, _ in await samples(harness)] == [today(8, 0), today(8, 30)]
    # Away by then for longer than LEFT_POST_ALERT_MIN: the next tick asks.
    harness.clock.set(today(9, 31))
    await harness.tick()
    assert len(left_post(fang)) == 1


async def test_a_move_older_than_the_hour_handled_before_a_newer_one_does_not_overwrite_it(
    harness: Harness,
) -> None:
    """The bot is down from 08:05 to 09:40. She walked off at 08:10 and was back on post at
    09:20. Handled at 09:40, the 08:10 move is more than an hour old, so it cannot count from
    when it was sent; yet it was sent before the 09:20 one and must not stand as where she is
    now: she is on post, and the tick does not ask whether she left it."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(12, 0))
    live = await checked_in_live(harness, fang)
    await harness.bot.stop()
    harness.clock.set(today(8, 10))
    await fang.update_live_location(live, *near(0, 500))
    harness.clock.set(today(9, 20))
    await fang.update_live_location(live, *near(10))
    harness.clock.set(today(9, 40))
    await harness.bot.start()
    await harness.settle()
    [record] = await checkins(harness)
    assert record.outside_since is None, await samples(harness)
    harness.clock.set(today(9, 56))
    await harness.tick()
    assert left_post(fang) == []
    [record] = await checkins(harness)
    assert record.outside_since is None
