"""The test side: simulated people who write to the bot in their private chats and read what
it answered; `SimMember` is one of them writing in a group (bot/emulator/groups.py)."""

from __future__ import annotations

import copy
import itertools
import secrets
from typing import TYPE_CHECKING

from bot.emulator.formatting import utf16_len
from bot.emulator.methods.media import photo_sizes, sticker_json
from bot.emulator.state import ALBUM_LEAST, ALBUM_MOST, JSON, ChatState, SentMessage, World

if TYPE_CHECKING:
    from bot.emulator.server import BotApiEmulator

_callback_ids = itertools.count(1)
_album_ids = itertools.count(13_000_000_000_000_000)


def _album_id(items: int) -> str:
    """A new album's id, for `items` items: a client sends 2 to 10 as one album, never more
    (it splits them) nor one alone (a plain message); a test asking otherwise is refused."""
    if not ALBUM_LEAST <= items <= ALBUM_MOST:
        raise ValueError(
            f"an album holds {ALBUM_LEAST} to {ALBUM_MOST} items, not {items}: send more as "
            "several albums, and one alone without an album"
        )
    return str(next(_album_ids))


_SAMPLE_JPEG = b"\xff\xd8\xff\xe0" + b"emulated photo" + b"\xff\xd9"


def command_entities(text: str) -> list[JSON]:
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0] if text.strip() else text
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]


def bot_messages(chat: ChatState) -> list[SentMessage]:
    """What the bot sent to `chat`, oldest first."""
    return sorted(chat.sent.values(), key=lambda sent: sent.message_id)


