"""Gettext catalogs (Babel .po files) keyed by message id, and locale-aware formatting.

Each feature keeps its own domain file (``locales/<lang>/LC_MESSAGES/<feature>.po``); all
domains of a language are merged into one table at start-up. Message ids are stable keys such
as ``registration.welcome``; the text carries ``{name}`` placeholders filled by ``str.format``.

A message that shows a number may have plural forms (``msgid_plural`` with ``msgstr[0]``,
``msgstr[1]``, ...; one form in Chinese, two in English): the form is chosen by the ``count``
parameter with the catalog's ``Plural-Forms`` rule, as gettext's ngettext does. The count is a
whole number, or a number as shown (a string such as ``"1.5"``, formatted for the language) when
the message shows a decimal such as hours served.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.pofile import read_po
from babel.numbers import NumberFormatError, parse_decimal

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("zh_Hans", "en", "zh_Hant")
BABEL_LOCALES = {"zh_Hans": "zh_Hans_CN", "en": "en_GB", "zh_Hant": "zh_Hant_TW"}
# Telegram's menu languages are two-letter codes; Traditional Chinese users share "zh".
MENU_LANGUAGE_CODES = {"zh_Hans": "zh", "en": "en"}


Text = str | tuple[str, ...]  # one text, or the plural forms of one


@dataclass(frozen=True)
class Catalog:
    messages: Mapping[str, Text]
    plural: Callable[[int], int]  # the index of the plural form for a count


def load_catalog(language: str) -> Catalog:
    """Every message of a language, all domains merged."""
    messages: dict[str, Text] = {}
    plural_expr: str | None = None
    for path in sorted((LOCALES_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=BABEL_LOCALES[language])
        if plural_expr is not None and catalog.plural_expr != plural_expr:
            raise ValueError(f"{path.name} has other Plural-Forms than the rest of {language}")
        plural_expr = catalog.plural_expr
        for message in catalog:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if not key or not isinstance(key, str):
                continue
            if key in messages:
                raise ValueError(f"message id {key!r} defined twice ({path.name})")
            if isinstance(message.string, tuple):
                forms = tuple(str(form) for form in message.string)
                if len(forms) != catalog.num_plurals:
                    raise ValueError(f"{key!r} needs {catalog.num_plurals} plural forms")
                messages[key] = forms
            elif isinstance(message.string, str):
                messages[key] = message.string
    return Catalog(messages, gettext.c2py(plural_expr or "0"))


@cache
def catalogs() -> Mapping[str, Catalog]:
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


# How a person types a language after /lang (/lang en, /lang 繁體), besides Telegram's codes
# (en-us, zh-tw, zh_Hant, ...) and the names the picker shows.
_TYPED_LANGUAGES = {
    **dict.fromkeys(("english", "eng", "英文", "英语", "英語"), "en"),
    **dict.fromkeys(
        ("cn", "chs", "简", "简体", "简中", "简体中文", "簡", "簡體", "簡體中文", "中文"), "zh_Hans"
    ),
    **dict.fromkeys(
        (
            "tw",
            "hk",
            "cht",
            "繁",
            "繁体",
            "繁中",
            "繁體",
            "繁体中文",
            "繁體中文",
            "正體",
            "正體中文",
        ),
        "zh_Hant",
    ),
}


def language_named(typed: str) -> str | None:
    """The catalog a language typed by a person names (en, zh, zh_Hans, zh-hans, 简体, zh_Hant,
    zh-tw, 繁體, or a name the picker shows in any language), None for anything else."""
    lowered = " ".join(typed.split()).lower()
    if not lowered:
        return None
    if lowered in _TYPED_LANGUAGES:
        return _TYPED_LANGUAGES[lowered]
    if re.fullmatch(r"(en|zh)([_-][a-z]+)*", lowered):
        return language_from_telegram(lowered.replace("_", "-"), "zh_Hans")
    for catalog in catalogs().values():
        for language in LANGUAGES:
            name = catalog.messages.get(f"language.name.{language}")
            if isinstance(name, str) and " ".join(name.split()).lower() == lowered:
                return language
    return None


def ends_at_midnight(start: dt.datetime, end: dt.datetime) -> bool:
    """Whether a span of these local times ends at the midnight that ends its start's day,
    which is written 24:00 (as /newshift and the import read it)."""
    next_day = start.date() + dt.timedelta(days=1)
    return end.time() == dt.time(0, 0) and end.date() == next_day


class Translator:
    """Messages and dates in one language and one time zone."""

    def __init__(self, language: str, zone: ZoneInfo) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        self.language = language
        self.zone = zone
        self.locale = Locale.parse(BABEL_LOCALES[language])
        catalog = catalogs()[language]
        self._messages = catalog.messages
        self._plural = catalog.plural

    def __call__(self, key: str, /, **params: Any) -> str:
        template = self._messages.get(key)
        if template is None:
            raise KeyError(f"message {key!r} missing in {self.language}")
        if isinstance(template, tuple):
            if "count" not in params:
                raise KeyError(f"message {key!r} has plural forms and needs a count")
            template = template[self._form(params["count"])]
        return template.format(**params) if params else template

    def _form(self, count: object) -> int:
        """The index of the plural form for a count. gettext's rules are for whole numbers; a
        number shown with decimals ("1.5", "1.0") is never singular (CLDR: "1.0 hours"), so it
        takes the form of 2, the plural in English and the only form in Chinese."""
        if isinstance(count, bool) or not isinstance(count, int | str):
            raise TypeError(f"a plural count is an int or a number as shown, not {count!r}")
        if isinstance(count, int):
            return self._plural(count)
        try:
            shown = parse_decimal(count, locale=self.locale, strict=True)
        except NumberFormatError as exc:
            raise ValueError(f"plural count {count!r} is not a number") from exc
        exponent = shown.as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            return self._plural(2)
        return self._plural(int(shown))

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

    def end_time(self, start: dt.datetime, end: dt.datetime) -> str:
        """When a span that starts at `start` ends: as `time`, except that the midnight ending
        its start's day is 24:00 (22:00–24:00: 22:00–00:00 reads as ending before it starts)."""
        if ends_at_midnight(self.local(start), self.local(end)):
            return "24:00"
        return self.time(end)

    def weekday_date(self, value: dt.date | dt.datetime) -> str:
        """Short day label such as 12月1日 周二 / Tue 1 Dec."""
        day = self.local(value).date() if isinstance(value, dt.datetime) else value
        return format_date(day, self("format.day_label"), locale=self.locale)

    def day_in_year(self, value: dt.date | dt.datetime, today: dt.date) -> str:
        """The short day label (`weekday_date`) in today's year; another year's day says its
        year instead (2027年12月3日 / 3 Dec 2027): 10-30 typed on 12-05 is next year's."""
        day = self.local(value).date() if isinstance(value, dt.datetime) else value
        return self.weekday_date(day) if day.year == today.year else self.date(day)
