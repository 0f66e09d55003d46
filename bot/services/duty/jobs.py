"""What the scheduler tick asks about check-ins (``bot/due.py``): people who left their post,
the check-out reminder at the end, forgotten check-outs, and people who never came. (The waits
on a live location, at the check-in's opening and at their end, are `live_wait`'s.)

Each derives its work from the database at ``now`` and keys its messages by the occasion, so a
tick that runs twice or late neither repeats nor skips anything."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import CheckOut, OnPost
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    CheckoutKind,
    Dialogue,
    DialogueKind,
    LocationSample,
    Shift,
    ShiftStatus,
)
from bot.i18n import Translator
from bot.services.duty import checkin_dialogue, noshow
from bot.services.duty.checkin_shifts import window_opens
from bot.services.duty.checkin_text import distance, duration, minutes_between
from bot.services.duty.checkout import asked_to_leave, close, close_unserved, for_duty
from bot.services.duty.presence import away_since, note_left_post
from bot.services.platform import outbox
from bot.services.platform.notify import Render, notify
from bot.services.schedule import seat_scan
from bot.settings import Settings


def _left_post(checkin: CheckIn, far: float | None, away: int) -> Render:
    def render(t: Translator) -> outbox.Message:
        text = t(
            "checkin.left_post.ask",
            post=checkin.assignment.shift.post.name,
            distance=distance(t, far or checkin.distance_m),
            minutes=away,
        )
        buttons = [
            [
                (t("checkin.button.on_post"), OnPost(checkin.id)),
                (t("checkin.button.checkout"), CheckOut(checkin.id)),
            ]
        ]
        return outbox.payload(text, buttons=buttons)

    return render


def _end_reminder(checkin: CheckIn, grace: dt.timedelta) -> Render:
    shift = checkin.assignment.shift

    def render(t: Translator) -> outbox.Message:
        text = t(
            "checkin.end_reminder",
            post=shift.post.name,
            end=t.end_time(shift.starts_at, shift.ends_at),
        )
        buttons = [[(t("checkin.button.checkout"), CheckOut(checkin.id))]]
        return outbox.payload(text, buttons=buttons, expires_at=shift.ends_at + grace)

    return render


def _reason_reminder(checkin: CheckIn, left: dt.datetime, grace: dt.timedelta) -> Render:
    """In place of the end's reminder for one who sent an early /checkout at `left` and has
    not given its reason: they checked out, only the reason is missing, and when it is closed
    without one."""
    closes = checkin.assignment.shift.ends_at + grace

    def render(t: Translator) -> outbox.Message:
        text = t("checkout.reason_reminder", time=t.time(left), closes=t.time(closes))
        return outbox.payload(text, expires_at=closes)

    return render


def _auto_checked_out(checkin: CheckIn, left: dt.datetime | None = None) -> Render:
    """The automatic check-out's notice; `left`: closed at the early /checkout sent then, whose
    reason never came."""
    shift = checkin.assignment.shift

    def render(t: Translator) -> outbox.Message:
        hours = duration(t, checkin.credited_minutes or 0)
        if left is not None:
            text = t(
                "checkin.auto_checkout_early",
                post=shift.post.name,
                time=t.time(left),
                hours=hours,
            )
            return outbox.payload(text)
        text = t(
            "checkin.auto_checkout",
            post=shift.post.name,
            end=t.end_time(shift.starts_at, shift.ends_at),
            hours=hours,
        )
        return outbox.payload(text)

    return render


async def left_post_alerts(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """Ask, gently, whoever has been outside their post's geofence for LEFT_POST_ALERT_MIN
    whether they are still on post: once per time they left. Not one whose early /checkout
    waits for its reason: she left when she sent it, and walking off is no leaving of the post
    (nor counted as one)."""
    threshold = now - dt.timedelta(minutes=settings.left_post_alert_min)
    checkins = await session.scalars(
        select(CheckIn)
        .join(Assignment, CheckIn.assignment_id == Assignment.id)
        .join(Shift, Assignment.shift_id == Shift.id)
        .where(
            CheckIn.checked_out_at.is_(None),
            CheckIn.outside_since.is_not(None),
            CheckIn.outside_since <= threshold,
            Shift.ends_at > now,
        )
    )
    # Judged here, not in the statements of these jobs: with these conditions there SQLite
    # starts from the seats instead of the index of open check-ins, and the rows are few.
    on_duty = [checkin for checkin in checkins if for_duty(checkin)]
    # Read for all at once: an early /checkout whose reason is still asked for.
    asked = await asked_to_leave(session, on_duty)
    queued = 0
    for checkin in on_duty:
        assert checkin.outside_since is not None
        # Away as long before the shift's start is not away from it (`away_since`).
        away = away_since(checkin)
        if checkin.id in asked or away is None or away > threshold:
            continue
        note_left_post(checkin, now, settings)
        latest = await session.scalar(
            select(LocationSample.distance_m)
            .where(LocationSample.checkin_id == checkin.id)
            .order_by(LocationSample.recorded_at.desc(), LocationSample.id.desc())
            .limit(1)
        )
        queued += await notify(
            session,
            checkin.assignment.member,
            _left_post(checkin, latest, minutes_between(away, now)),
            key=f"checkin:{checkin.id}:left:{int(checkin.outside_since.timestamp())}",
            now=now,
            settings=settings,
            urgent=True,
        )
    return queued


async def checkout_reminders(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """At the end of the shift, whoever is still checked in is reminded to check out, with the
    button; due until the automatic check-out closes it instead. One whose early /checkout
    waits for its reason has checked out: reminded of the reason instead, with no button."""
    grace = dt.timedelta(minutes=settings.auto_checkout_after_min)
    checkins = await session.scalars(
        select(CheckIn)
        .join(Assignment, CheckIn.assignment_id == Assignment.id)
        .join(Shift, Assignment.shift_id == Shift.id)
        .where(
            CheckIn.checked_out_at.is_(None),
            Shift.ends_at <= now,
            Shift.ends_at > now - grace,
        )
    )
    on_duty = [checkin for checkin in checkins if for_duty(checkin)]
    # Read for all at once: an early /checkout whose reason is still asked for.
    asked = await asked_to_leave(session, on_duty)
    queued = 0
    for checkin in on_duty:
        left = asked.get(checkin.id)
        # Each reminder under its own key: one reminded of the reason who then /cancel-s the
        # question is still on post, and is owed the check-out reminder too.
        queued += await notify(
            session,
            checkin.assignment.member,
            _end_reminder(checkin, grace)
            if left is None
            else _reason_reminder(checkin, left, grace),
            key=f"checkin:{checkin.id}:end" if left is None else f"checkin:{checkin.id}:end:reason",
            now=now,
            settings=settings,
            # The person is on post right now, whatever the hour.
            urgent=True,
        )
    return queued


async def auto_checkout(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """Close check-outs forgotten AUTO_CHECKOUT_AFTER_MIN after the shift's end, credited up to
    the end, and tell the volunteer. A check-in that is for no duty (``for_duty``) is closed
    too, silently and with no hours: otherwise it would stay open for ever, and /checkout after
    the shift's end would credit her for a shift nobody served."""
    cutoff = now - dt.timedelta(minutes=settings.auto_checkout_after_min)
    checkins = await session.scalars(
        select(CheckIn)
        .join(Assignment, CheckIn.assignment_id == Assignment.id)
        .join(Shift, Assignment.shift_id == Shift.id)
        .where(CheckIn.checked_out_at.is_(None), Shift.ends_at <= cutoff)
    )
    forgotten = list(checkins)
    # Read for all at once: an early /checkout whose reason never came.
    asked = await asked_to_leave(session, [checkin for checkin in forgotten if for_duty(checkin)])
    queued = 0
    for checkin in forgotten:
        shift = checkin.assignment.shift
        if not for_duty(checkin):
            # Closed as of the shift's start: nothing after it was duty.
            await close_unserved(session, checkin, shift.starts_at)
            continue
        member = checkin.assignment.member
        left = asked.get(checkin.id)
        if left is not None and left < shift.ends_at:
            # An early /checkout whose reason never came: they left when they sent it.
            closed = await close(session, checkin, left, CheckoutKind.EARLY, now)
        else:
            left = None
            closed = await close(session, checkin, shift.ends_at, CheckoutKind.AUTO, now)
        if not closed:
            continue  # checked out by hand since it was read: that reply said so
        queued += await notify(
            session,
            member,
            _auto_checked_out(checkin, left),
            key=f"checkin:{checkin.id}:auto",
            now=now,
            settings=settings,
        )
    return queued


async def mark_absent(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """No check-in ABSENT_AFTER_MIN after the start: the assignment counts as absent (the
    no-show rule and the reports read it), the volunteer is asked whether they are coming and
    the coordinators are told. Turning up later still checks in, marked late.

    A seat whose holder has updates stored and not yet handled (after an outage or a crash) is
    not judged yet: her location and photo may be among them, and count when they were sent
    (bot/services/duty/sent.py). Those still in Telegram's queue are the scheduler's part: it
    runs this job only once the bot has received its backlog (bot/due.py)."""
    cutoff = now - dt.timedelta(minutes=settings.absent_after_min)
    # The seats still held are few (upcoming ones and those just started) beside a year of past
    # shifts, and two things let the database find them without reading that history: the
    # partial index of held seats, and a bound that follows from it, since no shift older than
    # the oldest one with a held seat can have one. PostgreSQL can use both only in a plan made
    # for the values themselves, not in the generic plan of a prepared statement (asyncpg
    # prepares every statement, and after five runs may keep a generic plan, which here read
    # every past shift through the index on start times: 70-80 ms a tick after a year of 2,000
    # posts, against 9 ms). Hence the status and the cutoff inline, not as parameters.
    held = Assignment.status == literal(
        AssignmentStatus.SIGNED_UP, Assignment.status.type, literal_execute=True
    )
    oldest_held = select(func.min(Assignment.shift_id)).where(held).scalar_subquery()
    started = Shift.starts_at <= literal(cutoff, Shift.starts_at.type, literal_execute=True)
    # Read in the same statement.
    waiting = seat_scan.waiting_members()
    assignments = await session.scalars(
        select(Assignment)
        .join(Shift, Assignment.shift_id == Shift.id)
        .where(
            held,
            Shift.id >= oldest_held,
            Shift.status == ShiftStatus.SCHEDULED,
            started,
            ~select(CheckIn.id).where(CheckIn.assignment_id == Assignment.id).exists(),
            Assignment.member_id.not_in(waiting),
        )
    )
    found = list(assignments.unique())
    on_post = await _photo_awaited(session, found, now, settings)
    found = [assignment for assignment in found if assignment.id not in on_post]
    if not found:
        return 0
    # Marked only where still true when written: a seat read above may have been checked in
    # late or taken off the shift by another chat since, and neither is overwritten or asked
    # about. RETURNING names the seats marked, and "fetch" updates their objects to match.
    marked = set(
        await session.scalars(
            update(Assignment)
            .where(
                Assignment.id.in_([assignment.id for assignment in found]),
                Assignment.status == AssignmentStatus.SIGNED_UP,
                ~select(CheckIn.id).where(CheckIn.assignment_id == Assignment.id).exists(),
            )
            .values(status=AssignmentStatus.ABSENT, updated_at=now)
            .returning(Assignment.id)
            .execution_options(synchronize_session="fetch")
        )
    )
    absent = [assignment for assignment in found if assignment.id in marked]
    return await noshow.escalate(session, absent, now, settings)


async def _photo_awaited(
    session: AsyncSession, found: list[Assignment], now: dt.datetime, settings: Settings
) -> set[int]:
    """The seats among `found` whose holder is checking in: the location is in, on post, and
    the photo (or which shift it is for) is on its way. Not judged yet: she is on post, and a
    🚨 would send the coordinator looking for a replacement. Only while that location still
    says where she is (`checkin_dialogue.fresh`), and only until the shift's end: a photo that
    never comes leaves her marked absent at a later tick, at the latest then, when no photo can
    check her in any more (a live location shared "until I turn it off" stays fresh for ever)."""
    if not found:
        return set()
    holders = {assignment.member.telegram_id for assignment in found}
    dialogues = {
        dialogue.telegram_id: dialogue
        for dialogue in await session.scalars(
            select(Dialogue).where(
                Dialogue.telegram_id.in_(sorted(holders)),
                Dialogue.kind == DialogueKind.CHECKIN,
            )
        )
    }
    awaited: set[int] = set()
    for assignment in found:
        if assignment.shift.ends_at <= now:
            continue
        dialogue = dialogues.get(assignment.member.telegram_id)
        if dialogue is None or not checkin_dialogue.fresh(dialogue, now):
            continue
        opens = window_opens(assignment.shift.starts_at, settings)
        if checkin_dialogue.has_location(dialogue, assignment.id, opens):
            awaited.add(assignment.id)
    return awaited
