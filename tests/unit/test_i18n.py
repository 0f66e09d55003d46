"""The catalogs are complete: every message in every language, same placeholders, and every
message id the code uses exists."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ErrorCode
from bot.i18n import LANGUAGES, Translator, catalogs, language_from_telegram, plural_catalogs

ROOT = Path(__file__).resolve().parents[2]
KEY_LITERAL = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")
PLURAL_LITERAL = re.compile(r"""\bt\.plural\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_every_message_with_the_same_placeholders() -> None:
    tables = catalogs()
    keys = set().union(*(table.keys() for table in tables.values()))
    for language in LANGUAGES:
        missing = sorted(keys - tables[language].keys())
        assert not missing, f"{language} lacks {missing}"
        empty = sorted(key for key, text in tables[language].items() if not text.strip())
        assert not empty, f"{language} has empty {empty}"
    for key in keys:
        reference = _fields(tables["zh_Hans"][key])
        for language in LANGUAGES:
            assert _fields(tables[language][key]) == reference, (language, key)


def test_every_plural_message_has_every_form_in_every_language() -> None:
    tables = plural_catalogs()
    keys = set().union(*(table.forms.keys() for table in tables.values()))
    for language in LANGUAGES:
        table = tables[language]
        assert not sorted(keys - table.forms.keys()), language
        for key in keys:
            forms = table.forms[key]
            assert len(forms) == table.count and all(form.strip() for form in forms), (
                language,
                key,
            )
            reference = _fields(tables["zh_Hans"].forms[key][0])
            assert all(_fields(form) == reference for form in forms), (language, key)
            assert "count" in reference, key


def test_a_plural_message_takes_the_form_of_its_number() -> None:
    keys = sorted(plural_catalogs()["en"].forms)
    assert keys, "some message shows a number"
    en = Translator("en", ZoneInfo("Asia/Shanghai"))
    one, many = en.plural(keys[0], 1), en.plural(keys[0], 3)
    assert "1" in one and "3" in many and one.replace("1", "") != many.replace("3", "")


def test_every_error_code_has_a_message() -> None:
    for code in ErrorCode:
        assert f"error.{code.value.lower()}" in catalogs()["zh_Hans"], code


def test_every_message_id_in_the_code_exists() -> None:
    used: set[str] = set()
    plural: set[str] = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            used |= set(KEY_LITERAL.findall(source))
            plural |= set(PLURAL_LITERAL.findall(source))
    missing = sorted(used - catalogs()["zh_Hans"].keys())
    assert not missing, missing
    missing = sorted(plural - plural_catalogs()["zh_Hans"].forms.keys())
    assert not missing, missing


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-hans", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh-hant", "zh_Hant"),
        ("zh-TW", "zh_Hant"),
        ("zh-HK", "zh_Hant"),
        ("en-US", "en"),
        ("fr", "zh_Hans"),
        (None, "zh_Hans"),
    ],
)
def test_telegram_language_codes_map_to_catalogs(code: str | None, expected: str) -> None:
    assert language_from_telegram(code, "zh_Hans") == expected


def test_dates_render_in_the_configured_zone() -> None:
    instant = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # 07:30 on 1 Dec in Shanghai
    zh = Translator("zh_Hans", ZoneInfo("Asia/Shanghai"))
    en = Translator("en", ZoneInfo("Asia/Shanghai"))
    hant = Translator("zh_Hant", ZoneInfo("Asia/Shanghai"))
    assert zh.datetime(instant) == "2026年12月1日 07:30"
    assert en.datetime(instant) == "1 Dec 2026 07:30"
    assert zh.weekday_date(instant) == "12月1日 周二"
    assert hant.weekday_date(instant) == "12月1日 週二"
    assert zh.time(instant) == "07:30"
