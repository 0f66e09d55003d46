"""``dutybot run``: migrate, then serve updates by long polling or webhook."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlparse

from telegram import Update

from bot.app import build_application
from bot.board.server import attach as attach_board
from bot.clock import SystemClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.process_lock import hold_single_process_lock
from bot.runtime import Runtime
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)


async def _migrate(url: str) -> None:
    database = Database(url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()


def run_bot(settings: Settings, *, webhook: bool = False) -> None:
    if webhook and not (settings.webhook_url and settings.webhook_secret):
        raise SettingsError(
            "WEBHOOK_URL and WEBHOOK_SECRET are needed for --webhook "
            "(an https:// URL and a random secret of 1-256 characters A-Z, a-z, 0-9, _ and -)"
        )
    # Held until the process exits; a second process on the same SQLite file stops here.
    lock = hold_single_process_lock(settings.database_url)
    # Migrations run on their own event loop; PTB starts another for the bot.
    asyncio.run(_migrate(settings.database_url))
    runtime = Runtime(settings=settings, db=Database(settings.database_url), clock=SystemClock())
    application = build_application(runtime, background=True)
    if settings.board_url:
        attach_board(application, runtime)  # the live board, /healthz and /metrics (issue 18)
    log.info("dutybot starting (%s)", "webhook" if webhook else "long polling")
    if webhook:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlparse(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    if lock is not None:
        lock.close()
