"""Start-up failures are one line naming what is wrong and what to do, with a non-zero exit,
never a traceback: `dutybot run` on a damaged SQLite file, in a folder it cannot write, on a
PostgreSQL nobody listens for, with a Bot API it cannot reach (tried again, one line an attempt);
`dutybot import` of a spreadsheet whose XML does not parse."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InvalidRequestError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import create_async_engine
from telegram.ext import ApplicationBuilder

from bot.db import failures
from bot.runner import connect
from bot.settings import Settings, StartupError
from handlers.turn import BotApplication
from tests.e2e.import_fixtures import broken_content_types
from tests.unit.cli_fixtures import assert_one_line, dutybot


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_damaged_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "dutybot.db"
    database.write_bytes(b"this is not a database, only text " * 200)
    result = dutybot(tmp_path, "run", DATABASE_URL=f"sqlite+aiosqlite:///{database}")
    assert_one_line(result, str(database), "damaged or not a SQLite database", "backup")
    assert len(result.stderr.strip().splitlines()) == 1


@contextlib.contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """A folder this process cannot write in. Root writes through permission bits, so for root
    the folder is made immutable instead."""
    if os.geteuid() != 0:
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            yield
        finally:
            folder.chmod(stat.S_IRWXU)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(folder)], check=False).returncode:
        pytest.skip("cannot make a folder unwritable for root here (chattr +i)")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def test_a_data_folder_that_cannot_be_written(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with unwritable(data):
        result = dutybot(tmp_path, "run", DATABASE_URL=f"sqlite+aiosqlite:///{data}/dutybot.db")
    assert_one_line(result, f"cannot write in {data}", "writable")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["REPORTS_DIR", "PHOTO_ARCHIVE_DIR"])
def test_a_files_folder_that_cannot_be_written_is_named_before_start(
    tmp_path: Path, name: str
) -> None:
    """The scheduled tallies' charts (REPORTS_DIR) and the archived check-in photos
    (PHOTO_ARCHIVE_DIR) are written long after start-up: a folder the bot cannot make or write
    in failed every scheduler tick's report, in the log only, while the leaders got nothing."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    data = tmp_path / "data"
    data.mkdir()
    api = f"http://127.0.0.1:{closed_port()}"
    environment = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/dutybot.db",
        "BOT_API_BASE_URL": api + "/bot{token}",
        "STARTUP_ATTEMPTS": "1",
    }
    result = dutybot(tmp_path, "run", **environment, **{name: str(blocker / "files")})
    assert_one_line(result, f"{name} is invalid: cannot write in {blocker / 'files'}")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    # A folder that exists and refuses writing is named the same way, and nothing is made.
    with unwritable(data):
        result = dutybot(tmp_path, "run", **environment, **{name: str(data / "files")})
    assert_one_line(result, f"{name} is invalid: cannot write in {data / 'files'}")
    assert not (data / "files").exists()


def test_a_postgresql_nobody_listens_for(tmp_path: Path) -> None:
    port = closed_port()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/dutybot"
    result = dutybot(tmp_path, "run", DATABASE_URL=url)
    assert_one_line(result, f"cannot connect to PostgreSQL at 127.0.0.1:{port}/dutybot", "running")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite://",
        "sqlite+aiosqlite:///:memory:",
        # SQLite's URI forms of the same: one said "up to date" and kept nothing, one a traceback
        "sqlite+aiosqlite:///file::memory:?cache=shared&uri=true",
        "sqlite+aiosqlite:///file:dutybot?mode=memory&cache=shared&uri=true",
    ],
)
@pytest.mark.parametrize("command", ["run", "migrate"])
def test_an_in_memory_sqlite_database_is_named_before_start(
    tmp_path: Path, url: str, command: str
) -> None:
    """An in-memory database keeps nothing (the inbox, the outbox: DESIGN principle 6) and the
    bot's connections would each see another one; SQLAlchemy refused the pool with a
    traceback."""
    result = dutybot(tmp_path, command, DATABASE_URL=url)
    assert_one_line(result, "DATABASE_URL is invalid", "in-memory", "sqlite+aiosqlite:///")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_an_unreachable_bot_api_is_given_up_in_one_line(tmp_path: Path) -> None:
    api = f"http://127.0.0.1:{closed_port()}"
    result = dutybot(
        tmp_path,
        "run",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/dutybot.db",
        BOT_API_BASE_URL=api + "/bot{token}",
        STARTUP_ATTEMPTS="1",
    )
    assert_one_line(result, f"cannot reach the Bot API at {api}", "after 1 attempt:")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


