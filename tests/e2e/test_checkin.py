"""A volunteer checks in on post with a location and a photo, and checks out; every refusal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Update

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    CheckoutKind,
    Dialogue,
    ShiftStatus,
)
from bot.emulator import SimUser
from bot.services.duty import checkin as checkin_service
from bot.services.duty import jobs as checkin_jobs
from tests.e2e.checkin_fixtures import (
    assignment,
    check_in,
    checkins,
    duty,
    near,
    redeliver_last,
    run_due,
    team,
    today,
)
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


async def test_a_refused_check_in_leaves_a_forgotten_check_out_to_the_automatic_one(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 10))
    await check_in(harness, fang)
    # 10:20: she forgot to check out and sends /checkin; there is nothing to check in to.
    harness.clock.set(today(10, 20))
    await fang.send_command("checkin")
    await harness.settle()
    assert (fang.last().text or "").startswith(
        "「黄河路-人民路口」的班次已于 2026年12月1日 10:00 结束，"
        "您还没有签退：请发送 /checkout 签退。"
    )
    [record] = await checkins(harness)
    assert record.checked_out_at is None
    assert (await assignment(harness, seat)).status is AssignmentStatus.CHECKED_IN
    # So the automatic check-out still closes it, marked as such, and tells her.
    harness.clock.set(today(11, 0))
    assert await run_due(harness, checkin_jobs.auto_checkout) == 1
    [record] = await checkins(harness)
    assert record.checkout_kind is CheckoutKind.AUTO


async def _checked_in_then_cancelled_as_before(harness: Harness) -> tuple[SimUser, int]:
    """王芳 checked in early (07:45) to an 08:00-10:00 seat, then left as cancelling a shift used
    to leave her: the shift and the seat cancelled, her check-in still open. The seat's id."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 45))
    await check_in(harness, fang)
    async with harness.session() as session:
        row = await session.get(Assignment, seat)
        assert row is not None
        row.status = AssignmentStatus.CANCELLED
        row.shift.status = ShiftStatus.CANCELLED
    return fang, seat


async def test_a_check_in_left_open_on_a_cancelled_shift_is_closed_unpaid_and_unprompted(
    harness: Harness,
) -> None:
    fang, seat = await _checked_in_then_cancelled_as_before(harness)
    async with harness.session() as session:
        opened = await session.scalar(select(CheckIn).where(CheckIn.assignment_id == seat))
        assert opened is not None
        opened.outside_since = today(8, 0)
    seen = len(fang.texts())
    # Nobody asks her whether she is still on a post whose shift was cancelled, nor reminds
    # her to check out of it.
    harness.clock.set(today(8, 30))
    assert await run_due(harness, checkin_jobs.left_post_alerts) == 0
    harness.clock.set(today(10, 5))
    assert await run_due(harness, checkin_jobs.checkout_reminders) == 0
    # After the automatic check-out's grace the check-in is closed with no hours, silently.
    harness.clock.set(today(11, 0))
    assert await run_due(harness, checkin_jobs.auto_checkout) == 0
    [record] = await checkins(harness)
    assert record.checked_out_at is not None and record.credited_minutes == 0
    assert (await assignment(harness, seat)).status is AssignmentStatus.CANCELLED
    await harness.tick()
    await harness.deliver()
    assert fang.texts()[seen:] == []
    # So she is no longer checked in anywhere.
    await fang.send_command("checkout")
    await harness.settle()
    assert fang.last().text == "您现在没有签到，不需要签退。"
    [again] = await checkins(harness)
    assert again.checked_out_at == record.checked_out_at and again.credited_minutes == 0


