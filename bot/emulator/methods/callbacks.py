"""Answering a pressed button: once per press, within Telegram's length."""

from __future__ import annotations

from bot.emulator.formatting import utf16_len
from bot.emulator.params import Params, bad_request
from bot.emulator.state import World

MAX_ANSWER = 200


async def answer_callback_query(world: World, params: Params) -> bool:
    query_id = params.text("callback_query_id")
    known = world.callback_queries.get(query_id)
    if known is None or known[1]:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    user_id, _ = known
    text = params.text_or_none("text")
    # 200 characters, counted as Telegram counts text: in UTF-16 code units. A refused answer
    # answers nothing: the query may still be answered.
    if text is not None and utf16_len(text) > MAX_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    world.callback_queries[query_id] = (user_id, True)
    world.answered_callbacks.setdefault(user_id, []).append(
        {
            "callback_query_id": query_id,
            "text": text,
            "show_alert": params.flag("show_alert"),
            "url": params.text_or_none("url"),
        }
    )
    return True
