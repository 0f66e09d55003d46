"""The HTTP client of Bot API calls: PTB's request interface over aiohttp.

PTB's own HTTPXRequest was a third of the bot's CPU in a check-in burst. httpcore, under it,
looks at every waiting request and every idle connection each time a call starts or ends, so a
burst of answers queued in its pool costs time that grows with the queue; and httpx's layers
cost about three times aiohttp's per call. aiohttp is a dependency already (the board, the
emulator), and its connector queues calls for a free connection in order, at no cost per
waiting call. Check-in burst, same run: CPU per update down by a quarter.

Behaviour kept from HTTPXRequest: the same timeouts and defaults (a longer one for uploads),
files sent as a multipart form, a timeout raised as TimedOut and any other transport failure as
NetworkError. A call without files sends its parameters as a JSON body rather than a form.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# Calls under way at once. Each connection more costs every call a little (the check-in
# burst: 4 connections 179 updates/s, 6: 169, 10: 152, 16: 155 with HTTPXRequest). Telegram
# answers a call in 0.1-0.3 s, so 8 carry 27-80 calls a second, about the 30 messages a second
# Telegram accepts from one bot.
CONNECTIONS = 8
READ_TIMEOUT_SECONDS = 5.0
WRITE_TIMEOUT_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 5.0
POOL_TIMEOUT_SECONDS = 30.0
MEDIA_WRITE_TIMEOUT_SECONDS = 20.0
_JSON = {"Content-Type": "application/json"}


def _or(value: ODVInput[float], default: float) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _sum(*parts: float | None) -> float | None:
    """None (no limit) when any part has none."""
    limited = [part for part in parts if part is not None]
    return sum(limited) if len(limited) == len(parts) else None


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        connections: int = CONNECTIONS,
        *,
        read_timeout: float = READ_TIMEOUT_SECONDS,
        pool_timeout: float = POOL_TIMEOUT_SECONDS,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
                timeout=aiohttp.ClientTimeout(total=None),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data is not None else None
        data: aiohttp.FormData | bytes | None = None
        headers: dict[str, str] | None = None
        if files:
            form = aiohttp.FormData(request_data.json_parameters if request_data else {})
            for name, (filename, content, mime_type) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime_type)
            data = form
        elif request_data is not None and request_data.parameters:
            # A JSON body, which the Bot API takes for every call without a file: aiohttp's
            # form encoding builds a multipart writer for each call, about a fifth of the cost
            # of sending an answer.
            data = request_data.json_payload
            headers = _JSON
        read = _or(read_timeout, self._read_timeout)
        connect = _or(connect_timeout, CONNECT_TIMEOUT_SECONDS)
        # aiohttp has no timeout of its own for sending: a stalled upload ends on the read one.
        write = _or(write_timeout, MEDIA_WRITE_TIMEOUT_SECONDS if files else WRITE_TIMEOUT_SECONDS)
        timeout = aiohttp.ClientTimeout(
            # Waiting for a free connection and connecting, as httpx's pool and connect timeouts.
            connect=_sum(_or(pool_timeout, self._pool_timeout), connect),
            sock_connect=connect,
            # An upload's answer may take as long as the upload itself.
            sock_read=_sum(read, write) if files else read,
        )
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error
