"""Reply markup as Telegram checks it: inline keyboards (their size, their buttons' data and
addresses), reply keyboards, and what each does to a message or to its chat."""

from __future__ import annotations

from typing import Any

from bot.emulator.params import Params, bad_request
from bot.emulator.state import JSON, ChatState

MAX_CALLBACK_DATA = 64
# Telegram refuses a bigger inline keyboard as a whole, whatever the buttons hold.
MAX_INLINE_BUTTONS = 100
MAX_INLINE_ROW = 8
MARKUP_TOO_LONG = "reply markup is too long"


def _validate_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('can\'t parse inline keyboard: field "inline_keyboard" must be an Array')
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS or any(
        len(row) > MAX_INLINE_ROW for row in rows
    ):
        raise bad_request(MARKUP_TOO_LONG)
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            actions = {
                "url",
                "callback_data",
                "web_app",
                "login_url",
                "switch_inline_query",
                "switch_inline_query_current_chat",
                "switch_inline_query_chosen_chat",
                "copy_text",
                "callback_game",
                "pay",
            }
            if not actions & button.keys():
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not str(button["url"]).startswith(
                ("http://", "https://", "tg://")
            ):
                raise bad_request("BUTTON_URL_INVALID")
            if "web_app" in button:
                check_web_app(button["web_app"], "inline keyboard button")


def check_web_app(web_app: Any, where: str) -> None:
    """Telegram opens a Mini App from an https:// address only."""
    url = str(web_app.get("url", "")) if isinstance(web_app, dict) else ""
    if not url.startswith("https://"):
        raise bad_request(f"{where} Web App URL '{url}' is invalid: Only HTTPS links are allowed")


def _reply_keyboard(rows: Any) -> list[list[JSON]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse reply keyboard markup JSON object")
    keyboard: list[list[JSON]] = []
    for row in rows:
        buttons: list[JSON] = []
        for button in row:
            button_json = {"text": button} if isinstance(button, str) else button
            if not isinstance(button_json, dict) or not button_json.get("text"):
                raise bad_request("can't parse keyboard button: Text must be non-empty")
            buttons.append(button_json)
        keyboard.append(buttons)
    return keyboard


def parse_markup(params: Params) -> JSON | None:
    markup = params.structured("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _validate_inline_keyboard(markup["inline_keyboard"])
    elif "keyboard" in markup:
        _reply_keyboard(markup["keyboard"])
    elif not markup.get("remove_keyboard") and not markup.get("force_reply"):
        raise bad_request('can\'t find field "inline_keyboard"')
    return markup


def apply_markup(chat: ChatState, message: JSON, markup: JSON | None) -> None:
    """Only inline keyboards belong to a message; the others change the chat's keyboard."""
    if markup is None:
        return
    if "inline_keyboard" in markup:
        message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
    elif "keyboard" in markup:
        chat.reply_keyboard = _reply_keyboard(markup["keyboard"])
    elif markup.get("remove_keyboard"):
        chat.reply_keyboard = None


def inline_markup(params: Params) -> JSON | None:
    markup = parse_markup(params)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup
