"""Running `python -m bot` as a separate process, as an operator would, and reading the one
line it leaves on standard error when it gives up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def dutybot(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "BOT_TOKEN": "123456:TEST", **env},
        cwd=str(cwd),
        timeout=120,
        check=False,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    """The process failed with one line of its own on standard error (log lines before it, one
    per attempt, may say what it tried)."""
    assert result.returncode not in (0, None), result
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    last = lines[-1]
    assert last.startswith("dutybot: "), result.stderr
    for text in expected:
        assert text in last, last
    return last
