"""The words for the values a refusal or a row error carries. Services raise with the values
themselves (a moment, a distance, a compass point, a role, an order's state, a list of names),
and every place that shows one to a person (the bot's replies, `dutybot import`) words them the
same way, in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from babel.dates import get_day_names

from bot.db.models import OrderStatus, Role
from bot.i18n import Translator
from bot.services.duty import checkin_text
from bot.services.oversight import notices
from bot.services.people.members import Shown
from bot.services.rostering.availability import Read, Spec
from bot.services.schedule import timespec


def shown(t: Translator, name: str, value: Any) -> Any:
    if isinstance(value, OrderStatus):
        return notices.order_state(t, value)
    if isinstance(value, Role):
        return t(f"role.{value.value}")
    if isinstance(value, Shown):
        if not value.phone_tail:
            return value.name
        return t("rostering.assign.match", name=value.name, phone=value.phone_tail)
    if isinstance(value, Read):
        return window_text(t, value.spec, value.today)
    if isinstance(value, tuple):
        return t("common.list_separator").join(str(shown(t, name, item)) for item in value)
    return checkin_text.param(t, name, value)


def params(t: Translator, values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: shown(t, name, value) for name, value in values.items()}


def window_text(t: Translator, spec: Spec, today: dt.date) -> str:
    """每周一、周三 07:00–09:00（12月1日至12月31日） / 12月5日至12月7日 全天; one day of
    another year than today's says its year (2027年12月3日 全天)."""
    if spec.start_time is not None and spec.end_time is not None:
        start, end = f"{spec.start_time:%H:%M}", timespec.end_text(spec.end_time)
        times = t("rostering.window.times", start=start, end=end)
    else:
        times = t("rostering.window.all_day")
    if spec.first_day == spec.last_day:
        days = t.day_in_year(spec.first_day, today)
    else:
        days = t("rostering.window.range", first=t.date(spec.first_day), last=t.date(spec.last_day))
    if spec.every_day or spec.first_day == spec.last_day:
        return t("rostering.window.dates", days=days, times=times)
    names = get_day_names("abbreviated", locale=t.locale)
    weekdays = t("common.list_separator").join(names[day] for day in sorted(spec.weekdays))
    return t("rostering.window.weekly", weekdays=weekdays, times=times, days=days)
