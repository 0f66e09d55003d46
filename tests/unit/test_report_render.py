"""Report rendering: the chart draws Chinese labels with a real CJK font, texts fit Telegram,
scores and grades follow the settings, periods are calendar weeks and months."""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import Translator
from bot.reports.chart import cjk_font_family, render_chart
from bot.reports.text import MESSAGE_LIMIT, split_message, utf16_len
from bot.services import periods
from bot.services.periods import Period
from bot.services.tally import Counts, Grade, Row, Score, Tally, score
from tests.conftest import make_settings

ZONE = ZoneInfo("Asia/Shanghai")


def _tally(unit_count: int) -> Tally:
    rows = [
        Row(
            key=index,
            name=f"第{index}社区（團結街道）垃圾分类点",
            counts=Counts(shifts=2, seats=4, checked_in=index % 5),
            score=Score(70.0, Grade.FAIR),
        )
        for index in range(unit_count)
    ]
    day = dt.date(2026, 12, 1)
    return Tally(
        unit_id=None,
        unit_name=None,
        period=Period(day, day),
        totals=Counts.total(row.counts for row in rows),
        score=Score(70.0, Grade.FAIR),
        rows=rows,
        uncovered=[],
        anomalies=[],
        top=[],
        trend=[(day - dt.timedelta(days=n), 0.1 * n if n != 3 else None) for n in range(7)],
    )


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant", "en"])
def test_chart_renders_chinese_labels_without_missing_glyphs(
    language: str, caplog: pytest.LogCaptureFixture
) -> None:
    t = Translator(language, ZONE)
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        png = render_chart(t, _tally(12))
    glyph_problems = [
        str(warning.message) for warning in caught if "glyph" in str(warning.message).lower()
    ]
    glyph_problems += [r.getMessage() for r in caplog.records if "glyph" in r.getMessage().lower()]
    assert glyph_problems == []
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert "CJK" in cjk_font_family()


def test_chart_of_a_day_without_shifts_still_renders() -> None:
    png = render_chart(Translator("zh_Hans", ZONE), _tally(0))
    assert png.startswith(b"\x89PNG")


def test_long_texts_are_split_at_line_breaks_within_the_limit() -> None:
    lines = [f"{index}. 某某单位：82 分（中），在岗率 83%" for index in range(600)]
    parts = split_message("\n".join(lines))
    assert len(parts) > 1
    assert all(len(part) <= MESSAGE_LIMIT for part in parts)
    assert "\n".join(parts).split("\n") == lines
    assert split_message("x" * 5000) == ["x" * MESSAGE_LIMIT, "x" * 904]


def test_the_limit_counts_as_telegram_does_an_emoji_is_two() -> None:
    """A line of a weekly ranking ends with 📈 or 📉: 120 of them are 120 units more than
    Python's len() says, and Telegram refuses the message."""
    lines = [f"{index}. 某某单位：82 分（中），在岗率 83% 📈 +1.5" for index in range(300)]
    parts = split_message("\n".join(lines))
    assert all(utf16_len(part) <= MESSAGE_LIMIT for part in parts)
    assert any(len(part) > MESSAGE_LIMIT - 300 for part in parts)
    assert "\n".join(parts).split("\n") == lines
    # A single line too long is cut between characters, never inside an emoji.
    assert split_message("📈" * 2049) == ["📈" * 2048, "📈"]


@pytest.mark.parametrize(
    ("counts", "value", "grade"),
    [
        (Counts(seats=10, checked_in=10, on_time=10), 100.0, Grade.GOOD),
        (Counts(seats=10, checked_in=6, on_time=5), 69.3, Grade.FAIR),
        (Counts(seats=4, checked_in=1, on_time=1), 55.0, Grade.POOR),
        (Counts(seats=4), 0.0, Grade.POOR),
        (Counts(), None, None),
    ],
)
def test_score_weights_and_grades(counts: Counts, value: float | None, grade: Grade | None) -> None:
    settings = make_settings("sqlite+aiosqlite://")
    assert score(counts, settings) == Score(value, grade)


def test_score_settings_change_the_weights_and_thresholds() -> None:
    settings = make_settings(
        "sqlite+aiosqlite://",
        score_weight_on_post=1,
        score_weight_punctuality=0,
        grade_good_min=50,
        grade_fair_min=20,
    )
    assert score(Counts(seats=10, checked_in=6, on_time=0), settings) == Score(60.0, Grade.GOOD)


def test_periods() -> None:
    tuesday = dt.date(2026, 12, 1)
    assert periods.week_to_date(tuesday) == Period(dt.date(2026, 11, 30), tuesday)
    assert periods.previous_of(periods.week_to_date(tuesday), monthly=False) == Period(
        dt.date(2026, 11, 23), dt.date(2026, 11, 24)
    )
    march_31 = dt.date(2027, 3, 31)
    assert periods.previous_of(periods.month_to_date(march_31), monthly=True) == Period(
        dt.date(2027, 2, 1), dt.date(2027, 2, 28)
    )
    assert periods.month_of(dt.date(2026, 12, 15)) == Period(
        dt.date(2026, 12, 1), dt.date(2026, 12, 31)
    )
    start, end = Period(tuesday, tuesday).bounds(ZONE)
    assert start == dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)
    assert end - start == dt.timedelta(days=1)
