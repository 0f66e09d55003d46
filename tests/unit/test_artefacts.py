"""Tests leave the checkout as they found it: what they write goes under temporary folders."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]


def test_reports_made_by_tests_go_outside_the_checkout() -> None:
    folder = Path(make_settings("sqlite+aiosqlite:///unused.db").reports_dir).resolve()
    assert not folder.is_relative_to(ROOT), folder


def test_no_run_artefact_is_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "data/reports", "data/photos", "data/exports"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked == []
