"""A tally as text in the reader's language, cut into messages that fit Telegram's limits: the
duty figures, the ranking, the lists, and the oversight section (checks, street reports,
rectification orders with the reply rate and the on-time rate; for headquarters' weekly and
monthly bulletin the orders still open by unit)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from babel.numbers import format_decimal, format_percent

from bot.db.models import CheckKind
from bot.i18n import Translator
from bot.services.oversight.figures import Discrepancy, Figures
from bot.services.oversight.order_lists import UnitLine
from bot.services.reports.highlights import Anomaly
from bot.services.reports.hours_rank import HoursRank
from bot.services.reports.scoring import Counts, Score
from bot.services.reports.tally import Row, Tally, places

MESSAGE_LIMIT = 4096  # characters of one Telegram text message
CAPTION_LIMIT = 1024


class ReportKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


def whole_percent(rate: float) -> int:
    """A rate as a whole percent, rounded half up; a rate strictly between 0 and 1 never reads
    0 or 100: 199 of 200 seats is 99 %, not a perfect 100 % beside an absence. The text, the
    chart and the board all read rates through this."""
    value = int((Decimal(str(rate)) * 100).quantize(Decimal(1), ROUND_HALF_UP))
    return min(max(value, 1), 99) if 0 < rate < 1 else value


def percent(t: Translator, value: float | None) -> str:
    if value is None:
        return "—"
    return format_percent(Decimal(whole_percent(value)) / 100, "#,##0%", locale=t.locale)


def number(t: Translator, value: float) -> str:
    return format_decimal(value, "#,##0.##", locale=t.locale)


def points(t: Translator, before: float | None, after: float | None) -> str:
    """A change of a rate in percentage points, signed: the difference of the rates as they
    are shown (`whole_percent`), so that it matches the two reports side by side."""
    if before is None or after is None:
        return "—"
    change = whole_percent(after) - whole_percent(before)
    return t("report.points", count=abs(change), sign="-" if change < 0 else "+")


def signed(value: float) -> str:
    return f"{value:+.1f}"


def signed_number(t: Translator, value: float) -> str:
    """A change shown as the figures are (`number`), with its sign: +12.75, -0.5, +0."""
    shown = number(t, abs(value))
    return ("-" if value < 0 and shown != number(t, 0) else "+") + shown


def grade_text(t: Translator, result: Score) -> str:
    if result.value is None or result.grade is None:
        return t("report.no_score")
    return t("report.score", score=number(t, result.value), grade=t(f"report.grade.{result.grade}"))


def scope_name(t: Translator, tally: Tally) -> str:
    return tally.unit_name if tally.unit_name is not None else t("report.scope.all")


def period_label(t: Translator, tally: Tally) -> str:
    period = tally.period
    if period.first == period.last:
        return t.weekday_date(period.first)
    return t("report.range", first=t.date(period.first), last=t.date(period.last))


def _figures(t: Translator, counts: Counts, tally: Tally) -> list[str]:
    if counts.shifts == 0:
        if tally.score.value is None:
            return [t("report.figures.no_shifts")]
        # Scored on its checks or orders alone, as its ranking line is: the same score here.
        return [
            t("report.figures.no_shifts"),
            t("report.figures.score", score=grade_text(t, tally.score)),
            *_score_parts(t, counts, tally),
        ]
    return [
        t(
            "report.figures.shifts",
            shifts=t("report.count.shifts", count=counts.shifts),
            seats=t("report.count.seats", count=counts.seats),
            filled=counts.filled,
        ),
        t(
            "report.figures.attendance",
            checked_in=counts.checked_in,
            on_time=counts.on_time,
            late=counts.late,
            absent=counts.absent,
            left_early=counts.left_early,
        ),
        t(
            "report.figures.rates",
            rate=percent(t, counts.on_post_rate),
            punctuality=percent(t, counts.punctuality),
            hours=t("report.count.hours", count=number(t, counts.hours)),
        ),
        *_rota(t, counts),
        t("report.figures.score", score=grade_text(t, tally.score)),
        *_score_parts(t, counts, tally),
    ]


def _rota(t: Translator, counts: Counts) -> list[str]:
    """Assigned and volunteered seats, acknowledgment and leave, when there was assigned duty."""
    if not counts.assigned and not counts.leaves:
        return []
    return [
        t(
            "report.figures.rota",
            assigned=counts.assigned,
            volunteered=counts.volunteered,
            acknowledged=percent(t, counts.acknowledgment_rate),
            leaves=counts.leaves,
        )
    ]


def _score_parts(t: Translator, counts: Counts, tally: Tally) -> list[str]:
    """What the unit score is made of, when checks or orders count in it."""
    oversight = tally.oversight
    if oversight is None:
        return []
    figures = oversight.totals
    if figures.inspection_score is None and figures.order_score is None:
        return []
    del counts
    return [
        t(
            "report.figures.score_parts",
            attendance=_score_value(t, tally.attendance),
            checks=_value(t, figures.inspection_score),
            orders=_value(t, figures.order_score),
        )
    ]


def _score_value(t: Translator, result: Score | None) -> str:
    return _value(t, result.value if result is not None else None)


def _value(t: Translator, value: float | None) -> str:
    return number(t, round(value, 1)) if value is not None else "—"


def _change(t: Translator, tally: Tally) -> list[str]:
    previous, period = tally.previous, tally.previous_period
    if previous is None or period is None:
        return []
    now = tally.totals
    if not now.shifts and not previous.shifts:
        return []  # nothing scheduled in either: nothing to compare
    return [
        t(
            "report.change",
            first=t.date(period.first),
            last=t.date(period.last),
            rate=points(t, previous.on_post_rate, now.on_post_rate),
            punctuality=points(t, previous.punctuality, now.punctuality),
            hours=signed_number(t, now.hours - previous.hours),
            absent=f"{now.absent - previous.absent:+d}",
        )
    ]


def _uncovered(t: Translator, tally: Tally) -> list[str]:
    if not tally.uncovered:
        return []
    lines = [t("report.uncovered.header", count=tally.totals.uncovered)]
    for item in tally.uncovered:
        day = (
            "" if tally.period.first == tally.period.last else t.weekday_date(item.starts_at) + " "
        )
        lines.append(
            t(
                "report.uncovered.line",
                post=item.post,
                unit=item.unit,
                when=day
                + t(
                    "report.time_range",
                    start=t.time(item.starts_at),
                    end=t.end_time(item.starts_at, item.ends_at),
                ),
            )
        )
    if tally.totals.uncovered > len(tally.uncovered):
        lines.append(t("report.more", count=tally.totals.uncovered - len(tally.uncovered)))
    return lines


def _anomaly_line(t: Translator, item: Anomaly, with_day: bool) -> str:
    when = (t.weekday_date(item.at) + " " if with_day else "") + t.time(item.at)
    if item.left_early:
        return t("report.anomaly.left_early", when=when, member=item.member, post=item.post)
    if item.left_post:
        return t("report.anomaly.left_post", when=when, member=item.member, post=item.post)
    if item.distance_m is not None and item.flagged:
        key = "report.anomaly.far_flagged"
    elif item.distance_m is not None:
        key = "report.anomaly.far"
    else:
        key = "report.anomaly.flagged"
    return t(
        key,
        when=when,
        member=item.member,
        post=item.post,
        distance=number(t, round(item.distance_m or 0)),
    )


def _anomalies(t: Translator, tally: Tally) -> list[str]:
    counts = tally.totals
    if not (counts.far or counts.flagged or counts.left_early or counts.left_post):
        if not counts.checked_in:
            return []
        # These are the check-ins' own anomalies: under a check's discrepancy with them (listed
        # above), a bare "no anomalies" would read as a contradiction.
        if tally.oversight is not None and tally.oversight.discrepancies:
            return [t("report.anomalies.none_beside_checks")]
        return [t("report.anomalies.none")]
    with_day = tally.period.first != tally.period.last
    lines = [
        t(
            "report.anomalies.header",
            far=counts.far,
            flagged=counts.flagged,
            left_early=counts.left_early,
            left_post=counts.left_post,
        )
    ]
    lines += [_anomaly_line(t, item, with_day) for item in tally.anomalies]
    if tally.anomalies_cut:
        lines.append(t("report.first_only", count=len(tally.anomalies)))
    return lines


def _top(t: Translator, tally: Tally) -> list[str]:
    if not tally.top:
        return []
    lines = [t("report.top.header")]
    lines += [
        t(
            "report.top.line",
            rank=rank,
            name=volunteer.name,
            unit=t("common.list_separator").join(volunteer.units),
            shifts=volunteer.shifts,
            hours=number(t, volunteer.minutes / 60),
        )
        for rank, volunteer in enumerate(tally.top, start=1)
    ]
    return lines


def _row_line(t: Translator, rank: int, row: Row) -> str:
    counts = row.counts
    if counts.seats == 0 and row.score.value is None:
        return t("report.row.idle", rank=rank, name=row.name)
    if counts.seats == 0:
        # Scored and ranked on its checks and orders alone: the line says so, with the score.
        line = t("report.row.unscheduled", rank=rank, name=row.name, score=grade_text(t, row.score))
    else:
        line = t(
            "report.row",
            rank=rank,
            name=row.name,
            score=grade_text(t, row.score),
            rate=percent(t, counts.on_post_rate),
            on_time=counts.on_time,
            checked_in=counts.checked_in,
            absent=counts.absent,
        )
    line += _oversight_row(t, row.oversight)
    previous = row.previous_score
    if previous is not None and row.score.value is not None:
        if previous.value is None:
            # Scored now and not in the period before (no shifts then, say): new on the ranking.
            line += t("report.row.new")
        else:
            change = signed(round(row.score.value - previous.value, 1))
            line += t("report.row.change", change=change)
    return line


def _ranking(t: Translator, tally: Tally) -> list[str]:
    if not tally.rows:
        return []
    lines = [t("report.ranking.units" if tally.by_unit else "report.ranking.posts")]
    lines += [
        _row_line(t, rank, row) for rank, row in zip(places(tally.rows), tally.rows, strict=True)
    ]
    return lines


# -- oversight ----------------------------------------------------------------------------


def _kinds(t: Translator, figures: Figures) -> str:
    return t("common.list_separator").join(
        t("report.oversight.kind", kind=t(f"oversight.kind.{kind.value}"), number=count)
        for kind in CheckKind
        if (count := figures.by_kind.get(kind, 0))
    )


def _oversight(
    t: Translator, figures: Figures, discrepancies: list[Discrepancy], *, with_day: bool
) -> list[str]:
    """The section of a tally or report; empty when the period had no oversight at all."""
    if not (figures.checks or figures.reports or figures.issued or figures.due or figures.open):
        return []
    lines = [t("report.oversight.header")]
    if figures.checks:
        score = figures.inspection_score
        lines.append(
            t(
                "report.oversight.checks",
                count=figures.checks,
                kinds=_kinds(t, figures),
                score=number(t, round(score, 1)) if score is not None else "—",
                discrepancies=figures.discrepancies,
            )
        )
    else:
        lines.append(t("report.oversight.no_checks"))
    if figures.reports:
        lines.append(
            t("report.oversight.reports", count=figures.reports, routed=figures.reports_routed)
        )
    if figures.issued or figures.due or figures.open:
        median = figures.median_fix_hours
        lines.append(
            t(
                "report.oversight.orders",
                count=figures.issued,
                replied=figures.replied,
                on_time=figures.replied_on_time,
                overdue=figures.overdue,
                open=figures.open,
            )
        )
        lines.append(
            t(
                "report.oversight.rates",
                reply_rate=percent(t, figures.reply_rate),
                on_time_rate=percent(t, figures.on_time_rate),
                due=figures.due,
                median=number(t, round(median, 1)) if median is not None else "—",
            )
        )
    if discrepancies:
        lines.append(t("report.oversight.discrepancies", count=figures.discrepancies))
        for item in discrepancies:
            when = (t.weekday_date(item.at) + " " if with_day else "") + t.time(item.at)
            lines.append(
                t(
                    "report.oversight.discrepancy",
                    when=when,
                    post=item.post,
                    unit=item.unit,
                    checked_in=item.checked_in,
                    count=item.seen,
                    names=t("common.list_separator").join(item.names) or "-",
                )
            )
        if figures.discrepancies > len(discrepancies):
            lines.append(t("report.first_only", count=len(discrepancies)))
    return lines


def _oversight_row(t: Translator, figures: Figures | None) -> str:
    """What a line of the ranking adds: the unit's check score and reply rate."""
    if figures is None or not (figures.checks or figures.issued):
        return ""
    score = figures.inspection_score
    return t(
        "report.oversight.row",
        score=number(t, round(score, 1)) if score is not None else "—",
        reply_rate=percent(t, figures.reply_rate),
    )


