"""Updates POSTed to the bot's webhook as Telegram does, while one is set (setWebhook)."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlparse

import aiohttp

from bot.emulator.state import QueuedUpdate, World

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
WEBHOOK_CONNECTIONS = 40  # Telegram's default max_connections
WEBHOOK_TIMEOUT_SECONDS = 30.0


class WebhookDelivery:
    """Each update POSTed with the secret token, up to WEBHOOK_CONNECTIONS at once, one chat's
    updates one after another; an update is forgotten only once it was answered 200, anything
    else is tried again after `retry_seconds` (and counted in `failures`)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.retry_seconds = 0.2
        self.failures = 0
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._posts: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._closing = False
        self._task = asyncio.create_task(self._deliver(), name="webhook")

    async def stop(self) -> None:
        self._closing = True
        if self._task is None:
            return
        self._task.cancel()
        for post in (self._task, *self._posts):
            post.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await post
        self._task = None

    async def _deliver(self) -> None:
        loop = asyncio.get_running_loop()
        async with aiohttp.ClientSession() as http:
            while not self._closing:
                url = self.world.webhook_url
                room = WEBHOOK_CONNECTIONS - len(self._posts)
                # The emulator only ever calls a bot on this machine.
                if url and room > 0 and urlparse(url).hostname in LOOPBACK:
                    for entry in self.world.updates.due_for_webhook(loop.time())[:room]:
                        entry.in_flight = True
                        self.world.updates.mark_delivered(entry)
                        post = asyncio.create_task(self._post(http, url, entry))
                        self._posts.add(post)
                        post.add_done_callback(self._posts.discard)
                await self.world.updates.wait(0.05)

    async def _post(self, http: aiohttp.ClientSession, url: str, entry: QueuedUpdate) -> None:
        answered = False
        error = "Connection refused"
        try:
            async with http.post(
                url,
                json=entry.payload,
                headers={SECRET_HEADER: self.world.webhook_secret},
                timeout=aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT_SECONDS),
            ) as response:
                answered = response.status == 200
                error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            error = "Read timeout expired"
        except (aiohttp.ClientError, OSError):
            answered = False
        entry.in_flight = False
        if answered:
            self.world.updates.acknowledge(entry)
        else:
            self.failures += 1
            self.world.webhook_last_error = (self.world.now(), error)
            entry.retry_at = asyncio.get_running_loop().time() + self.retry_seconds
            self.world.updates.wake_all()
