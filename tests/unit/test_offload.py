"""The worker process that does CPU-heavy work off the event loop
(bot/services/platform/offload)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import Translator
from bot.services.platform import offload
from bot.services.reports.chart import GradeBounds, chart_spec, render_chart
from bot.services.reports.drawing import draw
from bot.services.reports.periods import Period
from bot.services.reports.scoring import Counts, Grade, Score
from bot.services.reports.tally import Row, Tally

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def worker() -> Iterator[offload.Worker]:
    """A worker of the test's own, so that one test's failure does not leak into another."""
    own = offload.Worker()
    saved, offload._worker = offload._worker, own
    try:
        yield own
    finally:
        offload._worker = saved
        own.stop()


def _refuse(reason: str) -> None:
    raise ValueError(reason)


def _tally() -> Tally:
    day = dt.date(2026, 12, 1)
    rows = [
        Row(1, "城管局", Counts(shifts=2, seats=4, checked_in=3), Score(75.0, Grade.FAIR)),
        Row(2, "教育局", Counts(shifts=2, seats=4, checked_in=4), Score(100.0, Grade.GOOD)),
    ]
    return Tally(
        unit_id=None,
        unit_name=None,
        period=Period(day, day),
        totals=Counts.total(row.counts for row in rows),
        score=Score(87.5, Grade.GOOD),
        rows=rows,
        uncovered=[],
        anomalies=[],
        top=[],
        trend=[(day, 0.875)],
    )


async def test_work_runs_in_another_process_and_its_errors_come_back(
    worker: offload.Worker,
) -> None:
    assert await offload.run_off_loop(os.getpid) != os.getpid()
    with pytest.raises(ValueError, match="no such unit"):
        await offload.run_off_loop(_refuse, "no such unit")
    # The worker survives an error and serves the next call.
    assert await offload.run_off_loop(os.getpid) != os.getpid()
    assert not worker.failed


async def test_the_worker_draws_the_same_chart_as_the_bot_would() -> None:
    t = Translator("zh_Hans", ZONE)
    bounds = GradeBounds(good=85, fair=60)
    png = await offload.run_off_loop(draw, chart_spec(t, _tally(), bounds))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png == render_chart(t, _tally(), bounds)


async def test_a_worker_that_died_is_started_again(worker: offload.Worker) -> None:
    first = await offload.run_off_loop(os.getpid)
    process = worker._process
    assert process is not None
    process.kill()
    process.wait()
    second = await offload.run_off_loop(os.getpid)
    assert second not in (first, os.getpid())


async def test_without_processes_the_work_is_done_in_a_thread(worker: offload.Worker) -> None:
    worker.failed = True
    assert await offload.run_off_loop(os.getpid) == os.getpid()
