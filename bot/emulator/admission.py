"""Whether Telegram lets a call put a message in a chat: a user who blocked the bot, a group it
is not in or is muted in, and the flood limits (limits.py)."""

from __future__ import annotations

from bot.emulator.limits import FloodGate
from bot.emulator.methods import SENDING
from bot.emulator.params import ApiError, Params
from bot.emulator.state import ALBUM_LEAST, ALBUM_MOST, World

# What a bot muted in a group is told it may not send, by method (others: "text messages").
MUTED_KINDS = {
    "sendPhoto": "photos",
    "sendMediaGroup": "photos",
    "sendDocument": "documents",
    "sendLocation": "other messages",
    "sendVenue": "other messages",
    "sendSticker": "other messages",
}


def messages_sent(method: str, params: Params) -> int:
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


def admit(
    world: World,
    flood: FloodGate,
    blocked_users: set[int],
    method: str,
    chat_id: int | str,
    count: int = 1,
) -> None:
    """Raise the ApiError Telegram answers a `send...` call to `chat_id` with, if any; a call
    let through takes its `count` messages from the flood limits."""
    chat = world.chat(chat_id)
    if chat.id in blocked_users:
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
    retry_after = flood.admit(chat.id, chat.is_group, count)
    if retry_after:
        raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
