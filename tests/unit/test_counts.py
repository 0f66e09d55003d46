"""The one reading of a typed count (bot/services/schedule/counts.py): a capacity typed in the
chat as 3人, 3 人, ３ or 3 people is 3, as it is in a spreadsheet's 人数 cell; garbage is not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.schedule.counts import PAST_EVERY_LIMIT, metres, people_count


@pytest.mark.parametrize(
    "typed", ["3", "３", "3人", "3 人", "３人", "3名", "3位", "3个", "3個", "3 people", "3 People"]
)
def test_a_number_of_people_is_read_with_its_word(typed: str) -> None:
    assert people_count(typed) == 3


@pytest.mark.parametrize(
    "typed", ["", "人", "three", "3.5", "-3", "3人人", "3 米", "3m", "人3", "3 4", "3,000", "约3人"]
)
def test_garbage_is_no_number_of_people(typed: str) -> None:
    assert people_count(typed) is None


@pytest.mark.parametrize("typed", ["150", "150米", "150 m", "150 M", "150公尺", "150 metres"])
def test_a_distance_is_read_with_its_unit(typed: str) -> None:
    assert metres(typed) == 150


def test_a_distance_is_not_a_number_of_people() -> None:
    assert metres("150人") is None


WORDS = st.sampled_from(["", "人", "名", "位", "个", "個", "people", "person", "persons"])
SPACES = st.sampled_from(["", " ", "　", "  "])


@given(st.integers(min_value=0, max_value=10**9 - 1), SPACES, WORDS, st.booleans())
def test_any_count_with_any_word_reads_as_itself(
    number: int, space: str, word: str, wide: bool
) -> None:
    digits = str(number)
    if wide:
        digits = digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert people_count(f"{space}{digits}{space if word else ''}{word}{space}") == number


@given(st.text())
def test_whatever_is_typed_reads_as_a_count_in_range_or_none(text: str) -> None:
    count = people_count(text)
    assert count is None or 0 <= count <= PAST_EVERY_LIMIT


def test_a_number_too_long_reads_as_past_every_limit() -> None:
    assert people_count("1" * 5000 + "人") == PAST_EVERY_LIMIT


@pytest.mark.parametrize("typed", ["②", "²", "2²", "②人"])
def test_a_circled_or_raised_digit_is_no_count(typed: str) -> None:
    assert people_count(typed) is None and metres(typed) is None
