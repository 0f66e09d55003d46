"""Check-in as it goes on a phone on a poor network: an album where one photo was asked for, a
photo sent twice, a location sent long before the photo, a live location that was refused while
the volunteer was still on the way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.db.models import AssignmentStatus, Dialogue
from bot.emulator import SimUser
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


async def test_a_photo_long_after_the_location_asks_for_the_location_again(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(12, 0))
    harness.clock.set(today(7, 35))
    await fang.send_location(*near(20))
    await harness.settle()
    assert "位置已确认" in (fang.last().text or "")
    # The photo only comes an hour and a half later, from wherever the phone is now.
    harness.clock.set(today(9, 5))
    await fang.send_photo()
    await harness.settle()
    text = fang.last().text or ""
    assert "07:35" in text and "请重新发送一次您现在的位置" in text, text
    keyboard = fang.reply_keyboard()
    assert keyboard is not None and keyboard[0][0].get("request_location") is True
    assert await checkins(harness) == []
    assert (await assignment(harness, seat)).status == AssignmentStatus.SIGNED_UP
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, fang.user_id)
    assert dialogue is not None and dialogue.step == "location"
    assert not dialogue.data.get("position")

    await fang.send_location(*near(30))
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    [record] = await checkins(harness)
    assert record.distance_m == 30 and record.minutes_late == 65


async def test_a_shared_live_location_stays_fresh_while_it_moves(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(12, 0))
    harness.clock.set(today(7, 35))
    shared = await fang.send_location(*near(20), live_period=28800)
    await harness.settle()
    assert "位置已确认" in (fang.last().text or "")
    # Three quarters of an hour before the photo comes, but the shared location kept moving.
    harness.clock.set(today(8, 0))
    await fang.update_live_location(shared["message_id"], *near(25))
    await harness.settle()
    harness.clock.set(today(8, 20))
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    [record] = await checkins(harness)
    assert record.live and record.distance_m == 25


async def test_a_shift_picked_long_after_the_location_asks_for_the_location_again(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(12, 0))
    await duty(harness, fang, crew.unit, today(8, 15), today(12, 0), post_name="人民路口")
    harness.clock.set(today(7, 50))
    await fang.send_location(*near())
    await harness.settle()
    assert "几个班次" in (fang.last().text or "")
    # The question was left unanswered; its button is pressed an hour later.
    harness.clock.set(today(8, 50))
    await fang.press("12月1日 周二 08:15–12:00 人民路口")
    await harness.settle()
    text = fang.last().text or ""
    assert "位置已确认" not in text and "发送您现在的位置" in text, text
    await fang.send_photo()
    await harness.settle()
    assert await checkins(harness) == []


async def test_a_live_location_refused_on_the_way_checks_in_once_it_reaches_the_post(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    # Shared from the bus stop, 600 m away: too far, and told to just keep sharing.
    shared = await fang.send_location(*near(600), live_period=28800)
    await harness.settle()
    text = fang.last().text or ""
    assert "600 米" in text and "继续共享实时位置" in text, text
    told = len(fang.messages())
    # Still on the way: nothing is said about each move.
    harness.clock.set(today(7, 45))
    await fang.update_live_location(shared["message_id"], *near(300))
    await harness.settle()
    assert len(fang.messages()) == told
    # At the post: the location is taken, and the photo asked for.
    harness.clock.set(today(7, 50))
    await fang.update_live_location(shared["message_id"], *near(20))
    await harness.settle()
    assert len(fang.messages()) == told + 1
    assert "位置已确认" in (fang.last().text or "")
    harness.clock.set(today(7, 52))
    await fang.update_live_location(shared["message_id"], *near(10))
    await harness.settle()
    assert len(fang.messages()) == told + 1
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    [record] = await checkins(harness)
    assert record.live and record.live_message_id == shared["message_id"]
    assert record.distance_m == 10
    assert (await assignment(harness, seat)).status == AssignmentStatus.CHECKED_IN
    # Its later moves are presence samples of the check-in, as always.
    harness.clock.set(today(8, 30))
    await fang.update_live_location(shared["message_id"], *near(15))
    await harness.settle()
    assert len(fang.messages()) == told + 2


def location_button_on_screen(person: SimUser) -> bool:
    return any(key.get("request_location") for row in person.reply_keyboard() or [] for key in row)


async def open_dialogue(harness: Harness, person: SimUser) -> Dialogue | None:
    async with harness.session() as session:
        return await session.scalar(select(Dialogue).where(Dialogue.telegram_id == person.user_id))


@pytest.mark.parametrize("settings_overrides", [{"checkin_require_photo": False}])
async def test_a_live_location_refused_on_the_way_checks_in_at_the_post_and_clears_the_keyboard(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    # Too far, from the bus stop: keep sharing, or tap 📍 once closer (or Cancel).
    shared = await fang.send_location(*near(600), live_period=28800)
    await harness.settle()
    assert "继续共享实时位置" in (fang.last().text or "") and location_button_on_screen(fang)
    told = len(fang.messages())
    # At the post, with no photo to ask for: the move checks in, in one message that takes the
    # keyboard away (nothing is left to send or cancel), so it says how to check out.
    harness.clock.set(today(7, 50))
    await fang.update_live_location(shared["message_id"], *near(20))
    await harness.settle()
    [confirmed] = fang.texts()[told:]
    assert fang.reply_keyboard() is None
    assert "签到成功" in confirmed and "07:50" in confirmed, confirmed
    assert "已自动为您签到" in confirmed and "/checkout" in confirmed, confirmed
    [record] = await checkins(harness)
    assert record.live and record.live_message_id == shared["message_id"]
    assert record.distance_m == 20 and record.photo_file_id is None
    assert record.checked_in_at == today(7, 50)
    assert (await assignment(harness, seat)).status == AssignmentStatus.CHECKED_IN
    assert await open_dialogue(harness, fang) is None


@pytest.mark.parametrize(
    "settings_overrides", [{"checkin_require_photo": False, "checkin_open_before_min": 15}]
)
async def test_a_live_location_out_of_range_at_the_opening_clears_the_button_when_it_arrives(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    shared = await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    # Still away when check-in opens: the notice brings the 📍 button.
    harness.clock.set(today(7, 45))
    await harness.tick()
    await harness.deliver()
    assert location_button_on_screen(fang)
    told = len(fang.messages())
    harness.clock.set(today(7, 55))
    await fang.update_live_location(shared["message_id"], *near(20))
    await harness.settle()
    [confirmed] = fang.texts()[told:]
    assert fang.reply_keyboard() is None
    assert "签到成功" in confirmed and "/checkout" in confirmed, confirmed
    [record] = await checkins(harness)
    assert record.live and record.checked_in_at == today(7, 55)


async def test_the_check_out_button_of_an_earlier_check_in_says_whose_it_is(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    afternoon = await duty(
        harness, fang, crew.unit, today(14, 0), today(16, 0), post_name="人民路口"
    )
    harness.clock.set(today(7, 55))
    await fang.send_location(*near(20))
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    morning_card = fang.last()
    assert "🏁 签退" in morning_card.buttons()
    harness.clock.set(today(10, 5))
    await fang.press("🏁 签退", morning_card.message_id)
    await harness.settle()
    assert "已签退" in (fang.last().text or "")
    harness.clock.set(today(13, 50))
    await fang.send_location(*near(20))
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")

    # Scrolling up, the morning's button is pressed while on post in the afternoon.
    harness.clock.set(today(15, 0))
    await fang.press("🏁 签退", morning_card.message_id)
    await harness.settle()
    alert = fang.answered_callbacks[-1].get("text") or ""
    assert "没有签到" not in alert, alert
    assert "之前的一次签到" in alert and "人民路口" in alert and "/checkout" in alert, alert
    records = await checkins(harness)
    assert records[-1].checked_out_at is None
    assert (await assignment(harness, afternoon)).status == AssignmentStatus.CHECKED_IN
    assert await harness.count(Dialogue) == 0


async def test_the_cancel_key_still_cancels_after_the_language_is_switched_mid_check_in(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await fang.send_command("checkin")
    await harness.settle()
    keyboard = fang.reply_keyboard() or []
    cancel_key = str(keyboard[-1][0]["text"])
    assert cancel_key == "取消"
    # English, chosen in the middle: the keyboard on screen is still the Chinese one.
    await fang.send_command("lang")
    await harness.settle()
    await fang.press("English（英文）")
    await harness.settle()
    await fang.send_text(cancel_key)
    await harness.settle()
    assert await harness.count(Dialogue) == 0
    assert "Please tap" not in (fang.last().text or "")


async def test_the_on_post_photo_sent_as_a_file_first_is_asked_for_as_a_photo(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 50))
    await fang.send_document("IMG_2041.jpg", b"\xff\xd8\xff jpeg", "image/jpeg")
    await harness.settle()
    text = fang.last().text or ""
    assert NOT_UNDERSTOOD not in text and "以文件发送" in text, text
    assert await checkins(harness) == []
    # Then as a photo: the check-in asks for the location first, as always.
    await fang.send_photo()
    await harness.settle()
    assert "先发位置，再发照片" in fang.texts()[-2]


async def test_a_live_location_shared_before_check_in_opens_is_taken_once_it_opens(
    harness: Harness,
) -> None:
    crew = await team(harness, ("王芳", "李强"))
    fang, qiang = crew.volunteers
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    tomorrow = dt.timedelta(days=1)
    await duty(harness, qiang, crew.unit, today(8) + tomorrow, today(10) + tomorrow)
    # 李强, on duty tomorrow, shares a live location today: its moves are nothing to wait on.
    harness.clock.set(today(7, 0))
    other = await qiang.send_location(*near(2000), live_period=28800)
    await harness.settle()
    # 王芳 is at the post early, 07:10, and shares her live location: too early, and told to
    # keep sharing.
    harness.clock.set(today(7, 10))
    shared = await fang.send_location(*near(20), live_period=28800)
    await harness.settle()
    text = fang.last().text or ""
    assert "还没到签到时间" in text and "07:30" in text, text
    assert "继续共享实时位置" in text, text
    told = len(fang.messages())

    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    async def counted(person: Any, message_id: int, north_m: float) -> int:
        statements.clear()
        engine = harness.database.engine.sync_engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            await person.update_live_location(message_id, *near(north_m))
            await harness.settle()
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    # Before the window opens a move says nothing and costs what any other move costs, and
    # one statement more: it is kept as the share's last known position, which the opening
    # takes should the phone stand still from then on (Telegram then sends no move).
    harness.clock.set(today(7, 20))
    waiting = await counted(fang, shared["message_id"], 15)
    kept = [statement for statement in statements if statement.startswith("UPDATE dialogues")]
    unrelated = await counted(qiang, other["message_id"], 1900)
    assert waiting == unrelated + 1 and len(kept) == 1, statements
    assert len(fang.messages()) == told
    assert await checkins(harness) == []
    # The window opens at 07:30: her next move at the post is the check-in's location.
    harness.clock.set(today(7, 31))
    await fang.update_live_location(shared["message_id"], *near(10))
    await harness.settle()
    assert len(fang.messages()) == told + 1
    assert "位置已确认" in (fang.last().text or "")
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    [record_] = await checkins(harness)
    assert record_.live and record_.live_message_id == shared["message_id"]
    assert record_.distance_m == 10
    assert (await assignment(harness, seat)).status == AssignmentStatus.CHECKED_IN


async def test_an_album_sent_before_the_location_is_answered_once(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 50))
    before = len(fang.messages())
    # Three pictures chosen at once, before any location: three messages of one album.
    await fang.send_album(3)
    await harness.settle()
    said = fang.texts()[before:]
    assert len(said) == 2, said
    assert "先发位置，再发照片" in said[0] and "请点下面的按钮发送您现在的位置" in said[1], said
    # A photo of another album (or a single one) in the meantime is still answered.
    await fang.send_photo()
    await harness.settle()
    assert "发送我的位置" in (fang.last().text or "")
    await fang.send_location(*near(20))
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    assert len(await checkins(harness)) == 1


async def test_a_location_stays_good_for_30_minutes_from_when_it_was_sent_not_the_pick(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(12, 0))
    await duty(harness, fang, crew.unit, today(8, 15), today(12, 0), post_name="人民路口")
    harness.clock.set(today(7, 50))
    await fang.send_location(*near())
    await harness.settle()
    assert "几个班次" in (fang.last().text or "")
    # Picked within the half hour: the location is taken.
    harness.clock.set(today(8, 15))
    await fang.press("12月1日 周二 08:00–12:00 黄河路-人民路口")
    await harness.settle()
    assert "位置已确认" in (fang.last().text or "")
    # The photo 40 minutes after the location was sent: asked for again, as without a pick.
    harness.clock.set(today(8, 30))
    await fang.send_photo()
    await harness.settle()
    text = fang.last().text or ""
    assert "07:50" in text and "请重新发送一次您现在的位置" in text, text
    assert await checkins(harness) == []


async def test_a_live_location_that_never_reached_the_post_does_not_block_the_next_check_in(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    day = dt.timedelta(days=1)
    tomorrow = await duty(harness, fang, crew.unit, today(8, 0) + day, today(10, 0) + day)
    harness.clock.set(today(7, 40))
    # Shared on the way, too far; then the volunteer turned back and never came that day.
    await fang.send_location(*near(600), live_period=3600)
    await harness.settle()
    assert "继续共享实时位置" in (fang.last().text or "")
    # The next morning, on post: the location checks in to today's shift, not refused as
    # yesterday's being over.
    harness.clock.set(today(7, 50) + day)
    await fang.send_location(*near(20))
    await harness.settle()
    text = fang.last().text or ""
    assert "位置已确认" in text and "结束" not in text, text
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    [record] = await checkins(harness)
    assert record.assignment_id == tomorrow
    assert (await assignment(harness, tomorrow)).status == AssignmentStatus.CHECKED_IN
    assert await harness.count(Dialogue) == 0
