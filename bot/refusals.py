"""What Telegram's refusals of a message mean for the sender (bot/sender.py): the reasons of a
400 that say more than "this message is wrong"."""

from __future__ import annotations

from bot.pacing import is_group

# Telegram's 400 to a bot muted in a group (PTB drops "Bad Request: " and capitalizes):
# "not enough rights to send text messages to the chat", once "have no rights to send a message".
MUTED_REFUSALS = ("not enough rights to send text messages", "have no rights to send a message")


def muted_in_group(chat_id: int, reason: str) -> bool:
    """Whether Telegram's 400 `reason` says the bot may not post in the group at all."""
    lowered = reason.lower()
    return is_group(chat_id) and any(refusal in lowered for refusal in MUTED_REFUSALS)


def topic_unusable(reason: str) -> bool:
    """Whether Telegram's 400 `reason` says a forum topic takes no message from the bot: it was
    deleted ("message thread not found") or its admins closed it (TOPIC_CLOSED: only admins
    write there, and the bot is none)."""
    lowered = reason.lower()
    return "thread not found" in lowered or "topic_closed" in lowered


def chat_gone(reason: str) -> bool:
    """Whether Telegram's 400 `reason` says the chat is no longer there for the bot: "chat not
    found", the 403's meaning in a 400. For a group, it was deleted or the bot is out of it; for
    a person, the account was deleted or never started the bot."""
    return "chat not found" in reason.lower()


def group_deleted(reason: str) -> bool:
    """Whether Telegram's 403 `reason` says the group itself is gone ("the group chat was
    deleted"), not only the bot out of it: there is no group to add the bot back to."""
    return "group chat was deleted" in reason.lower()


# Telegram's refusals of an edit whose message it can no longer change: too old (48 hours) or
# deleted.
UNEDITABLE = ("message can't be edited", "message to edit not found")


def uneditable(reason: str) -> bool:
    lowered = reason.lower()
    return any(refusal in lowered for refusal in UNEDITABLE)
