"""The board and the webhook are two servers of one process: on one address and port the
second cannot start, and says "free the port", which the bot itself holds. Whether two
listeners share an address is decided by what their hosts name, not by how they are spelled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.listening import share_an_address


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "127.0.0.1"),
        ("127.0.0.1", "localhost"),
        ("LOCALHOST", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0.0.0.0", "127.0.0.1"),
        ("0", "10.0.0.5"),
        ("", "127.0.0.1"),
        ("::", "::1"),
        ("0:0:0:0:0:0:0:0", "::1"),
    ],
)
def test_two_spellings_of_one_address_share_it(first: str, second: str) -> None:
    assert share_an_address(first, second, 8443)
    assert share_an_address(second, first, 8443)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("127.0.0.1", "127.0.0.2"),
        # asyncio opens an IPv6 socket for IPv6 alone (IPV6_V6ONLY): both servers start.
        ("0.0.0.0", "::"),
        ("::", "127.0.0.1"),
        ("0.0.0.0", "::1"),
        # A name that resolves to nothing: the server itself will say so.
        ("no-such-host.invalid", "127.0.0.1"),
    ],
)
def test_two_addresses_do_not_share_one(first: str, second: str) -> None:
    assert not share_an_address(first, second, 8443)
    assert not share_an_address(second, first, 8443)


def test_a_board_on_the_webhooks_port_under_another_spelling_is_named_before_start(
    tmp_path: Path,
) -> None:
    database = tmp_path / "dutybot.db"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--webhook"],
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "BOT_TOKEN": "123456:TEST",
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "WEBHOOK_URL": "https://bot.example.org/telegram",
            "WEBHOOK_SECRET": "a-secret_of-the-city",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": "8443",
            "BOARD_URL": "https://bot.example.org/board/",
            "BOARD_LISTEN": "localhost",
            "BOARD_PORT": "8443",
        },
        cwd=str(tmp_path),
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "dutybot: BOARD_PORT is invalid: the webhook listens on port 8443 too (WEBHOOK_PORT), "
        "on the board's address (BOARD_LISTEN localhost, WEBHOOK_LISTEN 127.0.0.1): "
        "give the board another port and route /board/ to it"
    ]
    assert not database.exists()
