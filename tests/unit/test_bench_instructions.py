"""bench/checkin_echo.py: callgrind's total read from what valgrind prints; CPU per update."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def checkin_echo(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.syspath_prepend(str(BENCH))
    module = importlib.import_module("checkin_echo")
    yield module
    sys.modules.pop("checkin_echo", None)


def test_the_total_is_read_from_callgrinds_summary(checkin_echo: ModuleType) -> None:
    report = (
        "==6399== Callgrind, a call-graph generating cache profiler\n"
        "==6399== Events    : Ir\n"
        "==6399== Collected : 13750202349\n"
        "==6399==\n"
        "==6399== I   refs:      13,750,202,349\n"
    )
    assert checkin_echo.instructions_in(report) == 13_750_202_349


def test_a_run_without_a_summary_is_an_error_not_a_zero(checkin_echo: ModuleType) -> None:
    with pytest.raises(RuntimeError, match="no instruction count"):
        checkin_echo.instructions_in("valgrind: command not found\n")


def test_cpu_per_update_is_the_bursts_cpu_time_over_its_updates(
    checkin_echo: ModuleType,
) -> None:
    figures = checkin_echo.Figures(
        "checkin", 200, elapsed=1.0, replies=200, cpu_user_s=0.3, cpu_system_s=0.1
    )
    assert figures.cpu_ms_per_update == pytest.approx(2.0)
    assert figures.system_ms_per_update == pytest.approx(0.5)
