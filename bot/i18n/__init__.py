"""Gettext catalogs (Babel .po files) keyed by message id, and locale-aware formatting.

Each feature keeps its own domain file (``locales/<lang>/LC_MESSAGES/<feature>.po``); all
domains of a language are merged into one table at start-up. Message ids are stable keys such
as ``registration.welcome``; the text carries ``{name}`` placeholders filled by ``str.format``.

A text that shows a number is a plural entry (``msgid`` the key, ``msgid_plural`` the key with
``.plural``, one ``msgstr[i]`` per form of the language's ``Plural-Forms`` header), read with
``t.plural(key, count, ...)``: gettext's ngettext, keyed like every other message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from gettext import c2py
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


@dataclass
class PluralTable:
    """The plural entries of a language: which form a number takes (the catalogs'
    ``Plural-Forms`` expression) and the forms of each key."""

    forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    count: int = 1
    expression: str = "0"

    def choose(self, key: str, n: int) -> str:
        forms = self.forms[key]
        index = _plural_rule(self.expression)(n)
        return forms[min(index, len(forms) - 1)]


@cache
def _plural_rule(expression: str) -> Callable[[int], int]:
    return c2py(expression)


def _read_language(language: str) -> tuple[dict[str, str], PluralTable]:
    messages: dict[str, str] = {}
    plurals = PluralTable()
    for path in sorted((LOCALES_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=BABEL_LOCALES[language])
        plurals.count, plurals.expression = catalog.num_plurals, catalog.plural_expr
        for message in catalog:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key in messages or key in plurals.forms:
                raise ValueError(f"message id {key!r} defined twice ({path.name})")
            if isinstance(message.id, str) and isinstance(message.string, str):
                messages[key] = message.string
            elif not isinstance(message.id, str) and isinstance(message.string, tuple | list):
                plurals.forms[key] = tuple(message.string)
    return messages, plurals


def load_catalog(language: str) -> dict[str, str]:
    """Every message of a language, all domains merged."""
    return _read_language(language)[0]


@cache
def _languages() -> Mapping[str, tuple[dict[str, str], PluralTable]]:
    return {language: _read_language(language) for language in LANGUAGES}


def catalogs() -> Mapping[str, Mapping[str, str]]:
    return {language: tables[0] for language, tables in _languages().items()}


def plural_catalogs() -> Mapping[str, PluralTable]:
    return {language: tables[1] for language, tables in _languages().items()}


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
        self._plurals = plural_catalogs()[language]

    def __call__(self, key: str, /, **params: Any) -> str:
        template = self._messages.get(key)
        if template is None:
            raise KeyError(f"message {key!r} missing in {self.language}")
        return template.format(**params) if params else template

    def plural(self, key: str, count: int, /, **params: Any) -> str:
        """The form of a plural message that fits `count`, which fills ``{count}``."""
        if key not in self._plurals.forms:
            raise KeyError(f"plural message {key!r} missing in {self.language}")
        return self._plurals.choose(key, count).format(count=count, **params)

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
