"""Report rendering: the chart draws Chinese labels with a real CJK font, texts fit Telegram,
scores and grades follow the settings, periods are calendar weeks and months."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import logging
import warnings
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.text import Text

from bot.i18n import Translator
from bot.services.reports import periods, report_text
from bot.services.reports.chart import (
    GRADE_COLOURS,
    GradeBounds,
    build_figure,
    cjk_font_family,
    render_chart,
)
from bot.services.reports.delivery import scheduled_period
from bot.services.reports.periods import Period
from bot.services.reports.report_text import MESSAGE_LIMIT, ReportKind, split_message, utf16_len
from bot.services.reports.scoring import Counts, Grade, Score, score
from bot.services.reports.tally import Row, Tally
from tests.conftest import make_settings

ZONE = ZoneInfo("Asia/Shanghai")
BOUNDS = GradeBounds(good=85, fair=60)


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
        png = render_chart(t, _tally(12), BOUNDS)
    glyph_problems = [
        str(warning.message) for warning in caught if "glyph" in str(warning.message).lower()
    ]
    glyph_problems += [r.getMessage() for r in caplog.records if "glyph" in r.getMessage().lower()]
    assert glyph_problems == []
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert "CJK" in cjk_font_family()


def test_chart_labels_each_bar_with_its_rate_colours_it_by_grade_and_draws_thresholds() -> None:
    day = dt.date(2026, 12, 1)
    rows = [
        Row(
            1,
            "城管局",
            Counts(shifts=3, seats=10, checked_in=9, on_time=9),
            Score(94.0, Grade.GOOD),
        ),
        Row(
            2,
            "教育局",
            Counts(shifts=2, seats=10, checked_in=7, on_time=5),
            Score(70.0, Grade.FAIR),
        ),
        Row(3, "卫健委", Counts(shifts=2, seats=10, checked_in=3, late=1), Score(18.0, Grade.POOR)),
    ]
    totals = Counts.total(row.counts for row in rows)
    tally = Tally(
        unit_id=None,
        unit_name=None,
        period=Period(day, day),
        totals=Counts(shifts=7, seats=30, checked_in=19, on_time=14, late=5, absent=11),
        score=Score(60.0, Grade.FAIR),
        rows=rows,
        uncovered=[],
        anomalies=[],
        top=[],
        trend=[(day, totals.on_post_rate)],
    )
    figure = build_figure(Translator("zh_Hans", ZONE), tally, BOUNDS)
    bars_axes = figure.axes[0]
    # Lowest rate first: 卫健委 30%, 教育局 70%, 城管局 90%.
    colours = [patch.get_facecolor() for patch in bars_axes.patches]
    expected = [GRADE_COLOURS[Grade.POOR], GRADE_COLOURS[Grade.FAIR], GRADE_COLOURS[Grade.GOOD]]
    assert colours == [to_rgba(colour) for colour in expected]
    texts = [text.get_text() for text in bars_axes.texts]
    assert [t for t in texts if "%" in t] == ["30% · 差", "70% · 中", "90% · 好"]
    assert "好 ≥ 85" in texts and "中 ≥ 60" in texts
    thresholds = sorted(line.get_xdata()[0] for line in bars_axes.lines)
    assert thresholds == [60, 85]
    title = figure.get_suptitle()
    assert "全部单位 · 12月1日 周二" in title
    assert "在岗 19/30（63%） · 迟到 5 · 缺勤 11" in title


def test_chart_of_a_day_without_shifts_still_renders() -> None:
    png = render_chart(Translator("zh_Hans", ZONE), _tally(0), BOUNDS)
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


@pytest.mark.parametrize(
    ("language", "before", "after", "expected"),
    [
        ("en", 0.50, 0.51, "+1 point"),
        ("en", 0.50, 0.45, "-5 points"),
        ("en", 0.50, 0.49, "-1 point"),
        ("en", 0.50, 0.50, "+0 points"),
        ("zh_Hans", 0.50, 0.51, "+1 个百分点"),
        ("en", None, 0.5, "—"),
        # The change is that of the rates as shown: 57 % then 57 % is no change, though the
        # rates were 56.5 % and 57.4 %; 99.5 % (shown 99 %) after 100 % is one point down.
        ("en", 0.565, 0.574, "+0 points"),
        ("en", 1.0, 0.995, "-1 point"),
    ],
)
def test_a_change_of_rate_is_counted_in_points(
    language: str, before: float | None, after: float | None, expected: str
) -> None:
    t = Translator(language, ZONE)
    assert report_text.points(t, before, after) == expected


def test_a_rate_reads_the_same_in_the_text_and_the_chart_and_never_a_false_100() -> None:
    """199 of 200 seats is 99 %, not a perfect 100 % beside one absence; 1 of 300 is 1 %, not
    nobody; 23 of 40 (57.5 %) is 58 % in the text, on the bar, in the title and on the trend."""
    t = Translator("zh_Hans", ZONE)
    assert report_text.percent(t, 199 / 200) == "99%"
    assert report_text.percent(t, 1 / 300) == "1%"
    assert report_text.percent(t, 23 / 40) == "58%"
    assert report_text.percent(t, 1.0) == "100%" and report_text.percent(t, 0.0) == "0%"
    day = dt.date(2026, 12, 1)
    rows = [
        Row(1, "城管局", Counts(shifts=1, seats=200, checked_in=199, on_time=199, absent=1),
            Score(99.7, Grade.GOOD)),
        Row(2, "教育局", Counts(shifts=1, seats=40, checked_in=23, on_time=23, absent=17),
            Score(74.5, Grade.FAIR)),
    ]  # fmt: skip
    totals = Counts(shifts=1, seats=200, checked_in=199, on_time=199, absent=1)
    tally = Tally(
        unit_id=None,
        unit_name=None,
        period=Period(day, day),
        totals=totals,
        score=Score(99.7, Grade.GOOD),
        rows=rows,
        uncovered=[],
        anomalies=[],
        top=[],
        trend=[(day - dt.timedelta(days=1), 23 / 40), (day, totals.on_post_rate)],
    )
    figure = build_figure(t, tally, BOUNDS)
    bars, trend = figure.axes
    assert [text.get_text() for text in bars.texts if "%" in text.get_text()] == [
        "58% · 中",
        "99% · 好",
    ]
    assert [text.get_text() for text in trend.texts] == ["58%", "99%"]
    assert "在岗 199/200（99%）" in figure.get_suptitle()


def test_a_list_says_it_was_cut_only_when_it_was() -> None:
    """15 check-ins, each out of range and left early, make 30 lines, all of them listed: the
    text must not claim that only the first 30 are listed. 30 checks not as checked in, all of
    them listed, likewise."""
    from bot.services.oversight.figures import Discrepancy, Figures, Section
    from bot.services.reports.highlights import Anomaly

    t = Translator("zh_Hans", ZONE)
    day = dt.date(2026, 12, 1)
    at = dt.datetime(2026, 12, 1, 0, tzinfo=dt.UTC)
    anomalies: list[Anomaly] = []
    for n in range(15):
        anomalies.append(Anomaly(member=f"志愿者{n}", post="路口", at=at, distance_m=400.0))
        anomalies.append(Anomaly(member=f"志愿者{n}", post="路口", at=at, left_early=True))
    listed = [
        Discrepancy(post="路口", unit="城管局", at=at, checked_in=2, seen=1, names=["王芳"])
        for _ in range(30)
    ]
    checks = Figures(checks=30, score_sum=2400, inspection_score=80, discrepancies=30)
    counts = Counts(shifts=15, seats=15, filled=15, checked_in=15, on_time=15, far=15,
                    left_early=15)  # fmt: skip
    tally = Tally(
        unit_id=None,
        unit_name=None,
        period=Period(day, day),
        totals=counts,
        score=Score(90.0, Grade.GOOD),
        rows=[],
        uncovered=[],
        anomalies=anomalies,
        top=[],
        trend=[(day, 1.0)],
        oversight=Section(totals=checks, units={}, discrepancies=listed, open_orders=[]),
    )
    text = "\n".join(report_text.render(t, tally, report_text.ReportKind.DAILY))
    assert text.count("距岗位 400 米") == 15 and text.count("提前离开「路口」") == 15
    assert text.count("签到 2 人，现场看到 1 人") == 30
    assert "只列出前" not in text
    # Cut lists say so: more anomalous check-ins than were read, more checks than listed.
    fuller = replace(
        tally,
        anomalies_cut=True,
        oversight=Section(
            totals=replace(checks, discrepancies=31), units={}, discrepancies=listed, open_orders=[]
        ),
    )
    text = "\n".join(report_text.render(t, fuller, report_text.ReportKind.DAILY))
    assert text.count("……只列出前 30 条") == 2


def test_units_of_the_same_score_share_their_place_in_the_ranking() -> None:
    def row(key: int, name: str, value: float | None) -> Row:
        grade = None if value is None else Grade.GOOD if value >= 85 else Grade.FAIR
        seats = 0 if value is None else 4
        return Row(key, name, Counts(seats=seats, checked_in=seats), Score(value, grade))

    tally = replace(
        _tally(0),
        rows=[
            row(1, "城管局", 96.5),
            row(2, "交通局", 96.5),
            row(3, "环卫所", 80.0),
            row(4, "教育局", 80.0),
            row(5, "团结社区", 70.0),
            row(6, "卫健委", None),
        ],
    )
    text = "\n".join(report_text.render(Translator("zh_Hans", ZONE), tally, ReportKind.WEEKLY))
    places = [line.split(".")[0] for line in text.split("\n") if line[:1].isdigit()]
    # Two units of 96.5 are both first, and the next one third: not second for a name's sake.
    assert places == ["1", "1", "3", "3", "5", "6"], text
    assert "1. 交通局：96.5 分（好）" in text and "3. 环卫所：80 分（中）" in text


def test_long_unit_names_are_shortened_on_the_chart_and_never_crush_its_bars() -> None:
    """Unit names may be 64 characters long. Drawn whole they took the whole width of the chart
    and squeezed its bars and the trend into a sliver; shortened in the middle (the start and
    the end kept, which tell units apart), the bars keep most of the width, and two units whose
    names shorten alike still get a bar each."""
    day = dt.date(2026, 12, 1)
    stem = "城市管理综合行政执法局" * 5
    rows = [
        Row(1, stem + "第一大队", Counts(shifts=1, seats=4, checked_in=3), Score(75.0, Grade.FAIR)),
        Row(2, stem + "第二大队", Counts(shifts=1, seats=4, checked_in=1), Score(25.0, Grade.POOR)),
        Row(3, "W" * 64, Counts(shifts=1, seats=4, checked_in=2), Score(50.0, Grade.POOR)),
    ]
    tally = Tally(
        unit_id=None,
        unit_name=None,
        period=Period(day, day),
        totals=Counts.total(row.counts for row in rows),
        score=Score(50.0, Grade.POOR),
        rows=rows,
        uncovered=[],
        anomalies=[],
        top=[],
        trend=[(day, 0.5)],
    )
    figure = build_figure(Translator("zh_Hans", ZONE), tally, BOUNDS)
    figure.savefig(io.BytesIO(), format="png")  # lays the chart out as it is sent
    bars_axes, trend_axes = figure.axes
    assert bars_axes.get_position().width > 0.5
    assert trend_axes.get_position().width > 0.5
    # A bar for each unit, each on its own line, lowest rate first.
    assert len(bars_axes.patches) == 3
    assert len({patch.get_y() for patch in bars_axes.patches}) == 3
    labels = [label.get_text() for label in bars_axes.get_yticklabels()]
    assert labels[0].startswith("城市管理") and labels[0].endswith("第二大队")
    assert labels[1].startswith("WWW") and labels[1].endswith("WWW")
    assert labels[2].startswith("城市管理") and labels[2].endswith("第一大队")
    assert all("…" in label and len(label) < 30 for label in labels)


def test_a_long_unit_name_fits_in_the_titles_of_its_chart() -> None:
    """The unit's group chart names the unit in its titles: a 64-character name is shortened
    there too, so the titles stay inside the picture instead of running off both edges."""
    long_name = "城市管理综合行政执法局" * 5 + "第一大队"
    tally = replace(_tally(3), unit_id=1, unit_name=long_name, rows=_tally(3).rows[:2])
    figure = build_figure(Translator("zh_Hans", ZONE), tally, BOUNDS)
    canvas = FigureCanvasAgg(figure)
    figure.savefig(io.BytesIO(), format="png")
    renderer = canvas.get_renderer()
    width = figure.bbox.width
    suptitle = figure.get_suptitle()
    assert suptitle.startswith("城市管理") and "…第一大队 · 12月1日 周二" in suptitle
    for text in (figure._suptitle, figure.axes[0].title):
        assert text is not None
        extent = text.get_window_extent(renderer)
        assert extent.x0 >= 0 and extent.x1 <= width, text.get_text()


def test_a_scheduled_monthly_report_compares_with_the_whole_month_before() -> None:
    march_first = dt.date(2027, 3, 1)
    assert scheduled_period(ReportKind.MONTHLY, march_first) == (
        Period(dt.date(2027, 2, 1), dt.date(2027, 2, 28)),
        Period(dt.date(2027, 1, 1), dt.date(2027, 1, 31)),
    )
    assert scheduled_period(ReportKind.MONTHLY, dt.date(2027, 5, 1))[1] == Period(
        dt.date(2027, 3, 1), dt.date(2027, 3, 31)
    )
    # New Year: December's report against November; the week across it against the one before.
    assert scheduled_period(ReportKind.MONTHLY, dt.date(2027, 1, 1)) == (
        Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
        Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
    )
    assert scheduled_period(ReportKind.WEEKLY, dt.date(2027, 1, 4)) == (
        Period(dt.date(2026, 12, 28), dt.date(2027, 1, 3)),
        Period(dt.date(2026, 12, 21), dt.date(2026, 12, 27)),
    )


def test_a_chart_of_more_units_than_it_draws_says_which_it_shows() -> None:
    """A city of 100 units: the chart draws the 30 lowest on-post rates, and its title says
    so (30 of 100, lowest first), not "by unit" as though those were every unit; a chart of
    every unit keeps its plain title."""
    from bot.services.reports.chart import chart_spec

    for language, expected in (
        ("zh_Hans", "全部单位 · 在岗率最低的 30 个单位（共 100 个）"),
        ("en", "All units · the 30 units with the lowest on-post rate (of 100)"),
        ("zh_Hant", "全部單位 · 在崗率最低的 30 個單位（共 100 個）"),
    ):
        spec = chart_spec(Translator(language, ZONE), _tally(100), BOUNDS)
        assert len(spec.bars) == 30
        assert spec.bars_title == expected, language
    whole = chart_spec(Translator("zh_Hans", ZONE), _tally(30), BOUNDS)
    assert len(whole.bars) == 30
    assert "最低" not in whole.bars_title
    posts = chart_spec(
        Translator("en", ZONE), replace(_tally(31), unit_id=1, unit_name="城管局"), BOUNDS
    )
    assert posts.bars_title == "城管局 · the 30 posts with the lowest on-post rate (of 31)"


def test_names_with_dollar_signs_are_drawn_as_written_not_as_formulas() -> None:
    """Text between two $ signs is mathematics to matplotlib: US$5 / US$10 lost its spaces
    in italics, and 团结社区$_$ stopped the drawing. Every text of the chart is literal."""
    tally = replace(
        _tally(2),
        rows=[
            replace(_tally(2).rows[0], name="US$5 / US$10"),
            replace(_tally(2).rows[1], name="团结社区$_$"),
        ],
    )
    figure = build_figure(Translator("en", ZONE), tally, BOUNDS)
    figure.savefig(io.BytesIO(), format="png")
    names = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert sorted(names) == sorted(["US$5 / US$10", "团结社区$_$"])
    texts = figure.findobj(Text)
    assert texts and not any(text.get_parse_math() for text in texts)


def test_a_month_of_many_units_keeps_its_daily_trend_readable() -> None:
    """The city's monthly report: 30 bars and 31 days. The trend shrank to a strip as the
    bars grew (its share of the height was 3 in 35) and its 31 day labels ran into each other;
    it keeps its height whatever the number of bars, and no two day labels overlap."""
    first = dt.date(2026, 12, 1)
    tally = replace(
        _tally(40),
        period=Period(first, dt.date(2026, 12, 31)),
        trend=[(first + dt.timedelta(days=n), (n % 10) / 10) for n in range(31)],
    )
    # zh_Hant's day labels are zh_Hans's width: two languages are enough (CI time is tight).
    for language in ("zh_Hans", "en"):
        figure = build_figure(Translator(language, ZONE), tally, BOUNDS)
        canvas = FigureCanvasAgg(figure)
        figure.savefig(io.BytesIO(), format="png")
        renderer = canvas.get_renderer()
        _, trend_axes = figure.axes
        assert trend_axes.get_position().height * figure.get_figheight() > 1.8, language
        labels = [label.get_window_extent(renderer) for label in trend_axes.get_xticklabels()]
        assert len(labels) == 31
        for left, right in itertools.pairwise(labels):
            assert not left.overlaps(right), language


def test_the_trend_shows_every_day_of_its_period_even_those_without_shifts() -> None:
    """A unit whose duty began today: its tally's trend is the week to today, six days
    without shifts and today's point at the right, not today's point alone on an axis that
    left out the days around it (days without seats are not data, and matplotlib drew only
    the span of the data)."""
    day = dt.date(2026, 12, 1)
    week = [day - dt.timedelta(days=n) for n in range(6, -1, -1)]
    tally = replace(_tally(3), trend=[(each, 0.5 if each == day else None) for each in week])
    figure = build_figure(Translator("zh_Hans", ZONE), tally, BOUNDS)
    figure.savefig(io.BytesIO(), format="png")
    _, trend_axes = figure.axes
    labels = [label.get_text() for label in trend_axes.get_xticklabels()]
    assert labels == ["11月25日 周三", *labels[1:6], "12月1日 周二"] and len(labels) == 7
    # A point for each day by position, and the axis spans them all.
    assert list(trend_axes.lines[0].get_xdata()) == list(range(7))
    left, right = trend_axes.get_xlim()
    assert left < 0 and right > 6
