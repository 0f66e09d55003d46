"""/hours: a volunteer's service hours."""

from __future__ import annotations

from bot.services.duty import checkout as checkout_service
from bot.services.duty.checkin_text import duration, moment
from bot.services.reports.hours_rank import month_rank
from bot.services.reports.report_text import hours_rank_line
from handlers.checkin_input import checkout_markup
from handlers.turn import Turn


async def show_hours(turn: Turn) -> None:
    """/hours: this month's and all-time hours, and this month's place within the unit."""
    member = turn.actor.require_member()
    summary = await checkout_service.hours(turn.session, member, turn.now, turn.runtime.settings)
    t = turn.t
    lines = [
        t("hours.header", name=member.display_name),
        t(
            "hours.month",
            hours=duration(t, summary.month_minutes),
            shifts=t("hours.shifts", count=summary.month_shifts),
        ),
        t(
            "hours.total",
            hours=duration(t, summary.total_minutes),
            shifts=t("hours.shifts", count=summary.total_shifts),
        ),
    ]
    rank = await month_rank(turn.session, member, turn.now, turn.runtime.settings)
    if rank is not None:
        lines.append(hours_rank_line(t, rank))
    markup = None
    if summary.on_post is not None:
        shift = summary.on_post.assignment.shift
        lines.append(
            t(
                "hours.on_post",
                post=shift.post.name,
                since=moment(t, summary.on_post.checked_in_at, turn.now),
            )
        )
        markup = checkout_markup(t, summary.on_post)
    turn.reply("\n".join(lines), markup)
