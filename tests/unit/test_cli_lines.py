"""What the `dutybot` commands print for an operator: one line, true about what went wrong, and
nothing a terminal recording or a CI log should not keep (the database password)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.cli import _parser
from bot.db.engine import Database
from bot.db.migrate import upgrade
from tests.unit.cli_fixtures import assert_one_line, dutybot


def test_migrate_names_the_database_it_brought_up_to_date(tmp_path: Path) -> None:
    result = dutybot(tmp_path, "migrate", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/x.db")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"dutybot: database {tmp_path}/x.db is up to date"


def test_migrate_does_not_print_the_postgresql_password(
    tmp_path: Path, postgres_run_url: str | None
) -> None:
    if postgres_run_url is None:
        pytest.skip("needs DUTYBOT_TEST_DATABASE_URL (PostgreSQL)")
    url = make_url(postgres_run_url)
    if not url.password:
        url = url.set(password="hunter2-not-for-logs")  # a local server trusting 127.0.0.1
    result = dutybot(tmp_path, "migrate", DATABASE_URL=url.render_as_string(hide_password=False))
    assert result.returncode == 0, result.stderr
    assert str(url.password) not in result.stdout + result.stderr
    where = f"{url.host}:{url.port or 5432}/{url.database}"
    assert result.stdout.strip() == f"dutybot: database {where} is up to date"


def test_an_export_file_that_cannot_be_written_is_not_blamed_on_the_database(
    tmp_path: Path,
) -> None:
    """`--out` into a folder that is a file: the ledger cannot be written there; the database
    is fine and the line must say which file and what to do."""
    (tmp_path / "reports").write_text("a file, not a folder")
    out = tmp_path / "reports" / "ledger.xlsx"
    result = dutybot(
        tmp_path,
        "export",
        "--from",
        "2026-12-01",
        "--out",
        str(out),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/dutybot.db",
    )
    last = assert_one_line(result, f"cannot write {out}", "--out")
    assert "database" not in last, last
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_migration_that_fails_on_the_database_says_so_not_that_the_file_is_unwritable(
    tmp_path: Path,
) -> None:
    """A database stamped with a revision whose tables it lacks (one made on main between the
    merge of rostering and the oversight migration 0010 was stamped 0012 without 0010's tables):
    a migration meets a missing table. The line says the migration failed and changed nothing,
    not that the file or its folder cannot be read or written, which they can."""
    path = tmp_path / "dutybot.db"
    url = f"sqlite+aiosqlite:///{path}"

    async def older() -> None:
        database = Database(url)
        try:
            await upgrade(database, "0009")
            async with database.engine.begin() as connection:
                await connection.execute(text("UPDATE alembic_version SET version_num = '0012'"))
        finally:
            await database.dispose()

    asyncio.run(older())
    result = dutybot(tmp_path, "migrate", DATABASE_URL=url)
    last = assert_one_line(result, f"the database {path} could not be migrated", "no such table")
    assert "changed nothing" in last, last
    assert "read and written" not in last, last
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT version_num FROM alembic_version").fetchone() == ("0012",)


@pytest.mark.parametrize("command", ["migrate", "run"])
def test_a_database_of_a_newer_release_is_named_not_a_traceback(
    tmp_path: Path, command: str
) -> None:
    """An operator who goes back to the previous release after an upgrade (or starts an older
    image on the volume): the database carries a revision this release does not know, and
    Alembic's "Can't locate revision" came as a traceback."""
    path = tmp_path / "dutybot.db"
    url = f"sqlite+aiosqlite:///{path}"

    async def newer() -> None:
        database = Database(url)
        try:
            await upgrade(database)
            async with database.engine.begin() as connection:
                await connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
        finally:
            await database.dispose()

    asyncio.run(newer())
    result = dutybot(
        tmp_path, command, DATABASE_URL=url, BOT_API_BASE_URL="http://127.0.0.1:9/bot{token}"
    )
    last = assert_one_line(
        result,
        f"the database {path} is at revision 0999, which this release does not know",
        "a newer release",
        "restore the copy made before the upgrade",
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT version_num FROM alembic_version").fetchone() == ("0999",)
    assert last


def test_a_demo_folder_that_cannot_be_made_is_named_not_the_bots_database(tmp_path: Path) -> None:
    """`dutybot demo --data-dir` under a file: the demo never opens data/dutybot.db, so the line
    names the folder it could not make."""
    (tmp_path / "taken").write_text("a file, not a folder")
    folder = tmp_path / "taken" / "demo"
    result = dutybot(tmp_path, "demo", "--data-dir", str(folder))
    last = assert_one_line(result, str(folder))
    assert "dutybot.db" not in last, last
    assert "DATABASE_URL" not in last, last
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize(
    ("argv", "verbose"),
    [
        (["-v", "run"], True),
        (["run", "-v"], True),
        (["run", "--webhook", "--verbose"], True),
        (["migrate", "-v"], True),
        (["-v", "export", "--from", "12-01", "-v"], True),
        (["run"], False),
        (["demo"], False),
    ],
)
def test_verbose_is_read_before_or_after_the_command(argv: list[str], verbose: bool) -> None:
    """`dutybot --help` offers -v for every command; `dutybot run -v` is that, not refused."""
    assert _parser().parse_args(argv).verbose is verbose
