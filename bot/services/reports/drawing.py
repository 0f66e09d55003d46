"""Drawing the tally's chart from a `ChartSpec`: plain texts and numbers, every word already
translated, so that the drawing needs nothing but matplotlib and can run in another process
(``offload``), away from the bot's event loop and its GIL.

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
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SYSTEM_FONT_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "Source Han Sans SC",
)
# The height of a bar, and of the daily trend, in inches.
BAR_INCHES = 0.25
TREND_INCHES = 2.2
WEEK = 7
# Matplotlib's font cache and text layout are not thread-safe.
_lock = threading.Lock()


@cache
def _font_manager() -> ModuleType:
    """Matplotlib, loaded on the first chart rather than at import: it is most of a second of
    every bot process's start, and most processes never draw."""
    import matplotlib

    matplotlib.use("Agg")
    # Every text drawn is a name or a figure people read, never a formula: a unit called
    # 团结社区$_$ (or US$5 / US$10) is written as typed, not parsed between its $ signs as
    # mathematics, which mangled it or stopped the chart, and the report with it.
    matplotlib.rcParams["text.parse_math"] = False
    from matplotlib import font_manager

    return font_manager


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
    font_manager = _font_manager()
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


@dataclass(frozen=True)
class Bar:
    name: str
    rate: float  # percent
    colour: str
    label: str


@dataclass(frozen=True)
class Threshold:
    value: float
    colour: str
    label: str


@dataclass(frozen=True)
class ChartSpec:
    """What the chart shows, in the reader's language."""

    title: str
    bars: tuple[Bar, ...]  # lowest first; none: only the trend is drawn
    bars_title: str
    thresholds: tuple[Threshold, ...]
    rate_axis: str
    days: tuple[str, ...]  # the trend's day labels
    values: tuple[float, ...]  # the trend's rates in percent, NaN for a day without seats
    trend_title: str
    value_labels: tuple[str, ...] = ()  # each point's rate as the text reads it ("" for none)


def figure_of(spec: ChartSpec) -> Figure:
    """Bars of the on-post rate per unit or post, each labelled with its rate and grade and
    coloured by grade, with the grade thresholds drawn; and a line of the daily on-post rate.
    The title carries the period's figures. Object-oriented matplotlib only (no pyplot state)."""
    family = cjk_font_family()  # loads matplotlib with its backend first
    from matplotlib.figure import Figure

    bars_ = spec.bars
    bars_height = BAR_INCHES * len(bars_) + 1
    figure = Figure(figsize=(10, 4 + (bars_height if bars_ else 0)), dpi=100)
    figure.set_layout_engine("constrained")
    figure.suptitle(spec.title, family=family, fontsize=13)
    if bars_:
        # The bars take the height they need, the trend its own: as a share of the height
        # (3 in 35 beside 30 bars) it shrank to a strip in a city's report.
        bars, line = figure.subplots(
            2, 1, gridspec_kw={"height_ratios": [bars_height, TREND_INCHES]}
        )
        # One line per bar, by position: names on a categorical axis would put two bars of
        # the same (shortened) name on one line.
        positions = list(range(len(bars_)))
        drawn = bars.barh(
            positions, [bar.rate for bar in bars_], color=[bar.colour for bar in bars_]
        )
        bars.set_yticks(positions, labels=[bar.name for bar in bars_])
        bars.bar_label(
            drawn, labels=[bar.label for bar in bars_], padding=3, family=family, fontsize=9
        )
        for threshold in spec.thresholds:
            bars.axvline(threshold.value, color=threshold.colour, linestyle="--", linewidth=1)
            bars.text(
                threshold.value,
                1.0,
                threshold.label,
                transform=bars.get_xaxis_transform(),
                ha="center",
                va="bottom",
                family=family,
                fontsize=8,
                color=threshold.colour,
            )
        # Room on the right for the labels of full bars.
        bars.set_xlim(0, 118)
        bars.set_xticks(range(0, 101, 20))
        bars.set_xlabel(spec.rate_axis, family=family)
        bars.set_title(spec.bars_title, family=family, pad=14)
        for label in bars.get_yticklabels():
            label.set_family(family)
    else:
        line = figure.subplots(1, 1)
    days = list(spec.days)
    values = list(spec.values)
    # Days by position, each with its tick and the axis spanning them all: drawn as
    # categories, a day without seats (NaN) was left off the axis when it came before or
    # after every day with seats, and a tally's week could shrink to today's point alone.
    positions = list(range(len(days)))
    line.plot(positions, values, marker="o", color="#2c3e50")
    line.set_xticks(positions, labels=days)
    line.set_xlim(-0.5, len(days) - 0.5)
    labels = list(spec.value_labels) or [f"{round(value)}%" for value in values]
    for position, value, label in zip(positions, values, labels, strict=True):
        if value == value:  # not NaN: a day with seats
            line.annotate(
                label,
                (position, value),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=8,
            )
    line.set_ylim(0, 115)
    line.set_title(spec.trend_title, family=family)
    line.set_ylabel(spec.rate_axis, family=family)
    many = len(days) > WEEK
    for label in line.get_xticklabels():
        label.set_family(family)
        # A month's 31 day labels stand upright, so that none runs into the next.
        label.set_rotation(90 if many else 0)
        if many:
            label.set_fontsize(8)
    return figure


def draw(spec: ChartSpec) -> bytes:
    """The chart as a PNG."""
    with _lock:
        figure = figure_of(spec)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
