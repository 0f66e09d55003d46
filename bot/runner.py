"""``dutybot run``: migrate, then serve updates by long polling or webhook.

Updates come in through the intake (bot/intake/): stored in the inbox before Telegram is told
they were received, then handled. What a previous run left (updates not handled, answers not
sent) is taken up before anything new. A start-up that cannot go on stops with one line saying
what is wrong and what to do; an unreachable Bot API is tried again with growing pauses first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from telegram.error import InvalidToken, NetworkError

from bot.app import build_application
from bot.board.server import attach as attach_board
from bot.clock import SystemClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.process_lock import hold_single_process_lock
from bot.heap import freeze_start_up
from bot.intake import Intake
from bot.listening import share_an_address
from bot.runtime import Runtime
from bot.settings import Settings, SettingsError, StartupError
from bot.webhook import serve_webhook
from handlers.turn import BotApplication

log = logging.getLogger(__name__)

# Pauses between attempts to reach the Bot API at start-up: 1 s, 2 s, 4 s, ... at most 30 s.
START_PAUSE_FIRST_SECONDS = 1.0
START_PAUSE_CAP_SECONDS = 30.0


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
    if webhook and settings.board_url:
        _refuse_one_address(settings)
    # Held until the process exits; a second process on the same SQLite file stops here.
    lock = hold_single_process_lock(settings.database_url)
    try:
        # Migrations run on their own event loop, then the bot on another.
        asyncio.run(_migrate(settings.database_url))
        # After the database, whose folder a line of its own names: then the other folders.
        settings.require_writable_folders()
        runtime = Runtime(
            settings=settings, db=Database(settings.database_url), clock=SystemClock()
        )
        asyncio.run(_serve_until_signalled(runtime, webhook=webhook))
    finally:
        if lock is not None:
            lock.close()


def _refuse_one_address(settings: Settings) -> None:
    """The board and the webhook on one address and port: the second server of the process
    could not start, and would say to free the port the bot itself holds."""
    board, hook = settings.board_listen, settings.webhook_listen
    if settings.board_port != settings.webhook_port or not share_an_address(
        board, hook, settings.board_port
    ):
        return
    # Two hosts, spelled apart, are named: the line would seem to contradict them otherwise.
    spelled = (
        ""
        if board == hook
        else f", on the board's address (BOARD_LISTEN {board}, WEBHOOK_LISTEN {hook})"
    )
    raise SettingsError(
        f"BOARD_PORT is invalid: the webhook listens on port {settings.board_port} too "
        f"(WEBHOOK_PORT){spelled}: give the board another port and route /board/ to it"
    )


async def _serve_until_signalled(runtime: Runtime, *, webhook: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    received: list[signal.Signals] = []

    def on_signal(signum: signal.Signals) -> None:
        received.append(signum)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        await serve(runtime, webhook=webhook, stop=stop)
    finally:
        await runtime.db.dispose()
    # What systemd's or docker's log shows last: the bot ended because it was asked to.
    log.info("dutybot stopped (%s)", received[0].name if received else "done")


async def connect(
    application: BotApplication,
    settings: Settings,
    attempts: int,
    pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
    stop: asyncio.Event | None = None,
) -> bool:
    """Initialize the application (it asks Telegram who the bot is), trying again with growing
    pauses while the Bot API cannot be reached; one log line per failed attempt. `pause` waits
    that many seconds (a test passes one that does not). A `stop` set meanwhile (SIGTERM: docker
    waits 10 s, the pauses add up to half a minute) ends the pauses: False, not connected."""
    connected = False
    try:
        connected = await _initialize(application, settings, attempts, pause, stop)
    finally:
        if not connected:
            for request in application.bot_data.get("requests", ()):
                await request.shutdown()
    return connected


async def _until_stopped(stop: asyncio.Event, pause: Awaitable[None]) -> None:
    waiting = asyncio.ensure_future(pause)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (waiting, stopping):
            task.cancel()


async def _initialize(
    application: BotApplication,
    settings: Settings,
    attempts: int,
    pause: Callable[[float], Awaitable[None]],
    stop: asyncio.Event | None,
) -> bool:
    for attempt in range(1, attempts + 1):
        if stop is not None and stop.is_set():
            return False
        try:
            await application.initialize()
            return True
        except InvalidToken:
            raise StartupError(
                "Telegram refused BOT_TOKEN (unauthorized): check the token BotFather gave you"
            ) from None
        except NetworkError as error:
            where = settings.bot_api_base_url.split("/bot", 1)[0]
            if attempt == attempts:
                tried = "1 attempt" if attempts == 1 else f"{attempts} attempts"
                raise StartupError(
                    f"cannot reach the Bot API at {where} ({error.message}) after {tried}: "
                    "check the network, or BOT_API_BASE_URL"
                ) from None
            seconds = min(START_PAUSE_FIRST_SECONDS * 2 ** (attempt - 1), START_PAUSE_CAP_SECONDS)
            log.warning(
                "cannot reach the Bot API at %s (%s); attempt %s of %s, next in %.0fs",
                where,
                error.message,
                attempt,
                attempts,
                seconds,
            )
            if stop is None:
                await pause(seconds)
            else:
                await _until_stopped(stop, pause(seconds))
    return False


async def serve(
    runtime: Runtime,
    *,
    webhook: bool,
    stop: asyncio.Event,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """The bot until `stop` is set: the Application with its outbox sender and scheduler tick,
    fed by long polling or the webhook through the inbox."""
    settings = runtime.settings
    application = build_application(runtime, background=True)
    if settings.board_url:
        attach_board(application, runtime)  # the live board, /healthz and /metrics
    intake = application.bot_data["intake"]
    assert isinstance(intake, Intake)
    if not await connect(application, settings, settings.startup_attempts, stop=stop):
        return  # stopped before the Bot API could be reached
    sweeper: asyncio.Task[None] | None = None
    try:
        assert application.post_init is not None
        await application.post_init(application)
        await application.start()
        await intake.recover()
        # What start-up built lives as long as the process: out of the collector's full passes.
        freeze_start_up()
        sweeper = asyncio.create_task(intake.run_sweeper(stop), name="inbox-sweeper")
        log.info("dutybot started (%s)", "webhook" if webhook else "long polling")
        if webhook:
            await serve_webhook(intake, settings, stop, on_ready=on_ready)
        else:
            if on_ready is not None:
                on_ready()
            await intake.poll(stop)
    finally:
        stop.set()
        if sweeper is not None:
            with contextlib.suppress(Exception):
                await sweeper
        if application.running:
            await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
