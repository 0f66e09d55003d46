"""A live location the check-in waits on, while several processes run the scheduler tick on
PostgreSQL (each job in its own READ COMMITTED transaction) and a move of the share is handled
at the same moment.

The opening (`live_wait.live_waits_open`) and the "check-in is open" notice
(`reminders.checkin_open`) of one tick run one after the other, but another process's tick
runs beside them. A move sent just before the opening and handled after one process's opening
had read the waiting check-in made that process pass over it (its claim found the row changed),
so its notice went out; the other process's opening then took the share and told the volunteer
what comes next: two messages. Each test holds one side with asyncio events while the other
acts, as two processes' transactions interleave in production.

A move handled while a tick ends the wait (`live_waits_over`) or takes it at the opening
(`live_waits_open`) had read the check-in's dialogue before the tick changed it, and wrote its
own copy over the tick's, or failed on the row deleted under it (SQLAlchemy's StaleDataError:
"something went wrong"). The move that loses finds the wait gone and is answered as one after
its end.

On SQLite these cannot happen: a due job, or a handler, holds the one write lock from its
first read to its commit, so nothing is written between its read and its write, and no other
process runs a tick.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AssignmentStatus, Dialogue, OutboxMessage
from bot.emulator import SimUser
from bot.services.duty import live_wait, reminders
from bot.services.schedule import seat_scan
from bot.settings import Settings
from tests.e2e.checkin_fixtures import assignment, checkins, duty, near, team, today
from tests.e2e.race_gate import Gate
from tests.harness import Harness

# An 08:00 shift's check-in opens at 07:45.
OPENS_15 = {"checkin_open_before_min": 15}
OPENING = today(7, 45)
# The move the phone sent just before the opening, handled just after it.
MOVE_SENT = OPENING - dt.timedelta(seconds=10)

Job = Callable[[AsyncSession, dt.datetime, Settings], Awaitable[int]]


def _postgres_only(harness: Harness) -> None:
    if harness.database.is_sqlite:
        pytest.skip(
            "SQLite: a due job holds the write lock from its first read, so no move is handled"
            " between its read and its claim, and one process runs the tick"
        )


async def _run(harness: Harness, job: Job, at: dt.datetime = OPENING) -> int:
    """One process's pass of a due job at `at` (the opening), in its own transaction."""
    async with harness.session() as session:
        return await job(session, at, harness.runtime.settings)


async def _opening_passed_over_by_a_move(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, fang: SimUser, shared: int
) -> None:
    """Process B's opening reads the waiting check-in; a move sent before the opening is handled
    before B claims it; B's claim finds the row changed and passes it over."""
    read, go = asyncio.Event(), asyncio.Event()
    original = live_wait._waiting_on_location
    calls = 0

    async def read_then_hold(session: AsyncSession) -> list[Dialogue]:
        nonlocal calls
        calls += 1
        found = await original(session)
        if calls == 1:
            read.set()
            await go.wait()
        return found

    monkeypatch.setattr(live_wait, "_waiting_on_location", read_then_hold)
    opening_b = asyncio.create_task(_run(harness, live_wait.live_waits_open))
    await asyncio.wait_for(read.wait(), 10)
    harness.clock.set(MOVE_SENT)
    await fang.update_live_location(shared, *near(25))
    await harness.settle()
    go.set()
    assert await opening_b == 0
    harness.clock.set(OPENING)


