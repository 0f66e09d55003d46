"""`dutybot run` as an operator runs it, a process of its own started by systemd or docker: it is
stopped by SIGTERM or SIGINT at any moment (even while it is still trying to reach the Bot API)
and then exits 0 saying so in one line; a webhook Telegram refuses stops start-up with one line,
not a traceback. The bot talks to the emulator, on a SQLite file of the test's own."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.emulator import BotApiEmulator, Fault

TIMEOUT_SECONDS = 30.0


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(tmp_path: Path, **values: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "BOT_TOKEN": "123456:TEST",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/dutybot.db",
        "REPORTS_DIR": str(tmp_path / "reports"),
        **values,
    }


@asynccontextmanager
async def dutybot(
    tmp_path: Path, *args: str, **env: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=str(tmp_path),
        env=environment(tmp_path, **env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def line_with(process: asyncio.subprocess.Process, text: str, seen: list[str]) -> None:
    """Read standard error until a line holding `text` (every line read goes to `seen`)."""
    assert process.stderr is not None
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        raw = await asyncio.wait_for(process.stderr.readline(), TIMEOUT_SECONDS)
        if not raw:
            break
        seen.append(raw.decode().rstrip("\n"))
        if text in seen[-1]:
            return
    raise AssertionError(f"no line with {text!r}:\n" + "\n".join(seen))


async def rest_of(process: asyncio.subprocess.Process, seen: list[str]) -> int:
    assert process.stderr is not None
    rest = await asyncio.wait_for(process.stderr.read(), TIMEOUT_SECONDS)
    seen.extend(rest.decode().splitlines())
    return await asyncio.wait_for(process.wait(), TIMEOUT_SECONDS)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_signal_while_the_bot_api_is_unreachable_stops_it_at_once(
    tmp_path: Path, signum: signal.Signals
) -> None:
    """Start-up waits 1, 2, 4, ... 16 s between attempts to reach the Bot API; `docker stop`
    gives a process 10 s before it kills it. A signal during a pause ends the pause."""
    seen: list[str] = []
    api = f"http://127.0.0.1:{closed_port()}"
    async with dutybot(
        tmp_path, "run", BOT_API_BASE_URL=api + "/bot{token}", STARTUP_ATTEMPTS="6"
    ) as process:
        await line_with(process, "attempt 1 of 6", seen)
        signalled = time.monotonic()
        process.send_signal(signum)
        code = await rest_of(process, seen)
    # The pause itself is proven interruptible by a unit test with a pause that never ends;
    # here the bound is docker's: it kills what has not stopped 10 s after its SIGTERM.
    assert time.monotonic() - signalled < 10, seen
    assert code == 0, seen
    assert "Traceback" not in "\n".join(seen)
    assert "attempt 3 of 6" not in "\n".join(seen)
    assert f"dutybot stopped ({signum.name})" in seen[-1], seen


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_running_bot_stopped_by_a_signal_exits_0_saying_so(
    tmp_path: Path, signum: signal.Signals
) -> None:
    seen: list[str] = []
    async with (
        BotApiEmulator(token="123456:TEST") as emulator,
        dutybot(
            tmp_path,
            "run",
            BOT_API_BASE_URL=emulator.base_url,
            BOT_API_FILE_URL=emulator.base_file_url,
        ) as process,
    ):
        await line_with(process, "dutybot started", seen)
        process.send_signal(signum)
        code = await rest_of(process, seen)
    assert code == 0, seen
    assert "Traceback" not in "\n".join(seen)
    assert f"dutybot stopped ({signum.name})" in seen[-1], seen


async def test_a_webhook_telegram_refuses_stops_start_up_in_one_line(tmp_path: Path) -> None:
    """Telegram refuses setWebhook for an http:// URL, a port other than 443, 80, 88 or 8443,
    or a host it cannot resolve: the operator reads why and what to set, not a traceback."""
    seen: list[str] = []
    port = closed_port()
    async with BotApiEmulator(token="123456:TEST") as emulator:
        emulator.inject_fault(
            Fault(
                "400",
                method="setWebhook",
                description="Bad Request: bad webhook: Webhook can be set up only on ports "
                "80, 88, 443 or 8443",
            )
        )
        async with dutybot(
            tmp_path,
            "run",
            "--webhook",
            BOT_API_BASE_URL=emulator.base_url,
            BOT_API_FILE_URL=emulator.base_file_url,
            WEBHOOK_URL=f"https://bot.example.org:{port}/telegram",
            WEBHOOK_SECRET="a-secret_of-the-city",
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(port),
        ) as process:
            code = await rest_of(process, seen)
    text = "\n".join(seen)
    assert code not in (0, None), text
    assert "Traceback" not in text, text
    last = seen[-1]
    assert last.startswith("dutybot: Telegram refused the webhook"), text
    assert "ports 80, 88, 443 or 8443" in last
    assert "WEBHOOK_URL" in last
    assert "a-secret_of-the-city" not in text


async def test_a_webhook_secret_telegram_would_refuse_is_named_before_start(
    tmp_path: Path,
) -> None:
    """Telegram takes 1-256 characters A-Z, a-z, 0-9, _ and - as the secret token; one made with
    `openssl rand -base64` (+, / and =) is refused at once, naming the setting, not echoing it."""
    seen: list[str] = []
    async with dutybot(
        tmp_path,
        "run",
        "--webhook",
        WEBHOOK_URL="https://bot.example.org/telegram",
        WEBHOOK_SECRET="q8W+/zK3=",
    ) as process:
        code = await rest_of(process, seen)
    assert code == 2, seen
    assert len(seen) == 1, seen
    assert seen[0].startswith("dutybot: WEBHOOK_SECRET is invalid"), seen
    assert "A-Z, a-z, 0-9, _ and -" in seen[0]
    assert "q8W+/zK3=" not in seen[0]


async def test_debug_logs_keep_the_token_the_webhook_secret_and_phone_numbers_out(
    tmp_path: Path,
) -> None:
    """`dutybot -v run` logs every Bot API call: an operator turns it on to find a problem and
    pastes the output into a ticket. The token (in every URL), the webhook secret (a parameter
    of setWebhook) and a volunteer's phone number (in the update of their contact) stay out."""
    seen: list[str] = []
    token = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    secret = "city-webhook-secret_9f3a"
    port = closed_port()
    async with BotApiEmulator(token=token) as emulator:
        stranger = emulator.user(4242, "Wang")
        await stranger.send_contact(phone_number="+8613712345678")
        async with dutybot(
            tmp_path,
            "-v",
            "run",
            "--webhook",
            BOT_TOKEN=token,
            BOT_API_BASE_URL=emulator.base_url,
            BOT_API_FILE_URL=emulator.base_file_url,
            WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
            WEBHOOK_SECRET=secret,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(port),
        ) as process:
            await line_with(process, "dutybot started", seen)
            await stranger.wait_sent(1, TIMEOUT_SECONDS)  # the contact reached the bot
            process.send_signal(signal.SIGTERM)
            code = await rest_of(process, seen)
    text = "\n".join(seen)
    assert code == 0, text
    assert "DEBUG" in text  # still the debug details asked for
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in text
    assert secret not in text
    assert "13712345678" not in text
