"""A check-out counts when /checkout was sent, as a check-in counts when its location and photo
were: a volunteer who leaves at 09:00 while the bot is down (or slow) and is answered after the
shift's end still left early, and is credited up to 09:00, not for the whole shift (a message
read more than an hour after it was sent counts when it is read, as for a check-in)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.models import AssignmentStatus, CheckoutKind
from bot.services.duty import jobs
from bot.services.platform import inbox
from tests.e2e.checkin_fixtures import (
    assignment,
    check_in,
    checkins,
    duty,
    outbox_texts,
    run_due,
    team,
    today,
)
from tests.harness import Harness


@pytest.mark.parametrize("settings_overrides", [{"checkin_open_before_min": 15}])
async def test_a_checkout_sent_before_the_end_and_read_after_it_is_an_early_leave(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 55))
    await check_in(harness, fang)
    assert "签到成功" in (fang.last().text or "")
    # She leaves at 09:10 and says so; the bot is down until 10:05.
    await harness.bot.stop()
    harness.clock.set(today(9, 10))
    await fang.send_command("checkout")
    harness.clock.set(today(10, 5))
    await harness.bot.start()
    await harness.settle()
    # Asked for a reason, as for any check-out before the end; the post is named in 「」.
    asked = fang.last().text or ""
    assert asked.startswith("「黄河路-人民路口」的班次到 10:00 才结束。提前离岗请"), asked
    harness.clock.set(today(10, 6))
    await fang.send_text("家里有事")
    await harness.settle()
    done = fang.last().text or ""
    assert "09:10" in done and "家里有事" in done, done
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 10)
    assert record.checkout_kind is CheckoutKind.EARLY and record.early_reason == "家里有事"
    assert record.credited_minutes == 70
    assert (await assignment(harness, seat)).status is AssignmentStatus.CHECKED_OUT


@pytest.mark.parametrize("settings_overrides", [{"checkin_open_before_min": 15}])
async def test_a_checkout_after_the_end_read_late_is_credited_up_to_the_end(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 55))
    await check_in(harness, fang)
    await harness.bot.stop()
    harness.clock.set(today(10, 2))
    await fang.send_command("checkout")
    harness.clock.set(today(10, 40))
    await harness.bot.start()
    await harness.settle()
    done = fang.last().text or ""
    assert "10:02" in done, done
    [record] = await checkins(harness)
    assert record.checked_out_at == today(10, 2) and record.credited_minutes == 120
    assert record.checkout_kind is CheckoutKind.NORMAL


@pytest.mark.parametrize("settings_overrides", [{"checkin_open_before_min": 15}])
async def test_a_check_out_press_left_in_the_inbox_by_a_crash_counts_when_it_was_received(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 55))
    await check_in(harness, fang)
    confirmation = fang.last()
    data = confirmation.button_data("🏁 签退")
    assert data is not None
    # She taps 🏁 at 09:10; the bot stores the press and dies before handling it. Telegram puts
    # no time on a press: when the bot received it is the nearest it knows.
    await harness.bot.stop()
    harness.clock.set(today(9, 10))
    press = {
        "id": "9001",
        "from": fang.user_json,
        "message": confirmation.payload,
        "chat_instance": "1",
        "data": data,
    }
    async with harness.session() as session:
        await inbox.store(
            session, [(10**9, {"update_id": 10**9, "callback_query": press})], today(9, 10), "dead"
        )
        await session.commit()
    told = len(fang.texts())
    harness.clock.set(today(10, 5))
    await harness.bot.start()
    await fang.wait_sent(told + 1)
    await harness.settle()
    assert "提前离岗请简单说明原因" in (fang.last().text or ""), fang.texts()[told:]
    await fang.send_text("家里有事")
    await harness.settle()
    done = fang.last().text or ""
    assert "09:10" in done and "家里有事" in done, done
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 10) and record.credited_minutes == 70
    assert record.checkout_kind is CheckoutKind.EARLY


@pytest.mark.parametrize("settings_overrides", [{"checkin_open_before_min": 15}])
async def test_a_shift_ending_at_midnight_is_said_to_end_at_24_00(harness: Harness) -> None:
    """22:00–24:00 ends at 24:00 in the check-out lines too, as /newshift and /my show it, not
    at 00:00, which reads as before the start."""
    crew = await team(harness, ("王芳", "李明"))
    fang, ming = crew.volunteers
    midnight = today(0) + dt.timedelta(days=1)
    await duty(harness, fang, crew.unit, today(22, 0), midnight)
    await duty(harness, ming, crew.unit, today(22, 0), midnight, "人民路口")
    harness.clock.set(today(21, 55))
    await check_in(harness, fang)
    await check_in(harness, ming)
    harness.clock.set(today(23, 0))
    await fang.send_command("checkout")
    await harness.settle()
    asked = fang.last().text or ""
    assert asked.startswith("「黄河路-人民路口」的班次到 24:00 才结束。"), asked
    # Li Ming stays to the end and forgets to check out.
    harness.clock.set(midnight)
    await run_due(harness, jobs.checkout_reminders)
    [reminder] = [text for text in await outbox_texts(harness, ming.user_id) if "🏁" in text]
    assert "的班次 24:00 结束了" in reminder, reminder
    harness.clock.set(
        midnight + dt.timedelta(minutes=harness.runtime.settings.auto_checkout_after_min)
    )
    await run_due(harness, jobs.auto_checkout)
    [closed] = [text for text in await outbox_texts(harness, ming.user_id) if "🕘" in text]
    assert "的班次 24:00 已结束" in closed, closed
