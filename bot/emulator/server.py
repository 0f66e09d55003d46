"""The HTTP face of the emulator: an aiohttp server on loopback that answers like
api.telegram.org, with latency, faults and flood limits applied in front of the methods."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import aiohttp
from aiohttp import web

from bot.emulator.groups import SimGroup
from bot.emulator.limits import Fault, FloodGate, FloodLimits, fault_answer
from bot.emulator.methods import CANONICAL, METHODS, SENDING, dumps
from bot.emulator.params import ApiError, Params, Upload, bad_request
from bot.emulator.state import ALBUM_LEAST, ALBUM_MOST, JSON, ChatState, SentMessage, World
from bot.emulator.users import SimUser

CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
# What a bot muted in a group is told it may not send, by method (others: "text messages").
MUTED_KINDS = {
    "sendPhoto": "photos",
    "sendMediaGroup": "photos",
    "sendDocument": "documents",
    "sendLocation": "other messages",
    "sendVenue": "other messages",
    "sendSticker": "other messages",
}
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
WEBHOOK_CONNECTIONS = 40  # Telegram's default max_connections
WEBHOOK_TIMEOUT_SECONDS = 30.0
CONFLICT_POLLING = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


def _messages_sent(method: str, params: Params) -> int:
    """How many messages a call puts in the chat for the flood limits: an album's items each
    (limits.py); an album the method will refuse (not 2-10 items) is counted as one."""
    if method != "sendMediaGroup" or not params.has("media"):
        return 1
    try:
        media = params.structured("media")
    except ApiError:
        return 1
    if isinstance(media, list) and ALBUM_LEAST <= len(media) <= ALBUM_MOST:
        return len(media)
    return 1


def _answer(body: JSON, status: int = 200) -> web.Response:
    return web.Response(text=dumps(body), status=status, content_type="application/json")


async def _read_params(request: web.Request) -> Params:
    params = Params()
    params.values.update(request.query)
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise bad_request("can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON request body must be an object")
        params.values.update(body)
        return params
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            params.uploads[name] = Upload(
                filename=value.filename or name,
                content_type=value.content_type or "application/octet-stream",
                data=value.file.read(),
            )
        else:
            params.values[name] = value
    return params


class BotApiEmulator:
    """A local Telegram Bot API. `start()` it, point PTB at `base_url`, play users with `user()`."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "emulated_bot",
        flood_limits: FloodLimits | None = None,
        *,
        bot_first_name: str = "Duty Bot",
    ) -> None:
        self.token = token
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.world = World(
            {
                "id": bot_id,
                "is_bot": True,
                "first_name": bot_first_name,
                "username": bot_username,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
                "can_connect_to_business": False,
                "has_main_web_app": False,
            }
        )
        self.flood = FloodGate(flood_limits or FloodLimits.disabled(), self._now)
        self.latency = 0.0
        # Calls being answered right now, and the most ever at once: how a test sees that the
        # bot really works on several chats at the same time.
        self.in_flight = 0
        self.peak_in_flight = 0
        self.timeout_delay = 6.0
        self.blocked_users: set[int] = set()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        # Every call answered with an error, as (method, description): how a test sees a call
        # that was wasted, such as an edit to what a message already shows.
        self.refusals: list[tuple[str, str]] = []
        self.rejected_429 = 0
        self._succeeded: Counter[str] = Counter()
        self._faults: list[Fault] = []
        self._users: dict[int, SimUser] = {}
        self._groups: dict[int, SimGroup] = {}
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._closing = False
        self._poll_generation = 0
        self._active_polls = 0
        # Webhook delivery: how long a failed POST waits to be tried again, and how many failed.
        self.webhook_retry_seconds = 0.2
        self.webhook_failures = 0
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_posts: set[asyncio.Task[None]] = set()

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # Cancelling handlers of dropped connections ends the long polls PTB abandons.
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._closing = False
        self._webhook_task = asyncio.create_task(self._deliver_to_webhook(), name="webhook")

    async def stop(self) -> None:
        """Answer the pending long polls with no updates, then close the server."""
        self._closing = True
        self.world.updates.wake_all()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            for post in (self._webhook_task, *self._webhook_posts):
                post.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await post
            self._webhook_task = None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2.0
        # The woken polls still have to write their answers before connections are closed.
        while self._active_polls and loop.time() < deadline:  # noqa: ASYNC110 - a counter, no event
            await asyncio.sleep(0.005)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/bot{{token}}"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/file/bot{{token}}"

    @property
    def clock(self) -> Callable[[], float]:
        """Source of message dates and of the flood limits' time (epoch seconds); tests put a
        fake clock here."""
        return self.world.clock

    @clock.setter
    def clock(self, value: Callable[[], float]) -> None:
        self.world.clock = value

    @property
    def flood_limits(self) -> FloodLimits:
        return self.flood.limits

    @flood_limits.setter
    def flood_limits(self, value: FloodLimits | None) -> None:
        self.flood = FloodGate(value or FloodLimits.disabled(), self._now)

    def _now(self) -> float:
        """The emulator's clock, read at each call (a test may put another one in)."""
        return self.world.clock()

    # -- people -------------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "User",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> SimUser:
        """The person with `user_id`; the first call creates them and their private chat."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: JSON = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name:
            user["last_name"] = chat["last_name"] = last_name
        if username:
            user["username"] = chat["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.world.users[user_id] = user
        self.world.chats[user_id] = ChatState(chat=chat)
        sim = SimUser(self, user_id)
        self._users[user_id] = sim
        return sim

    def group(
        self,
        chat_id: int,
        title: str = "Group",
        username: str | None = None,
        *,
        basic: bool = False,
        forum: bool = False,
    ) -> SimGroup:
        """The group `chat_id` with the bot in it: a supergroup, or with `basic` a basic group
        (which `SimGroup.upgrade` turns into a supergroup, as Telegram does); with `forum` a
        supergroup with topics."""
        existing = self._groups.get(chat_id)
        if existing is not None:
            return existing
        chat: JSON = {"id": chat_id, "type": "group" if basic else "supergroup", "title": title}
        if username:
            chat["username"] = username
        if forum:
            chat["is_forum"] = True
        self.world.chats[chat_id] = ChatState(chat=chat)
        group = SimGroup(self, chat_id)
        self._groups[chat_id] = group
        return group

    # -- inspection ---------------------------------------------------------------------------

    def file_bytes(self, file_id: str) -> bytes:
        return self.world.files[file_id].data

    def sent_count(self, method: str | None = None) -> int:
        """Successful calls of `method`, or of every message-sending method when None."""
        if method is None:
            return sum(count for name, count in self._succeeded.items() if name in SENDING)
        return self._succeeded[CANONICAL.get(method.lower(), method)]

    def refused(self, method: str) -> list[str]:
        """The error descriptions of the calls of `method` that were refused."""
        name = CANONICAL.get(method.lower(), method)
        return [description for called, description in self.refusals if called == name]

    def pending_updates(self) -> int:
        return self.world.updates.pending()

    @property
    def delivered_update_ids(self) -> set[int]:
        return self.world.updates.delivered_ids

    def updates(self) -> list[JSON]:
        """Every update ever enqueued, in order (redeliveries not repeated)."""
        return [copy.deepcopy(entry.payload) for entry in self.world.updates.history]

    def redeliver_last(self, chat_id: int) -> int:
        """Hand the last update of `chat_id` to the bot again with the same update_id."""
        return self.world.updates.redeliver_last(chat_id)

    def messages(self, chat_id: int) -> list[SentMessage]:
        chat = self.world.chats[chat_id]
        return sorted(chat.sent.values(), key=lambda sent: sent.message_id)

    def commands(
        self,
        scope_type: str = "default",
        language_code: str = "",
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> list[tuple[str, str]]:
        """The commands stored by setMyCommands for exactly this scope and language."""
        key = (scope_type, chat_id, user_id, language_code)
        return [(c["command"], c["description"]) for c in self.world.commands.get(key, [])]

    def menu_button(self, chat_id: int) -> JSON:
        """The menu button a private chat shows (setChatMenuButton, else the bot's default)."""
        button = self.world.menu_buttons.get(chat_id) or self.world.menu_buttons.get(None)
        return copy.deepcopy(button or {"type": "commands"})

    def chat_menu(self, chat_id: int, user_id: int | None = None) -> list[tuple[str, str]]:
        """The command menu a person sees in `chat_id`, resolved through scopes and languages
        in the order Telegram documents (user_id defaults to the private chat's person)."""
        chat = self.world.chats[chat_id]
        person = user_id if user_id is not None else chat_id
        language = str(self.world.users.get(person, {}).get("language_code") or "")
        languages = [language, language.split("-")[0], ""] if language else [""]
        if chat.is_group:
            scopes: list[tuple[str, int | None, int | None]] = [("chat_member", chat_id, person)]
            if person in chat.admins:
                scopes.append(("chat_administrators", chat_id, None))
            scopes.append(("chat", chat_id, None))
            if person in chat.admins:
                scopes.append(("all_chat_administrators", None, None))
            scopes.append(("all_group_chats", None, None))
        else:
            scopes = [("chat", chat_id, None), ("all_private_chats", None, None)]
        scopes.append(("default", None, None))
        for scope_type, scope_chat, scope_user in scopes:
            for code in dict.fromkeys(languages):
                found = self.world.commands.get((scope_type, scope_chat, scope_user, code))
                if found:
                    return [(c["command"], c["description"]) for c in found]
        return []

    def inject_fault(self, fault: Fault) -> Fault:
        self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self._faults.clear()

    # -- HTTP ---------------------------------------------------------------------------------

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _answer({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        path = request.match_info["path"]
        for stored in self.world.files.values():
            if stored.file_path == path:
                return web.Response(
                    body=stored.data, content_type=stored.mime_type or "application/octet-stream"
                )
        return _answer({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _answer({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        method = CANONICAL.get(request.match_info["method"].lower())
        if method is None:
            return _answer({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        counted = method != "getUpdates"
        if counted:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            params = await _read_params(request)
            if self.latency > 0:
                await asyncio.sleep(self.latency)
            self.calls.append((method, params.logged()))
            result = await self._call(method, params)
        except ApiError as error:
            self.refusals.append((method, error.description))
            return _answer(error.payload(), error.code)
        finally:
            if counted:
                self.in_flight -= 1
        self._succeeded[method] += 1
        return _answer({"ok": True, "result": result})

    def _take_fault(self, method: str, chat_id: int | str | None) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method, chat_id):
                fault.count -= 1
                return fault
        return None

    async def _call(self, method: str, params: Params) -> Any:
        chat_id: int | str | None = None
        if params.has("chat_id"):
            chat_id = params.chat_id()
        fault = self._take_fault(method, chat_id)
        late = False
        if fault is not None:
            answer = fault_answer(fault)
            if answer is not None:
                raise ApiError(answer.status, answer.description, answer.retry_after)
            if not fault.effective:
                await asyncio.sleep(self.timeout_delay)
                raise ApiError(502, "Bad Gateway")
            late = True
        if method == "getUpdates":
            self._active_polls += 1
            try:
                result: Any = await self._get_updates(params)
            finally:
                self._active_polls -= 1
        else:
            if method.startswith("send") and chat_id is not None:
                self._admit(method, chat_id, _messages_sent(method, params))
            result = await METHODS[method](self.world, params)
        if late:
            # The call took effect; only the answer is late, like a lost response.
            await asyncio.sleep(self.timeout_delay)
        return result

    async def _deliver_to_webhook(self) -> None:
        """While a webhook is set, POST each update to it as Telegram does: with the secret
        token, up to WEBHOOK_CONNECTIONS at once, one chat's updates one after another; an
        update is forgotten only once it was answered 200, anything else is tried again."""
        loop = asyncio.get_running_loop()
        async with aiohttp.ClientSession() as http:
            while not self._closing:
                url = self.world.webhook_url
                room = WEBHOOK_CONNECTIONS - len(self._webhook_posts)
                # The emulator only ever calls a bot on this machine.
                if url and room > 0 and urlparse(url).hostname in LOOPBACK:
                    for entry in self.world.updates.due_for_webhook(loop.time())[:room]:
                        entry.in_flight = True
                        self.world.updates.mark_delivered(entry)
                        post = asyncio.create_task(self._post_update(http, url, entry))
                        self._webhook_posts.add(post)
                        post.add_done_callback(self._webhook_posts.discard)
                await self.world.updates.wait(0.05)

    async def _post_update(self, http: aiohttp.ClientSession, url: str, entry: Any) -> None:
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
            self.webhook_failures += 1
            self.world.webhook_last_error = (self.world.now(), error)
            entry.retry_at = asyncio.get_running_loop().time() + self.webhook_retry_seconds
            self.world.updates.wake_all()

    def _admit(self, method: str, chat_id: int | str, count: int = 1) -> None:
        chat = self.world.chat(chat_id)
        if chat.id in self.blocked_users:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.is_group and chat.bot_status not in ("member", "restricted"):
            kind = str(chat.chat["type"])
            if chat.bot_status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        if method not in SENDING:
            return
        if chat.is_group and chat.bot_status == "restricted":
            # Muted, the bot is still a member: Telegram answers 400, naming what it may not send.
            what = MUTED_KINDS.get(method, "text messages")
            raise ApiError(400, f"Bad Request: not enough rights to send {what} to the chat")
        retry_after = self.flood.admit(chat.id, chat.is_group, count)
        if retry_after:
            self.rejected_429 += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    async def _get_updates(self, params: Params) -> list[JSON]:
        updates = self.world.updates
        if self.world.webhook_url:
            raise ApiError(409, CONFLICT_WEBHOOK)
        # A newer poll ends an older one, as on Telegram; see the generation check below.
        self._poll_generation += 1
        generation = self._poll_generation
        updates.wake_all()
        offset = params.int_or_none("offset")
        limit = min(max(params.int_or_none("limit") or 100, 1), 100)
        timeout = max(params.number_or_none("timeout") or 0.0, 0.0)
        allowed = params.structured("allowed_updates")
        if isinstance(allowed, list):
            updates.allowed = frozenset(str(name) for name in allowed) or None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if offset is not None:
                updates.confirm(offset)
            if self._closing:
                return []
            batch = updates.take(limit)
            if batch:
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await updates.wait(remaining)
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_POLLING)
