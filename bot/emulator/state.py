"""What the emulated Telegram remembers: chats and their messages, files, commands, updates."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.params import ApiError, bad_request

JSON = dict[str, Any]

# An album (a media group) holds 2 to 10 items: sendMediaGroup's `media` "must include 2-10
# items", and a person's client sends more as several albums and one alone as a plain message.
ALBUM_LEAST = 2
ALBUM_MOST = 10

# The update types a bot gets when allowed_updates was never set (Telegram's default).
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class SentMessage:
    """A message the bot sent, as it stands now (edits applied)."""

    message_id: int
    chat_id: int
    text: str | None
    caption: str | None
    reply_markup: JSON | None
    kind: str
    file_id: str | None = None
    file_name: str | None = None
    data: bytes | None = None
    parse_mode: str | None = None
    edited: bool = False
    date: int = 0
    thread_id: int | None = None  # the forum topic it went to (None: General, or no forum)
    entities: list[JSON] = field(default_factory=list)
    payload: JSON = field(default_factory=dict)  # the Message object as Telegram answered it

    def button_rows(self) -> list[list[str]]:
        """Texts of the inline keyboard, row by row."""
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return []
        return [
            [str(button.get("text", "")) for button in row]
            for row in self.reply_markup["inline_keyboard"]
        ]

    def buttons(self) -> list[str]:
        return [text for row in self.button_rows() for text in row]

    def button_data(self, text: str) -> str | None:
        """callback_data of the first inline button labelled `text`."""
        for row in (self.reply_markup or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("text") == text and "callback_data" in button:
                    return str(button["callback_data"])
        return None

    def button_link(self, text: str) -> str | None:
        """The address a button labelled `text` opens: a link button's url, or the url of the
        Mini App a web_app button opens."""
        for row in (self.reply_markup or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("text") != text:
                    continue
                if "url" in button:
                    return str(button["url"])
                if "web_app" in button:
                    return str(button["web_app"]["url"])
        return None


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    kind: str  # "photo", "document", "sticker", ...
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class ChatState:
    chat: JSON  # the Chat object embedded in messages
    next_message_id: int = 1
    # Every message still in the chat, incoming and outgoing, as Message JSON.
    messages: dict[int, JSON] = field(default_factory=dict)
    sent: dict[int, SentMessage] = field(default_factory=dict)  # the bot's, in send order
    reply_keyboard: list[list[JSON]] | None = None
    admins: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    sent_count: int = 0  # messages the bot ever sent here (deleted ones too)
    # A basic group upgraded to a supergroup: the supergroup's id; the old id is dead.
    migrated_to: int | None = None
    # The bot's own standing in a group: "member", "restricted" (muted: still a member, may not
    # send), or "left"/"kicked" once it was removed.
    bot_status: str = "member"
    # A forum supergroup's topics, by message_thread_id (General has none).
    topics: dict[int, str] = field(default_factory=dict)
    # Topics its admins closed: only admins may write there (the bot is not one).
    closed_topics: set[int] = field(default_factory=set)
    _sent_news: asyncio.Event = field(default_factory=asyncio.Event, repr=False, compare=False)

    def note_sent(self) -> None:
        self.sent_count += 1
        self._sent_news.set()
        self._sent_news = asyncio.Event()

    async def wait_sent(self, count: int, timeout: float) -> None:
        """Return once the bot has sent `count` messages here in all; woken by each sending
        rather than polling, so that a waiting test or benchmark costs the bot no CPU."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.sent_count < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"the bot sent {self.sent_count} of {count} messages")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sent_news.wait(), remaining)

    @property
    def id(self) -> int:
        return int(self.chat["id"])

    @property
    def is_group(self) -> bool:
        return self.chat["type"] in ("group", "supergroup")

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class QueuedUpdate:
    update_id: int
    payload: JSON
    chat_id: int | None
    redelivery: bool = False
    delivered: bool = False
    # Webhook delivery: a POST is under way; after a failed one, not before this (loop time).
    in_flight: bool = False
    retry_at: float = 0.0

    @property
    def type(self) -> str:
        return next(key for key in self.payload if key != "update_id")