async def test_an_unreachable_bot_api_is_tried_again_with_growing_pauses(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The real Application against a port nobody listens on; the pauses are recorded, not
    waited: 1, 2, 4, ... seconds, at most 30, one warning line per failed attempt."""
    api = f"http://127.0.0.1:{closed_port()}"
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token="123456:TEST", bot_api_base_url=api + "/bot{token}"
    )
    application = cast(
        BotApplication,
        ApplicationBuilder().token(settings.bot_token).base_url(api + "/bot").build(),
    )
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    with (
        caplog.at_level(logging.WARNING, logger="bot.runner"),
        pytest.raises(StartupError) as raised,
    ):
        await connect(application, settings, 8, pause)
    assert pauses == [1, 2, 4, 8, 16, 30, 30]
    assert f"cannot reach the Bot API at {api}" in str(raised.value)
    assert "after 8 attempts: check the network, or BOT_API_BASE_URL" in str(raised.value)
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 7, warnings
    assert "attempt 1 of 8, next in 1s" in warnings[0]
    assert "attempt 7 of 8, next in 30s" in warnings[6]


async def test_a_stop_during_a_pause_ends_the_pause_without_another_attempt() -> None:
    """A pause that would never end on its own: the stop set while it runs ends it at once,
    and no further attempt is made (the end-to-end test sends the real signal)."""
    api = f"http://127.0.0.1:{closed_port()}"
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token="123456:TEST", bot_api_base_url=api + "/bot{token}"
    )
    application = cast(
        BotApplication,
        ApplicationBuilder().token(settings.bot_token).base_url(api + "/bot").build(),
    )
    stop = asyncio.Event()
    pauses: list[float] = []
    forever = asyncio.Event()

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        stop.set()
        await forever.wait()

    connected = await asyncio.wait_for(connect(application, settings, 6, pause, stop), 30)
    assert connected is False
    assert pauses == [1]


def test_importing_a_spreadsheet_whose_xml_does_not_parse(tmp_path: Path) -> None:
    spreadsheet = tmp_path / "schedule.xlsx"
    spreadsheet.write_bytes(broken_content_types())
    result = dutybot(
        tmp_path,
        "import",
        str(spreadsheet),
        "--dry-run",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/dutybot.db",
    )
    assert_one_line(result, "读不了这个文件")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_bug_is_not_the_database_being_unavailable() -> None:
    """The board answers 503 and retries only for an outage: a bad statement, a constraint or a
    misused session is a bug, and must reach the log as one (a 500 and its traceback)."""
    for bug in (
        InvalidRequestError("a bug in the query"),
        ProgrammingError("SELECT x", {}, Exception("column x does not exist")),
        IntegrityError("INSERT", {}, Exception("duplicate key")),
    ):
        assert not failures.unavailable(bug), type(bug).__name__
    for outage in (
        OperationalError("SELECT 1", {}, Exception("database is locked")),
        ConnectionRefusedError(111, "Connect call failed"),
        TimeoutError(),
        PoolTimeout("QueuePool limit of size 20 overflow 0 reached"),
    ):
        assert failures.unavailable(outage), type(outage).__name__


def _translated(error: Exception) -> DBAPIError:
    """What SQLAlchemy's asyncpg dialect raises for an asyncpg error."""
    dialect = create_async_engine("postgresql+asyncpg://x@127.0.0.1/x").dialect
    try:
        AsyncAdapt_asyncpg_connection._handle_exception_no_connection(dialect.dbapi, error)
    except Exception as adapted:
        return DBAPIError.instance(None, None, adapted, dialect.dbapi.Error, dialect=dialect)
    raise AssertionError("not translated")


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator"),
    ],
)
def test_postgresql_refusing_connections_is_an_outage(error: Exception) -> None:
    assert failures.unavailable(_translated(error))


def test_a_bad_statement_on_sqlite_is_a_bug_not_an_outage() -> None:
    async def run() -> BaseException:
        engine = create_async_engine("sqlite+aiosqlite:///:memory:")
        try:
            async with engine.connect() as connection:
                await connection.execute(sa.text("SELECT no_such_column FROM sqlite_master"))
        except Exception as error:
            return error
        finally:
            await engine.dispose()
        raise AssertionError("no error")

    # sqlite3 raises OperationalError for a bad statement, as for a locked database.
    assert not failures.unavailable(asyncio.run(run()))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite+aiosqlite://", "in-memory"),
        ("mysql://demo@127.0.0.1/demo", "expected sqlite+aiosqlite:///path.db"),
    ],
)
def test_a_demo_database_it_cannot_use_is_named_in_one_line(
    tmp_path: Path, url: str, expected: str
) -> None:
    result = dutybot(tmp_path, "demo", "--database-url", url)
    assert_one_line(result, "--database-url is invalid", expected)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
