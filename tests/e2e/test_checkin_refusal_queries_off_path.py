"""The queries that only say why a check-in is refused (a closed seat of a shift still running,
whether a check-in left open has anything left) run on refusals alone: a check-in that goes
through, the busiest moment of the morning, spends no statement on them."""

from __future__ import annotations

from typing import Any

import pytest

from bot.services.duty import checkin, checkin_shifts
from tests.e2e.checkin_fixtures import check_in, checkins, duty, near, team, today
from tests.harness import Harness


def _never(name: str) -> Any:
    async def called(*_: Any, **__: Any) -> Any:
        raise AssertionError(f"{name} ran on a check-in that went through")

    return called


@pytest.fixture
def refusal_queries_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkin_shifts, "_closed_running", _never("_closed_running"))
    monkeypatch.setattr(checkin_shifts, "check_in_over", _never("check_in_over"))
    monkeypatch.setattr(checkin, "check_in_over", _never("check_in_over"))


@pytest.mark.usefixtures("refusal_queries_off")
async def test_checkin_by_command_runs_no_refusal_query(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 50))
    await check_in(harness, fang)
    assert len(await checkins(harness)) == 1


@pytest.mark.usefixtures("refusal_queries_off")
async def test_checkin_by_location_then_the_next_shift_runs_no_refusal_query(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(10, 0), today(12, 0), post_name="人民广场")
    harness.clock.set(today(7, 50))
    await fang.send_location(*near(30))
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    # Straight on to the next shift, its check-in open, the first not checked out of.
    harness.clock.set(today(9, 40))
    await fang.send_location(*near(30))
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    assert len(await checkins(harness)) == 2
