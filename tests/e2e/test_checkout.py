"""A volunteer checks out: early with a reason (asked even before the automatic check-out),
straight on to the next shift, and a check-in left open on a cancelled shift, which is closed
unpaid and credits nothing."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Assignment, AssignmentStatus, CheckIn, CheckoutKind, Dialogue, ShiftStatus
from bot.emulator import SimUser
from bot.services.duty import jobs as checkin_jobs
from tests.e2e.checkin_fixtures import (
    assignment,
    check_in,
    checkins,
    duty,
    near,
    run_due,
    team,
    today,
)
from tests.harness import Harness


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
        "「黄河路-人民路口」的班次已于 10:00 结束，您还没有签退：请发送 /checkout 签退。"
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
    assert fang.last().text == "🏁 已签退：「黄河路-人民路口」，09:30。本班计入服务时长 0 分钟。"
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 30) and record.credited_minutes == 0
    assert (await assignment(harness, seat)).status is AssignmentStatus.CANCELLED
    assert await harness.count(Dialogue) == 0
