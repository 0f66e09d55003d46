"""The answer to an update, in a form the inbox keeps (DESIGN principles 1 and 6).

A handler's replies are written, as plain JSON rows, in the same transaction as the change its
update causes, and sent after the commit. A process killed between the commit and the sending
leaves them in the inbox, and the next start sends them: a person is never left without the
answer to a change that was made. Each row is one Bot API call; markups are stored as Telegram
itself would receive them (PTB's `to_dict`) and rebuilt with `de_json`.

Telegram's flood limits count these answers as they count the outbox's notices. An answer
does not wait for room (a person is waiting), but each one Telegram counts as a message is
recorded in the process's pacer (bot/pacing.py), the one the outbox sender paces by, so the
sender leaves the room the answers took: a broadcast at full pace and the volunteers' answers
together stay within 30 messages a second.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardMarkup,
    InputFile,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot import metrics
from bot.clock import Clock
from bot.pacing import Pacer
from bot.sender import retry_seconds

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
Row = dict[str, Any]
# How often a direct answer that meets Telegram's flood limit is tried again at once.
RETRIES_AFTER_429 = 2
# How an answer waits out a 429 (a test records the wait instead of spending it).
wait_out: Callable[[float], Awaitable[None]] = asyncio.sleep
# Refusals that only say the answer has been given before: a replay after a crash meets them.
ALREADY_DONE = ("not modified", "query is too old", "query id is invalid")
# Texts and edits, most of what the bot says, go out as stored: `Bot.send_message` would
# rebuild the markup from its JSON only to turn it back into JSON, and parse Telegram's answer
# into a Message nobody reads (together about 5 % of a check-in's CPU). PTB's generic call makes
# the same request with the same errors. It warns when the endpoint is spelt as one of its named
# methods; Bot API method names are case-insensitive, so Telegram's own capitalised spelling
# names the same method without the warning.
_RAW = {"message": "SendMessage", "edit": "EditMessageText"}
# The rows Telegram's flood limits count as a message, as the sender counts the outbox's (an
# edit too). A button's answer and a command menu are not messages.
COUNTED = frozenset({"message", "edit", "buttons_off", "document", "photo"})
# The row key of a dialogue's prompt (`message(..., prompt=...)`): once it is sent, its message id
# comes back in `Outcome.prompts` with this value, for the dialogue to keep.
PROMPT = "prompt"


class Pacing(Protocol):
    """Where the process counts what it sends: its pacer and the clock it counts on (Runtime)."""

    @property
    def pacer(self) -> Pacer: ...

    @property
    def clock(self) -> Clock: ...


def _markup_row(markup: Markup | None) -> Row | None:
    if markup is None:
        return None
    kind = {InlineKeyboardMarkup: "inline", ReplyKeyboardMarkup: "reply"}.get(
        type(markup), "remove"
    )
    return {"kind": kind, "data": markup.to_dict()}


def _markup(row: Row | None) -> Markup | None:
    if row is None:
        return None
    kind, data = row["kind"], row["data"]
    if kind == "inline":
        return InlineKeyboardMarkup.de_json(data, None)
    if kind == "reply":
        return ReplyKeyboardMarkup.de_json(data, None)
    return ReplyKeyboardRemove.de_json(data, None)


def _bytes(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def message(
    chat_id: int,
    text: str,
    markup: Markup | None = None,
    *,
    thread: int | None = None,
    prompt: Any = None,
) -> Row:
    """A text; `thread`: the forum topic it goes to (the one the person wrote in); `prompt`:
    what names the dialogue it asks for (its message id comes back in `Outcome.prompts`)."""
    row: Row = {"op": "message", "chat": chat_id, "text": text, "markup": _markup_row(markup)}
    if thread is not None:
        row["thread"] = thread
    if prompt is not None:
        row[PROMPT] = prompt
    return row


def buttons_off(chat_id: int, message_id: int) -> Row:
    """Take the buttons off a message sent before (the prompt of a dialogue that ended)."""
    return {"op": "buttons_off", "chat": chat_id, "message": message_id}


def document(
    chat_id: int,
    filename: str,
    data: bytes,
    caption: str | None = None,
    *,
    thread: int | None = None,
) -> Row:
    row: Row = {
        "op": "document",
        "chat": chat_id,
        "filename": filename,
        "data": _bytes(data),
        "caption": caption,
    }
    if thread is not None:
        row["thread"] = thread
    return row


def photo(
    chat_id: int,
    *,
    data: bytes | None = None,
    file_id: str | None = None,
    caption: str | None = None,
    markup: Markup | None = None,
    thread: int | None = None,
) -> Row:
    """A picture the bot drew (`data`) or one Telegram holds (`file_id`)."""
    row: Row = {
        "op": "photo",
        "chat": chat_id,
        "data": _bytes(data) if data is not None else None,
        "file_id": file_id,
        "caption": caption,
        "markup": _markup_row(markup),
    }
    if thread is not None:
        row["thread"] = thread
    return row


def edit(chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None) -> Row:
    return {
        "op": "edit",
        "chat": chat_id,
        "message": message_id,
        "text": text,
        "markup": _markup_row(markup),
    }


# Telegram shows at most this many characters in a button's answer, and refuses a longer one:
# the button would spin with no answer at all. Telegram counts text in UTF-16 code units (an
# emoji outside the BMP is two), as it does for messages; a cut within that fits either way.
ALERT_LIMIT = 200
# Characters that only join or shape the one before or after them: a cut never ends on one.
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def cut_alert(text: str) -> str:
    """`text` as it fits an answer: whole if it does, else cut to end with "…" within
    ALERT_LIMIT code units, never inside a surrogate pair nor on a joiner."""
    if _utf16_len(text) <= ALERT_LIMIT:
        return text
    room = ALERT_LIMIT - 1  # the "…"
    kept: list[str] = []
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if size > room:
            break
        kept.append(char)
        room -= size
    while kept and kept[-1] in _JOINERS:
        kept.pop()
    return "".join(kept) + "…"


def answer_query(query_id: str, text: str | None = None, *, alert: bool = False, user: int) -> Row:
    """The answer to `user`'s press of a button. A refusal may quote what the person sent (a
    name, a file's name), so a long text is cut to fit rather than refused by Telegram and
    lost. `user` is kept because Telegram's flood limit for answers is the person's: a 429
    holds their answers only (`patiently`)."""
    if text is not None:
        text = cut_alert(text)
    return {"op": "answer", "query": query_id, "text": text, "alert": alert, "user": user}


def menu(chat_id: int, commands: Sequence[tuple[str, str]]) -> Row:
    return {"op": "menu", "chat": chat_id, "commands": [list(command) for command in commands]}


async def perform(bot: Bot, row: Row) -> int | None:
    """Make the Bot API call of one row; the id of the message a text became."""
    op = row["op"]
    if op in _RAW:
        stored = row.get("markup")
        result = await bot.do_api_request(
            _RAW[op],
            {
                "chat_id": row["chat"],
                "message_thread_id": row.get("thread") if op == "message" else None,
                "message_id": row.get("message"),
                "text": row["text"],
                "reply_markup": stored["data"] if stored is not None else None,
            },
        )
        sent = result.get("message_id") if isinstance(result, dict) else None
        return sent if isinstance(sent, int) else None
    markup = _markup(row.get("markup"))
    if op == "document":
        data = base64.b64decode(row["data"])
        await bot.send_document(
            row["chat"],
            InputFile(data, filename=row["filename"]),
            caption=row["caption"],
            message_thread_id=row.get("thread"),
        )
    elif op == "photo":
        picture: Any = row["file_id"]
        if row.get("data") is not None:
            picture = InputFile(base64.b64decode(row["data"]), filename="chart.png")
        await bot.send_photo(
            row["chat"],
            picture,
            caption=row["caption"],
            reply_markup=markup,
            message_thread_id=row.get("thread"),
        )
    elif op == "buttons_off":
        await bot.edit_message_reply_markup(row["chat"], row["message"], reply_markup=None)
    elif op == "answer":
        await bot.answer_callback_query(row["query"], row["text"], show_alert=row["alert"])
    elif op == "menu":
        await bot.set_my_commands(
            [BotCommand(name, description) for name, description in row["commands"]],
            scope=BotCommandScopeChat(row["chat"]),
        )
    else:
        raise ValueError(f"unknown answer row {op!r}")
    return None


async def counted(bot: Bot, row: Row, pacing: Pacing | None) -> int | None:
    """Make the call of one row, counted in the pacer while it is under way and after (as the
    sender counts its own) when Telegram counts it as a message. It never waits for room."""
    if pacing is None or row["op"] not in COUNTED:
        return await perform(bot, row)
    pacer = pacing.pacer
    # In the overall limit only (bot/pacing.py says why not in the chat's pace).
    ticket = pacer.start(None, pacing.clock.now().timestamp())
    try:
        return await perform(bot, row)
    finally:
        pacer.answered(ticket, pacing.clock.now().timestamp())


async def patiently(bot: Bot, row: Row, pacing: Pacing | None = None) -> int | None:
    """One row; on a 429 wait as long as Telegram asks and try again: the person is waiting for
    this answer. (Notices through the outbox are paced by the sender and never get here.)

    The 429 pauses the chat in the pacer, as the sender's do: the sender holds back its notices
    to the chat meanwhile, and the next answer to it, of this update or a later one, waits the
    rest of `retry_after` rather than earn another 429. A button's answer names no chat but the
    person who pressed: their answers and their private chat wait, everyone else goes on (an
    answer stored before rows named the person names no one, and holds every chat)."""
    chat: int | None = row.get("chat")
    presser: int | None = row.get("user") if row["op"] == "answer" else None
    held_by = chat if chat is not None else presser
    for attempt in range(RETRIES_AFTER_429 + 1):
        if pacing is not None:
            held = pacing.pacer.paused(held_by, pacing.clock.now().timestamp())
            if held > 0:
                await wait_out(held)
        try:
            return await counted(bot, row, pacing)
        except RetryAfter as error:
            metrics.too_many_requests("reply")
            seconds = retry_seconds(error)
            if pacing is not None:
                until = pacing.clock.now().timestamp() + seconds
                if presser is not None:
                    pacing.pacer.pause_answers(presser, until)
                else:
                    pacing.pacer.pause(chat, until)
            if attempt == RETRIES_AFTER_429:
                raise
            log.warning("an answer hit the flood limit; retrying in %ss", seconds)
            if pacing is None:
                await wait_out(seconds)
    return None  # not reached: the last attempt returns or raises


@dataclass(frozen=True)
class Outcome:
    """What became of an answer: the rows still to send after a transient failure (Telegram
    unreachable, a 5xx, a long 429), a refusal Telegram gave to one of them, and each prompt
    sent (its row's `PROMPT` value and the id of its message)."""

    unsent: list[Row]
    refused: BadRequest | None = None
    prompts: list[tuple[Any, int]] = field(default_factory=list)


async def send(bot: Bot, rows: Sequence[Row], pacing: Pacing | None = None) -> Outcome:
    """Send the rows in order. A transient failure stops there (the rest is kept for later);
    a person who blocked the bot cannot be answered; a refusal that only says it was done
    before (a replay) is fine; any other refusal is logged and reported. `pacing`: where what
    is sent is counted against Telegram's limits (the runtime; None counts nothing)."""
    refused: BadRequest | None = None
    prompts: list[tuple[Any, int]] = []
    pending = list(rows)
    index = 0
    while index < len(pending):
        row = pending[index]
        try:
            sent = await patiently(bot, row, pacing)
            if sent is not None and row.get(PROMPT) is not None:
                prompts.append((row[PROMPT], sent))
        except Forbidden as error:
            log.info("cannot answer in chat %s: %s", row.get("chat"), error.message)
        except BadRequest as error:
            if any(text in error.message.lower() for text in ALREADY_DONE):
                index += 1
                continue
            if row["op"] == "buttons_off":
                # The person deleted the prompt, or it is too old to edit: nothing to take off.
                log.info("could not take the buttons off a prompt: %s", error.message)
                index += 1
                continue
            fallback = _caption_alone(row)
            if fallback is not None:
                # A photo Telegram no longer hands out (an old or foreign file_id): its caption
                # and buttons still say what the person asked for.
                log.warning("Telegram refused a stored photo, sending its caption: %s", error)
                pending[index] = fallback
                continue
            log.error("Telegram refused an answer (%s): %s", row["op"], error.message)
            refused = refused or error
        except (NetworkError, RetryAfter) as error:
            log.warning("an answer could not go out now, kept for later: %s", error)
            return Outcome(pending[index:], refused, prompts)
        except TelegramError as error:
            log.error("Telegram refused an answer (%s): %s", row["op"], error.message)
        index += 1
    return Outcome([], refused, prompts)


def _caption_alone(row: Row) -> Row | None:
    """A photo sent by file_id, as a text message of its caption and buttons."""
    if row["op"] != "photo" or not row.get("file_id") or not row.get("caption"):
        return None
    return {"op": "message", "chat": row["chat"], "text": row["caption"], "markup": row["markup"]}
