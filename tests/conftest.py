"""Fixtures: a fresh database per test, a manual clock, and the real bot against the emulator."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.db.engine import Database
from bot.settings import Settings
from tests import databases
from tests.harness import ADMIN_ID, Harness

ZONE = ZoneInfo("Asia/Shanghai")
# A Tuesday morning, so weekday rules and the evening tally are both reachable by moving time.
START = dt.datetime(2026, 12, 1, 8, 0, tzinfo=ZONE)


# The fixtures through which a test reaches the database under test.
DATABASE_FIXTURES = frozenset({"database", "postgres_run_url", "empty_database"})


def uses_a_database(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return bool(names & DATABASE_FIXTURES) or item.get_closest_marker("database") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, only the tests that use the database under test run. The others (the
    parsers, the catalogs, the layering, the start-up lines of bot processes given no database
    or a SQLite one) would run exactly as on SQLite, where the default run has them: on CI they
    were some 850 tests and minutes of the PostgreSQL run, which is the longer of the two."""
    if databases.postgres_url() is None:
        return
    kept = [item for item in items if uses_a_database(item)]
    if len(kept) == len(items):
        return
    config.hook.pytest_deselected(items=[item for item in items if not uses_a_database(item)])
    items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def reports_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Charts and exports that tests make go to a temporary folder, never into data/ of the
    checkout (REPORTS_DIR defaults to data/reports); child processes inherit it."""
    folder = tmp_path_factory.mktemp("reports")
    previous = os.environ.get("REPORTS_DIR")
    os.environ["REPORTS_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("REPORTS_DIR", None)
    else:
        os.environ["REPORTS_DIR"] = previous


@pytest.fixture(scope="session")
def postgres_run_url() -> Iterator[str | None]:
    """This run's own PostgreSQL database, migrated once, or None on SQLite."""
    server_url = databases.postgres_url()
    if server_url is None:
        yield None
        return
    url, private = databases.create_private_postgres(server_url)
    databases.migrate_sync(url, reset_postgres=not private)
    yield url
    if private:
        databases.drop_private_postgres(server_url, url)


@pytest.fixture(scope="session")
def database_template(
    postgres_run_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Path | None:
    if postgres_run_url is not None:
        return None
    return databases.sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def reused_databases() -> databases.ReusedDatabases:
    return databases.ReusedDatabases()


@pytest.fixture(scope="session")
def sqlite_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("database")


@pytest.fixture
async def database(
    postgres_run_url: str | None,
    database_template: Path | None,
    reused_databases: databases.ReusedDatabases,
    sqlite_home: Path,
) -> AsyncIterator[Database]:
    """An empty migrated database (a fresh copy of the template on SQLite, the run's database
    emptied on PostgreSQL) behind an engine reused from test to test (`ReusedDatabases`)."""
    if postgres_run_url is None:
        assert database_template is not None
        target = sqlite_home / f"dutybot-{reused_databases.generation}.db"
        url = databases.fresh_sqlite(database_template, target)
    else:
        url = postgres_run_url
    db, baseline = reused_databases.take(url)
    if postgres_run_url is not None:
        await databases.empty_postgres(db)
    yield db
    await reused_databases.give_back(db, baseline)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": "123456:TEST-TOKEN",
        "database_url": database_url,
        "admin_ids": [ADMIN_ID],
        "timezone": "Asia/Shanghai",
        "default_language": "zh_Hans",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Override in a test module to run the bot with other settings."""
    return {}


@pytest.fixture
async def harness(
    database: Database, clock: ManualClock, settings_overrides: dict[str, object]
) -> AsyncIterator[Harness]:
    settings = make_settings(database.url, **settings_overrides)
    async with Harness.running(settings, database, clock) as running:
        yield running
