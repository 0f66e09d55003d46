"""The webhook endpoint (`dutybot run --webhook`): Telegram's POSTs, answered 200 only once the
update is committed to the inbox (DESIGN principle 6).

PTB's own webhook server answers 200 as soon as the update is in the Application's queue, in
memory; a process killed then has lost it, as Telegram will not send it again. This one checks
the secret-token header, stores the update through the intake, and only then answers; if storing
fails it answers 500 and Telegram tries again later.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update
from telegram.error import TelegramError

from bot.intake import Intake, Received
from bot.listening import cannot_listen
from bot.settings import Settings, StartupError

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 16 * 1024 * 1024


def _origin(request: web.Request) -> str:
    """Where a request came from: the peer, and behind a reverse proxy whom it forwarded."""
    forwarded = request.headers.get("X-Forwarded-For") or request.headers.get("X-Real-IP")
    peer = request.remote or "an unknown address"
    return f"{peer} (forwarded for {forwarded[:100]})" if forwarded else peer


def webhook_app(intake: Intake, path: str, secret: str) -> web.Application:
    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None or not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning(
                "webhook request from %s with %s refused",
                _origin(request),
                "no secret token" if given is None else "a wrong secret token",
            )
            return web.Response(status=403)
        try:
            payload = await request.json()
        except Exception:
            return web.Response(status=400, text="not an update")
        if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
            return web.Response(status=400, text="not an update")
        try:
            update = Update.de_json(payload, intake.bot)
        except Exception as error:
            # As long polling does (bot/intake/polling.py): refused, Telegram would send it
            # again and again, holding up the updates behind it.
            log.error("update %s cannot be read (%s); set aside", payload["update_id"], error)
            return await _set_aside(intake, payload)
        if update is None:
            return web.Response(status=400, text="not an update")
        try:
            await intake.accept_one(Received(update, payload))
        except Exception:
            log.exception(
                "update %s could not be stored; Telegram will send it again", update.update_id
            )
            return web.Response(status=500)
        return web.Response(status=200)

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(path, receive)
    return app


async def _set_aside(intake: Intake, payload: dict[str, Any]) -> web.Response:
    try:
        await intake.set_aside_one(payload)
    except Exception:
        log.exception(
            "update %s could not be set aside; Telegram will send it again", payload["update_id"]
        )
        return web.Response(status=500)
    return web.Response(status=200)


def webhook_path(url: str) -> str:
    return "/" + urlparse(url).path.lstrip("/")


async def serve_webhook(
    intake: Intake,
    settings: Settings,
    stop: asyncio.Event,
    *,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Listen on WEBHOOK_LISTEN:WEBHOOK_PORT, register WEBHOOK_URL with Telegram, and serve
    until `stop` is set. The webhook stays registered: while the bot is down Telegram keeps the
    updates and sends them when it answers again."""
    app = webhook_app(intake, webhook_path(settings.webhook_url), settings.webhook_secret)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.webhook_listen, settings.webhook_port)
        try:
            await site.start()
        except OSError as error:
            raise StartupError(
                cannot_listen(
                    error,
                    settings.webhook_listen,
                    settings.webhook_port,
                    "WEBHOOK_LISTEN",
                    "WEBHOOK_PORT",
                )
            ) from None
        try:
            await intake.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        except TelegramError as error:
            raise StartupError(
                f"Telegram refused the webhook {settings.webhook_url} ({error.message}): set "
                "WEBHOOK_URL to a public https:// URL on port 443, 80, 88 or 8443 whose host "
                "Telegram can resolve, and WEBHOOK_SECRET to 1-256 of A-Z, a-z, 0-9, _ and -"
            ) from None
        # From now on Telegram sends what it kept while the bot was down; the scheduler asks
        # it when that is all in (Intake.backlog_received).
        intake.by_webhook()
        if on_ready is not None:
            on_ready()
        await stop.wait()
    finally:
        await runner.cleanup()
