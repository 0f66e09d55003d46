"""A 人数 cell that holds no number of people is answered with what the column takes. A length
typed there (150m, a 责任路段's length, or a radius in the wrong column) is no count of
people, and is named as a length rather than read as 150 people or called "not a positive
whole number"; a count past the most a shift takes says its range."""

from __future__ import annotations

import pytest

from bot.db.models import Post, Role, Shift
from tests.e2e.import_fixtures import csv_bytes
from tests.e2e.schedule import command, person, unit
from tests.harness import Harness

ROWS = (
    "甲路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,150m",
    "乙路口,hygiene,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,150 米",
    "丙路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,600",
    "丁路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4人",
)


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (
            "zh_Hans",
            (
                "第 2 行：人数「150m」是长度，不是人数：这一列填这个班次要几个人（1 到 500）",
                "第 3 行：人数「150 米」是长度，不是人数：这一列填这个班次要几个人（1 到 500）",
                "第 4 行：人数「600」不是 1 到 500 之间的整数",
            ),
        ),
        (
            "en",
            (
                "Row 2: capacity “150m” is a length, not a number of people: this column takes "
                "how many people the shift needs (1 to 500)",
                "Row 3: capacity “150 米” is a length, not a number of people: this column "
                "takes how many people the shift needs (1 to 500)",
                "Row 4: capacity “600” is not a whole number from 1 to 500",
            ),
        ),
        (
            "zh_Hant",
            (
                "第 2 行：人數「150m」是長度，不是人數：這一欄填這個班次要幾個人（1 到 500）",
                "第 3 行：人數「150 米」是長度，不是人數：這一欄填這個班次要幾個人（1 到 500）",
                "第 4 行：人數「600」不是 1 到 500 之間的整數",
            ),
        ),
    ],
)
async def test_a_length_in_the_capacity_column_is_named_as_one(
    harness: Harness, language: str, lines: tuple[str, ...]
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9601, unit_id, role=Role.COORDINATOR, language=language)
    await command(harness, coordinator, "import")

    await coordinator.send_document("schedule.csv", csv_bytes(*ROWS), mime_type="text/csv")
    await harness.settle()

    text = coordinator.last().text or ""
    for line in lines:
        assert line in text, text
    assert "第 5 行" not in text and "Row 5" not in text, text
    assert await harness.count(Post) == 0 and await harness.count(Shift) == 0
