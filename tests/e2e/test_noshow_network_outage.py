"""The no-show while the running bot and Telegram cannot reach each other: what volunteers send
meanwhile waits in Telegram's queue, as while the bot is down (test_noshow_after_restart), and
no one is marked absent until it is in."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.app import build_application, scheduled_tick
from bot.db.models import AssignmentStatus
from bot.emulator import Fault, SimUser
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

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

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


class Gate:
    """Keeps the webhook POSTs of some senders in flight, in front of the bot's endpoint:
    Telegram counts them pending, and no delivery fails. Traffic that never lets Telegram's
    queue run empty, or an update Telegram holds while it waits to try it again."""

    def __init__(self) -> None:
        self._doors: dict[int, asyncio.Event] = {}
        self.holding: set[int] = set()

    def close(self, user_id: int) -> None:
        self._doors[user_id] = asyncio.Event()

    def open(self, user_id: int) -> None:
        self._doors.pop(user_id).set()

    def open_all(self) -> None:
        for user_id in list(self._doors):
            self.open(user_id)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        payload: dict[str, Any] = await request.json()
        senders = [
            part["from"]["id"]
            for part in payload.values()
            if isinstance(part, dict) and "from" in part
        ]
        door = self._doors.get(senders[0]) if senders else None
        if door is not None:
            self.holding.add(payload["update_id"])
            try:
                await door.wait()
            finally:
                self.holding.discard(payload["update_id"])
        return await handler(request)


class WebhookBot:
    """The bot served by the webhook behind a Gate (the harness's polling bot stopped), its
    scheduler driven tick by tick, its messages sent through the emulator."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.gate = Gate()
        self.application = build_application(harness.runtime)
        intake = self.application.bot_data["intake"]
        assert isinstance(intake, Intake)
        self.intake = intake
        self._runner: web.AppRunner | None = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    async def start(self) -> None:
        await self.harness.bot.stop()
        await self.application.initialize()
        assert self.harness.bot.sender is not None
        self.harness.bot.sender.bot = self.application.bot
        await self.reachable()
        await self.intake.bot.set_webhook(
            f"http://127.0.0.1:{self.port}/telegram", secret_token=SECRET
        )
        self.intake.by_webhook()

    async def reachable(self) -> None:
        app = webhook_app(self.intake, "/telegram", SECRET)
        app.middlewares.append(self.gate.middleware)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def unreachable(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def tick_at(self, moment: dt.datetime) -> None:
        self.harness.clock.set(moment)
        await scheduled_tick(self.application)
        await self.harness.bot.deliver()

    def last_update_id(self) -> int:
        return self.harness.emulator.world.updates.history[-1].update_id

    async def writes(self, person: SimUser, text: str, *, held: bool) -> None:
        """A message answered 200 at once, or kept on its way (in flight)."""
        if held:
            self.gate.close(person.user_id)
        await person.send_text(text)
        sent = self.last_update_id()
        if held:
            await _until(lambda: sent in self.gate.holding, "the message is not on its way")
        else:
            # Answered 200: what Telegram still holds is what the gate keeps on its way.
            emulator = self.harness.emulator
            await _until(lambda: emulator.pending_updates() == len(self.gate.holding))

    async def close(self) -> None:
        self.gate.open_all()
        await self.intake.bot.delete_webhook()
        await self.unreachable()
        await self.application.shutdown()


async def test_by_webhook_constant_traffic_does_not_hold_the_no_show_once_the_held_updates_are_in(
    harness: Harness,
) -> None:
    """As above, Telegram could not reach the bot while 王芳 sent her location at 08:02, and it
    holds it. Once the bot is reachable again, 李明 writes all the time, so that at every tick
    one of his messages is on its way: Telegram never reports its queue empty. The no-show
    waits while 王芳's location is still held, even though newer updates arrive, and runs as soon
    as every update Telegram held is in: 张伟, who sent nothing, is asked whether he is coming,
    and 王芳, whose location is in the inbox, is not judged."""
    crew = await team(harness, ("王芳", "李明", "张伟"))
    fang, ming, wei = crew.volunteers
    morning = await shift(harness, await post(harness, crew.unit), today(8, 0), today(10, 0))
    fang_seat, wei_seat = [await assign(harness, morning, person) for person in (fang, wei)]
    bot = WebhookBot(harness)
    try:
        await bot.start()
        harness.clock.set(today(7, 50))
        await fang.send_text("你好")
        await _until(lambda: harness.emulator.pending_updates() == 0)
        assert await bot.intake.backlog_received()
        # Telegram cannot reach the bot; her location waits in its queue.
        await bot.unreachable()
        failed = harness.emulator.webhook_failures
        harness.clock.set(today(8, 2))
        await fang.send_location(*near(20))
        location = bot.last_update_id()
        await _until(lambda: harness.emulator.webhook_failures > failed)
        await bot.tick_at(today(8, 40))
        assert (await assignment(harness, wei_seat)).status is AssignmentStatus.SIGNED_UP
        # Reachable again, but her location is held still (Telegram waits before it tries an
        # update again); 李明's messages go through meanwhile, one always on its way.
        bot.gate.close(fang.user_id)
        await bot.reachable()
        await _until(lambda: location in bot.gate.holding, "her location is not retried")
        harness.clock.set(today(8, 41))
        await bot.writes(ming, "在路上", held=False)
        await bot.writes(ming, "到了吗", held=True)
        told = len(wei.texts())
        await bot.tick_at(today(8, 41))
        assert harness.emulator.pending_updates() == 2
        assert (await assignment(harness, wei_seat)).status is AssignmentStatus.SIGNED_UP
        assert wei.texts()[told:] == []
        # Her location is in; 李明 goes on writing. Telegram never holds nothing at a tick.
        bot.gate.open_all()
        for minute, text, judged in ((42, "收到", False), (43, "好的", True)):
            await _until(lambda: harness.emulator.pending_updates() == 0)
            harness.clock.set(today(8, minute))
            await bot.writes(ming, text, held=True)
            await bot.tick_at(today(8, minute))
            assert harness.emulator.pending_updates() == 1
            # At 08:42 the bound from Telegram's count at 08:41 is one too high (it took her
            # location, held then, as if it could be newer than 李明's first message): it
            # needs his next message, still on its way. At 08:43 all up to it are in.
            seat = await assignment(harness, wei_seat)
            assert seat.status is (
                AssignmentStatus.ABSENT if judged else AssignmentStatus.SIGNED_UP
            )
            bot.gate.open(ming.user_id)
        [asked] = [text for text in wei.texts()[told:] if ASKED in text]
        assert "43 分钟" in asked, asked
        assert (await assignment(harness, fang_seat)).status is AssignmentStatus.SIGNED_UP
        assert not any(ASKED in text for text in fang.texts())
        assert await checkins(harness) == []
    finally:
        await bot.close()


async def test_by_webhook_at_start_constant_traffic_does_not_hold_the_no_show(
    harness: Harness,
) -> None:
    """The bot starts by the webhook on the next day at 08:40 and 李明 writes all the time, so
    that Telegram never reports its queue empty. What it received more than a day ago (the
    sign-ups) tells where its count of updates begins: everything older Telegram no longer
    holds. One tick later every update Telegram held at the first is in, and 张伟, who sent
    nothing since his shift began at 08:00, is asked whether he is coming."""
    crew = await team(harness, ("李明", "张伟"))
    ming, wei = crew.volunteers
    tomorrow = dt.timedelta(days=1)
    morning = await shift(
        harness, await post(harness, crew.unit), today(8, 0) + tomorrow, today(10, 0) + tomorrow
    )
    wei_seat = await assign(harness, morning, wei)
    await harness.settle()
    bot = WebhookBot(harness)
    try:
        harness.clock.set(today(8, 40) + tomorrow)
        await bot.start()
        await bot.writes(ming, "早", held=True)
        told = len(wei.texts())
        await bot.tick_at(today(8, 40) + tomorrow)
        assert harness.emulator.pending_updates() == 1
        assert (await assignment(harness, wei_seat)).status is AssignmentStatus.SIGNED_UP
        bot.gate.open(ming.user_id)
        await _until(lambda: harness.emulator.pending_updates() == 0)
        await bot.writes(ming, "到了", held=True)
        await bot.tick_at(today(8, 41) + tomorrow)
        assert harness.emulator.pending_updates() == 1
        assert (await assignment(harness, wei_seat)).status is AssignmentStatus.ABSENT
        [asked] = [text for text in wei.texts()[told:] if ASKED in text]
        assert "41 分钟" in asked, asked
    finally:
        await bot.close()


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
