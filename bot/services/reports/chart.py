"""The tally's chart: on-post rate per unit (or per post) and the daily trend, as a PNG.

Chinese labels need a CJK font. The project depends on ``mplfonts``, which ships Noto Sans CJK
SC (the Pan-CJK Noto font: Simplified and Traditional characters alike), so a fresh
``pip install`` renders them on any machine, the Docker image included; a system Noto CJK or
WenQuanYi font, where one is installed, is the fallback.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.figure import Figure

from bot.i18n import Translator
from bot.services.reports.report_text import period_label, scope_name
from bot.services.reports.scoring import Grade
from bot.services.reports.tally import Tally

MAX_BARS = 30
SYSTEM_FONT_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "Source Han Sans SC",
)
# Matplotlib's font cache and text layout are not thread-safe.
_lock = threading.Lock()


class NoCjkFontError(RuntimeError):
    """No font with Chinese glyphs was found."""


def _bundled_font() -> Path | None:
    try:
        candidate = resources.files("mplfonts") / "fonts" / "NotoSansCJKsc-Regular.otf"
    except ModuleNotFoundError:
        return None
    path = Path(str(candidate))
    return path if path.is_file() else None


@cache
def cjk_font_family() -> str:
    """Register the CJK font with matplotlib once and return its family name."""
    bundled = _bundled_font()
    if bundled is not None:
        font_manager.fontManager.addfont(str(bundled))
        return str(font_manager.FontProperties(fname=str(bundled)).get_name())
    available = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in SYSTEM_FONT_FAMILIES:
        if family in available:
            return family
    raise NoCjkFontError(
        "no CJK font: install the mplfonts package or a Noto CJK font (fonts-noto-cjk)"
    )


# Bar colours by grade (好 / 中 / 差), and grey for a row without a score.
GRADE_COLOURS = {Grade.GOOD: "#27ae60", Grade.FAIR: "#f39c12", Grade.POOR: "#c0392b"}
NO_GRADE_COLOUR = "#95a5a6"


@dataclass(frozen=True)
class GradeBounds:
    """The lowest scores graded 好 and 中 (GRADE_GOOD_MIN, GRADE_FAIR_MIN)."""

    good: float
    fair: float


def _colour(grade: Grade | None) -> str:
    return NO_GRADE_COLOUR if grade is None else GRADE_COLOURS[grade]


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{round(100 * rate)}%"


def _title(t: Translator, tally: Tally) -> str:
    """The scope, the period and its figures, so the chart reads without the text."""
    counts = tally.totals
    return t(
        "report.chart.title",
        scope=scope_name(t, tally),
        period=period_label(t, tally),
        checked_in=counts.checked_in,
        seats=counts.seats,
        rate=_percent(counts.on_post_rate),
        late=counts.late,
        absent=counts.absent,
    )


def build_figure(t: Translator, tally: Tally, bounds: GradeBounds) -> Figure:
    """Bars of the on-post rate per unit or post (lowest first, at most 30), each labelled with
    its rate and grade and coloured by grade, with the grade thresholds drawn; and a line of the
    daily on-post rate of the trend period. The title carries the period's figures."""
    family = cjk_font_family()
    rows = [row for row in tally.rows if row.counts.on_post_rate is not None]
    rows = sorted(rows, key=lambda row: (row.counts.on_post_rate or 0.0, row.name))[:MAX_BARS]
    figure = Figure(figsize=(10, 4 + (0.25 * len(rows) + 1 if rows else 0)), dpi=100)
    figure.set_layout_engine("constrained")
    figure.suptitle(_title(t, tally), family=family, fontsize=13)
    if rows:
        bars, line = figure.subplots(2, 1, gridspec_kw={"height_ratios": [len(rows) + 2, 3]})
        rates = [100 * (row.counts.on_post_rate or 0.0) for row in rows]
        drawn = bars.barh(
            [row.name for row in rows],
            rates,
            color=[_colour(row.score.grade) for row in rows],
        )
        labels = [
            f"{_percent(row.counts.on_post_rate)} · {t(f'report.grade.{row.score.grade}')}"
            if row.score.grade is not None
            else _percent(row.counts.on_post_rate)
            for row in rows
        ]
        bars.bar_label(drawn, labels=labels, padding=3, family=family, fontsize=9)
        for value, key in ((bounds.good, "good"), (bounds.fair, "fair")):
            bars.axvline(value, color=GRADE_COLOURS[Grade(key)], linestyle="--", linewidth=1)
            bars.text(
                value,
                1.0,
                t("report.chart.threshold", grade=t(f"report.grade.{key}"), value=f"{value:g}"),
                transform=bars.get_xaxis_transform(),
                ha="center",
                va="bottom",
                family=family,
                fontsize=8,
                color=GRADE_COLOURS[Grade(key)],
            )
        # Room on the right for the labels of full bars.
        bars.set_xlim(0, 118)
        bars.set_xticks(range(0, 101, 20))
        bars.set_xlabel(t("report.chart.rate_axis"), family=family)
        bars.set_title(
            t(
                "report.chart.by_unit" if tally.by_unit else "report.chart.by_post",
                scope=scope_name(t, tally),
            ),
            family=family,
            pad=14,
        )
        for label in bars.get_yticklabels():
            label.set_family(family)
    else:
        line = figure.subplots(1, 1)
    days = [t.weekday_date(day) for day, _ in tally.trend]
    values = [100 * rate if rate is not None else float("nan") for _, rate in tally.trend]
    line.plot(days, values, marker="o", color="#2c3e50")
    for day, value in zip(days, values, strict=True):
        if value == value:  # not NaN: a day with seats
            line.annotate(
                f"{round(value)}%",
                (day, value),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=8,
            )
    line.set_ylim(0, 115)
    line.set_title(t("report.chart.trend"), family=family)
    line.set_ylabel(t("report.chart.rate_axis"), family=family)
    for label in line.get_xticklabels():
        label.set_family(family)
        label.set_rotation(30 if len(days) > 7 else 0)
    return figure


def render_chart(t: Translator, tally: Tally, bounds: GradeBounds) -> bytes:
    """The chart as a PNG."""
    with _lock:
        figure = build_figure(t, tally, bounds)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
