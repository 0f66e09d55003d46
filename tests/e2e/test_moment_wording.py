"""What the bot says depends on the moment: a sign-up four minutes before the start is not told
about the 12-hour cut-off, a reminder past the cut-off does not say to cancel in /my, and "starts
in" is rounded to the nearest minute."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.models import Shift, ShiftStatus
from tests.e2e.checkin_fixtures import assign, duty, team, today
from tests.e2e.checkin_fixtures import post as place_of
from tests.e2e.schedule import DAY, at, command, person, post, press_and_settle, unit
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"reminder_leads": "720,2", "understaffed_alert_hours": 0}


async def add_shift(harness: Harness, post_id: int, start: dt.datetime, hours: int = 2) -> None:
    async with harness.session() as session:
        session.add(
            Shift(
                post_id=post_id,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=hours),
                capacity=4,
                status=ShiftStatus.SCHEDULED,
                created_at=harness.clock.now(),
            )
        )


async def test_the_sign_up_reply_says_what_is_still_possible(harness: Harness) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    await add_shift(harness, post_id, at(DAY, 8, 4))  # in four minutes
    await add_shift(harness, post_id, at(DAY, 11, 0))  # in three hours: swaps still open
    await add_shift(harness, post_id, at(DAY + dt.timedelta(days=2), 7, 0))
    volunteer = await person(harness, 9601, unit_id, "王芳")
    await command(harness, volunteer, "shifts")

    text = await press_and_settle(harness, volunteer, "✋ 报名 1")
    assert "马上就要开始了，已经不能取消或换岗；来不了请马上告诉协调员。" in text
    assert "小时内不能自行取消" not in text
    text = await press_and_settle(harness, volunteer, "✋ 报名 2")
    assert "离开始已不到 12 小时，不能自行取消了；来不了请用 /swap 换岗，或告诉协调员。" in text
    text = await press_and_settle(harness, volunteer, "✋ 报名 3")
    assert "2026年12月2日 19:00 前可以在 /my 里取消。" in text

    # Cancelling the one about to start is refused with what is still possible.
    await command(harness, volunteer, "my")
    await press_and_settle(harness, volunteer, "✖️ 取消 1")
    asked = await volunteer.press("是，取消")
    await harness.settle()
    assert volunteer.answered_callbacks[-1]["text"] == (
        "马上就要开始了，已经不能取消或换岗。来不了请马上告诉协调员。"
    )
    await command(harness, volunteer, "my")
    stale_my = volunteer.last().message_id
    # Pressed again once it has begun, the refusal says so, not that it starts soon: at the
    # ✖️ of a /my shown before the start, and at the confirmation.
    harness.clock.set(at(DAY, 8, 30))
    await volunteer.press("✖️ 取消 1", stale_my)
    await harness.settle()
    assert volunteer.answered_callbacks[-1]["text"] == (
        "这个班次已经开始，不能再取消；来不了请马上告诉协调员。"
    )
    await volunteer.press("是，取消", asked["message"]["message_id"])
    await harness.settle()
    assert volunteer.answered_callbacks[-1]["text"] == (
        "这个班次已经开始，不能再取消；来不了请马上告诉协调员。"
    )
    # Once it has begun, /my offers no ✖️ on it (whose press, asking "cancel this shift?",
    # would only be refused as "about to start"): the shifts still ahead keep theirs.
    assert "1. 12月1日 周二 08:04–10:04" in await command(harness, volunteer, "my")
    assert volunteer.last().buttons() == [
        "✖️ 取消 2",
        "✖️ 取消 3",
        "🔁 换岗 2",
        "🔁 换岗 3",
        "📅 日历文件",
    ]


async def test_a_reminder_past_the_cut_off_does_not_say_cancel_in_my(harness: Harness) -> None:
    crew = await team(harness, ("王芳",))
    fang = crew.volunteers[0]
    tomorrow_seven = today(7, 0) + dt.timedelta(days=1)
    await duty(harness, fang, crew.unit, tomorrow_seven, tomorrow_seven + dt.timedelta(hours=2))
    harness.clock.set(today(19, 0))  # 12 hours before: the cut-off has come
    await harness.tick()
    reminder = fang.last().text or ""
    assert reminder.startswith("⏰ 上岗提醒：") and "还有 12 小时" in reminder
    assert "有事来不了？已经不能取消了：请用 /swap 换岗，或告诉协调员" in reminder
    assert "/my 里取消" not in reminder


async def test_starts_in_is_rounded_to_the_nearest_minute(harness: Harness) -> None:
    crew = await team(harness, ("王芳",))
    fang = crew.volunteers[0]
    place = await place_of(harness, crew.unit)
    async with harness.session() as session:
        shift = Shift(
            post_id=place.id,
            starts_at=today(10, 0),
            ends_at=today(12, 0),
            capacity=4,
            status=ShiftStatus.SCHEDULED,
            created_at=harness.clock.now(),
        )
        session.add(shift)
        await session.commit()
    await assign(harness, shift, fang)
    harness.clock.set(today(9, 58) + dt.timedelta(seconds=1))  # 1 min 59 s before
    await harness.tick()
    assert any("距开始还有 2 分钟" in text for text in fang.texts()), [
        t for t in fang.texts() if "距开始" in t
    ]
