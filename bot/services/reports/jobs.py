"""Scheduled reports to bound groups (DueJobs): the daily tally at SUMMARY_TIME, the weekly
report on Mondays and the monthly report on the 1st at REPORT_TIME; none to the group of an
archived unit.

Each is due from its time until the end of that local day (or, for a time near midnight,
until the first tick after it), under outbox keys naming the group
and the occasion: a tick that runs twice finds the key and does nothing, and a bot that was down
at the time sends it when it is back the same day, marked as late.

A report of a month over a city reads for seconds: it is read on a read-only snapshot, which
never holds SQLite's write lock (DESIGN "Storage"), and only queued in a short write
transaction, one group at a time. Each group is on its own: one whose report fails to be drawn
or queued is tried again on the next tick, and the groups after it get theirs; the failure is
logged with its traceback and told to `failed` (the tick counts it for /metrics) once per group
and occasion, not every tick.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database
from bot.db.models import BoundGroup, OutboxMessage, Unit
from bot.i18n import Translator
from bot.services.people import groups
from bot.services.platform import outbox
from bot.services.reports import periods
from bot.services.reports.delivery import render_report, save_chart, scheduled_period
from bot.services.reports.photo_wall import photos
from bot.services.reports.report_text import ReportKind
from bot.services.reports.tally import compute
from bot.settings import Settings

log = logging.getLogger(__name__)

# Sent within this long of its time (and of the first tick after it), a report is on time;
# later it says it was sent late.
LATE_AFTER = dt.timedelta(minutes=10)
# SUMMARY_PHOTO_WALL: one album (Telegram's most) of the day's first check-in photos.
PHOTO_WALL_SIZE = 10


@dataclass(frozen=True)
class Occasion:
    kind: ReportKind
    day: dt.date
    due_at: dt.datetime

    def key(self, chat_id: int) -> str:
        """Names the group and the period covered: tally:<chat>:2026-12-01,
        week:<chat>:<its Monday>, month:<chat>:2026-12."""
        covered = scheduled_period(self.kind, self.day)[0].first
        if self.kind is ReportKind.DAILY:
            return f"tally:{chat_id}:{covered.isoformat()}"
        if self.kind is ReportKind.WEEKLY:
            return f"week:{chat_id}:{covered.isoformat()}"
        return f"month:{chat_id}:{covered.strftime('%Y-%m')}"


def _occasion(kind: ReportKind, now: dt.datetime, settings: Settings) -> Occasion | None:
    """The occasion of this kind due at `now`, else None: today's from its time on, or
    yesterday's within `late_after` of its time (SUMMARY_TIME 23:55 with a 15-minute tick: a
    running bot first ticks after it at 00:05, and the day that has just ended still gets its
    tally; one down over it until later is not sent the next day)."""
    zone = settings.zone
    today = periods.local_today(now, zone)
    at = settings.summary_time if kind is ReportKind.DAILY else settings.report_time
    for day in (today, today - dt.timedelta(days=1)):
        if kind is ReportKind.WEEKLY and day.weekday() != 0:
            continue
        if kind is ReportKind.MONTHLY and day.day != 1:
            continue
        due_at = dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)
        if now < due_at or (day != today and now - due_at > late_after(settings)):
            continue
        return Occasion(kind, day, due_at)
    return None


# Told the kind of a report a group did not get (once per group and occasion); the tick table
# counts it for /metrics, which services do not import.
FailureCounter = Callable[[str], None]


def late_after(settings: Settings) -> dt.timedelta:
    """How long after its time a report still goes out unmarked: a running bot reaches it at
    the first tick after its time, up to SCHEDULER_TICK_SECONDS later, so only a report later
    than that and LATE_AFTER says the bot was not running at its time."""
    return LATE_AFTER + dt.timedelta(seconds=settings.scheduler_tick_seconds)


def _not_counted(kind: str) -> None:
    del kind


async def _send_due(
    db: Database,
    kind: ReportKind,
    now: dt.datetime,
    settings: Settings,
    failed: FailureCounter,
) -> int:
    occasion = _occasion(kind, now, settings)
    if occasion is None:
        return 0
    async with db.read_session() as session:
        # A unit that left the campaign (archived) reports nothing: its group, still bound for
        # its history, gets no tally and no report until the unit is restored.
        archived = set(await session.scalars(select(Unit.id).where(Unit.archived.is_(True))))
        bound = [
            group
            for group in await groups.all_bound(session)
            if group.bound_at <= occasion.due_at and group.unit_id not in archived
        ]
        if not bound:
            return 0
        sent_keys = set(
            await session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.idempotency_key.in_([occasion.key(g.chat_id) for g in bound])
                )
            )
        )
    queued = 0
    for group in bound:
        if occasion.key(group.chat_id) in sent_keys:
            continue
        # Each group is on its own: one whose report cannot be drawn or queued (a row the bot
        # cannot render for) is logged and tried again on the next tick, and the groups after
        # it still get theirs. A group Telegram refuses is the sender's (a gone chat).
        try:
            async with db.read_session() as session:
                messages = await _report_messages(session, group, occasion, now, settings)
            async with db.session() as session:
                queued += await _enqueue_report(session, group, occasion, messages, now)
        except Exception as error:
            _failed(occasion, group, error, failed)
    return queued


# The keys of the reports that failed today (this process's): a report tried again at every
# tick is logged with its traceback and counted once a group and occasion, then only at debug
# level. Forgotten when a day's occasion comes, so it holds one day's groups at most.
_FAILED: dict[str, dt.date] = {}


def _failed(
    occasion: Occasion, group: BoundGroup, error: Exception, failed: FailureCounter
) -> None:
    """Log (and count for /metrics) a group's report that failed, once per group and occasion;
    called in the `except` block that caught `error`."""
    for key, day in list(_FAILED.items()):
        if day != occasion.day:
            del _FAILED[key]
    key = occasion.key(group.chat_id)
    kind = occasion.kind.value
    if key in _FAILED:
        log.debug("%s report for group %s failed again: %r", kind, group.chat_id, error)
        return
    _FAILED[key] = occasion.day
    failed(kind)
    log.exception(
        "%s report for group %s failed; the other groups go on, and it is tried again at every "
        "tick until the day ends (logged once)",
        kind,
        group.chat_id,
    )


async def _report_messages(
    session: AsyncSession,
    group: BoundGroup,
    occasion: Occasion,
    now: dt.datetime,
    settings: Settings,
) -> list[outbox.Message]:
    """The report's messages for the group: its texts, the photo wall, the chart last."""
    period, previous = scheduled_period(occasion.kind, occasion.day)
    tally = await compute(
        session,
        unit_id=group.unit_id,
        period=period,
        now=now,
        settings=settings,
        previous_period=previous,
    )
    t = Translator(group.language, settings.zone)
    late = now - occasion.due_at > late_after(settings)
    rendered = await render_report(t, tally, occasion.kind, settings, late=late)
    key = occasion.key(group.chat_id)
    messages = [outbox.payload(text) for text in rendered.texts]
    if occasion.kind is ReportKind.DAILY and settings.summary_photo_wall:
        wall = await photos(session, period, settings, group.unit_id, PHOTO_WALL_SIZE)
        if len(wall) == 1:
            messages.append(outbox.payload(photo=wall[0]))
        elif wall:
            messages.append(outbox.payload(media=wall))
    if rendered.chart is not None:
        chart_path = await asyncio.to_thread(
            save_chart, settings, f"{key.replace(':', '-')}.png", rendered.chart
        )
        messages.append(outbox.payload(rendered.caption, photo_path=str(chart_path)))
    return messages