class UpdateQueue:
    """Updates wait here until a getUpdates offset confirms them, like on Telegram."""

    def __init__(self, first_update_id: int = 100_000) -> None:
        self._ids = itertools.count(first_update_id)
        self._entries: list[QueuedUpdate] = []
        self._changed = asyncio.Event()
        self.delivered_ids: set[int] = set()
        self.history: list[QueuedUpdate] = []
        self.allowed: frozenset[str] | None = None

    def push(self, body: JSON, chat_id: int | None) -> JSON:
        update_id = next(self._ids)
        payload = {"update_id": update_id, **body}
        entry = QueuedUpdate(update_id=update_id, payload=payload, chat_id=chat_id)
        self._entries.append(entry)
        self.history.append(entry)
        self._wake()
        return payload

    def redeliver_last(self, chat_id: int) -> int:
        """Queue the last update of `chat_id` again with its update_id, as Telegram does when
        it never saw the offset that confirmed it."""
        for entry in reversed(self.history):
            if entry.chat_id == chat_id:
                again = QueuedUpdate(
                    update_id=entry.update_id,
                    payload=copy.deepcopy(entry.payload),
                    chat_id=chat_id,
                    redelivery=True,
                )
                self._entries.append(again)
                self._wake()
                return entry.update_id
        raise LookupError(f"no update was ever sent from chat {chat_id}")

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def wake_all(self) -> None:
        self._wake()

    def confirm(self, offset: int) -> None:
        """Drop what `offset` confirms; a redelivered copy waits until it was handed out,
        since its id is already below the offset the bot is polling with."""
        if offset < 0:
            # Negative offsets keep only the last -offset updates.
            keep = self._entries[offset:] if -offset < len(self._entries) else self._entries
            self._entries = list(keep)
            return
        self._entries = [
            entry
            for entry in self._entries
            if entry.update_id >= offset or (entry.redelivery and not entry.delivered)
        ]

    def clear(self) -> None:
        self._entries.clear()

    def pending(self) -> int:
        return len(self._entries)

    def _allowed(self, entry: QueuedUpdate) -> bool:
        if self.allowed is None:
            return entry.type not in DEFAULT_EXCLUDED_UPDATES
        return entry.type in self.allowed

    def take(self, limit: int) -> list[JSON]:
        # Sorted so a redelivered copy cannot make the bot's next offset skip back over others.
        self._entries = sorted(
            (entry for entry in self._entries if self._allowed(entry)),
            key=lambda entry: entry.update_id,
        )
        batch = self._entries[:limit]
        for entry in batch:
            entry.delivered = True
            self.delivered_ids.add(entry.update_id)
        return [copy.deepcopy(entry.payload) for entry in batch]

    def due_for_webhook(self, now: float) -> list[QueuedUpdate]:
        """What a webhook POST may carry now: each chat's oldest waiting update, unless it is
        being posted or waits to be tried again (a chat's updates go one after another, in
        order)."""
        due: list[QueuedUpdate] = []
        chats: set[int | None] = set()
        for entry in sorted(self._entries, key=lambda entry: entry.update_id):
            if not self._allowed(entry):
                continue
            if entry.chat_id is not None:
                if entry.chat_id in chats:
                    continue
                chats.add(entry.chat_id)
            if not entry.in_flight and entry.retry_at <= now:
                due.append(entry)
        return due

    def mark_delivered(self, entry: QueuedUpdate) -> None:
        entry.delivered = True
        self.delivered_ids.add(entry.update_id)

    def acknowledge(self, entry: QueuedUpdate) -> None:
        """The webhook answered 200: Telegram forgets the update."""
        if entry in self._entries:
            self._entries.remove(entry)
        self._wake()

    async def wait(self, seconds: float) -> None:
        """Return when an update arrives or `seconds` pass."""
        if seconds <= 0:
            return
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), seconds)


