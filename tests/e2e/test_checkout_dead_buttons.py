"""A 🏁 or "🙋 I'm on post" press refused for good (the check-in it was made for is over: checked
out already, or another one is on now) is answered, and the buttons come off the message, since
they can never do anything again; the database is left as it was."""

from __future__ import annotations

from bot.db.models import CheckoutKind
from bot.emulator import SimUser
from bot.services.duty import jobs as checkin_jobs
from tests.e2e.checkin_fixtures import check_in, checkins, duty, near, run_due, team, today
from tests.harness import Harness

NOT_CHECKED_IN = "您现在没有签到，不需要签退。"
STALE = "这个按钮已失效，请重新打开菜单。"


def _buttons_of(person: SimUser, message_id: int) -> list[str]:
    (message,) = [sent for sent in person.messages() if sent.message_id == message_id]
    return message.buttons()


async def test_checkout_pressed_again_after_checking_out_takes_the_button_off(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 5))
    await check_in(harness, fang)
    confirmation = fang.last().message_id
    assert _buttons_of(fang, confirmation) == ["🏁 签退"]
    harness.clock.set(today(10, 5))
    await fang.send_command("checkout")
    await harness.settle()
    assert "已签退" in (fang.last().text or "")
    sent_before = len(fang.messages())
    await fang.press("🏁 签退", confirmation)
    await harness.settle()
    assert fang.answered_callbacks[-1]["text"] == NOT_CHECKED_IN
    assert _buttons_of(fang, confirmation) == []
    assert len(fang.messages()) == sent_before
    (record,) = await checkins(harness)
    assert record.checked_out_at == today(10, 5)
    assert record.checkout_kind == CheckoutKind.NORMAL


async def test_an_earlier_check_ins_button_comes_off_and_the_current_stays_open(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(11, 0), today(12, 0))
    harness.clock.set(today(8, 5))
    await check_in(harness, fang)
    first = fang.last().message_id
    harness.clock.set(today(10, 5))
    await fang.send_command("checkout")
    await harness.settle()
    harness.clock.set(today(10, 50))
    await check_in(harness, fang)
    second = fang.last().message_id
    await fang.press("🏁 签退", first)
    await harness.settle()
    assert "这个「签退」按钮属于之前的一次签到" in fang.answered_callbacks[-1]["text"]
    assert _buttons_of(fang, first) == []
    assert _buttons_of(fang, second) == ["🏁 签退"]
    _, current = await checkins(harness)
    assert current.checked_out_at is None


async def test_on_post_pressed_after_checking_out_takes_the_question_s_buttons_off(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    live = await fang.send_location(*near(north_m=20), live_period=8 * 3600)
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    harness.clock.set(today(8, 30))
    await fang.update_live_location(live["message_id"], *near(0, 500))
    await harness.settle()
    harness.clock.set(today(8, 45))
    assert await run_due(harness, checkin_jobs.left_post_alerts) == 1
    await harness.deliver()
    question = fang.last().message_id
    assert _buttons_of(fang, question) == ["🙋 我在岗", "🏁 签退"]
    harness.clock.set(today(10, 5))
    await fang.send_command("checkout")
    await harness.settle()
    await fang.press("🙋 我在岗", question)
    await harness.settle()
    assert fang.answered_callbacks[-1]["text"] == STALE
    assert _buttons_of(fang, question) == []
    (record,) = await checkins(harness)
    assert record.checked_out_at == today(10, 5)