async def test_straight_on_to_the_next_shift_closes_the_last_only_when_checked_in(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    first = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(10, 0), today(12, 0), post_name="人民公园东门")
    harness.clock.set(today(8, 10))
    await check_in(harness, fang)
    # 10:05, far from the next post: refused, and the first check-in is left as it was.
    harness.clock.set(today(10, 5))
    await fang.send_location(*near(north_m=3000))
    await harness.settle()
    assert "3.0 公里" in (fang.last().text or "")
    [record] = await checkins(harness)
    assert record.checked_out_at is None
    # On post: the new check-in closes the first at its end.
    await fang.send_location(*near(north_m=20))
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    earlier, later = await checkins(harness)
    assert earlier.checkout_kind is CheckoutKind.NORMAL
    assert earlier.checked_out_at == today(10, 0) and later.checked_out_at is None
    assert (await assignment(harness, first)).status is AssignmentStatus.CHECKED_OUT


async def test_no_shift_not_open_yet_and_shift_over_are_explained(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]

    await fang.send_command("checkin")
    await harness.settle()
    assert "还没有报名以后的班次" in fang.last().text

    await duty(harness, fang, crew.unit, today(9, 0).replace(day=3), today(11, 0).replace(day=3))
    await fang.send_location(*near())
    await harness.settle()
    assert "下一个班次：2026年12月3日 09:00" in fang.last().text

    await duty(harness, fang, crew.unit, today(10, 0), today(12, 0), post_name="人民路口")
    await fang.send_command("checkin")
    await harness.settle()
    assert "还没到签到时间" in fang.last().text and "09:30 起可以签到" in fang.last().text

    await duty(harness, fang, crew.unit, today(6, 0), today(7, 30), post_name="早岗")
    harness.clock.set(today(7, 40))
    await fang.send_command("checkin")
    await harness.settle()
    # An upcoming shift today is what matters most; the one that ended is told once none is left.
    assert "还没到签到时间" in fang.last().text
    harness.clock.set(today(12, 5))
    await fang.send_command("checkin")
    await harness.settle()
    assert "已于 2026年12月1日 12:00 结束" in fang.last().text
    assert await checkins(harness) == []
    assert await harness.count(Dialogue) == 0


async def test_too_far_says_distance_and_direction_and_allows_a_retry(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))

    await fang.send_command("checkin")
    await fang.send_location(*near(north_m=1500, east_m=1500))
    await harness.settle()
    refusal = fang.last()
    assert "2.1 公里" in refusal.text and "东北" in refusal.text and "150 米" in refusal.text
    assert await checkins(harness) == []
    keyboard = fang.reply_keyboard()
    assert keyboard is not None and keyboard[0][0].get("request_location") is True
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, fang.user_id)
    assert dialogue is not None and dialogue.step == "location"

    # A poor fix earns an allowance, capped at 100 m: 300 m away is too far whatever it says,
    # 200 m away with an 80 m fix is accepted and marked far.
    await fang.send_location(*near(north_m=-300), horizontal_accuracy=500)
    await harness.settle()
    assert "300 米（在岗位南方）" in fang.last().text
    await fang.send_location(*near(north_m=-200), horizontal_accuracy=80)
    await harness.settle()
    assert "位置已确认" in fang.last().text
    await fang.send_photo()
    await harness.settle()
    assert "定位精度较低" in fang.last().text
    [record] = await checkins(harness)
    assert record.far


async def test_forwarded_venue_and_wrong_kinds_of_input_change_nothing(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))

    await fang.send_command("checkin")
    await fang.send_location(*near(), forwarded=True)
    await fang.send_venue(*near(), title="人民公园", address="人民路 1 号")
    await fang.send_text("我到了")
    await fang.send_photo()
    await harness.settle()
    texts = fang.texts()[-4:]
    assert "转发的位置" in texts[0]
    assert "地点（场所）" in texts[1]
    assert "发送我的位置" in texts[2] and "发送我的位置" in texts[3]

    await fang.send_location(*near())
    await fang.send_photo(forwarded=True)
    await fang.send_document("photo.jpg", b"\xff\xd8jpeg", mime_type="image/jpeg")
    await fang.send_sticker()
    await fang.send_text("照片马上来")
    await fang.send_location(*near())
    await harness.settle()
    texts = fang.texts()[-5:]
    assert "转发的照片" in texts[0]
    assert "以文件发送" in texts[1]
    assert "用相机拍照" in texts[2] and "用相机拍照" in texts[3]
    assert "位置已确认" in texts[4]
    assert await checkins(harness) == []
    assert (await assignment(harness, 1)).status == AssignmentStatus.SIGNED_UP


