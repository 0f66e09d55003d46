"""The no-show while the running bot and Telegram cannot reach each other: what volunteers send
meanwhile waits in Telegram's queue, as while the bot is down (test_noshow_after_restart), and
no one is marked absent until it is in."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

from aiohttp import web

from bot.app import build_application
from bot.db.models import AssignmentStatus
from bot.emulator import Fault
from bot.intake import Intake
from bot.webhook import webhook_app
from tests.e2e.checkin_fixtures import (
    assign,
    assignment,
    checkins,
    near,
    post,
    shift,
    team,
    today,
)
from tests.harness import Harness

ASKED = "您还没有签到"
SECRET = "a-secret_of-the-city"


async def _until(condition: Callable[[], bool], failing: str = "not reached") -> None:
    """Wait in real time (the bot's fetches and the emulator's webhook deliveries run on their
    own) for `condition`; `failing` says what it means when it does not come."""
    for _ in range(3000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(failing)


async def test_a_check_in_held_by_telegram_while_polling_fails_is_not_called_absent(
    harness: Harness,
) -> None:
    """The bot keeps running but cannot fetch updates from 08:00 (a network outage, 502s):
    王芳's location and photo, sent at 08:02 and 08:03 from the post, wait in Telegram's queue.
    The ticks go on. At 08:40 she must not be marked absent and asked whether she is coming:
    her check-in is in the queue, as after a restart (test_noshow_after_restart)."""
    crew = await team(harness, ("王芳", "李明"))
    fang, ming = crew.volunteers
    morning = await shift(harness, await post(harness, crew.unit), today(8, 0), today(10, 0))
    fang_seat = await assign(harness, morning, fang)
    await harness.settle()
    fault = harness.emulator.inject_fault(Fault("502", method="getUpdates", count=10**6))
    # The long poll under way ends (with this text, or its timeout); every fetch after it fails.
    # The test's clock leaps 40 minutes in one step: it waits (in real time) for what the bot
    # sees within seconds of the outage, its first fetch failing.
    await ming.send_text("你好")
    application = harness.bot.application
    assert application is not None
    intake = application.bot_data["intake"]
    assert isinstance(intake, Intake)
    await _until(
        lambda: fault.count < 10**6 and not intake.caught_up,
        "fetching fails, yet the backlog still counts as received",
    )
    harness.clock.set(today(8, 2))
    await fang.send_location(*near(20))
    harness.clock.set(today(8, 3))
    await fang.send_photo()
    told = len(fang.texts())
    harness.clock.set(today(8, 40))
    await harness.bot.tick()
    assert not any(ASKED in text for text in fang.texts()[told:]), fang.texts()[told:]
    assert (await assignment(harness, fang_seat)).status is AssignmentStatus.SIGNED_UP
    # Telegram is reached again: she is checked in as of 08:03, on time.
    harness.emulator.clear_faults()
    await harness.settle()
    [record] = await checkins(harness)
    assert record.checked_in_at == today(8, 3) and not record.late


async def test_by_webhook_the_backlog_is_not_in_while_telegram_cannot_reach_the_bot(
    harness: Harness,
) -> None:
    """Served by the webhook, the bot had received everything; then Telegram cannot reach it
    (its server down, a proxy failing). 王芳's location waits in Telegram's queue, which says so
    (getWebhookInfo: an update pending, a delivery failed since the last one that went through):
    the backlog is not in, so the no-show waits, until Telegram holds nothing again."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    await harness.bot.stop()
    application = build_application(harness.runtime)
    await application.initialize()
    intake = application.bot_data["intake"]
    assert isinstance(intake, Intake)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def serve() -> web.AppRunner:
        runner = web.AppRunner(webhook_app(intake, "/telegram", SECRET))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner

    runner = await serve()
    try:
        await intake.bot.set_webhook(f"http://127.0.0.1:{port}/telegram", secret_token=SECRET)
        intake.by_webhook()
        harness.clock.set(today(7, 50))
        await fang.send_text("你好")
        await _until(lambda: harness.emulator.pending_updates() == 0)
        assert await intake.backlog_received()
        # Telegram can no longer reach the bot; her location waits in its queue.
        await runner.cleanup()
        failed = harness.emulator.webhook_failures
        harness.clock.set(today(8, 2))
        await fang.send_location(*near(20))
        await _until(lambda: harness.emulator.webhook_failures > failed)
        harness.clock.set(today(8, 40))
        assert harness.emulator.pending_updates() == 1
        assert not await intake.backlog_received()
        # Reachable again: once Telegram holds nothing, the backlog is in.
        runner = await serve()
        await _until(lambda: harness.emulator.pending_updates() == 0)
        assert await intake.backlog_received()
    finally:
        await intake.bot.delete_webhook()
        await runner.cleanup()
        await application.shutdown()


async def test_polling_that_cannot_clear_the_webhook_at_start_retries_and_then_answers(
    harness: Harness,
) -> None:
    """Polling begins by telling Telegram to stop webhook delivery (deleteWebhook). When that
    first call fails (Telegram briefly unreachable just after the start-up check passed), the
    bot retries as it does for a failed fetch, instead of its polling ending for good while
    the process runs on answering no one."""
    crew = await team(harness, ("王芳",))
    fang = crew.volunteers[0]
    await harness.bot.stop()
    fault = harness.emulator.inject_fault(Fault("502", method="deleteWebhook", count=1))
    await fang.send_text("/help")
    told = len(fang.texts())
    await harness.bot.start()
    await harness.settle()
    assert fault.count == 0
    assert len(fang.texts()) > told, "the bot never answered after its first deleteWebhook failed"
