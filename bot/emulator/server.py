"""The HTTP face of the emulator: an aiohttp server on loopback that answers like
api.telegram.org, with latency, faults and flood limits applied in front of the methods.
Beside it: admission.py (who may be sent what, the flood limits' count), long_polling.py
(getUpdates) and webhook_delivery.py (updates POSTed to a webhook)."""

from __future__ import annotations

import asyncio
import copy
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.emulator.admission import admit, messages_sent
from bot.emulator.groups import SimGroup
from bot.emulator.limits import Fault, FloodGate, FloodLimits, fault_answer
from bot.emulator.long_polling import LongPolls
from bot.emulator.methods import CANONICAL, METHODS, SENDING, dumps
from bot.emulator.params import ApiError, Params, Upload, bad_request
from bot.emulator.state import JSON, ChatState, SentMessage, World
from bot.emulator.users import SimUser
from bot.emulator.webhook_delivery import WebhookDelivery


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
        self._polls = LongPolls(self.world)
        self._webhook = WebhookDelivery(self.world)

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
        self._polls.closing = False
        self._webhook.start()

    async def stop(self) -> None:
        """Answer the pending long polls with no updates, then close the server."""
        self._polls.end()
        await self._webhook.stop()
        # The woken polls still have to write their answers before connections are closed.
        await self._polls.drained()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def webhook_failures(self) -> int:
        """How many POSTs to the webhook failed (each is tried again)."""
        return self._webhook.failures

    @property
    def webhook_retry_seconds(self) -> float:
        """How long a failed POST to the webhook waits to be tried again."""
        return self._webhook.retry_seconds

    @webhook_retry_seconds.setter
    def webhook_retry_seconds(self, value: float) -> None:
        self._webhook.retry_seconds = value

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
            result: Any = await self._polls.get_updates(params)
        else:
            if method.startswith("send") and chat_id is not None:
                self._admit(method, chat_id, messages_sent(method, params))
            result = await METHODS[method](self.world, params)
        if late:
            # The call took effect; only the answer is late, like a lost response.
            await asyncio.sleep(self.timeout_delay)
        return result

    def _admit(self, method: str, chat_id: int | str, count: int) -> None:
        try:
            admit(self.world, self.flood, self.blocked_users, method, chat_id, count)
        except ApiError as error:
            if error.code == 429:
                self.rejected_429 += 1
            raise