async def _enqueue_report(
    session: AsyncSession,
    group: BoundGroup,
    occasion: Occasion,
    messages: list[outbox.Message],
    now: dt.datetime,
) -> int:
    key = occasion.key(group.chat_id)
    queued = 0
    for index, body in enumerate(messages):
        part_key = key if index == 0 else f"{key}:{index + 1}"
        if body.photo_path:
            part_key = f"{key}:chart"
        elif body.media or body.photo:
            part_key = f"{key}:wall"
        body = dataclasses.replace(body, thread_id=group.thread_id)
        queued += await outbox.enqueue(
            session, key=part_key, chat_id=group.chat_id, body=body, now=now, batch=key
        )
    return queued


async def daily_tallies(
    db: Database, now: dt.datetime, settings: Settings, failed: FailureCounter = _not_counted
) -> int:
    return await _send_due(db, ReportKind.DAILY, now, settings, failed)


async def weekly_reports(
    db: Database, now: dt.datetime, settings: Settings, failed: FailureCounter = _not_counted
) -> int:
    return await _send_due(db, ReportKind.WEEKLY, now, settings, failed)


async def monthly_reports(
    db: Database, now: dt.datetime, settings: Settings, failed: FailureCounter = _not_counted
) -> int:
    return await _send_due(db, ReportKind.MONTHLY, now, settings, failed)
