"""A bot process for the crash tests: the bot exactly as `dutybot run` serves it
(bot/runner.py `serve`: the intake, the Application, the outbox sender and the scheduler tick),
on the test's database and against the test's emulator, long polling or with a webhook.

Its clock is the system clock moved to the test's day (bot/clock.py ShiftedClock): real seconds
pass, as Telegram's pace needs, and the test's shifts are on. Run as
``python -m tests.e2e.bot_process DATABASE_URL API_URL FILE_URL TOKEN START [PORT SECRET]``
(with PORT and SECRET it serves a webhook on 127.0.0.1:PORT); it prints "ready" once it takes
updates, and stops on SIGTERM.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
import sys

from bot.clock import ShiftedClock
from bot.db.engine import Database
from bot.db.process_lock import hold_single_process_lock
from bot.runner import serve
from bot.runtime import Runtime
from bot.settings import Settings
from tests.harness import ADMIN_ID

WEBHOOK_PATH = "/telegram"


def settings_for(argv: list[str]) -> tuple[Settings, bool]:
    database_url, api_url, file_url, token = argv[:4]
    values: dict[str, object] = {
        "bot_token": token,
        "database_url": database_url,
        "bot_api_base_url": api_url,
        "bot_api_file_url": file_url,
        "admin_ids": [ADMIN_ID],
        "timezone": "Asia/Shanghai",
        "default_language": "zh_Hans",
        "quiet_hours": "",
    }
    webhook = len(argv) >= 7
    if webhook:
        port, secret = int(argv[5]), argv[6]
        values |= {
            "webhook_url": f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
            "webhook_secret": secret,
            "webhook_listen": "127.0.0.1",
            "webhook_port": port,
        }
    return Settings(_env_file=None, **values), webhook  # type: ignore[call-arg]


async def run(runtime: Runtime, *, webhook: bool) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await serve(
            runtime, webhook=webhook, stop=stop, on_ready=lambda: print("ready", flush=True)
        )
    finally:
        await runtime.db.dispose()


def main(argv: list[str]) -> None:
    settings, webhook = settings_for(argv)
    start = dt.datetime.fromisoformat(argv[4])
    # As `dutybot run`: one process on a SQLite database.
    lock = hold_single_process_lock(settings.database_url)
    runtime = Runtime(
        settings=settings, db=Database(settings.database_url), clock=ShiftedClock(start)
    )
    try:
        asyncio.run(run(runtime, webhook=webhook))
    finally:
        if lock is not None:
            lock.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("bot").setLevel(logging.INFO)
    main(sys.argv[1:])
