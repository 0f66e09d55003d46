"""Reminders follow the seat: after a completed swap the new holder is reminded, told that
check-in is open and asked if they do not come; the old holder hears nothing more about it."""

from __future__ import annotations

from tests.e2e.duty_day_fixtures import DAY_BEFORE, on, tick_at
from tests.e2e.schedule import press_and_settle
from tests.e2e.swap_fixtures import GIVE_AWAY, LABEL, open_swap, town
from tests.harness import Harness


async def test_reminders_go_to_the_new_holder_after_a_swap_and_not_the_old_one(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    old, new = town_.holder, town_.others[0]  # 李明 gives away, 王芳 takes it

    await open_swap(harness, old, GIVE_AWAY)
    await harness.deliver()
    assert "换岗完成" in await press_and_settle(harness, new, "🙋 我来接")
    await harness.deliver()
    seen = {person.user_id: len(person.texts()) for person in (old, new)}

    # The evening before: the 12-hour reminder reaches 王芳 only.
    await tick_at(harness, on(19, 0, DAY_BEFORE))
    assert [text for text in new.texts()[seen[new.user_id] :] if text.startswith("⏰")] == [
        f"⏰ 上岗提醒：{LABEL}，距开始还有 12 小时。\n"
        "有事来不了？已经不能取消了：请用 /swap 换岗，或告诉协调员，好让别人顶上。"
    ]
    # 06:30 check-in opens, 07:06 the late nudge, 07:30 the no-show question: all hers.
    for moment in (on(6, 30), on(7, 6), on(7, 30)):
        await tick_at(harness, moment)
    mine = new.texts()[seen[new.user_id] :]
    assert any(text.startswith("📍 签到已开放") for text in mine)
    assert any(text.startswith("⌛ ") for text in mine)
    assert any(text.startswith("⚠️ ") for text in mine)
    # 李明 may be offered the open seats again, like anyone free; nothing about being on duty.
    about_duty = ("⏰", "📍", "⌛", "⚠️")
    assert not [text for text in old.texts()[seen[old.user_id] :] if text.startswith(about_duty)]
    # The coordinator is told that 王芳, not 李明, is missing.
    alert = town_.coordinator.last().text or ""
    assert alert.startswith("🚨 缺岗") and "王芳" in alert and "李明" not in alert