CommandKey = tuple[str, int | str | None, int | None, str]


def command_key(scope: JSON | None, language_code: str) -> CommandKey:
    scope = scope or {"type": "default"}
    chat_id = scope.get("chat_id")
    user_id = scope.get("user_id")
    return (
        str(scope.get("type", "default")),
        chat_id if isinstance(chat_id, int | str) else None,
        int(user_id) if user_id is not None else None,
        language_code or "",
    )


class World:
    """Everything the emulated Telegram knows, shared by the HTTP side and the simulated users."""

    def __init__(self, bot_user: JSON) -> None:
        self.bot_user = bot_user
        self.clock: Callable[[], float] = time.time
        self.users: dict[int, JSON] = {}
        self.started: set[int] = set()  # users who wrote to the bot, so it may write to them
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        # The first file stored under each file_unique_id: a photo's sizes and a picture sent
        # again are found by it, without a scan of every file (a long burst stores thousands).
        self._first_by_unique_id: dict[str, StoredFile] = {}
        self.commands: dict[CommandKey, list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}  # chat id (None: the default) -> button
        self.updates = UpdateQueue()
        self.webhook_url = ""
        self.webhook_secret = ""
        # The latest failure to deliver to the webhook, as getWebhookInfo reports it: (when, why).
        self.webhook_last_error: tuple[int, str] | None = None
        self.callback_queries: dict[str, tuple[int, bool]] = {}  # id -> (user id, answered)
        self.answered_callbacks: dict[int, list[JSON]] = {}
        self._file_numbers = itertools.count(1)

    def now(self) -> int:
        return int(self.clock())

    def chat(self, chat_id: int | str) -> ChatState:
        """The chat a Bot API call names, or Telegram's "chat not found"."""
        if isinstance(chat_id, str):
            for chat in self.chats.values():
                if chat.chat.get("username") and f"@{chat.chat['username']}" == chat_id:
                    return chat
            raise bad_request("chat not found")
        chat_state = self.chats.get(chat_id)
        if chat_state is None:
            raise bad_request("chat not found")
        if chat_state.migrated_to is not None:
            # Every call naming the old id of an upgraded group, with where it went.
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=chat_state.migrated_to,
            )
        return chat_state

    def new_file(
        self,
        data: bytes,
        kind: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        unique_id: str | None = None,
    ) -> StoredFile:
        number = next(self._file_numbers)
        folder = {"photo": "photos", "sticker": "stickers"}.get(kind, "documents")
        suffix = {"photo": ".jpg", "sticker": ".webp"}.get(kind, "")
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=f"{kind[:3].upper()}{number}-{secrets.token_urlsafe(12)}",
            file_unique_id=unique_id or f"U{number}{secrets.token_hex(4)}",
            data=data,
            kind=kind,
            file_path=f"{folder}/file_{number}{suffix}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self._first_by_unique_id.setdefault(stored.file_unique_id, stored)
        return stored

    def find_by_unique_id(self, file_unique_id: str) -> StoredFile | None:
        return self._first_by_unique_id.get(file_unique_id)

    def file_by_unique_id(self, file_unique_id: str) -> StoredFile:
        stored = self.find_by_unique_id(file_unique_id)
        if stored is None:
            raise LookupError(f"no file with file_unique_id {file_unique_id!r}")
        return stored

    def add_message(self, chat: ChatState, body: JSON, sender: JSON) -> JSON:
        """Store a new message in `chat` with the next id of that chat."""
        message: JSON = {
            "message_id": chat.new_message_id(),
            "from": sender,
            "chat": copy.deepcopy(chat.chat),
            "date": self.now(),
            **body,
        }
        chat.messages[message["message_id"]] = message
        return message
