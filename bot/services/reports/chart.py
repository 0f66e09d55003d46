"""The tally's chart: on-post rate per unit (or per post) and the daily trend, as a PNG.

Chinese labels need a CJK font. The project depends on ``mplfonts``, which ships Noto Sans CJK
SC (the Pan-CJK Noto font: Simplified and Traditional characters alike), so a fresh
``pip install`` renders them on any machine, the Docker image included; a system Noto CJK or
WenQuanYi font, where one is installed, is the fallback.
"""

from __future__ import annotations

import io
import threading
from functools import cache
from importlib import resources
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.figure import Figure

from bot.i18n import Translator
from bot.services.reports.report_text import scope_name
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


def render_chart(t: Translator, tally: Tally) -> bytes:
    """A PNG: bars of the on-post rate per unit or post (lowest first, at most 30), and a line
    of the daily on-post rate of the trend period."""
    family = cjk_font_family()
    rows = [row for row in tally.rows if row.counts.on_post_rate is not None]
    rows = sorted(rows, key=lambda row: (row.counts.on_post_rate or 0.0, row.name))[:MAX_BARS]
    with _lock:
        figure = Figure(figsize=(10, 3.5 + (0.25 * len(rows) + 1 if rows else 0)), dpi=100)
        figure.set_layout_engine("constrained")
        if rows:
            bars, line = figure.subplots(2, 1, gridspec_kw={"height_ratios": [len(rows) + 2, 3]})
            bars.barh(
                [row.name for row in rows],
                [100 * (row.counts.on_post_rate or 0.0) for row in rows],
                color="#c0392b",
            )
            bars.set_xlim(0, 100)
            bars.set_xlabel(t("report.chart.rate_axis"), family=family)
            bars.set_title(
                t(
                    "report.chart.by_unit" if tally.by_unit else "report.chart.by_post",
                    scope=scope_name(t, tally),
                ),
                family=family,
            )
            for label in bars.get_yticklabels():
                label.set_family(family)
        else:
            line = figure.subplots(1, 1)
        days = [t.weekday_date(day) for day, _ in tally.trend]
        values = [100 * rate if rate is not None else float("nan") for _, rate in tally.trend]
        line.plot(days, values, marker="o", color="#2c3e50")
        line.set_ylim(0, 105)
        line.set_title(t("report.chart.trend"), family=family)
        line.set_ylabel(t("report.chart.rate_axis"), family=family)
        for label in line.get_xticklabels():
            label.set_family(family)
            label.set_rotation(30 if len(days) > 7 else 0)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
