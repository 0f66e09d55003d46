"""How long an unrelated chat waits while a coordinator imports a hostile 2 MB spreadsheet.

Run:
  .venv/bin/python bench/import_freeze.py
  .venv/bin/python bench/import_freeze.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/dutybot_bench_import

The real bot (LocalBot: the Application polling the emulator) answers. A coordinator sends
/import and then a sheet of just under 2 MB that is formatted down to its 10,000th row (the
most a sheet is read to), each row 75 styled empty cells: openpyxl takes seconds of pure Python
to read it, and the bot refuses it as holding no shifts. Meanwhile another person sends /help
again and again; the figure is the longest wait for its answer, in the --modes asked for
(default: loop,worker), alternating, --repeat times each:

- "loop" reads the sheet on the event loop, as the bot did before (reading.read_table called
  from the handler);
- "worker" reads it in the offload worker process (bot/services/platform/offload.py), as now.

Each run's waits are shown beside those of /help alone just before it (during | alone), since
the load of a shared machine changes from minute to minute, and the figures are the medians of
the runs. An answer is awaited on the emulator's word (wait_sent), not by polling.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import statistics
import tempfile
import time
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from benchdb import fresh_postgres
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from bot.clock import ManualClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Member, MemberRole, Role, Unit
from bot.emulator import BotApiEmulator, SimUser
from bot.localbot import LocalBot
from bot.runtime import Runtime
from bot.services.platform import offload
from bot.services.schedule.importer import reading
from bot.settings import Settings

ZONE = ZoneInfo("Asia/Shanghai")
ADMIN_ID = 91_000_001
COORDINATOR_ID = 91_000_002
ASKER_ID = 91_000_003
PING_GAP_SECONDS = 0.02
# /help alone just before each import: the baseline of that run.
ALONE_ASKS = 30
HEADER = [
    "post",
    "type",
    "unit",
    "latitude",
    "longitude",
    "radius_m",
    "date",
    "weekdays",
    "from",
    "until",
    "start",
    "end",
    "capacity",
]


def hostile_sheet(rows: int, columns: int) -> bytes:
    """An .xlsx whose sheet holds the template's header and then `rows` rows of `columns`
    styled empty cells: a few bytes each once compressed, seconds for openpyxl to read."""
    book = Workbook()
    book.active.append(HEADER)
    plain = io.BytesIO()
    book.save(plain)
    letters = [get_column_letter(index + 1) for index in range(max(columns, len(HEADER)))]
    header = "".join(
        f'<c r="{letters[index]}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for index, name in enumerate(HEADER)
    )
    parts = [
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>",
        f'<row r="1">{header}</row>'.encode(),
    ]
    for number in range(2, rows + 2):
        cells = "".join(f'<c r="{letter}{number}" s="0"/>' for letter in letters)
        parts.append(f'<row r="{number}">{cells}</row>'.encode())
    parts.append(b"</sheetData></worksheet>")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b"".join(parts)
            target.writestr(item.filename, data)
    return out.getvalue()


MODES = {
    "loop": "the sheet read on the event loop (as before)",
    "worker": "the sheet read in the offload worker process (as now)",
}
_OFF_LOOP = reading.read_table_off_loop


async def _on_the_loop(
    filename: str, data: bytes, *, today: dt.date | None = None
) -> list[reading.Row]:
    return reading.read_table(filename, data, today=today)


def use_mode(mode: str) -> None:
    reading.read_table_off_loop = _on_the_loop if mode == "loop" else _OFF_LOOP


async def ask_help(asker: SimUser, planned: float | None = None) -> float:
    """One /help, timed from when it was meant to be sent (`planned`, by default now) to its
    answer reaching the emulator. The emulator and this script share the bot's event loop: a
    loop blocked while the next /help is due delays its sending, and that delay is a wait too."""
    before = asker.sent_count
    started = time.perf_counter() if planned is None else planned
    await asker.send_command("help")
    await asker.wait_sent(before + 1)
    return time.perf_counter() - started


async def waits_during(
    asker: SimUser, work: Callable[[], Awaitable[object]]
) -> tuple[list[float], float]:
    """(the /help waits while `work` runs, how long `work` took). Each /help is due
    PING_GAP_SECONDS after the answer to the one before."""
    started = time.perf_counter()
    task = asyncio.ensure_future(work())
    waits: list[float] = []
    planned = started
    while not task.done():
        waits.append(await ask_help(asker, planned))
        planned = time.perf_counter() + PING_GAP_SECONDS
        await asyncio.sleep(PING_GAP_SECONDS)
    await task
    return waits or [0.0], time.perf_counter() - started


@dataclass(frozen=True)
class Run:
    """One import while /help was asked again and again, and /help alone just before."""

    waits: list[float]
    alone: list[float]
    took: float


async def seed(database: Database, now: dt.datetime) -> None:
    async with database.session() as session:
        unit = Unit(name="城管局", require_swap_approval=False, created_at=now)
        session.add(unit)
        await session.flush()
        member = Member(
            telegram_id=COORDINATOR_ID,
            display_name="协调员",
            language="zh_Hans",
            unit_id=unit.id,
            registered_at=now,
            blocked_bot=False,
            active=True,
        )
        member.role_rows = [MemberRole(role=Role.COORDINATOR)]
        session.add(member)


async def run(url: str, modes: list[str], repeat: int, columns: int) -> None:
    if url.startswith("postgresql"):
        await fresh_postgres(url)
    database = Database(url)
    await upgrade(database)
    print(f"database: {database.engine.dialect.name}")
    now = dt.datetime(2026, 12, 1, 9, tzinfo=ZONE)
    await seed(database, now)
    sheet = hostile_sheet(reading.MAX_SHEET_ROWS - 1, columns)
    assert len(sheet) <= reading.MAX_BYTES, f"{len(sheet):,} bytes: fewer --columns"
    started = time.perf_counter()
    outcome = "read"
    try:
        reading.read_table("hostile.xlsx", sheet)
    except Exception as refusal:
        outcome = repr(refusal)
    print(
        f"sheet: {len(sheet):,} bytes, {reading.MAX_SHEET_ROWS:,} rows of {columns} cells; "
        f"read alone in {time.perf_counter() - started:.2f} s ({outcome})"
    )
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token="100000:BENCH", admin_ids=[ADMIN_ID], database_url=url
    )
    emulator = BotApiEmulator(token=settings.bot_token, bot_username="dutybot_bench_bot")
    await emulator.start()
    settings = settings.model_copy(
        update={"bot_api_base_url": emulator.base_url, "bot_api_file_url": emulator.base_file_url}
    )
    runtime = Runtime(settings=settings, db=database, clock=ManualClock(now))
    bot = LocalBot(emulator=emulator, runtime=runtime, freeze_heap=True)
    await bot.start()
    try:
        await measure(emulator, sheet, modes, repeat)
    finally:
        use_mode("worker")
        offload.shutdown()
        await bot.stop()
        await emulator.stop()
        await database.dispose()


async def measure(emulator: BotApiEmulator, sheet: bytes, modes: list[str], repeat: int) -> None:
    coordinator = emulator.user(COORDINATOR_ID, "协调员")
    asker = emulator.user(ASKER_ID, "路人")
    answered: list[str] = []

    async def import_sheet() -> None:
        count = coordinator.sent_count
        await coordinator.send_command("import")
        await coordinator.wait_sent(count + 1)
        await coordinator.send_document("hostile.xlsx", sheet)
        await coordinator.wait_sent(count + 2, timeout=600)
        answered.append(coordinator.last().text or "")
        await coordinator.send_command("cancel")
        await coordinator.wait_sent(count + 3)

    # Warm up once (the worker process, the catalogs), unmeasured.
    use_mode("worker")
    await import_sheet()
    results: dict[str, list[Run]] = {mode: [] for mode in modes}
    for _ in range(repeat):
        for mode in modes:
            use_mode(mode)
            alone = [await ask_help(asker) for _ in range(ALONE_ASKS)]
            waits, took = await waits_during(asker, import_sheet)
            results[mode].append(Run(waits, alone, took))
    print(f"imports answered: {len(answered)}/{1 + repeat * len(modes)} ({answered[-1]})")
    print(f"/help waits in ms while the sheet is imported | alone, {ALONE_ASKS} asks just before")
    print(f"each run; medians of {repeat} runs (the longest wait of each run, then all waits):")
    for mode in modes:
        print("  " + side_by_side(mode, results[mode]))
    print("  (" + "; ".join(f"{mode}: {MODES[mode]}" for mode in modes) + ")")


def side_by_side(mode: str, runs: list[Run]) -> str:
    def ms(value: float) -> str:
        return f"{value * 1000:,.0f}"

    longest = [max(run.waits) for run in runs]
    longest_alone = [max(run.alone) for run in runs]
    every = [wait for run in runs for wait in run.waits]
    every_alone = [wait for run in runs for wait in run.alone]
    took = statistics.median(run.took for run in runs)
    return (
        f"{mode}: longest {ms(statistics.median(longest))} | "
        f"{ms(statistics.median(longest_alone))} (worst {ms(max(longest))} | "
        f"{ms(max(longest_alone))}), median {ms(statistics.median(every))} | "
        f"{ms(statistics.median(every_alone))} of {len(every)} | {len(every_alone)} asks; "
        f"import answered in {took:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument(
        "--modes",
        default="loop,worker",
        help="comma-separated, of: " + "; ".join(f"{k}: {v}" for k, v in MODES.items()),
    )
    parser.add_argument("--repeat", type=int, default=5, help="imports in each mode")
    parser.add_argument(
        "--columns", type=int, default=75, help="styled cells a row (75: just under 2 MB)"
    )
    args = parser.parse_args()
    modes = [mode for mode in args.modes.split(",") if mode]
    if not modes or any(mode not in MODES for mode in modes):
        parser.error(f"--modes: of {', '.join(MODES)}")
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        asyncio.run(run(url, modes, args.repeat, args.columns))


if __name__ == "__main__":
    main()
