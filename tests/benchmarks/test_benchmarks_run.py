"""Every benchmark under bench/ runs to its end at a small size, on the database the suite runs
on, and its own checks of what the bot did hold.

The benchmarks measure; this only keeps them working. Each builds its city through the bot's
own services and models, so a change there (a renamed column, a new required argument) breaks
a benchmark silently until the next time someone measures with it. Here it breaks the suite.
The figures they print are not asserted: a tiny city on a shared machine measures nothing.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.databases import drop_private_postgres, postgres_url

pytestmark = [pytest.mark.slow, pytest.mark.database]

ROOT = Path(__file__).resolve().parents[2]
SMALL_CITY = ("--volunteers", "200", "--posts", "20", "--days", "3")


@dataclass(frozen=True)
class Run:
    script: str
    arguments: tuple[str, ...]
    # Lines the benchmark prints when the bot did what it measured; regular expressions.
    expected: tuple[str, ...]
    uses_database: bool = True


RUNS = (
    Run(
        "checkin.py",
        ("--people", "5", "--latency", "0"),
        (r"check-ins stored: 5/5, confirmed in chat: 5/5",),
    ),
    Run(
        "checkin_echo.py",
        ("--people", "5", "--runs", "1", "--latencies", "0"),
        (r"latency 0 ms run 1: echo [\d.]+ upd/s, check-in [\d.]+ upd/s", r"^\s+0ms\s+[\d.]+"),
    ),
    Run("concurrency.py", ("--people", "5", "--latency", "0"), (r"answered completely: 5/5",)),
    Run(
        "sender.py",
        ("--messages", "40", "--latency", "0"),
        (r"delivered: 40, outbox statuses: sent: 40$", r"429 answers from the emulator: 0$"),
    ),
    Run(
        "redraw.py",
        ("--messages", "30", "--runs", "1", "--latency", "0"),
        (
            r"^redrawn: sent 30 of 30, drawn again 30;",
            r"^empty table: sent 30 of 30, drawn again 0;",
            r"429 answers from the emulator: 0$",
            r"^sender CPU per message\s+[\d.]+ ms\s+[\d.]+ ms\s+[\d.]+x",
        ),
    ),
    Run(
        "signup_race.py",
        ("--people", "10", "--seats", "2", "--latency", "0"),
        (r"signed up: 2 \(told so: 2\), told full: 8",),
    ),
    Run(
        "tick.py",
        ("--posts", "20", "--days", "1", "--runs", "1", "--rota-weeks", "1"),
        (r"steady ticks queued 0 \(expected 0\)", r"^first tick\s+[\d,]+ ms", r"^steady tick"),
    ),
    Run(
        "reports.py",
        SMALL_CITY,
        (r"one month's report, all units .*: \d+ ms", r"the day's chart \(PNG\): \d+ ms"),
    ),
    Run(
        "oversight.py",
        (*SMALL_CITY, "--repeat", "1"),
        (r"^oversight: [\d,]+ checks", r"^\s+all units\s+\d+ ms\s+\d+ ms"),
    ),
    Run(
        "rotation.py",
        ("--members", "200", "--posts", "20", "--runs", "1"),
        (r"the rule took [\d.]+x the loading", r"goal: under 0.5 s"),
    ),
    Run(
        "board.py",
        (*SMALL_CITY, "--people", "5", "--latency", "0", "--rounds", "1"),
        (r"board over HTTP", r"ratio [\d.]+", r"board refreshes served: [1-9]"),
    ),
    Run(
        "open311_names.py",
        ("--members", "2000", "--descriptions", "20", "--runs", "1"),
        (r"^mask the texts, s\s+[\d.]+\s+[\d.]+\s+[\d.]+x",),
        uses_database=False,
    ),
    Run(
        "freeze.py",
        (*SMALL_CITY, "--modes", "worker", "--repeat", "1"),
        (r"an admin's /month", r"the scheduled monthly report", r"worker: longest \d+"),
    ),
    Run(
        "import_freeze.py",
        ("--repeat", "1", "--columns", "20"),
        (r"imports answered: 3/3", r"loop: longest \d+", r"worker: longest \d+"),
    ),
)


@pytest.fixture
def database_arguments() -> Iterator[tuple[str, ...]]:
    """No arguments on SQLite (each benchmark makes a temporary file); on PostgreSQL a database
    of the benchmark's own beside the tests' one, named as bench/benchdb.py requires, dropped
    after with those the benchmark named after it (bench/tick.py's empty-database baseline)."""
    server = postgres_url()
    if server is None:
        yield ()
        return
    name = f"dutybot_bench_smoke_{uuid.uuid4().hex[:12]}"
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        yield ("--database-url", url)
    finally:
        for leftover in asyncio.run(_databases_named(server, name)):
            leftover_url = make_url(url).set(database=leftover)
            drop_private_postgres(server, leftover_url.render_as_string(hide_password=False))


async def _databases_named(server: str, prefix: str) -> list[str]:
    engine = create_async_engine(server)
    try:
        async with engine.connect() as connection:
            names = await connection.scalars(
                text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)"),
                {"prefix": prefix},
            )
            return list(names)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("run", RUNS, ids=[run.script for run in RUNS])
def test_benchmark_runs_to_its_end(run: Run, database_arguments: tuple[str, ...]) -> None:
    # As the README runs them: the installed project's interpreter, no PYTHONPATH.
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    finished = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / run.script),
            *run.arguments,
            *(database_arguments if run.uses_database else ()),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    shown = f"stdout:\n{finished.stdout[-3000:]}\nstderr:\n{finished.stderr[-3000:]}"
    assert finished.returncode == 0, shown
    assert "Traceback" not in finished.stderr, shown
    for expected in run.expected:
        assert re.search(expected, finished.stdout, re.MULTILINE), f"{expected!r} not in\n{shown}"
