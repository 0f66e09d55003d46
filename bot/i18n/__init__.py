"""Gettext catalogs (Babel .po files) keyed by message id, and locale-aware formatting.

Each feature keeps its own domain file (``locales/<lang>/LC_MESSAGES/<feature>.po``); all
domains of a language are merged into one table at start-up. Message ids are stable keys such
as ``registration.welcome``; the text carries ``{name}`` placeholders filled by ``str.format``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("zh_Hans", "en", "zh_Hant")
BABEL_LOCALES = {"zh_Hans": "zh_Hans_CN", "en": "en_GB", "zh_Hant": "zh_Hant_TW"}
# Telegram's menu languages are two-letter codes; Traditional Chinese users share "zh".
MENU_LANGUAGE_CODES = {"zh_Hans": "zh", "en": "en"}


def load_catalog(language: str) -> dict[str, str]:
    """Every message of a language, all domains merged."""
    messages: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=BABEL_LOCALES[language])
        for message in catalog:
            if message.id and isinstance(message.id, str) and isinstance(message.string, str):
                if message.id in messages:
                    raise ValueError(f"message id {message.id!r} defined twice ({path.name})")
                messages[message.id] = message.string
    return messages


@cache
def catalogs() -> Mapping[str, Mapping[str, str]]:
    return {language: load_catalog(language) for language in LANGUAGES}


def language_from_telegram(code: str | None, default: str) -> str:
    """Map Telegram's IETF language_code (zh-hans, zh-tw, en-us, ...) to a catalog."""
    if not code:
        return default
    lowered = code.lower()
    if lowered.startswith("zh"):
        if any(tag in lowered for tag in ("hant", "tw", "hk", "mo")):
            return "zh_Hant"
        return "zh_Hans"
    if lowered.startswith("en"):
        return "en"
    return default


class Translator:
    """Messages and dates in one language and one time zone."""

    def __init__(self, language: str, zone: ZoneInfo) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        self.language = language
        self.zone = zone
        self.locale = Locale.parse(BABEL_LOCALES[language])
        self._messages = catalogs()[language]

    def __call__(self, key: str, /, **params: Any) -> str:
        template = self._messages.get(key)
        if template is None:
            raise KeyError(f"message {key!r} missing in {self.language}")
        return template.format(**params) if params else template

    def local(self, instant: dt.datetime) -> dt.datetime:
        return instant.astimezone(self.zone)

    def datetime(self, instant: dt.datetime) -> str:
        return format_datetime(
            self.local(instant), self("format.datetime"), tzinfo=self.zone, locale=self.locale
        )

    def date(self, value: dt.date | dt.datetime, style: str = "medium") -> str:
        day = self.local(value).date() if isinstance(value, dt.datetime) else value
        return format_date(day, style, locale=self.locale)

    def time(self, instant: dt.datetime) -> str:
        return format_time(self.local(instant), "HH:mm", tzinfo=self.zone, locale=self.locale)

    def weekday_date(self, value: dt.date | dt.datetime) -> str:
        """Short day label such as 12月1日 周二 / Tue 1 Dec."""
        day = self.local(value).date() if isinstance(value, dt.datetime) else value
        return format_date(day, self("format.day_label"), locale=self.locale)
