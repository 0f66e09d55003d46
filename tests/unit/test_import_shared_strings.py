"""A workbook's table of shared strings (the texts its cells refer to) is read by openpyxl
whole, into memory, as it opens the workbook, whatever the sheet uses of it: a hostile 400 KB
file of ten million entries took it 97 s and a gigabyte. The table is measured first, as the
sheets are (extent.py), and one larger than a schedule's is refused before openpyxl opens it."""

from __future__ import annotations

import pytest

from bot.errors import DomainError, ErrorCode
from bot.services.schedule.importer import reading
from tests.e2e.import_fixtures import shared_strings_padded


def test_a_table_of_more_strings_than_a_schedule_holds_is_refused() -> None:
    data = shared_strings_padded(reading.MAX_SHARED_STRINGS + 1)
    assert len(data) < reading.MAX_BYTES

    with pytest.raises(DomainError) as refused:
        reading.read_table("schedule.xlsx", data)

    assert refused.value.code is ErrorCode.IMPORT_TEXT_TOO_LARGE


def test_a_table_of_longer_text_than_a_schedule_holds_is_refused() -> None:
    """A few strings, each of megabytes: counted by what is unzipped, not by entries."""
    length = 1024 * 1024
    data = shared_strings_padded(reading.MAX_SHARED_STRINGS_BYTES // length + 1, "x" * length)
    assert len(data) < reading.MAX_BYTES

    with pytest.raises(DomainError) as refused:
        reading.read_table("schedule.xlsx", data)

    assert refused.value.code is ErrorCode.IMPORT_TEXT_TOO_LARGE


def test_a_table_within_the_bound_is_read_as_before() -> None:
    rows = reading.read_table("schedule.xlsx", shared_strings_padded(1000, "交通劝导岗"))

    assert [(number, cells["post"]) for number, cells in rows] == [(2, "1号路口")]
