"""The HTTP client of Bot API calls.

httpcore, under PTB's HTTPXRequest, scans every request waiting for its pool and every idle
connection each time a request starts or ends. A burst of answers (64 chats in flight, each
with its reply) queued there costs time that grows with the square of the queue: in the
check-in burst a quarter of the process's time went to that bookkeeping. Requests wait their
turn here instead, in order, and reach httpx no more than it has connections for.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.request import HTTPXRequest

# Calls under way at once. Each connection more costs every call a little (httpcore looks at
# each idle one; the check-in burst: 4 connections 179 updates/s, 6: 169, 10: 152, 16: 155).
# Telegram answers a call in 0.1-0.3 s, so 8 carry 27-80 calls a second, about the 30
# messages a second Telegram accepts from one bot.
CONNECTIONS = 8
POOL_TIMEOUT_SECONDS = 30.0


class GatedRequest(HTTPXRequest):
    def __init__(self, connections: int = CONNECTIONS, **options: Any) -> None:
        super().__init__(connection_pool_size=connections, **options)
        self._gate = asyncio.Semaphore(connections)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        async with self._gate:
            return await super().do_request(*args, **kwargs)
