"""What is kept of a name people type, and the name the bot suggests from a Telegram profile."""

from __future__ import annotations

import pytest

from bot.errors import DomainError, ErrorCode
from bot.services.people import names, registration, tags, units

HANGUL_FILLER, CHOSEONG_FILLER, JUNGSEONG_FILLER = "\u3164", "\u115f", "\u1160"
TAGGED_FLAG = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        # Hangul fillers show as blank space: a name of them alone is blank, and inside a
        # name they are dropped as any other invisible mark.
        (HANGUL_FILLER, ""),
        (HANGUL_FILLER * 3 + " " + CHOSEONG_FILLER + JUNGSEONG_FILLER, ""),
        (f"张{HANGUL_FILLER}三", "张三"),
        (f"张 {CHOSEONG_FILLER} 三", "张 三"),
        ("\uffa0", ""),  # the half-width Hangul filler
        # Variation selectors change how the letter before them is drawn, never add one.
        ("\ufe0f\ufe00", ""),
        ("张\ufe0f三\U000e0100", "张三"),
        ("❤\ufe0f志愿者", "❤志愿者"),
        # Tag characters draw nothing; a tagged flag keeps its flag.
        ("\U000e0041\U000e0042", ""),
        (f"{TAGGED_FLAG}李", "🏴李"),
        # A Braille blank draws nothing either.
        ("\u2800", ""),
        ("\u2800赵\u2800六", "赵六"),
        # An emoji held by a joiner keeps its joiner once the selector between is dropped.
        ("🏳\ufe0f\u200d🌈", "🏳\u200d🌈"),
    ],
)
def test_invisible_letters_are_dropped_from_names(typed: str, kept: str) -> None:
    assert names.plain(typed) == kept
    assert tags.clean_tag(typed) == (kept or None)


@pytest.mark.parametrize("blank", [HANGUL_FILLER, "\ufe0f", "\U000e0041", "\u2800 \u3164"])
def test_a_name_of_invisible_letters_is_refused_everywhere(blank: str) -> None:
    with pytest.raises(DomainError) as refused:
        units._clean_name(blank)
    assert refused.value.code == ErrorCode.UNIT_NAME_INVALID


@pytest.mark.parametrize(
    ("full_name", "suggested"),
    [
        ("Wei Zhang", "Wei Zhang"),
        ("  张\u200b伟 ", "张伟"),
        (f"王{HANGUL_FILLER}五", "王五"),
        # It would be sent as a command, never as a name: no suggestion.
        ("/start", None),
        ("\u200b/管理", None),
        (HANGUL_FILLER, None),
        ("\ufe0f", None),
        # Cut to the limit, and no space or loose joiner left at the cut.
        ("名" * 31 + " 字字", "名" * 31),
    ],
)
def test_the_suggested_name_is_one_the_name_step_accepts(
    full_name: str, suggested: str | None
) -> None:
    assert registration.suggested_name(full_name) == suggested