def _open_orders(t: Translator, lines: list[UnitLine]) -> list[str]:
    """The bulletin's rectification orders still open, by unit."""
    if not lines:
        return [t("report.oversight.open_none")]
    total = sum(line.open for line in lines)
    result = [t("report.oversight.open_header", count=total)]
    result += [
        t("report.oversight.open_line", unit=line.unit, count=line.open, overdue=line.overdue)
        for line in lines
    ]
    return result


def _oversight_sections(t: Translator, tally: Tally, kind: ReportKind) -> list[list[str]]:
    oversight = tally.oversight
    if oversight is None:
        return []
    with_day = tally.period.first != tally.period.last
    sections = [_oversight(t, oversight.totals, oversight.discrepancies, with_day=with_day)]
    if kind is not ReportKind.DAILY and tally.by_unit:
        # The headquarters bulletin (通报): the ranking above, and what each unit still owes.
        sections.append(_open_orders(t, oversight.open_orders))
    return sections


def render(t: Translator, tally: Tally, kind: ReportKind, *, late: bool = False) -> list[str]:
    """The report as one or more messages, each within Telegram's 4096 characters."""
    sections: list[list[str]] = [
        [
            t(f"report.header.{kind}", scope=scope_name(t, tally), period=period_label(t, tally)),
            *([t("report.late")] if late else []),
            *_figures(t, tally.totals, tally),
            *_change(t, tally),
        ],
        _ranking(t, tally),
        *_oversight_sections(t, tally, kind),
        _uncovered(t, tally),
        _anomalies(t, tally),
        _top(t, tally),
    ]
    text = "\n\n".join("\n".join(lines) for lines in sections if lines)
    return split_message(text)


