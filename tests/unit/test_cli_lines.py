"""What the `dutybot` commands print for an operator: one line, true about what went wrong, and
nothing a terminal recording or a CI log should not keep (the database password)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.unit.test_startup_failures import assert_one_line, dutybot


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