async def _notice_keys(harness: Harness, seat: int) -> list[str]:
    async with harness.session() as session:
        keys = await session.scalars(
            select(OutboxMessage.idempotency_key).where(
                OutboxMessage.idempotency_key == seat_scan.checkin_open_key(seat)
            )
        )
        return list(keys)


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_one_process_notice_and_the_other_process_opening_send_one_message(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres_only(harness)
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    # At the post, too early; shared for eight hours.
    shared = await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    seen = len(fang.texts())

    await _opening_passed_over_by_a_move(harness, monkeypatch, fang, shared["message_id"])
    # Process B's notice, then process A's opening.
    await _run(harness, reminders.checkin_open)
    await _run(harness, live_wait.live_waits_open)
    # Both processes' next ticks change nothing.
    await _run(harness, live_wait.live_waits_open)
    await _run(harness, reminders.checkin_open)
    await harness.deliver()

    told = fang.texts()[seen:]
    assert len(told) == 1, told
    assert "位置已确认" in told[0] and "签到已开放：您共享的实时位置" in told[0], told
    assert await _notice_keys(harness, seat) == []
    async with harness.session() as session:
        waiting = await session.get(Dialogue, fang.user_id)
    assert waiting is not None and waiting.step == "photo"
    assert dt.datetime.fromisoformat(waiting.data["located_at"]) == OPENING


@pytest.mark.parametrize("settings_overrides", [{**OPENS_15, "checkin_require_photo": False}])
async def test_a_notice_that_read_the_seat_before_the_other_process_checked_in_is_not_sent(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Process B's notice has read the seat (still signed up) when process A's opening checks
    the volunteer in and ends the check-in's dialogue: B must not take the missing dialogue
    for one that never had a location."""
    _postgres_only(harness)
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    shared = await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    seen = len(fang.texts())

    await _opening_passed_over_by_a_move(harness, monkeypatch, fang, shared["message_id"])
    gate = Gate(monkeypatch, seat_scan, "load")
    notice_b = asyncio.create_task(_run(harness, reminders.checkin_open))
    await gate.wait_reached()
    assert await _run(harness, live_wait.live_waits_open) == 1
    gate.release()
    await notice_b
    await harness.deliver()

    told = fang.texts()[seen:]
    assert len(told) == 1, told
    assert "签到成功" in told[0] and "已自动为您签到" in told[0], told
    assert await _notice_keys(harness, seat) == []
    [record] = await checkins(harness)
    assert record.live and record.checked_in_at == OPENING
    assert (await assignment(harness, seat)).status is AssignmentStatus.CHECKED_IN
    async with harness.session() as session:
        assert await session.get(Dialogue, fang.user_id) is None


def _went_wrong(person: SimUser) -> list[str]:
    return [text for text in person.texts() if "出了问题" in text]


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_move_handled_as_the_tick_ends_the_wait_is_answered_as_one_after_its_end(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres_only(harness)
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    # Two kilometres away, too early: the opening cannot take it; the wait ends at 08:15.
    shared = await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    harness.clock.set(OPENING)
    await harness.tick()
    await harness.deliver()
    seen = len(fang.texts())

    # 08:14:50: the phone reaches the post; its move has read the waiting check-in when the
    # 08:15 tick ends the wait.
    gate = Gate(monkeypatch, live_wait, "live_arrived")
    harness.clock.set(today(8, 14) + dt.timedelta(seconds=50))
    await fang.update_live_location(shared["message_id"], *near(20))
    await gate.wait_reached()
    assert await _run(harness, live_wait.live_waits_over, today(8, 15)) == 1
    gate.release()
    await harness.settle()
    harness.clock.set(today(8, 15))
    await harness.deliver()

    told = fang.texts()[seen:]
    assert _went_wrong(fang) == [], told
    assert len(told) == 1 and "签到已停止等待" in told[0], told
    async with harness.session() as session:
        assert await session.get(Dialogue, fang.user_id) is None
    assert await checkins(harness) == []


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_move_handled_as_the_opening_takes_the_share_leaves_the_check_in_as_taken(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres_only(harness)
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    shared = await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    seen = len(fang.texts())

    # A move sent just before the opening has read the waiting check-in when the opening's
    # tick takes the share.
    gate = Gate(monkeypatch, live_wait, "live_arrived")
    harness.clock.set(MOVE_SENT)
    await fang.update_live_location(shared["message_id"], *near(25))
    await gate.wait_reached()
    assert await _run(harness, live_wait.live_waits_open) == 1
    gate.release()
    await harness.settle()
    harness.clock.set(OPENING)
    await harness.tick()
    await harness.deliver()

    told = fang.texts()[seen:]
    assert _went_wrong(fang) == [], told
    assert len(told) == 1 and "位置已确认" in told[0], told
    async with harness.session() as session:
        waiting = await session.get(Dialogue, fang.user_id)
    assert waiting is not None and waiting.step == "photo"
    assert waiting.data["assignment_id"] == seat and waiting.data["position"]["live"]
    assert dt.datetime.fromisoformat(waiting.data["located_at"]) == OPENING
    # The photo checks in with the share the opening took.
    harness.clock.set(today(7, 47))
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    [record] = await checkins(harness)
    assert record.live and record.checked_in_at == today(7, 47)


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_move_on_the_way_handled_as_the_tick_ends_the_wait_is_answered_as_after_it(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live location shared on the way, with the check-in open, refused as too far: the wait
    ends half an hour later, at 08:20, as its move into range is being handled."""
    _postgres_only(harness)
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 50))
    shared = await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    seen = len(fang.texts())

    gate = Gate(monkeypatch, live_wait, "live_arrived")
    harness.clock.set(today(8, 19) + dt.timedelta(seconds=50))
    await fang.update_live_location(shared["message_id"], *near(20))
    await gate.wait_reached()
    assert await _run(harness, live_wait.live_waits_over, today(8, 20)) == 1
    gate.release()
    await harness.settle()
    harness.clock.set(today(8, 20))
    await harness.deliver()

    told = fang.texts()[seen:]
    assert _went_wrong(fang) == [], told
    assert len(told) == 1 and "签到已停止等待" in told[0], told
    async with harness.session() as session:
        assert await session.get(Dialogue, fang.user_id) is None
    assert await checkins(harness) == []
    assert (await assignment(harness, seat)).status is AssignmentStatus.SIGNED_UP
