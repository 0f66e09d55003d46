"""A live location shared before check-in opens, by someone standing still: Telegram sends an
edit of a live location only when it moves, so the check-in cannot wait for a move. Its last
known position is kept, and taken when the check-in opens (the scheduler tick) if it is within
the post's range and still shared."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import Dialogue
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import checkins, duty, near, team, today
from tests.harness import Harness

# An 08:00 shift's check-in opens at 07:45.
OPENS_15 = {"checkin_open_before_min": 15}


def waits_over(person: SimUser) -> list[str]:
    return [text for text in person.texts() if "实时位置一直没有进入" in text]


def photo_asks(person: SimUser) -> list[str]:
    return [text for text in person.texts() if "位置已确认" in text]


async def dialogue_of(harness: Harness, person: SimUser) -> Dialogue | None:
    async with harness.session() as session:
        return await session.scalar(select(Dialogue).where(Dialogue.telegram_id == person.user_id))


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_live_location_shared_at_the_post_before_check_in_opens_is_taken_when_it_opens(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    # At the post, too early; shared for eight hours, and the phone stands still: no moves.
    await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    assert "签到开放后" in (fang.last().text or "")
    harness.clock.set(today(7, 44))
    await harness.tick()
    assert photo_asks(fang) == []
    harness.clock.set(today(7, 45))
    await harness.tick()
    [asked] = photo_asks(fang)
    assert "黄河路-人民路口" in asked and "照片" in asked, asked
    waiting = await dialogue_of(harness, fang)
    assert waiting is not None and waiting.step == "photo"
    assert waiting.data["position"]["live"]
    assert dt.datetime.fromisoformat(waiting.data["located_at"]) == today(7, 45)
    # Once only; and the wait is not told it ended, half an hour after the opening.
    harness.clock.set(today(8, 16))
    await harness.tick()
    assert len(photo_asks(fang)) == 1 and waits_over(fang) == []
    # The photo checks in: the live share kept the location fresh.
    await fang.send_photo()
    await harness.settle()
    text = fang.last().text or ""
    assert "签到成功" in text and "08:16" in text, text
    [record] = await checkins(harness)
    assert record.live and record.checked_in_at == today(8, 16) and record.minutes_late == 16


@pytest.mark.parametrize("settings_overrides", [{**OPENS_15, "checkin_require_photo": False}])
async def test_without_a_photo_the_still_share_checks_in_at_the_opening(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    harness.clock.set(today(7, 45))
    await harness.tick()
    told = [text for text in fang.texts() if "签到成功" in text]
    assert len(told) == 1 and "07:45" in told[0], fang.texts()
    [record] = await checkins(harness)
    assert record.live and record.checked_in_at == today(7, 45)
    assert await dialogue_of(harness, fang) is None
    harness.clock.set(today(8, 16))
    await harness.tick()
    assert waits_over(fang) == [] and len(await checkins(harness)) == 1


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_share_that_reached_the_post_before_the_opening_and_stood_still_is_taken(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 30))
    shared = await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    # Walks to the post before the opening, then stands there.
    harness.clock.set(today(7, 40))
    await fang.update_live_location(shared["message_id"], *near(20))
    await harness.settle()
    assert photo_asks(fang) == []
    harness.clock.set(today(7, 45))
    await harness.tick()
    assert len(photo_asks(fang)) == 1
    waiting = await dialogue_of(harness, fang)
    assert waiting is not None and waiting.step == "photo"


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_still_share_out_of_range_is_told_the_wait_ended_at_its_time(
    harness: Harness,
) -> None:
    crew = await team(harness, ("王芳", "李明"))
    fang, ming = crew.volunteers
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, ming, crew.unit, today(8, 0), today(10, 0), post_name="人民路口")
    harness.clock.set(today(7, 40))
    # 王芳 stands still 2 km away; 李明 was at the post but walked off before the opening.
    await fang.send_location(*near(2000), live_period=8 * 3600)
    shared = await ming.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    harness.clock.set(today(7, 42))
    await ming.update_live_location(shared["message_id"], *near(900))
    await harness.settle()
    harness.clock.set(today(7, 45))
    await harness.tick()
    assert photo_asks(fang) == [] and photo_asks(ming) == []
    harness.clock.set(today(8, 14))
    await harness.tick()
    assert waits_over(fang) == [] and waits_over(ming) == []
    assert await harness.count(Dialogue) == 2
    harness.clock.set(today(8, 15))
    await harness.tick()
    assert len(waits_over(fang)) == 1 and len(waits_over(ming)) == 1
    assert await harness.count(Dialogue) == 0 and await checkins(harness) == []


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_share_at_the_post_that_stopped_before_the_opening_is_not_taken(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    # Shared for three minutes only: over at 07:43, before the opening.
    await fang.send_location(*near(20), live_period=180)
    await harness.settle()
    # Told at once that it ends before the check-in opens, so it is not waited on (not "keep
    # sharing", then "your sharing ended" at the opening).
    answer = fang.last().text or ""
    assert "07:43" in answer and "重新发送位置" in answer and "继续共享" not in answer, answer
    assert await harness.count(Dialogue) == 0
    harness.clock.set(today(7, 45))
    await harness.tick()
    await harness.deliver()
    assert photo_asks(fang) == [] and waits_over(fang) == []
    assert [text for text in fang.texts() if "实时位置共享已经结束" in text] == []
    assert await harness.count(Dialogue) == 0 and await checkins(harness) == []


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_still_share_with_two_shifts_opening_asks_which_one(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(8, 0), today(9, 0), post_name="人民路口")
    harness.clock.set(today(7, 40))
    await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    harness.clock.set(today(7, 45))
    await harness.tick()
    asked = fang.last()
    assert "几个班次" in (asked.text or ""), fang.texts()
    labels = [label for label in asked.buttons() if "人民路口" in label and "黄河路" not in label]
    assert len(labels) == 1 and "取消" in " ".join(asked.buttons()), asked.buttons()
    # The pick takes the location kept from the share: the photo is asked for.
    await fang.press(labels[0])
    await harness.settle()
    assert "位置已确认" in (fang.last().text or ""), fang.texts()
    waiting = await dialogue_of(harness, fang)
    assert waiting is not None and waiting.step == "photo"


def cancel_on_screen(person: SimUser) -> bool:
    return any(key.get("text") == "取消" for row in person.reply_keyboard() or [] for key in row)


@pytest.mark.parametrize("settings_overrides", [{**OPENS_15, "checkin_require_photo": False}])
async def test_checked_in_at_the_opening_the_volunteer_gets_the_confirmation_alone(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    told = len(fang.texts())
    harness.clock.set(today(7, 45))
    await harness.tick()
    await harness.deliver()
    # No "check-in is open, tap 📍" notice before it: checked in already, one message says so,
    # and how to check out (it takes the keyboard away, so it has no check-out button).
    [confirmed] = fang.texts()[told:]
    assert "签到成功" in confirmed and "07:45" in confirmed, confirmed
    assert "自动为您签到" in confirmed and "/checkout" in confirmed, confirmed
    assert fang.reply_keyboard() is None
    [record] = await checkins(harness)
    assert record.live and record.checked_in_at == today(7, 45)
    # Nothing follows at the next tick either.
    harness.clock.set(today(7, 46))
    await harness.tick()
    await harness.deliver()
    assert len(fang.texts()) == told + 1, fang.texts()[told:]


@pytest.mark.parametrize(
    "settings_overrides",
    [{**OPENS_15, "checkin_require_photo": False, "checkin_require_live_location": True}],
)
async def test_checked_in_at_the_opening_the_cancel_button_of_the_wait_goes(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 38))
    # A one-off location first: refused (a live one is required), with the Cancel button.
    await fang.send_location(*near(20))
    await harness.settle()
    assert "需要共享实时位置" in (fang.last().text or "") and cancel_on_screen(fang)
    harness.clock.set(today(7, 40))
    await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    assert cancel_on_screen(fang)
    harness.clock.set(today(7, 45))
    await harness.tick()
    await harness.deliver()
    assert "签到成功" in (fang.last().text or ""), fang.texts()
    assert len(await checkins(harness)) == 1 and await dialogue_of(harness, fang) is None
    # Nothing is left to cancel: the keyboard goes.
    assert fang.reply_keyboard() is None


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_taken_at_the_opening_the_photo_is_asked_for_in_one_message(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    told = len(fang.texts())
    for minute in (45, 46):
        harness.clock.set(today(7, minute))
        await harness.tick()
        await harness.deliver()
    # Asked for the photo, and not told to tap 📍 to send the location it has.
    [asked] = fang.texts()[told:]
    assert "位置已确认" in asked and "照片" in asked, asked
    assert fang.reply_keyboard() is None


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_taken_at_the_opening_with_two_shifts_only_the_pick_is_sent(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(8, 0), today(9, 0), post_name="人民路口")
    harness.clock.set(today(7, 40))
    await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    told = len(fang.texts())
    for minute in (45, 46):
        harness.clock.set(today(7, minute))
        await harness.tick()
        await harness.deliver()
    [asked] = fang.texts()[told:]
    assert "几个班次" in asked, fang.texts()[told:]


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_share_not_taken_at_the_opening_leaves_the_check_in_open_notice_as_it_was(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    told = len(fang.texts())
    harness.clock.set(today(7, 45))
    await harness.tick()
    await harness.deliver()
    [notice] = fang.texts()[told:]
    assert "签到已开放" in notice and "发送我的位置" in notice, notice
    keyboard = fang.reply_keyboard() or []
    assert any(key.get("request_location") for row in keyboard for key in row), keyboard
