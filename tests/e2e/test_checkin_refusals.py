"""Every refusal of a check-in, each with a clear answer and no change: no shift, not open
yet or over, too far (with distance and direction, and a retry), a forwarded venue or the wrong
kind of input, a static location where a live one is required, and a photo used before."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.db.models import AssignmentStatus, Dialogue
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import assignment, check_in, checkins, duty, near, team, today
from tests.harness import Harness


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
    assert "已于 12:00 结束" in fang.last().text
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
