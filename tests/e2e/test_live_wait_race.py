"""A live location the check-in waits on, while several processes run the scheduler tick on
PostgreSQL (each job in its own READ COMMITTED transaction) and a move of the share is handled
at the same moment.

The opening (`opening.live_waits_open`) and the "check-in is open" notice
(`reminders.checkin_open`) of one tick run one after the other, but another process's tick
runs beside them. A move sent just before the opening and handled after one process's opening
had read the waiting check-in made that process pass over it (its claim found the row changed):
its notice went out beside the other process's opening (two messages), and later, once that
was fixed, the share waited for the next tick. The opening now reads a check-in it could not
claim again, and takes it in the same tick; a move handled once the check-in is open judges
itself. Each test holds one side with asyncio events while the other acts, as two processes'
transactions interleave in production.

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
from bot.services.duty import reminders
from bot.services.duty.live_wait import end, moves, opening
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


async def _opening_meets_a_move(
    harness: Harness,
    monkeypatch: pytest.MonkeyPatch,
    move: Callable[[], Awaitable[object]],
) -> asyncio.Task[int]:
    """Process B's opening reads the waiting check-ins, then `move` is handled (a move of the
    share, or the share itself) before B goes on to claim what it read; B's pass, running."""
    read, go = asyncio.Event(), asyncio.Event()
    original = opening.waiting_on_location
    calls = 0

    async def read_then_hold(session: AsyncSession) -> list[Dialogue]:
        nonlocal calls
        calls += 1
        found = await original(session)
        if calls == 1:
            read.set()
            await go.wait()
        return found

    monkeypatch.setattr(opening, "waiting_on_location", read_then_hold)
    opening_b = asyncio.create_task(_run(harness, opening.live_waits_open))
    await asyncio.wait_for(read.wait(), 10)
    await move()
    await harness.settle()
    go.set()
    return opening_b


async def _notice_keys(harness: Harness, seat: int) -> list[str]:
    async with harness.session() as session:
        keys = await session.scalars(
            select(OutboxMessage.idempotency_key).where(
                OutboxMessage.idempotency_key == seat_scan.checkin_open_key(seat)
            )
        )
        return list(keys)


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_an_opening_a_move_came_in_during_takes_the_share_in_the_same_tick(
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

    # Process B's opening has read the waiting check-in when a move sent just before the
    # opening (and handled by a process whose clock is still before it) is kept as the
    # share's last known position: B's claim finds the row changed.
    async def move() -> None:
        harness.clock.set(MOVE_SENT)
        await fang.update_live_location(shared["message_id"], *near(25))

    opening_b = await _opening_meets_a_move(harness, monkeypatch, move)
    # B reads it again and takes it, in this tick: its notice then has nothing to say.
    assert await opening_b == 1
    assert await _run(harness, reminders.checkin_open) == 0
    # Process A's opening and notice change nothing.
    assert await _run(harness, opening.live_waits_open) == 0
    assert await _run(harness, reminders.checkin_open) == 0
    harness.clock.set(OPENING)
    await harness.deliver()

    told = fang.texts()[seen:]
    assert len(told) == 1, told
    assert "位置已确认" in told[0] and "签到已开放：您共享的实时位置" in told[0], told
    assert await _notice_keys(harness, seat) == []
    async with harness.session() as session:
        waiting = await session.get(Dialogue, fang.user_id)
    assert waiting is not None and waiting.step == "photo"
    assert dt.datetime.fromisoformat(waiting.data["located_at"]) == OPENING
    assert waiting.data["position"]["latitude"] == pytest.approx(near(25)[0])


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_move_handled_during_the_opening_with_the_check_in_open_judges_itself(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres_only(harness)
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 40))
    shared = await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    seen = len(fang.texts())

    # Sent just before the opening from the post, handled just after it while B's opening
    # runs: the move is judged as of the opening by itself, and B finds nothing to take.
    async def move() -> None:
        await harness.bot.stop()
        harness.clock.set(MOVE_SENT)
        await fang.update_live_location(shared["message_id"], *near(25))
        harness.clock.set(OPENING + dt.timedelta(seconds=2))
        await harness.bot.start()

    opening_b = await _opening_meets_a_move(harness, monkeypatch, move)
    assert await opening_b == 0
    assert await _run(harness, reminders.checkin_open) == 0
    await harness.deliver()

    told = fang.texts()[seen:]
    assert len(told) == 1 and "位置已确认" in told[0], told
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
    for one that never had a location. (B's opening read the waiting check-ins before the
    share, sent just before the opening, was handled: it had nothing to take.)"""
    _postgres_only(harness)
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    seen = len(fang.texts())

    async def share() -> None:
        harness.clock.set(MOVE_SENT)
        await fang.send_location(*near(20), live_period=8 * 3600)

    opening_b = await _opening_meets_a_move(harness, monkeypatch, share)
    assert await opening_b == 0
    harness.clock.set(OPENING)
    gate = Gate(monkeypatch, seat_scan, "load")
    notice_b = asyncio.create_task(_run(harness, reminders.checkin_open))
    await gate.wait_reached()
    assert await _run(harness, opening.live_waits_open) == 1
    gate.release()
    await notice_b
    await harness.deliver()

    told = fang.texts()[seen:]
    assert len(told) == 2 and "签到开放后" in told[0], told
    assert "签到成功" in told[1] and "已自动为您签到" in told[1], told
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
    gate = Gate(monkeypatch, moves, "live_arrived")
    harness.clock.set(today(8, 14) + dt.timedelta(seconds=50))
    await fang.update_live_location(shared["message_id"], *near(20))
    await gate.wait_reached()
    assert await _run(harness, end.live_waits_over, today(8, 15)) == 1
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
    gate = Gate(monkeypatch, moves, "live_arrived")
    harness.clock.set(MOVE_SENT)
    await fang.update_live_location(shared["message_id"], *near(25))
    await gate.wait_reached()
    assert await _run(harness, opening.live_waits_open) == 1
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

    gate = Gate(monkeypatch, moves, "live_arrived")
    harness.clock.set(today(8, 19) + dt.timedelta(seconds=50))
    await fang.update_live_location(shared["message_id"], *near(20))
    await gate.wait_reached()
    assert await _run(harness, end.live_waits_over, today(8, 20)) == 1
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
