"""What a bot process loads when it starts: heavy libraries that only some work needs wait."""

from __future__ import annotations

import subprocess
import sys


def test_starting_the_bot_does_not_load_matplotlib() -> None:
    # Charts are drawn in the offload worker; matplotlib was most of a second of every start.
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, bot.app; print('matplotlib' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "False"
