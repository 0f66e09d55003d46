"""When a check-in happened: a location or photo handled late (the bot was down, the updates
waited in Telegram's queue) counts when it was sent; a live location shared for the check-in is
not waited on for ever; a live share still running keeps the location fresh for the photo."""

from __future__ import annotations

import pytest

from bot.db.models import Dialogue
from bot.emulator import SimUser
from bot.emulator.methods.media import photo_sizes
from bot.services.platform import inbox
from tests.e2e.checkin_fixtures import (
    assign,
    checkins,
    duty,
    near,
    outbox_rows,
    post,
    shift,
    team,
    today,
)
from tests.harness import Harness


async def test_a_check_in_sent_while_the_bot_was_down_counts_when_it_was_sent(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    told = len(fang.texts())
    # The bot is down: the location (08:02) and the photo (08:03) wait in Telegram's queue.
    await harness.bot.stop()
    harness.clock.set(today(8, 2))
    await fang.send_location(*near(20))
    harness.clock.set(today(8, 3))
    await fang.send_photo()
    # Back at 08:20, it handles them: on time, at 08:03.
    harness.clock.set(today(8, 20))
    await harness.bot.start()
    await harness.settle()
    said = fang.texts()[told:]
    assert len(said) == 2 and "位置已确认" in said[0], said
    assert "签到成功" in said[1] and "08:03" in said[1] and "准时到岗" in said[1], said[1]
    assert "迟到" not in said[1]
    [record] = await checkins(harness)
    assert record.checked_in_at == today(8, 3)
    assert (record.minutes_late, record.late) == (3, False)


async def test_a_check_in_sent_before_the_shift_ended_counts_though_handled_after(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(7, 0), today(8, 0))
    harness.clock.set(today(7, 30))
    await harness.bot.stop()
    await fang.send_location(*near(20))
    harness.clock.set(today(7, 31))
    await fang.send_photo()
    # Handled at 08:20, after the shift's end: still the check-in of 07:31.
    harness.clock.set(today(8, 20))
    await harness.bot.start()
    await harness.settle()
    text = fang.last().text or ""
    assert "签到成功" in text and "07:31" in text and "迟到 31 分钟" in text, fang.texts()
    [record] = await checkins(harness)
    assert record.checked_in_at == today(7, 31) and record.minutes_late == 31


async def test_a_check_in_left_in_the_inbox_by_a_crash_counts_when_it_was_sent(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await harness.bot.stop()
    # The location (08:01) and the photo (08:02) were stored in the inbox, and the bot died
    # before handling them.
    world = harness.emulator.world
    chat = world.chats[fang.chat_id]
    harness.clock.set(today(8, 1))
    latitude, longitude = near(20)
    location = {"location": {"latitude": latitude, "longitude": longitude}}
    sent = [world.add_message(chat, location, fang.user_json)]
    harness.clock.set(today(8, 2))
    picture = photo_sizes(world, world.new_file(b"on post", "photo"))
    sent.append(world.add_message(chat, {"photo": picture}, fang.user_json))
    stored = [(10**9 + n, {"update_id": 10**9 + n, "message": m}) for n, m in enumerate(sent)]
    async with harness.session() as session:
        await inbox.store(session, stored, harness.clock.now(), "dead")
        await session.commit()
    told = len(fang.texts())
    # Back at 08:25: on time, at 08:02.
    harness.clock.set(today(8, 25))
    await harness.bot.start()
    await fang.wait_sent(told + 2)
    await harness.settle()
    said = fang.texts()[told:]
    assert "位置已确认" in said[0], said
    assert "签到成功" in said[1] and "08:02" in said[1] and "准时到岗" in said[1], said
    [record] = await checkins(harness)
    assert record.checked_in_at == today(8, 2) and not record.late


async def test_a_location_handled_hours_after_it_was_sent_is_judged_when_handled(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(6, 0), today(8, 0))
    harness.clock.set(today(7, 50))
    await harness.bot.stop()
    await fang.send_location(*near(20))
    # Down for hours: a time that old is not believed, so no check-in for a shift long over.
    harness.clock.set(today(11, 0))
    await harness.bot.start()
    await harness.settle()
    text = fang.last().text or ""
    assert "结束，不能再签到" in text and "签到成功" not in text, text
    assert await checkins(harness) == []


async def test_a_live_location_still_shared_keeps_the_location_fresh_without_moving(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(12, 0))
    harness.clock.set(today(7, 35))
    # Shared for an hour, standing still at the post: Telegram sends no move.
    await fang.send_location(*near(20), live_period=3600)
    await harness.settle()
    assert "位置已确认" in (fang.last().text or "")
    harness.clock.set(today(8, 20))
    await fang.send_photo()
    await harness.settle()
    text = fang.last().text or ""
    assert "签到成功" in text and "08:20" in text, text
    [record] = await checkins(harness)
    assert record.live and record.checked_in_at == today(8, 20)


async def test_a_live_location_no_longer_shared_or_gone_away_is_asked_for_again(
    harness: Harness,
) -> None:
    crew = await team(harness, ("王芳", "李明"))
    fang, ming = crew.volunteers
    morning = await shift(harness, await post(harness, crew.unit), today(8, 0), today(12, 0))
    for person in (fang, ming):
        await assign(harness, morning, person)
    harness.clock.set(today(7, 35))
    # 王芳 shares for 15 minutes only; 李明 for an hour, but then walks away.
    await fang.send_location(*near(20), live_period=900)
    shared = await ming.send_location(*near(20), live_period=3600)
    await harness.settle()
    harness.clock.set(today(7, 40))
    await ming.update_live_location(shared["message_id"], *near(900))
    await harness.settle()
    harness.clock.set(today(8, 20))
    for person in (fang, ming):
        await person.send_photo()
        await harness.settle()
        text = person.last().text or ""
        assert "签到成功" not in text and "07:35" in text, text
    assert await checkins(harness) == []


def waits_over(person: SimUser) -> list[str]:
    return [text for text in person.texts() if "实时位置一直没有进入" in text]


async def test_a_live_location_that_never_arrives_is_waited_on_only_so_long(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 30), today(10, 30))
    harness.clock.set(today(8, 0))
    # Shared 2 km away for eight hours: too far, keep sharing. It never comes nearer.
    await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    assert "继续共享实时位置" in (fang.last().text or "")
    assert await harness.count(Dialogue) == 1
    harness.clock.set(today(8, 29))
    await harness.tick()
    assert waits_over(fang) == [] and await harness.count(Dialogue) == 1
    # Half an hour on: told the check-in stopped waiting, and what to do.
    harness.clock.set(today(8, 31))
    await harness.tick()
    [told] = waits_over(fang)
    assert "黄河路-人民路口" in told and "/checkin" in told, told
    assert await harness.count(Dialogue) == 0
    # Once only; and what is sent next is no longer taken as the check-in's.
    harness.clock.set(today(8, 35))
    await harness.tick()
    assert len(waits_over(fang)) == 1
    await fang.send_text("你好")
    await harness.settle()
    assert "位置" not in (fang.last().text or "")
    # At the post later, a new location checks in as usual.
    await fang.send_location(*near(20))
    await harness.settle()
    assert "位置已确认" in (fang.last().text or "")


async def test_the_wait_ends_with_the_sharing_or_the_shift(harness: Harness) -> None:
    crew = await team(harness, ("王芳", "李明"))
    fang, ming = crew.volunteers
    await duty(harness, fang, crew.unit, today(8, 30), today(10, 30))
    await duty(harness, ming, crew.unit, today(8, 0), today(8, 20), post_name="人民路口")
    harness.clock.set(today(8, 0))
    # 王芳 shares for 15 minutes; 李明, whose shift ends at 08:20, for eight hours.
    await fang.send_location(*near(2000), live_period=900)
    await ming.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    harness.clock.set(today(8, 16))
    await harness.tick()
    [told] = waits_over(fang)
    assert "/checkin" in told, told
    assert waits_over(ming) == []
    harness.clock.set(today(8, 21))
    await harness.tick()
    [told] = waits_over(ming)
    assert "人民路口" in told and "08:20" in told and "协调员" in told, told
    assert await harness.count(Dialogue) == 0


async def test_a_check_in_that_reached_the_post_is_not_told_the_wait_ended(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    shared = await fang.send_location(*near(600), live_period=8 * 3600)
    await harness.settle()
    harness.clock.set(today(7, 50))
    await fang.update_live_location(shared["message_id"], *near(20))
    await harness.settle()
    assert "位置已确认" in (fang.last().text or "")
    # Waiting for the photo now, not for the location: nothing to say, the dialogue stays.
    harness.clock.set(today(8, 30))
    await harness.tick()
    assert waits_over(fang) == [] and await harness.count(Dialogue) == 1


async def test_a_live_location_shared_before_check_in_opens_is_waited_on_from_the_opening(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(9, 0), today(11, 0))
    # Check-in opens at 08:30; shared at 08:00, far away, and it never comes nearer.
    harness.clock.set(today(8, 0))
    await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    assert "签到开放后" in (fang.last().text or "")
    harness.clock.set(today(8, 50))
    await harness.tick()
    assert waits_over(fang) == [] and await harness.count(Dialogue) == 1
    harness.clock.set(today(9, 0))
    await harness.tick()
    assert len(waits_over(fang)) == 1 and await harness.count(Dialogue) == 0


async def test_a_location_sent_past_another_dialogue_checks_in_as_of_when_it_was_sent(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    # She only looked at her unavailability list, which leaves its dialogue open.
    await fang.send_command("unavailable")
    await harness.settle()
    await duty(harness, fang, crew.unit, today(8, 0), today(9, 0))
    # 08:50, on post: location and photo; the bot is down and reads them at 09:05, after the
    # shift's end. Sent while the check-in was open, the location is her check-in, not an
    # answer to the old dialogue.
    await harness.bot.stop()
    harness.clock.set(today(8, 50))
    await fang.send_location(*near(20))
    harness.clock.set(today(8, 51))
    await fang.send_photo()
    told = len(fang.texts())
    harness.clock.set(today(9, 5))
    await harness.bot.start()
    await harness.settle()
    said = fang.texts()[told:]
    assert len(said) == 2 and "位置已确认" in said[0], said
    assert "签到成功" in said[1] and "08:51" in said[1], said
    [record] = await checkins(harness)
    assert record.checked_in_at == today(8, 51)
    assert await harness.count(Dialogue) == 0


async def test_a_location_sent_soon_after_a_street_report_asked_for_it_goes_to_the_report(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(10, 0), today(12, 0))
    # 09:40: her street report asks for its location; she sends it at 09:50, while the bot
    # is down until 10:00. Ten minutes after it was asked, it is the report's, however late
    # it is read.
    harness.clock.set(today(9, 40))
    await fang.send_command("report")
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    await harness.bot.stop()
    harness.clock.set(today(9, 50))
    await fang.send_location(*near(20))
    told = len(fang.texts())
    harness.clock.set(today(10, 0))
    await harness.bot.start()
    await harness.settle()
    assert fang.texts()[told:] == ["📍 已收到位置。", "是哪类问题？"]
    assert await checkins(harness) == []


def cancel_on_screen(person: SimUser) -> bool:
    return any(key.get("text") == "取消" for row in person.reply_keyboard() or [] for key in row)


def location_button_on_screen(person: SimUser) -> bool:
    return any(key.get("request_location") for row in person.reply_keyboard() or [] for key in row)


async def test_the_wait_ended_by_the_shift_takes_the_cancel_button_away(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(8, 20))
    # The check-in-open notice and the late nudge went out (each with the 📍 button).
    for minute in (0, 12):
        harness.clock.set(today(8, minute))
        await harness.tick()
    assert any("您还没有签到" in text for text in fang.texts())
    await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    assert cancel_on_screen(fang)
    harness.clock.set(today(8, 21))
    await harness.tick()
    [told] = waits_over(fang)
    assert "08:20" in told, told
    # Nothing is left to cancel, nor to send a location for: the keyboard goes.
    assert fang.reply_keyboard() is None
    queued = await outbox_rows(harness, fang.user_id)
    [notice] = [row for row in queued if "一直没有进入" in row.text]
    assert notice.payload.get("remove_keyboard") is True


async def test_the_wait_ended_with_the_check_in_open_offers_the_location_button(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 30), today(10, 30))
    # The check-in-open notice (with its 📍 button) went out at 08:00.
    harness.clock.set(today(8, 0))
    await harness.tick()
    assert location_button_on_screen(fang)
    await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    assert cancel_on_screen(fang)
    harness.clock.set(today(8, 31))
    await harness.tick()
    assert len(waits_over(fang)) == 1
    # The Cancel button goes; the 📍 button, which checks in from the post, comes again.
    assert not cancel_on_screen(fang) and location_button_on_screen(fang)
    await fang.tap_location_button(*near(20))
    await harness.settle()
    assert "位置已确认" in (fang.last().text or "")


@pytest.mark.parametrize("settings_overrides", [{"checkin_require_live_location": True}])
async def test_the_wait_ended_where_a_live_location_is_required_leaves_no_keyboard(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 30), today(10, 30))
    harness.clock.set(today(8, 0))
    await harness.tick()
    await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    assert cancel_on_screen(fang)
    harness.clock.set(today(8, 31))
    await harness.tick()
    assert len(waits_over(fang)) == 1
    # A 📍 button would send a one-off location, which this check-in refuses: none.
    assert fang.reply_keyboard() is None
