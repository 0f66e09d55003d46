"""A volunteer checks in on post with a location and a photo, and checks out: the ways in (a
location alone, a photo first, past another open dialogue, a pick between two open shifts, no
photo where none is asked)."""

from __future__ import annotations

import pytest

from bot.db.models import AssignmentStatus, CheckoutKind, Dialogue
from tests.e2e.checkin_fixtures import assignment, checkins, duty, near, team, today
from tests.harness import Harness


async def test_volunteer_checks_in_with_location_and_photo_and_checks_out(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 30), today(10, 30))

    await fang.send_command("checkin")
    await harness.settle()
    assert "黄河路-人民路口" in fang.last().text and "实时位置" in fang.last().text
    keyboard = fang.reply_keyboard()
    assert keyboard is not None and keyboard[0][0].get("request_location") is True

    await fang.send_location(*near(north_m=40), horizontal_accuracy=12)
    await harness.settle()
    assert "位置已确认" in fang.last().text and "40 米" in fang.last().text

    harness.clock.set(today(8, 20))
    photo = await fang.send_photo()
    await harness.settle()
    confirmation = fang.last()
    assert "签到成功" in confirmation.text and "08:20" in confirmation.text
    assert "提前到岗" in confirmation.text
    assert "🏁 签退" in confirmation.buttons()

    [record] = await checkins(harness)
    assert 39 <= record.distance_m <= 41 and record.accuracy_m == 12
    assert (record.minutes_late, record.late, record.far, record.live) == (0, False, False, False)
    assert record.photo_file_unique_id == photo["photo"][-1]["file_unique_id"]
    assert record.photo_file_id == photo["photo"][-1]["file_id"]
    assert (await assignment(harness, seat)).status == AssignmentStatus.CHECKED_IN
    assert await harness.count(Dialogue) == 0

    harness.clock.set(today(10, 35))
    await fang.press("🏁 签退")
    await harness.settle()
    assert "已签退" in fang.last().text and "2 小时" in fang.last().text
    [record] = await checkins(harness)
    assert record.checkout_kind == CheckoutKind.NORMAL and record.credited_minutes == 120
    assert (await assignment(harness, seat)).status == AssignmentStatus.CHECKED_OUT

    await fang.send_command("hours")
    await harness.settle()
    assert "本月：2 小时（1 班）" in fang.last().text
    assert "累计：2 小时（1 班）" in fang.last().text


async def test_a_location_alone_starts_the_check_in(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 12))

    await fang.send_location(*near(east_m=20))
    await harness.settle()
    assert "位置已确认" in fang.last().text
    await fang.send_photo()
    await harness.settle()
    assert "迟到 12 分钟" in fang.last().text
    [record] = await checkins(harness)
    assert record.late and record.minutes_late == 12


async def test_a_location_on_post_checks_in_past_a_dialogue_that_did_not_ask_for_one(
    harness: Harness,
) -> None:
    crew = await team(harness, ("王芳",))
    [wang] = crew.volunteers
    # She only looked at her unavailability list, which leaves its dialogue open.
    await wang.send_command("unavailable")
    await harness.settle()
    assert await harness.count(Dialogue) == 1
    await duty(harness, wang, crew.unit, today(10), today(12))
    harness.clock.set(today(9, 35))

    await wang.send_location(*near(20))
    await harness.settle()
    assert "位置已确认" in (wang.last().text or "")
    await wang.send_photo()
    await harness.settle()
    assert "签到成功" in (wang.last().text or "")
    [record] = await checkins(harness)
    assert record.checked_in_at == today(9, 35)
    assert await harness.count(Dialogue) == 0


async def test_a_street_report_asking_for_its_location_gets_it_until_it_is_left(
    harness: Harness,
) -> None:
    crew = await team(harness, ("王芳", "李明"))
    wang, li = crew.volunteers
    await duty(harness, wang, crew.unit, today(10), today(12))
    await duty(harness, li, crew.unit, today(10), today(12), post_name="人民公园东门")
    # 08:00: 李明 photographs a problem for a street report and walks on without its location.
    harness.clock.set(today(8, 0))
    await li.send_command("report")
    await harness.settle()
    await li.send_photo()
    await harness.settle()

    # 09:40, check-in open: 王芳's street report asks for its location, and gets it.
    harness.clock.set(today(9, 40))
    await wang.send_command("report")
    await harness.settle()
    await wang.send_photo()
    await harness.settle()
    harness.clock.set(today(9, 41))
    await wang.send_location(*near(20))
    await harness.settle()
    assert wang.texts()[-2:] == ["📍 已收到位置。", "是哪类问题？"]

    # 09:50: 李明's location from the post is his check-in, not the old report's place.
    harness.clock.set(today(9, 50))
    await li.send_location(*near(20))
    await harness.settle()
    assert "位置已确认" in (li.last().text or "")
    await li.send_photo()
    await harness.settle()
    assert "签到成功" in (li.last().text or "")
    [record] = await checkins(harness)
    assert record.checked_in_at == today(9, 50)


async def test_a_location_with_no_check_in_due_still_answers_the_open_dialogue(
    harness: Harness,
) -> None:
    crew = await team(harness, ("王芳",))
    [wang] = crew.volunteers
    await wang.send_command("unavailable")
    await harness.settle()
    await wang.send_location(*near(20))
    await harness.settle()
    assert wang.last().text == "请用文字写不能值班的时间。"
    assert await harness.count(Dialogue) == 1 and await checkins(harness) == []


@pytest.mark.parametrize("settings_overrides", [{"checkin_require_photo": False}])
async def test_without_the_photo_rule_the_location_completes_the_check_in(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await fang.send_location(*near())
    await harness.settle()
    assert "签到成功" in fang.last().text
    [record] = await checkins(harness)
    assert record.photo_file_id is None


async def test_two_open_shifts_are_picked_with_a_button(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(9, 0))
    second = await duty(harness, fang, crew.unit, today(8, 15), today(10, 0), post_name="人民路口")

    await fang.send_location(*near())
    await harness.settle()
    assert "几个班次" in fang.last().text
    await fang.press("12月1日 周二 08:15–10:00 人民路口")
    await harness.settle()
    assert "位置已确认" in fang.last().text
    await fang.send_photo()
    await harness.settle()
    [record] = await checkins(harness)
    assert record.assignment_id == second

    await fang.send_command("checkin")
    await harness.settle()
    assert "您已在「人民路口」签到" in fang.last().text


async def test_a_photo_sent_before_the_location_begins_the_check_in(harness: Harness) -> None:
    crew = await team(harness, ("王芳", "李明"))
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    # Sent too early (an album, as phones send several pictures): told when check-in opens,
    # once, as a location would be, not "not understood".
    harness.clock.set(today(7, 0))
    told = len(fang.texts())
    await fang.send_album(2)
    await harness.settle()
    assert fang.texts()[told:] == [
        "还没到签到时间。「黄河路-人民路口」的班次 08:00 开始，07:30 起可以签到。"
    ]
    harness.clock.set(today(7, 45))
    await fang.send_photo()
    await harness.settle()
    texts = fang.texts()
    assert "先发位置，再发照片" in texts[-2], texts[-2:]
    assert "请点下面的按钮发送您现在的位置" in texts[-1]
    keyboard = fang.reply_keyboard()
    assert keyboard is not None and keyboard[0][0].get("request_location") is True
    assert await checkins(harness) == []
    # Then the location and the photo again: checked in.
    await fang.send_location(*near(20))
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    # Once the shift is over (she forgot to check out), a photo is told so, as a location is.
    harness.clock.set(today(10, 30))
    await fang.send_photo()
    await harness.settle()
    assert (fang.last().text or "").startswith(
        "「黄河路-人民路口」的班次已于 10:00 结束，您还没有签退"
    )
    # Without a shift open for check-in, a photo is any other message.
    idle = crew.volunteers[1]
    await idle.send_photo()
    await harness.settle()
    assert idle.last().text == "没看懂这条消息。发送 /help 查看可用的命令。"
