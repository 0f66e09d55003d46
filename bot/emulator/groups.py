"""The test side in a group: a supergroup the bot is in, the people writing there, and what
its admins do to the bot (add, remove, mute, upgrade a basic group)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from bot.emulator.state import JSON, ChatState, SentMessage
from bot.emulator.users import SimMember, SimUser, bot_messages, command_entities

# The `from` Telegram puts on a message sent on behalf of a chat (it names no person).
ANONYMOUS_ADMIN: JSON = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
TELEGRAM_SERVICE: JSON = {"id": 777000, "is_bot": False, "first_name": "Telegram"}

if TYPE_CHECKING:
    from bot.emulator.server import BotApiEmulator


class SimGroup:
    """A supergroup the bot is in."""

    def __init__(self, emulator: BotApiEmulator, chat_id: int) -> None:
        self._emulator = emulator
        self.chat_id = chat_id

    @property
    def _chat(self) -> ChatState:
        return self._emulator.world.chats[self.chat_id]

    @property
    def title(self) -> str:
        return str(self._chat.chat["title"])

    @property
    def admins(self) -> set[int]:
        """User ids getChatMember reports as administrators; add to it freely."""
        return self._chat.admins

    def member(self, user: SimUser, topic: int | None = None) -> SimMember:
        """`user` writing here; in a forum, in `topic` (None: General)."""
        self._chat.members.add(user.user_id)
        if topic is not None and topic not in self._chat.topics:
            raise LookupError(f"no topic {topic} in {self.chat_id}")
        return SimMember(self._emulator, user, self.chat_id, topic)

    async def open_topic(self, by: SimUser, name: str) -> int:
        """`by` creates a topic in this forum: its id (message_thread_id) is that of the
        `forum_topic_created` service message, which the bot gets too."""
        if not self._chat.chat.get("is_forum"):
            raise LookupError(f"chat {self.chat_id} is not a forum")
        world = self._emulator.world
        created: JSON = {"forum_topic_created": {"name": name, "icon_color": 7322096}}
        message = world.add_message(self._chat, created, copy.deepcopy(world.users[by.user_id]))
        thread = int(message["message_id"])
        message.update(message_thread_id=thread, is_topic_message=True)
        self._chat.topics[thread] = name
        world.updates.push({"message": copy.deepcopy(message)}, self.chat_id)
        return thread

    def close_topic(self, topic: int) -> None:
        """The topic is deleted: Telegram refuses messages to it from now on."""
        del self._chat.topics[topic]

    def lock_topic(self, topic: int) -> None:
        """The group's admins close the topic: only they may write there, and Telegram refuses
        the bot's messages to it (TOPIC_CLOSED); the topic stays."""
        self._chat.closed_topics.add(topic)

    async def rename(self, by: SimUser, title: str) -> None:
        """`by` gives the group a new title: the bot gets the `new_chat_title` service message."""
        world = self._emulator.world
        self._chat.chat["title"] = title
        sender = copy.deepcopy(world.users[by.user_id])
        message = world.add_message(self._chat, {"new_chat_title": title}, sender)
        world.updates.push({"message": copy.deepcopy(message)}, self.chat_id)

    async def upgrade(self, by: SimUser, new_chat_id: int, *, tell_bot: bool = True) -> SimGroup:
        """`by` upgrades this basic group to a supergroup (turning on visible history, adding
        past 200 members or making it public does it): the supergroup `new_chat_id` takes its
        title, members and admins; from now on every call naming the old id is refused with
        400 and `migrate_to_chat_id`. The bot gets the service message of each side: the old
        group's `migrate_to_chat_id`, then the supergroup's `migrate_from_chat_id`."""
        old = self._chat
        if old.chat["type"] != "group" or old.migrated_to is not None:
            raise LookupError(f"chat {self.chat_id} is not a basic group")
        new = self._emulator.group(new_chat_id, self.title)
        new.admins.update(old.admins)
        new._chat.members.update(old.members)
        world = self._emulator.world
        sender = copy.deepcopy(world.users[by.user_id])
        gone = world.add_message(old, {"migrate_to_chat_id": new_chat_id}, sender)
        old.migrated_to = new_chat_id
        came = world.add_message(new._chat, {"migrate_from_chat_id": self.chat_id}, sender)
        if tell_bot:
            world.updates.push({"message": copy.deepcopy(gone)}, self.chat_id)
            # The bot "joins" the supergroup; it never "leaves" the old group (tdlib/
            # telegram-bot-api#266).
            bot = copy.deepcopy(world.bot_user)
            new._bot_membership(
                by,
                {"status": "left", "user": bot},
                {"status": "member", "user": copy.deepcopy(bot)},
            )
            world.updates.push({"message": copy.deepcopy(came)}, new_chat_id)
        return new

    def _bot_membership(self, by: SimUser, old: JSON, new: JSON, tell_bot: bool = True) -> None:
        world = self._emulator.world
        if not tell_bot:
            return
        world.updates.push(
            {
                "my_chat_member": {
                    "chat": copy.deepcopy(self._chat.chat),
                    "from": copy.deepcopy(world.users[by.user_id]),
                    "date": world.now(),
                    "old_chat_member": old,
                    "new_chat_member": new,
                }
            },
            self.chat_id,
        )

    async def remove_bot(self, by: SimUser, *, kicked: bool = True, tell_bot: bool = True) -> None:
        """`by` removes the bot from the group: `kicked` (a supergroup bans whom it removes),
        else it is just gone ("left", as from a basic group). The bot gets `my_chat_member`;
        sending here is refused with 403 until it is added again (with `tell_bot` False the
        update is lost, as for a bot down longer than Telegram keeps updates)."""
        bot = copy.deepcopy(self._emulator.world.bot_user)
        self._chat.bot_status = "kicked" if kicked else "left"
        new: JSON = (
            {"status": "kicked", "user": bot, "until_date": 0}
            if kicked
            else {"status": "left", "user": bot}
        )
        self._bot_membership(by, {"status": "member", "user": copy.deepcopy(bot)}, new, tell_bot)

    async def mute_bot(self, by: SimUser, *, tell_bot: bool = True) -> None:
        """`by` takes away the bot's right to send messages here (restricts it): the bot stays a
        member and gets `my_chat_member` ("restricted", may not send messages); sending here is
        refused with 400, "Bad Request: not enough rights to send text messages to the chat"
        (photos, documents likewise), not 403, until `unmute_bot` (with `tell_bot` False the
        update is lost, as for a bot down longer than Telegram keeps updates)."""
        bot = copy.deepcopy(self._emulator.world.bot_user)
        self._chat.bot_status = "restricted"
        self._bot_membership(
            by, {"status": "member", "user": bot}, _restricted(copy.deepcopy(bot)), tell_bot
        )

    async def unmute_bot(self, by: SimUser) -> None:
        """`by` gives the bot its rights back: `my_chat_member` from "restricted" to "member"."""
        bot = copy.deepcopy(self._emulator.world.bot_user)
        self._chat.bot_status = "member"
        self._bot_membership(by, _restricted(bot), {"status": "member", "user": copy.deepcopy(bot)})

    async def add_bot(self, by: SimUser) -> None:
        """`by` adds the bot (back) to the group: `my_chat_member` from "left" to "member"."""
        bot = copy.deepcopy(self._emulator.world.bot_user)
        self._chat.bot_status = "member"
        self._bot_membership(
            by, {"status": "left", "user": bot}, {"status": "member", "user": copy.deepcopy(bot)}
        )

    async def send_text(self, user: SimUser, text: str, *, topic: int | None = None) -> JSON:
        return await self.member(user, topic).send_text(text)

    async def send_command(
        self, user: SimUser, command: str, args: str | None = None, *, topic: int | None = None
    ) -> JSON:
        return await self.member(user, topic).send_command(command, args)

    async def send_anonymously(self, text: str, *, channel: JSON | None = None) -> JSON:
        """An admin of the group who remains anonymous writes `text`: Telegram names the group
        as its sender (`sender_chat`) and a stand-in user (GroupAnonymousBot) as `from`. With
        `channel`, the message is that channel's post automatically forwarded to this group
        (a linked channel's discussion group), from Telegram's service account."""
        world = self._emulator.world
        body: JSON = {"text": text}
        entities = command_entities(text)
        if entities:
            body["entities"] = entities
        if channel is None:
            body["sender_chat"] = copy.deepcopy(self._chat.chat)
            sender: JSON = dict(ANONYMOUS_ADMIN)
        else:
            body.update(sender_chat=copy.deepcopy(channel), is_automatic_forward=True)
            sender = dict(TELEGRAM_SERVICE)
        message = world.add_message(self._chat, body, sender)
        world.updates.push({"message": copy.deepcopy(message)}, self.chat_id)
        return copy.deepcopy(message)

    async def edit_channel_post(self, message_id: int, text: str) -> JSON:
        """The linked channel edits its post: Telegram edits the copy it forwarded into this
        group (`send_anonymously` with `channel`) and tells the bot as an edited message."""
        message = self._chat.messages.get(message_id)
        if message is None or not message.get("is_automatic_forward"):
            raise LookupError(f"no channel post {message_id} in {self.chat_id}")
        message["text"] = text
        message.pop("entities", None)
        entities = command_entities(text)
        if entities:
            message["entities"] = entities
        message["edit_date"] = self._emulator.world.now()
        self._emulator.world.updates.push({"edited_message": copy.deepcopy(message)}, self.chat_id)
        return copy.deepcopy(message)

    async def press(self, user: SimUser, button_text: str, message_id: int | None = None) -> JSON:
        return await self.member(user).press(button_text, message_id)

    async def press_data(self, user: SimUser, callback_data: str, message_id: int) -> JSON:
        return await self.member(user).press_data(callback_data, message_id)

    def messages(self) -> list[SentMessage]:
        return bot_messages(self._chat)

    def last(self) -> SentMessage:
        messages = self.messages()
        assert messages, f"the bot sent nothing to group {self.chat_id}"
        return messages[-1]

    def texts(self) -> list[str]:
        return [sent.text or sent.caption or "" for sent in self.messages()]

    def reply_keyboard(self) -> list[list[JSON]] | None:
        return copy.deepcopy(self._chat.reply_keyboard)

    def __repr__(self) -> str:
        return f"SimGroup({self.chat_id}, {self.title!r})"


def _restricted(user: JSON) -> JSON:
    """A ChatMemberRestricted that may not send anything (Telegram lists every right)."""
    rights = (
        "can_send_messages",
        "can_send_audios",
        "can_send_documents",
        "can_send_photos",
        "can_send_videos",
        "can_send_video_notes",
        "can_send_voice_notes",
        "can_send_polls",
        "can_send_other_messages",
        "can_add_web_page_previews",
        "can_change_info",
        "can_invite_users",
        "can_pin_messages",
        "can_manage_topics",
        "can_edit_tag",
        "can_react_to_messages",
    )
    return {
        "status": "restricted",
        "user": user,
        "is_member": True,
        "until_date": 0,
        **dict.fromkeys(rights, False),
    }