class _Sender:
    """One person writing in one chat (their private chat, or a group)."""

    def __init__(
        self, emulator: BotApiEmulator, user_id: int, chat_id: int, topic: int | None = None
    ) -> None:
        self._emulator = emulator
        self.user_id = user_id
        self.chat_id = chat_id
        self.topic = topic  # the forum topic written in (None: General, or no forum)

    @property
    def _world(self) -> World:
        return self._emulator.world

    @property
    def _chat(self) -> ChatState:
        return self._world.chats[self.chat_id]

    @property
    def user_json(self) -> JSON:
        return copy.deepcopy(self._world.users[self.user_id])

    async def _send(self, body: JSON) -> JSON:
        world = self._world
        world.started.add(self.user_id)
        self._chat.members.add(self.user_id)
        if self.topic is not None:
            body = {**body, "message_thread_id": self.topic, "is_topic_message": True}
        message = world.add_message(self._chat, body, self.user_json)
        world.updates.push({"message": copy.deepcopy(message)}, self.chat_id)
        return copy.deepcopy(message)

    @property
    def sent_count(self) -> int:
        """How many messages the bot has sent to this chat so far."""
        return self._chat.sent_count

    async def wait_sent(self, count: int, timeout: float = 30.0) -> None:
        """Until the bot has sent `count` messages to this chat in all (see `sent_count`)."""
        await self._chat.wait_sent(count, timeout)

    def _forward_origin(self, body: JSON, forwarded: bool) -> JSON:
        if forwarded:
            body["forward_origin"] = {
                "type": "user",
                "date": self._world.now() - 60,
                "sender_user": self.user_json,
            }
        return body

    async def send_text(self, text: str) -> JSON:
        body: JSON = {"text": text}
        entities = command_entities(text)
        if entities:
            body["entities"] = entities
        return await self._send(body)

    async def send_command(self, command: str, args: str | None = None) -> JSON:
        text = f"/{command.lstrip('/')}"
        return await self.send_text(f"{text} {args}" if args else text)

    async def send_location(
        self,
        latitude: float,
        longitude: float,
        live_period: int | None = None,
        horizontal_accuracy: float | None = None,
        forwarded: bool = False,
    ) -> JSON:
        location: JSON = {"latitude": latitude, "longitude": longitude}
        if live_period is not None:
            location["live_period"] = live_period
        if horizontal_accuracy is not None:
            location["horizontal_accuracy"] = horizontal_accuracy
        return await self._send(self._forward_origin({"location": location}, forwarded))

    async def update_live_location(
        self,
        message_id: int,
        latitude: float,
        longitude: float,
        horizontal_accuracy: float | None = None,
    ) -> JSON:
        """Move a live location this person shared: Telegram sends it as an edited message."""
        message = self._own(message_id)
        old = message.get("location")
        if not old or "live_period" not in old:
            raise LookupError(f"message {message_id} is not a live location")
        location: JSON = {
            "latitude": latitude,
            "longitude": longitude,
            "live_period": old["live_period"],
        }
        if horizontal_accuracy is not None:
            location["horizontal_accuracy"] = horizontal_accuracy
        message["location"] = location
        return self._edited(message)

    async def stop_live_location(self, message_id: int) -> JSON:
        """Stop sharing a live location before its time: Telegram sends a last edit of the
        message, at its last position, whose location no longer has a live_period."""
        message = self._own(message_id)
        old = message.get("location")
        if not old or "live_period" not in old:
            raise LookupError(f"message {message_id} is not a live location being shared")
        message["location"] = {key: value for key, value in old.items() if key != "live_period"}
        return self._edited(message)

    def _own(self, message_id: int) -> JSON:
        message = self._chat.messages.get(message_id)
        if message is None or message.get("from", {}).get("id") != self.user_id:
            raise LookupError(f"no message {message_id} from {self.user_id} in {self.chat_id}")
        return message

    def _edited(self, message: JSON) -> JSON:
        """Telegram tells the bot of the edit: the message as it is now, as an edited one."""
        message["edit_date"] = self._world.now()
        self._world.updates.push({"edited_message": copy.deepcopy(message)}, self.chat_id)
        return copy.deepcopy(message)

    async def edit_text(self, message_id: int, text: str) -> JSON:
        """Edit a text this person sent: Telegram sends the new text as an edited message."""
        message = self._own(message_id)
        if "text" not in message:
            raise LookupError(f"message {message_id} has no text to edit")
        message["text"] = text
        message.pop("entities", None)
        entities = command_entities(text)
        if entities:
            message["entities"] = entities
        return self._edited(message)

    async def edit_caption(self, message_id: int, caption: str) -> JSON:
        """Edit the caption of a photo this person sent: an edited message, as for a text."""
        message = self._own(message_id)
        message["caption"] = caption
        return self._edited(message)

    async def send_venue(self, latitude: float, longitude: float, title: str, address: str) -> JSON:
        location = {"latitude": latitude, "longitude": longitude}
        venue = {"location": location, "title": title, "address": address}
        return await self._send({"location": location, "venue": venue})

    async def send_contact(
        self,
        phone_number: str = "+8613800000000",
        user_id: int | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> JSON:
        """Share a contact; `user_id` of someone else simulates forwarding another's card."""
        me = self._world.users[self.user_id]
        contact: JSON = {
            "phone_number": phone_number,
            "first_name": first_name or me["first_name"],
            "user_id": self.user_id if user_id is None else user_id,
        }
        if last_name:
            contact["last_name"] = last_name
        return await self._send({"contact": contact})

    async def send_photo(
        self,
        data: bytes = _SAMPLE_JPEG,
        caption: str | None = None,
        forwarded: bool = False,
        media_group_id: str | None = None,
    ) -> JSON:
        """A photo; with `media_group_id`, one photo of an album (Telegram delivers an album
        as one message per photo, all carrying the album's id)."""
        stored = self._world.new_file(data, "photo")
        return await self._send_photo_file(stored.file_id, caption, forwarded, media_group_id)

    async def send_album(
        self, count: int, caption: str | None = None, forwarded: bool = False
    ) -> list[JSON]:
        """An album of `count` (2 to 10) fresh photos, the caption on the first, as Telegram
        sends one (`forwarded`: an album forwarded from another chat, each photo marked so)."""
        group = _album_id(count)
        return [
            await self.send_photo(
                _SAMPLE_JPEG + bytes([index]),
                caption if index == 0 else None,
                forwarded=forwarded,
                media_group_id=group,
            )
            for index in range(count)
        ]

    async def send_album_again(self, file_unique_ids: list[str]) -> list[JSON]:
        """An album of pictures sent before (same file_unique_id each, fresh file_ids)."""
        group = _album_id(len(file_unique_ids))
        sent = []
        for unique_id in file_unique_ids:
            earlier = self._world.file_by_unique_id(unique_id)
            again = self._world.new_file(earlier.data, "photo", unique_id=unique_id)
            sent.append(await self._send_photo_file(again.file_id, None, False, group))
        return sent

    async def send_photo_again(
        self, file_unique_id: str, caption: str | None = None, forwarded: bool = False
    ) -> JSON:
        """The same picture sent again: same file_unique_id, a fresh file_id."""
        earlier = self._world.file_by_unique_id(file_unique_id)
        again = self._world.new_file(earlier.data, "photo", unique_id=earlier.file_unique_id)
        return await self._send_photo_file(again.file_id, caption, forwarded)

    async def _send_photo_file(
        self,
        file_id: str,
        caption: str | None,
        forwarded: bool,
        media_group_id: str | None = None,
    ) -> JSON:
        body: JSON = {"photo": photo_sizes(self._world, self._world.files[file_id])}
        if caption:
            body["caption"] = caption
        if media_group_id is not None:
            body["media_group_id"] = media_group_id
        return await self._send(self._forward_origin(body, forwarded))

    async def send_document(
        self,
        filename: str,
        data: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        media_group_id: str | None = None,
    ) -> JSON:
        """A file; with `media_group_id`, one file of an album (files chosen at once and sent
        grouped, which Telegram delivers as one message per file, as it does photos)."""
        stored = self._world.new_file(data, "document", file_name=filename, mime_type=mime_type)
        body: JSON = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": filename,
                "mime_type": mime_type,
                "file_size": stored.size,
            }
        }
        if caption:
            body["caption"] = caption
        if media_group_id is not None:
            body["media_group_id"] = media_group_id
        return await self._send(body)

    async def send_document_album(
        self, files: list[tuple[str, bytes]], mime_type: str = "application/octet-stream"
    ) -> list[JSON]:
        """Files (name, content) chosen at once and sent grouped: one album (2 to 10)."""
        group = _album_id(len(files))
        return [
            await self.send_document(filename, data, mime_type, media_group_id=group)
            for filename, data in files
        ]

    async def send_raw(self, body: JSON) -> JSON:
        """Any other kind of message (a voice note, a poll, a dice), as Telegram would send
        it: `body` holds the message's own fields."""
        return await self._send(copy.deepcopy(body))

    async def pin(self, message_id: int) -> JSON:
        """Pin a message of this chat (the bot's progress count, say): Telegram tells the bot
        with a service message, `pinned_message`, from whoever pinned it."""
        pinned = self._chat.messages.get(message_id)
        if pinned is None:
            raise LookupError(f"no message {message_id} in chat {self.chat_id}")
        return await self._send({"pinned_message": copy.deepcopy(pinned)})

    async def send_sticker(self) -> JSON:
        stored = self._world.new_file(b"RIFF-sticker", "sticker")
        return await self._send({"sticker": sticker_json(stored)})

    def _find_button(self, button_text: str, message_id: int | None) -> tuple[SentMessage, str]:
        candidates = bot_messages(self._chat)
        if message_id is not None:
            candidates = [sent for sent in candidates if sent.message_id == message_id]
        for sent in reversed(candidates):
            data = sent.button_data(button_text)
            if data is not None:
                return sent, data
        available = [sent.buttons() for sent in candidates if sent.buttons()]
        where = f"message {message_id}" if message_id is not None else f"chat {self.chat_id}"
        raise LookupError(f"no inline button {button_text!r} in {where}; buttons: {available}")

    async def press(self, button_text: str, message_id: int | None = None) -> JSON:
        """Press an inline button of a bot message (default: the latest one that has it)."""
        sent, data = self._find_button(button_text, message_id)
        return await self.press_data(data, sent.message_id)

    async def press_data(self, callback_data: str, message_id: int) -> JSON:
        """A press with any data, as a modified client could send."""
        world = self._world
        message = self._chat.messages.get(message_id)
        if message is None:
            raise LookupError(f"no message {message_id} in chat {self.chat_id}")
        query_id = f"{next(_callback_ids)}{secrets.randbelow(10**9)}"
        world.callback_queries[query_id] = (self.user_id, False)
        query: JSON = {
            "id": query_id,
            "from": self.user_json,
            "message": copy.deepcopy(message),
            "chat_instance": str(abs(self.chat_id) * 7919),
            "data": callback_data,
        }
        world.updates.push({"callback_query": copy.deepcopy(query)}, self.chat_id)
        return query


