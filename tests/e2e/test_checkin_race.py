"""A check-in while another chat or a due job changes the seat it is for: a coordinator cancels
the shift, a colleague takes the seat its holder gave away (the check-in window opens 30 minutes
before the start, so both can happen while a volunteer on post sends her photo), or the no-show
job marks the seat absent as she checks in late or her coordinator takes her off the shift; and
a check-out by hand at the moment the automatic check-out closes the same check-in.

Each test holds one side with a gate (tests/e2e/race_gate.py) after it has read the seat and
before it writes; on PostgreSQL the other side goes ahead meanwhile, on SQLite it waits its turn.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from bot.buttons import SeatRemoveConfirm, ShiftCancelConfirm
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    CheckoutKind,
    Shift,
    ShiftStatus,
)
from bot.services.duty import checkin, noshow
from bot.services.duty import jobs as checkin_jobs
from tests.e2e.checkin_fixtures import (
    assignment,
    check_in,
    checkins,
    coordinator,
    duty,
    near,
    outbox_texts,
    run_due,
    team,
    today,
)
from tests.e2e.race_gate import Gate, until
from tests.e2e.schedule import at, statuses
from tests.e2e.swap_fixtures import town
from tests.harness import Harness


async def test_a_cancelled_shift_keeps_no_check_in_and_credits_no_hours(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    boss = await coordinator(harness, "城管局", 5100, "周协调")
    seat = await duty(harness, fang, crew.unit, today(9, 0), today(11, 0))
    async with harness.session() as session:
        shift_id = (await session.get(Assignment, seat)).shift_id  # type: ignore[union-attr]

    # 08:45: 王芳 is early at her post, location sent, photo to go; the coordinator has the
    # shift's cancel confirmation open.
    harness.clock.set(today(8, 45))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()
    await boss.send_command("roster")
    await harness.settle()

    # Her photo's check-in has read the seat (signed up, shift scheduled) when the coordinator
    # presses 是，取消班次.
    gate = Gate(monkeypatch, checkin, "write_checkin")
    seen = len(fang.texts())
    await fang.send_photo()
    await gate.wait_reached()
    answered = len(boss.answered_callbacks)
    await boss.press_data(ShiftCancelConfirm(shift_id).pack(), boss.last().message_id)
    await until(lambda: len(boss.answered_callbacks) > answered)
    gate.release()
    await harness.settle()
    await harness.deliver()
    told = fang.texts()[seen:]
    assert any("班次已取消" in text for text in told), told
    # Whichever went first: checked in, then out by the cancel; or told the check-in did not go
    # through because her shift changed.
    checked_in = any("签到成功" in text for text in told)
    refused = any("签到未完成" in text for text in told)
    assert checked_in != refused, told

    async with harness.session() as session:
        shift_row = await session.get(Shift, shift_id)
        seat_row = await session.get(Assignment, seat)
        open_checkins = list(
            await session.scalars(select(CheckIn).where(CheckIn.checked_out_at.is_(None)))
        )
    assert shift_row is not None and shift_row.status is ShiftStatus.CANCELLED
    # Told the shift is cancelled, she must not stay checked in to it.
    assert seat_row is not None and seat_row.status is AssignmentStatus.CANCELLED, seat_row.status
    assert open_checkins == []
    assert all(record.credited_minutes == 0 for record in await checkins(harness))

    # After the (cancelled) shift's end: no automatic check-out crediting hours for it.
    harness.clock.set(today(12, 5))
    await harness.tick()
    assert not any("自动为您签退" in text for text in fang.texts()), fang.texts()[seen:]


# Offers close 15 minutes before the start (SWAP_EXPIRY_BEFORE_START_MIN; the default 60 is
# before the check-in window, which opens 30 minutes early).
@pytest.mark.parametrize("settings_overrides", [{"swap_expiry_before_start_min": 15}])
async def test_a_seat_given_away_while_its_holder_checks_in_is_not_held_twice(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    town_ = await town(harness)  # 李明 holds tomorrow 07:00-09:00
    holder, taker = town_.holder, town_.others[0]
    async with harness.session() as session:
        await session.execute(
            Shift.__table__.update().where(Shift.id == town_.shift_id).values(capacity=1)
        )
    await holder.send_command("swap")
    await harness.settle()
    await holder.press("🔁 换岗 1")
    await harness.settle()
    await holder.press("📢 转让（单位里谁都可以接）")
    await harness.settle()
    await harness.deliver()

    # 06:40 tomorrow, check-in open: 李明 came after all and checks in; his photo's check-in
    # has read his seat when 王芳 presses 🙋 我来接 on his give-away.
    harness.clock.set(at(dt.date(2026, 12, 2), 6, 40))
    await holder.send_command("checkin")
    await harness.settle()
    await holder.send_location(*near(30))
    await harness.settle()
    gate = Gate(monkeypatch, checkin, "write_checkin")
    await holder.send_photo()
    await gate.wait_reached()
    answered = len(taker.answered_callbacks)
    await taker.press("🙋 我来接")
    await until(lambda: len(taker.answered_callbacks) > answered)
    gate.release()
    await harness.settle()

    seats = await statuses(harness, town_.shift_id)
    seated = [
        s for s in seats.values() if s in (AssignmentStatus.SIGNED_UP, AssignmentStatus.CHECKED_IN)
    ]
    assert len(seated) == 1, seats  # a one-seat shift
    if seats[holder.user_id] is AssignmentStatus.CHECKED_IN:
        # He checked in first: the give-away was closed under 王芳's press.
        assert len(await checkins(harness)) == 1
    else:
        # She took the seat first: his check-in did not go through, and he was told why.
        assert await checkins(harness) == []
        assert "签到未完成" in (holder.last().text or ""), holder.texts()[-3:]


async def test_a_late_check_in_is_not_overwritten_by_the_no_show_job(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))

    # 08:30, half an hour late: 王芳 is at her post, location sent, the photo to go.
    harness.clock.set(today(8, 30))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()

    # The no-show job has read her seat (signed up, no check-in) and is about to judge it
    # (her check-in awaits its photo: spared, were it still so) and write ABSENT when her photo
    # comes in.
    gate = Gate(monkeypatch, checkin_jobs, "_photo_awaited")
    job = asyncio.create_task(run_due(harness, checkin_jobs.mark_absent))
    await gate.wait_reached()
    seen = len(fang.texts())
    await fang.send_photo()
    await until(lambda: len(fang.texts()) > seen)
    gate.release()
    await job
    await harness.settle()

    assert any("签到成功" in text for text in fang.texts()[seen:]), fang.texts()[seen:]
    [record] = await checkins(harness)
    assert record.checked_out_at is None
    # She is on post with an open check-in: the seat must say checked in, not absent (the
    # no-show rule, the board and the 我会来 answer read ABSENT as missing).
    assert (await assignment(harness, seat)).status is AssignmentStatus.CHECKED_IN


async def test_a_seat_removed_by_the_coordinator_is_not_turned_into_a_no_show(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    boss = await coordinator(harness, "城管局", 5100, "周协调")
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 30))
    await boss.send_command("roster")
    await harness.settle()

    # The job has read her seat when the coordinator confirms 是，移出 (she phoned in sick).
    gate = Gate(monkeypatch, noshow, "escalate")
    job = asyncio.create_task(run_due(harness, checkin_jobs.mark_absent))
    await gate.wait_reached()
    answered = len(boss.answered_callbacks)
    await boss.press_data(SeatRemoveConfirm(seat).pack(), boss.last().message_id)
    await until(lambda: len(boss.answered_callbacks) > answered)
    gate.release()
    await job
    await harness.settle()
    await harness.deliver()

    status = (await assignment(harness, seat)).status
    removal_confirmed = "已移出" in str(boss.answered_callbacks[-1].get("text"))
    to_her = await outbox_texts(harness, fang.user_id)
    if removal_confirmed:
        # The coordinator was told she is off the shift: so she is, and the job, which came
        # second, neither asked her whether she is coming nor reported her missing.
        assert status is AssignmentStatus.REMOVED, status
        assert any("移出" in text for text in to_her), to_her
        assert not any("暂记为缺岗" in text for text in to_her), to_her
    else:
        # The job went first (on SQLite always: one writer at a time): she is absent, and
        # removing a seat no longer signed up is refused, as it is a moment later.
        assert status is AssignmentStatus.ABSENT, status


async def test_a_check_in_is_closed_once_by_hand_or_automatically(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 5))
    await check_in(harness, fang)

    # 11:00, an hour after the end: the automatic check-out has read her open check-in when
    # she remembers and sends /checkout.
    harness.clock.set(today(11, 0))
    gate = Gate(monkeypatch, checkin_jobs, "close")
    job = asyncio.create_task(run_due(harness, checkin_jobs.auto_checkout))
    await gate.wait_reached()
    seen = len(fang.texts())
    await fang.send_command("checkout")
    await until(lambda: len(fang.texts()) > seen)
    gate.release()
    await job
    await harness.settle()
    await harness.deliver()

    told = fang.texts()[seen:]
    by_hand = [text for text in told if text.startswith("🏁 已签退")]
    automatic = [text for text in told if "系统已自动为您签退" in text]
    # Closed once: she hears either that she checked out or that the bot did it, not both.
    assert len(by_hand) + len(automatic) == 1, told
    [record] = await checkins(harness)
    assert record.checkout_kind is (CheckoutKind.NORMAL if by_hand else CheckoutKind.AUTO)
