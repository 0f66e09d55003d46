"""The words for the values a refusal or a row error carries. Services raise with the values
themselves (a moment, a distance, a compass point, a role, an order's state, a list of names),
and every place that shows one to a person (the bot's replies, `dutybot import`) words them the
same way, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.db.models import OrderStatus, Role
from bot.i18n import Translator
from bot.services.duty import checkin_text
from bot.services.oversight import notices
from bot.services.people.members import Shown


def shown(t: Translator, name: str, value: Any) -> Any:
    if isinstance(value, OrderStatus):
        return notices.order_state(t, value)
    if isinstance(value, Role):
        return t(f"role.{value.value}")
    if isinstance(value, Shown):
        if not value.phone_tail:
            return value.name
        return t("rostering.assign.match", name=value.name, phone=value.phone_tail)
    if isinstance(value, tuple):
        return t("common.list_separator").join(str(shown(t, name, item)) for item in value)
    return checkin_text.param(t, name, value)


def params(t: Translator, values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: shown(t, name, value) for name, value in values.items()}