class SimUser(_Sender):
    """A person in their private chat with the bot (chat id == user id)."""

    def __init__(self, emulator: BotApiEmulator, user_id: int) -> None:
        super().__init__(emulator, user_id, user_id)

    @property
    def first_name(self) -> str:
        return str(self._world.users[self.user_id]["first_name"])

    @property
    def username(self) -> str | None:
        value = self._world.users[self.user_id].get("username")
        return str(value) if value is not None else None

    @property
    def started(self) -> bool:
        """Whether the bot may write to this person (they wrote to it first)."""
        return self.user_id in self._world.started

    @started.setter
    def started(self, value: bool) -> None:
        if value:
            self._world.started.add(self.user_id)
        else:
            self._world.started.discard(self.user_id)

    def messages(self) -> list[SentMessage]:
        return bot_messages(self._chat)

    def last(self) -> SentMessage:
        messages = self.messages()
        assert messages, f"the bot sent nothing to chat {self.chat_id}"
        return messages[-1]

    def texts(self) -> list[str]:
        return [sent.text or sent.caption or "" for sent in self.messages()]

    def reply_keyboard(self) -> list[list[JSON]] | None:
        return copy.deepcopy(self._chat.reply_keyboard)

    async def tap_location_button(self, latitude: float, longitude: float) -> JSON:
        """Tap the keyboard's 📍 button: the location is sent and the keyboard, a one-time
        one, folds away (the bot must offer it again for another try)."""
        keyboard = self._chat.reply_keyboard or []
        if not any(key.get("request_location") for row in keyboard for key in row):
            raise LookupError(f"no location button in chat {self.chat_id}: {keyboard}")
        self._chat.reply_keyboard = None
        return await self.send_location(latitude, longitude)

    async def block_bot(self) -> None:
        """The person blocks the bot: Telegram refuses messages to them with 403 from now on
        and sends the bot `my_chat_member` (their private chat, "member" to "kicked")."""
        self._emulator.blocked_users.add(self.user_id)
        self._membership("member", "kicked")

    async def unblock_bot(self) -> None:
        """The person unblocks the bot: `my_chat_member` from "kicked" back to "member"."""
        self._emulator.blocked_users.discard(self.user_id)
        self._membership("kicked", "member")

    def _membership(self, old: str, new: str) -> None:
        world = self._world
        bot = world.bot_user

        def member(status: str) -> JSON:
            found: JSON = {"status": status, "user": copy.deepcopy(bot)}
            if status == "kicked":
                found["until_date"] = 0
            return found

        world.updates.push(
            {
                "my_chat_member": {
                    "chat": copy.deepcopy(self._chat.chat),
                    "from": self.user_json,
                    "date": world.now(),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            },
            self.chat_id,
        )

    @property
    def answered_callbacks(self) -> list[JSON]:
        return self._world.answered_callbacks.setdefault(self.user_id, [])

    def __repr__(self) -> str:
        return f"SimUser({self.user_id}, {self.first_name!r})"


class SimMember(_Sender):
    """A person writing in a group (in one of its topics, if a forum)."""

    def __init__(
        self, emulator: BotApiEmulator, user: SimUser, group_id: int, topic: int | None = None
    ) -> None:
        super().__init__(emulator, user.user_id, group_id, topic)
        self.user = user