Wrong = Callable[[SimUser], Awaitable[Any]]

WRONG_INPUTS: list[tuple[str, str, Wrong, str]] = [
    (
        "location",
        "forwarded location",
        lambda person: person.send_location(*near(), forwarded=True),
        "这是转发的位置。请用下面的按钮发送您自己现在的位置。",
    ),
    (
        "location",
        "venue",
        lambda person: person.send_venue(*near(), title="人民公园", address="人民路 1 号"),
        "这是一个地点（场所），不是您的位置。请用下面的按钮发送您现在的位置。",
    ),
    (
        "photo",
        "forwarded photo",
        lambda person: person.send_photo(forwarded=True),
        "这是转发的照片。请现场拍一张发过来。",
    ),
    (
        "photo",
        "document",
        lambda person: person.send_document("photo.jpg", b"\xff\xd8jpeg", mime_type="image/jpeg"),
        "这是一个文件。请以照片方式发送，不要选「以文件发送」。",
    ),
    (
        "photo",
        "sticker",
        lambda person: person.send_sticker(),
        "请发送一张照片（用相机拍照发送）。",
    ),
]


@pytest.mark.parametrize(
    ("step", "wrong", "expected"),
    [(step, wrong, expected) for step, _, wrong, expected in WRONG_INPUTS],
    ids=[name for _, name, _, _ in WRONG_INPUTS],
)
async def test_each_wrong_input_is_refused_clearly_and_changes_nothing(
    harness: Harness, step: str, wrong: Wrong, expected: str
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await fang.send_command("checkin")
    await harness.settle()
    if step == "photo":
        await fang.send_location(*near())
        await harness.settle()
        assert "位置已确认" in fang.last().text
    async with harness.session() as session:
        before = await session.get(Dialogue, fang.user_id)
    assert before is not None and before.step == step

    await wrong(fang)
    await harness.settle()
    assert fang.last().text == expected
    if step == "location":  # the button to send one's own location comes again
        keyboard = fang.reply_keyboard()
        assert keyboard is not None and keyboard[0][0].get("request_location") is True
    assert await checkins(harness) == []
    assert (await assignment(harness, seat)).status == AssignmentStatus.SIGNED_UP
    async with harness.session() as session:
        after = await session.get(Dialogue, fang.user_id)
    assert after is not None and (after.step, after.data) == (before.step, before.data)


@pytest.mark.parametrize("settings_overrides", [{"checkin_require_live_location": True}])
async def test_live_location_required_refuses_a_static_one(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    # Asked how to share a live location, with no 📍 button (it sends a one-off location).
    await fang.send_command("checkin")
    await harness.settle()
    assert "本单位签到需要共享实时位置" in fang.last().text
    keyboard = fang.reply_keyboard() or []
    assert not any(key.get("request_location") for row in keyboard for key in row)
    # The check-in-open notice says the same, without the button.
    harness.clock.set(today(7, 30))
    await harness.tick()
    await harness.deliver()
    notice = fang.last()
    assert "签到已开放" in notice.text and "共享实时位置签到" in notice.text
    assert not any(
        key.get("request_location") for row in fang.reply_keyboard() or [] for key in row
    )

    await fang.send_location(*near())
    await harness.settle()
    assert "需要共享实时位置" in fang.last().text
    assert not any(
        key.get("request_location") for row in fang.reply_keyboard() or [] for key in row
    )
    assert await checkins(harness) == []
    assert (await assignment(harness, seat)).status == AssignmentStatus.SIGNED_UP
    await fang.send_location(*near(), live_period=3600)
    await harness.settle()
    assert "位置已确认" in fang.last().text


async def test_a_photo_used_before_is_refused(harness: Harness) -> None:
    crew = await team(harness, ("王芳", "李雷"))
    fang, lei = crew.volunteers
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, lei, crew.unit, today(8, 0), today(10, 0), post_name="人民路口")
    await check_in(harness, fang)
    [first] = await checkins(harness)
    assert first.photo_file_unique_id is not None

    await lei.send_location(*near())
    await lei.send_photo_again(first.photo_file_unique_id)
    await harness.settle()
    assert "以前签到时用过了" in lei.last().text
    assert len(await checkins(harness)) == 1


@pytest.mark.parametrize("settings_overrides", [{"checkin_duplicate_photo": "flag"}])
async def test_a_photo_used_before_is_flagged_when_so_configured(harness: Harness) -> None:
    crew = await team(harness, ("王芳", "李雷"))
    fang, lei = crew.volunteers
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, lei, crew.unit, today(8, 0), today(10, 0), post_name="人民路口")
    await check_in(harness, fang)
    [first] = await checkins(harness)
    assert first.photo_file_unique_id is not None

    await lei.send_location(*near())
    await lei.send_photo_again(first.photo_file_unique_id)
    await harness.settle()
    assert "这张照片以前用过" in lei.last().text
    second = (await checkins(harness))[1]
    assert second.photo_flagged and not first.photo_flagged


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


