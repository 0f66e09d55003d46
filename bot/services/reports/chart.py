"""The tally's chart: on-post rate per unit (or per post) and the daily trend, as a PNG.

`chart_spec` says what the chart shows in the reader's language (cheap, plain data); the
drawing itself (``drawing``) takes most of a second of CPU and runs in a worker process
(``offload``) when the bot renders a report, so that the event loop keeps answering.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.i18n import Translator
from bot.services.reports.drawing import (
    Bar,
    ChartSpec,
    NoCjkFontError,
    Threshold,
    cjk_font_family,
    draw,
    figure_of,
)
from bot.services.reports.report_text import period_label, scope_name, whole_percent
from bot.services.reports.scoring import Grade
from bot.services.reports.tally import Tally

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "GRADE_COLOURS",
    "ChartSpec",
    "GradeBounds",
    "NoCjkFontError",
    "build_figure",
    "chart_spec",
    "cjk_font_family",
    "render_chart",
]

MAX_BARS = 30
# The widest a bar's name is drawn, in columns (a Chinese character takes two): unit and post
# names may be 64 characters, which drawn whole squeeze the bars into a sliver.
NAME_COLUMNS = 24
NAME_TAIL_COLUMNS = 8
# The widest the scope (the unit) is drawn in the titles, in columns.
SCOPE_COLUMNS = 40


# Bar colours by grade (好 / 中 / 差), and grey for a row without a score.
GRADE_COLOURS = {Grade.GOOD: "#27ae60", Grade.FAIR: "#f39c12", Grade.POOR: "#c0392b"}
NO_GRADE_COLOUR = "#95a5a6"


@dataclass(frozen=True)
class GradeBounds:
    """The lowest scores graded 好 and 中 (GRADE_GOOD_MIN, GRADE_FAIR_MIN)."""

    good: float
    fair: float


def _columns(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def short_name(name: str, columns: int = NAME_COLUMNS) -> str:
    """`name` within `columns`, cut in the middle: its start and its end are kept, which tell
    units apart (城市管理局第一大队, 城市管理局第二大队)."""
    if sum(_columns(char) for char in name) <= columns:
        return name
    tail: list[str] = []
    used = 0
    for char in reversed(name):
        if used + _columns(char) > NAME_TAIL_COLUMNS:
            break
        tail.insert(0, char)
        used += _columns(char)
    head: list[str] = []
    room = columns - used - 1  # the ellipsis
    for char in name:
        if _columns(char) > room:
            break
        head.append(char)
        room -= _columns(char)
    return "".join(head) + "…" + "".join(tail)


def _colour(grade: Grade | None) -> str:
    return NO_GRADE_COLOUR if grade is None else GRADE_COLOURS[grade]


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{whole_percent(rate)}%"


def _title(t: Translator, tally: Tally) -> str:
    """The scope, the period and its figures, so the chart reads without the text."""
    counts = tally.totals
    return t(
        "report.chart.title",
        scope=short_name(scope_name(t, tally), SCOPE_COLUMNS),
        period=period_label(t, tally),
        checked_in=counts.checked_in,
        seats=counts.seats,
        rate=_percent(counts.on_post_rate),
        late=counts.late,
        absent=counts.absent,
    )


def _bars_title(t: Translator, tally: Tally, shown: int, rated: int) -> str:
    """ "by unit" (or post) when every bar is drawn; past MAX_BARS, which ones are: the lowest
    30 of the city's 100 units, not a chart a leader would take for every unit."""
    scope = short_name(scope_name(t, tally), SCOPE_COLUMNS)
    kind = "unit" if tally.by_unit else "post"
    if shown < rated:
        return t(f"report.chart.lowest_{kind}s", count=shown, total=rated, scope=scope)
    return t(f"report.chart.by_{kind}", scope=scope)


def chart_spec(t: Translator, tally: Tally, bounds: GradeBounds) -> ChartSpec:
    """Bars of the on-post rate per unit or post (lowest first, at most 30, and then the title
    says so), each labelled with its rate and grade and coloured by grade, with the grade
    thresholds; and the daily on-post rate of the trend period. The title carries the period's
    figures."""
    rated = [row for row in tally.rows if row.counts.on_post_rate is not None]
    rows = sorted(rated, key=lambda row: (row.counts.on_post_rate or 0.0, row.name))[:MAX_BARS]
    bars = tuple(
        Bar(
            name=short_name(row.name),
            rate=100 * (row.counts.on_post_rate or 0.0),
            colour=_colour(row.score.grade),
            label=(
                f"{_percent(row.counts.on_post_rate)} · {t(f'report.grade.{row.score.grade}')}"
                if row.score.grade is not None
                else _percent(row.counts.on_post_rate)
            ),
        )
        for row in rows
    )
    thresholds = tuple(
        Threshold(
            value=value,
            colour=GRADE_COLOURS[Grade(key)],
            label=t("report.chart.threshold", grade=t(f"report.grade.{key}"), value=f"{value:g}"),
        )
        for value, key in ((bounds.good, "good"), (bounds.fair, "fair"))
    )
    return ChartSpec(
        title=_title(t, tally),
        bars=bars,
        bars_title=_bars_title(t, tally, len(rows), len(rated)),
        thresholds=thresholds,
        rate_axis=t("report.chart.rate_axis"),
        days=tuple(t.weekday_date(day) for day, _ in tally.trend),
        values=tuple(100 * rate if rate is not None else math.nan for _, rate in tally.trend),
        value_labels=tuple(_percent(rate) if rate is not None else "" for _, rate in tally.trend),
        trend_title=t("report.chart.trend"),
    )


def build_figure(t: Translator, tally: Tally, bounds: GradeBounds) -> Figure:
    """The chart as a matplotlib Figure (see `chart_spec`)."""
    return figure_of(chart_spec(t, tally, bounds))


def render_chart(t: Translator, tally: Tally, bounds: GradeBounds) -> bytes:
    """The chart as a PNG, drawn here (the bot draws it in a worker process: ``offload``)."""
    return draw(chart_spec(t, tally, bounds))