def utf16_len(text: str) -> int:
    """Telegram measures a text in UTF-16 code units: an emoji such as 📈 counts two."""
    return len(text.encode("utf-16-le")) // 2


def _head(line: str, limit: int) -> tuple[str, str]:
    """The longest start of `line` within `limit` UTF-16 units, and the rest."""
    size = 0
    for index, char in enumerate(line):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            return line[:index], line[index:]
    return line, ""


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut at line breaks (a single over-long line at the limit) so that each part fits, as
    Telegram counts (UTF-16 code units)."""
    parts: list[str] = []
    current, current_size = "", 0
    for line in text.split("\n"):
        size = utf16_len(line)
        while size > limit:
            if current:
                parts.append(current)
                current, current_size = "", 0
            head, line = _head(line, limit)
            parts.append(head)
            size = utf16_len(line)
        if not current:
            current, current_size = line, size
        elif current_size + 1 + size > limit:
            parts.append(current)
            current, current_size = line, size
        else:
            current, current_size = f"{current}\n{line}", current_size + 1 + size
    if current.strip():
        parts.append(current)
    return [part.strip("\n") for part in parts if part.strip()]


def hours_rank_line(t: Translator, rank: HoursRank) -> str:
    """The line /hours adds: this month's place within the unit. The hours themselves are the
    line above it, written as /hours writes them (1 小时 48 分钟), not again in decimals."""
    if rank.rank is None:
        return t("report.hours_rank_none", unit=rank.unit)
    return t("report.hours_rank", unit=rank.unit, rank=rank.rank, total=rank.total)