async def test_early_check_out_asks_for_a_reason(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))

    await fang.send_command("checkout")
    await harness.settle()
    assert "没有签到" in fang.last().text

    harness.clock.set(today(8, 10))
    await check_in(harness, fang)
    harness.clock.set(today(9, 25))
    await fang.send_command("checkout")
    await harness.settle()
    assert "10:00 才结束" in fang.last().text
    await fang.send_sticker()
    await fang.send_text("好")
    await harness.settle()
    assert "用文字" in fang.texts()[-2] and "2 到 200 个字" in fang.texts()[-1]
    await fang.send_text("  家里 有急事 ")
    await harness.settle()
    assert "1 小时 15 分钟" in fang.last().text and "家里 有急事" in fang.last().text
    [record] = await checkins(harness)
    assert record.checkout_kind == CheckoutKind.EARLY and record.early_reason == "家里 有急事"
    assert record.credited_minutes == 75 and record.late


async def test_the_same_update_delivered_twice_checks_in_once(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await fang.send_location(*near())
    await fang.send_photo()
    await harness.settle()
    sent = len(fang.messages())

    await redeliver_last(harness, fang.user_id)
    assert len(await checkins(harness)) == 1
    assert len(fang.messages()) == sent

    await fang.send_location(*near())
    await harness.settle()
    assert "您已在「黄河路-人民路口」签到" in fang.last().text


async def test_an_update_handled_twice_at_once_keeps_only_the_first_handling(
    harness: Harness,
) -> None:
    """Two processes that take up one update (a row left by a worker thought dead) both run
    the handler; the inbox record at the end of the transaction lets only the first count."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await fang.send_location(*near())
    await harness.settle()
    location = harness.emulator.world.updates.history[-1].payload
    async with harness.session() as session:
        before = await session.get(Dialogue, fang.user_id)
    assert before is not None and before.step == "photo"
    sent = len(fang.messages())

    application = harness.bot.application
    assert application is not None
    harness.clock.advance(minutes=1)
    # The handler would start the photo step afresh: rolled back, and nothing sent.
    await application.process_update(Update.de_json(location, application.bot))
    async with harness.session() as session:
        after = await session.get(Dialogue, fang.user_id)
    assert after is not None and (after.step, after.data, after.updated_at) == (
        before.step,
        before.data,
        before.updated_at,
    )
    assert len(fang.messages()) == sent

    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in fang.last().text
    sent = len(fang.messages())
    # Now the handler refuses ("already checked in"): the refusal is not sent either.
    await application.process_update(Update.de_json(location, application.bot))
    assert len(fang.messages()) == sent
    assert len(await checkins(harness)) == 1


async def test_sending_the_photo_again_after_a_failure_completes_the_check_in(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await fang.send_location(*near())
    await harness.settle()

    real = checkin_service.write_checkin
    calls = 0

    async def crash_once(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database went away")
        return await real(*args, **kwargs)

    monkeypatch.setattr(checkin_service, "write_checkin", crash_once)
    await fang.send_photo()
    await harness.settle()
    assert "出了问题" in fang.last().text
    assert await checkins(harness) == []
    # The failed update was answered and is done: Telegram sending it again changes nothing.
    told = len(fang.texts())
    await redeliver_last(harness, fang.user_id)
    assert len(fang.texts()) == told and await checkins(harness) == []

    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in fang.last().text
    assert len(await checkins(harness)) == 1
    assert (await assignment(harness, seat)).status == AssignmentStatus.CHECKED_IN


async def test_a_reason_asked_before_an_automatic_check_out_ends_with_it(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 10))
    await check_in(harness, fang)
    harness.clock.set(today(9, 25))
    await fang.send_command("checkout")
    await harness.settle()
    assert "10:00 才结束" in fang.last().text
    # The volunteer walks away without answering; the day's automatic check-out closes it.
    harness.clock.set(today(23, 0))
    await harness.tick()
    [record] = await checkins(harness)
    assert record.checked_out_at is not None
    await fang.send_text("家里有急事")
    await harness.settle()
    assert fang.last().text == "您现在没有签到，不需要签退。"
    assert await harness.count(Dialogue) == 0


async def test_a_photo_sent_before_the_location_begins_the_check_in(harness: Harness) -> None:
    crew = await team(harness, ("王芳", "李明"))
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
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
    # Without a shift open for check-in, a photo is any other message.
    idle = crew.volunteers[1]
    await idle.send_photo()
    await harness.settle()
    assert idle.last().text == "没看懂这条消息。发送 /help 查看可用的命令。"


async def test_on_post_until_the_next_shift_elsewhere_checks_in_there_without_an_early_leave(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(10, 0), today(12, 0), post_name="人民公园东门")
    harness.clock.set(today(8, 0))
    await check_in(harness, fang)
    # 09:30: the next shift's check-in opens; at 09:50 she has walked over and sends her place.
    harness.clock.set(today(9, 30))
    await harness.tick()
    assert "签到已开放" in (fang.last().text or "") and "人民公园东门" in (fang.last().text or "")
    harness.clock.set(today(9, 50))
    await fang.send_location(*near(20))
    await harness.settle()
    assert "位置已确认" in (fang.last().text or ""), fang.last().text
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    first, second = await checkins(harness)
    # The first is closed at the handover, not as an early leave; the second is open.
    assert first.checked_out_at == today(9, 50) and first.checkout_kind is CheckoutKind.NORMAL
    assert second.checked_out_at is None
    # Still on the first shift with no next one open: checking in again is refused as before.
    await fang.send_location(*near(20))
    await harness.settle()
    assert "您已在「人民公园东门」签到" in (fang.last().text or "")


async def test_checking_out_of_a_check_in_left_open_on_a_cancelled_shift_credits_nothing(
    harness: Harness,
) -> None:
    fang, seat = await _checked_in_then_cancelled_as_before(harness)
    # 09:30, before the automatic check-out came round: no reason asked for leaving a shift
    # that was cancelled, and no minutes of it credited.
    harness.clock.set(today(9, 30))
    await fang.send_command("checkout")
    await harness.settle()
    assert fang.last().text == "🏁 已签退：黄河路-人民路口，09:30。本班计入服务时长 0 分钟。"
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 30) and record.credited_minutes == 0
    assert (await assignment(harness, seat)).status is AssignmentStatus.CANCELLED
    assert await harness.count(Dialogue) == 0
