"""Open311 publishes descriptions that people typed: a phone number in them is masked in every
common way of writing it, and dates and house numbers are left as written."""

from __future__ import annotations

import pytest

from bot.board.open311 import mask_phones


@pytest.mark.parametrize(
    ("written", "published"),
    [
        ("电话 13812345678 找他", "电话 *** 找他"),
        ("电话 138.1234.5678 找他", "电话 *** 找他"),
        ("138/1234/5678", "***"),
        ("+86 138 1234 5678", "***"),
        ("(010)8888-1234 值班室", "*** 值班室"),
        ("2026-12-02 发现垃圾", "2026-12-02 发现垃圾"),
        ("2026/12/2 再看", "2026/12/2 再看"),
        ("人民路 12 号门口", "人民路 12 号门口"),
        (None, None),
    ],
)
def test_phone_numbers_are_masked_and_dates_kept(
    written: str | None, published: str | None
) -> None:
    assert mask_phones(written) == published
