"""Every benchmark under bench/ still imports: they are not run by the suite, and one that no
longer starts (a helper renamed in another bench) would only be found when someone needs it."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize("name", sorted(path.stem for path in BENCH.glob("*.py")))
def test_the_benchmark_imports(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    module = importlib.import_module(name)
    assert module.__file__ is not None and Path(module.__file__).parent == BENCH
    if name not in ("benchdb",):
        assert callable(getattr(module, "main", None)), f"bench/{name}.py has no main()"
    sys.modules.pop(name, None)
