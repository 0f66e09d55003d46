"""/checkin while already checked in says since when: the time alone when that was today (where
the campaign is), the date with it when the check-in was made on an earlier day (a night shift
past midnight). A location too old for the photo is named the same way."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.db.models import Member
from tests.e2e.checkin_fixtures import check_in, checkins, duty, near, team, today
from tests.harness import Harness


async def test_checked_in_today_shows_only_the_time(harness: Harness) -> None:
    crew = await team(harness, ("王芳", "Amy"))
    fang, amy = crew.volunteers
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, amy, crew.unit, today(8, 0), today(10, 0), post_name="人民公园东门")
    harness.clock.set(today(8, 10))
    await check_in(harness, fang)
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == amy.user_id).values(language="en")
        )
    await check_in(harness, amy)
    # The confirmation names the post in quotes, as every English sentence naming one does.
    confirmed = amy.last().text or ""
    assert confirmed.startswith("✅ Checked in! “人民公园东门” at 08:10"), confirmed
    harness.clock.set(today(9, 0))
    await fang.send_command("checkin")
    await amy.send_command("checkin")
    await harness.settle()
    assert (
        fang.last().text == "您已在「黄河路-人民路口」签到（08:10）。离开时请发送 /checkout 签退。"
    )
    assert amy.last().text == (
        "You are already checked in at “人民公园东门” (since 08:10). Send /checkout when you leave."
    ), amy.last().text
    records = await checkins(harness)
    assert [record.checked_in_at for record in records] == [today(8, 10)] * 2
    assert all(record.checked_out_at is None for record in records)


async def test_checked_in_on_an_earlier_day_shows_the_date(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(22, 0), today(23, 0) + dt.timedelta(hours=3))
    harness.clock.set(today(22, 5))
    await check_in(harness, fang)
    harness.clock.set(today(0, 30) + dt.timedelta(days=1))
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.last().text == (
        "您已在「黄河路-人民路口」签到（2026年12月1日 22:05）。离开时请发送 /checkout 签退。"
    ), fang.last().text
    [record] = await checkins(harness)
    assert record.checked_in_at == today(22, 5) and record.checked_out_at is None


async def test_a_location_too_old_for_the_photo_is_named_by_its_time_when_it_was_today(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 0))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()
    harness.clock.set(today(8, 45))
    await fang.send_photo()
    await harness.settle()
    assert fang.last().text == (
        "📍 您的位置是 08:00 发的，已经过去太久了。请重新发送一次您现在的位置，然后再发照片。"
    ), fang.last().text
    assert await checkins(harness) == []
