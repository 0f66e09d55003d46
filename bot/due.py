"""The one table of work the scheduler tick asks the database for (DESIGN principle 4).

Each entry is a service function `run(session, now, settings) -> int` that finds what is due at
`now` and enqueues it to the outbox under keys unique to the occasion (a reminder key names the
shift, the member and the lead), so a tick that runs twice, a second process or a restart after
downtime never sends twice and never skips. It returns how many messages it queued. The tick
runs each entry in its own transaction, in the order of this table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.db.engine import Database
from bot.services.duty import jobs as checkin_jobs
from bot.services.duty import presence, reminders
from bot.services.duty.live_wait import end as live_wait_end
from bot.services.duty.live_wait import opening as live_wait_opening
from bot.services.oversight import order_jobs
from bot.services.platform import outbox_purge
from bot.services.reports import jobs as report_jobs
from bot.services.rostering import acknowledge, leave, leave_ends
from bot.services.schedule import broadcast_progress, understaffed, waitlist
from bot.services.swaps import jobs as swap_jobs
from bot.settings import Settings

DueFunction = Callable[[AsyncSession, dt.datetime, Settings], Awaitable[int]]
# A job that reads much (a report) opens its own transactions: it reads on a read-only
# snapshot and writes briefly, so it never holds SQLite's write lock while it reads.
SessionsDueFunction = Callable[[Database, dt.datetime, Settings], Awaitable[int]]


@dataclass(frozen=True)
class DueJob:
    name: str
    run: DueFunction | None = None
    run_with_db: SessionsDueFunction | None = None
    # Judges from what people have not sent: held until the bot has received the updates
    # that waited for it while it was down (bot/scheduler.py), lest they prove the opposite.
    after_backlog: bool = False


# A group's scheduled report that failed, counted for /metrics (services do not import it).
_counted = metrics.scheduled_report_failed

# Features add one row each.
DUE_JOBS: tuple[DueJob, ...] = (
    DueJob("understaffed_alert", understaffed.alert),
    DueJob("broadcast_progress", broadcast_progress.report_progress),
    # reminders before the shift (issue 5)
    DueJob("reminders.shift", reminders.shift_reminders),
    # A live location shared before the check-in opened is taken at the opening before the
    # "check-in is open" notice, which it makes needless (the volunteer is told what comes
    # next instead); and before the end of the waits: one taken is not told it ended.
    DueJob("checkin.live_waits_open", live_wait_opening.live_waits_open),
    # "Check-in is open, send your location" asks for what someone may have sent while the
    # bot was down: it waits for those updates too.
    DueJob("reminders.checkin_open", reminders.checkin_open, after_backlog=True),
    # "You have not checked in" judges from what people have not sent, as the no-show does.
    DueJob("reminders.late", reminders.late_nudges, after_backlog=True),
    DueJob("waitlist.lapsed", waitlist.lapsed_notices),
    # check-in (issue 4) and no-show escalation (issue 5)
    DueJob("checkin.live_waits_over", live_wait_end.live_waits_over),
    DueJob("checkin.mark_absent", checkin_jobs.mark_absent, after_backlog=True),
    DueJob("checkin.left_post_alerts", checkin_jobs.left_post_alerts),
    DueJob("checkin.checkout_reminders", checkin_jobs.checkout_reminders),
    DueJob("checkin.auto_checkout", checkin_jobs.auto_checkout),
    DueJob("checkin.forget_tracks", presence.forget_tracks),
    # reports (issue 6)
    DueJob("daily_tallies", run_with_db=partial(report_jobs.daily_tallies, failed=_counted)),
    DueJob("weekly_reports", run_with_db=partial(report_jobs.weekly_reports, failed=_counted)),
    DueJob("monthly_reports", run_with_db=partial(report_jobs.monthly_reports, failed=_counted)),
    # shift swaps (issue 7)
    DueJob("swaps.void_orphans", swap_jobs.void_orphans),
    DueJob("swaps.expire", swap_jobs.expire),
    # a swap whose unit's coordinators all blocked the bot once asked goes to the admins
    DueJob("swaps.ask_admins", swap_jobs.ask_admins_instead),
    # assigned duty (issue 17)
    DueJob("rostering.ack_reminders", acknowledge.reminders),
    DueJob("rostering.evening_lists", acknowledge.evening_lists),
    DueJob("rostering.leave_ends", leave_ends.end_undecided),
    # leave whose unit's coordinators all blocked the bot once asked goes to the admins
    DueJob("rostering.leave_to_admins", leave.ask_admins_if_unread),
    # rectification orders (issue 16)
    DueJob("orders.publish_held", order_jobs.publish_held),
    DueJob("orders.ack_reminders", order_jobs.ack_reminders),
    DueJob("orders.deadline_reminders", order_jobs.deadline_reminders),
    DueJob("orders.escalate", order_jobs.escalate),
    DueJob("orders.follow_ups", order_jobs.follow_ups),
    # housekeeping: what the outbox delivered, once no key of it can be asked for again
    DueJob("outbox.purge", outbox_purge.purge),
)
