"""A check-in while the coordinator moves the shift's start: a shift's start no longer moves
once someone on it has checked in (shifts.edit), and a check-in made for the old start does not
stand for the new one. Whichever goes first, the volunteer is not left checked in to a shift
that now starts hours later. The check-in is held after it read the seat (tests/e2e/race_gate.py):
on PostgreSQL the move goes ahead meanwhile, on SQLite it waits its turn."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.db.models import Assignment, AssignmentStatus, Shift
from bot.errors import DomainError, ErrorCode
from bot.moves import AFTER_MOVE
from bot.services.duty import checkin
from bot.services.people.access import Actor
from bot.services.schedule import shifts
from tests.e2e.checkin_fixtures import assignment, checkins, duty, near, team, today
from tests.e2e.race_gate import Gate, until
from tests.harness import ADMIN_ID, Harness


async def test_a_check_in_does_not_stand_for_a_start_moved_meanwhile(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(9, 0), today(11, 0))
    async with harness.session() as session:
        shift_id = (await session.get(Assignment, seat)).shift_id  # type: ignore[union-attr]
    harness.clock.set(today(8, 45))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()

    gate = Gate(monkeypatch, checkin, "write_checkin")
    await fang.send_photo()
    await gate.wait_reached()

    async def move() -> None:
        admin = Actor.of(ADMIN_ID, None, harness.runtime.settings.admin_ids)
        async with harness.session() as session:
            await shifts.edit(
                session,
                admin,
                shift_id,
                harness.clock.now(),
                harness.runtime.settings,
                times=(dt.time(14, 0), dt.time(16, 0)),
                after_move=AFTER_MOVE,
            )

    moving = asyncio.create_task(move())
    await until(moving.done)
    gate.release()
    await harness.settle()
    moved = True
    try:
        await moving
    except DomainError as error:
        assert error.code is ErrorCode.SHIFT_MOVE_ON_POST
        moved = False

    async with harness.session() as session:
        shift = await session.get(Shift, shift_id)
    assert shift is not None
    checked_in = (await assignment(harness, seat)).status is AssignmentStatus.CHECKED_IN
    # Moved and checked in at once is what must not be.
    assert moved != checked_in, (moved, checked_in)
    assert (shift.starts_at == today(14, 0)) == moved
    assert (len(await checkins(harness)) == 1) == checked_in
    if moved:
        assert "签到未完成" in (fang.last().text or ""), fang.texts()[-3:]
