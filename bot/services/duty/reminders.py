"""What the scheduler tick tells a volunteer about their own shift before they are on post
(issue 5): reminders at each of REMINDER_LEADS, "check-in is open" at the window's opening, and
a nudge once they are late.

Each is derived from the assignments at ``now`` and keyed by the seat and the occasion, so a
tick that runs twice or two processes send nothing twice, and a bot that was down sends what
still makes sense when it is back: only the latest occasion whose time has come (a missed
12-hour reminder is not sent when the 30-minute one is already due), never one about a shift
that has started, and none for a seat taken after the reminder's time. Because the keys name
the seat (the assignment), the reminders follow whoever holds it now. Quiet hours defer a
reminder, never drop it; one they would defer past the start is sent at once instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Dialogue,
    DialogueKind,
    Member,
    Shift,
)
from bot.i18n import Translator
from bot.services.duty import checkin_dialogue
from bot.services.duty.checkin_shifts import window_opens
from bot.services.duty.checkin_text import duration, location_button, minutes_between
from bot.services.duty.live_wait import waits as live_waits
from bot.services.platform import outbox
from bot.services.platform.notify import translators
from bot.services.platform.outbox import Queued
from bot.services.platform.redraw import Subject
from bot.services.schedule import seat_scan, seats
from bot.services.schedule.deadlines import WayOut, way_out
from bot.services.schedule.shift_text import shift_label
from bot.settings import Settings

# A message about a shift starting within this long is urgent: quiet hours do not hold it back.
URGENT_WITHIN = dt.timedelta(hours=1)
# What a reminder says to someone who cannot come: what is still possible at that moment.
CANT_COME = {
    WayOut.CANCEL: "reminder.cant_come",
    WayOut.SWAP: "reminder.cant_come_swap",
    WayOut.COORDINATOR: "reminder.cant_come_coordinator",
}


def _minutes(value: int) -> dt.timedelta:
    return dt.timedelta(minutes=value)


def is_urgent(shift: Shift, now: dt.datetime, settings: Settings) -> bool:
    """A reminder about a shift starting within the hour is urgent, and so is one that the quiet
    hours would hold back until after the start: deferred, it would come too late."""
    if shift.starts_at - now <= URGENT_WITHIN:
        return True
    quiet_until = settings.quiet_until(now)
    return quiet_until is not None and quiet_until >= shift.starts_at


async def _enqueue_in_order(
    session: AsyncSession, messages: list[tuple[Queued, bool]], now: dt.datetime
) -> int:
    """Queue (message, urgent) pairs in bulk, keeping their order: one statement per run of
    equal urgency."""
    queued = 0
    run: list[Queued] = []
    for index, (message, urgent) in enumerate(messages):
        run.append(message)
        if index + 1 == len(messages) or messages[index + 1][1] != urgent:
            queued += await outbox.enqueue_many(session, run, now=now, urgent=urgent)
            run = []
    return queued


def _checkin_hint(t: Translator, settings: Settings) -> str:
    if settings.checkin_require_live_location:
        return t(
            "reminder.how_live_photo" if settings.checkin_require_photo else "reminder.how_live"
        )
    return t("reminder.how_photo") if settings.checkin_require_photo else t("reminder.how")


def _cant_come(
    t: Translator,
    shift: Shift,
    now: dt.datetime,
    settings: Settings,
    assigned: bool,
    leave_asked: bool = False,
) -> str:
    """What the holder may still do if they cannot come. An assigned seat is never cancelled
    (bot/services/rostering/leave.py): until swaps close its way out is leave; one whose leave
    is asked and not yet decided is told that it awaits the coordinator."""
    if leave_asked:
        return t("reminder.leave_pending")
    way = way_out(shift, now, settings)
    if assigned and way is not WayOut.COORDINATOR:
        return t("reminder.cant_come_leave")
    return t(CANT_COME[way])


def _reminder(
    t: Translator,
    shift: Shift,
    lead: int,
    now: dt.datetime,
    settings: Settings,
    *,
    assigned: bool,
    leave_asked: bool = False,
    sent_at: dt.datetime | None = None,
) -> tuple[outbox.Message, bool]:
    """The reminder of `lead` about `shift` queued at `now` to the holder of a seat (assigned
    or not), and whether it is urgent. What one who cannot come may still do is told as of
    `sent_at` (default `now`): a reminder the quiet hours held may arrive after a cut-off."""
    opening = settings.checkin_open_before_min
    left = duration(t, minutes_between(now, shift.starts_at))
    inside_window = lead < opening
    urgent = is_urgent(shift, now, settings)
    if urgent or settings.quiet_until(now) is None:
        text = t("reminder.upcoming", shift=shift_label(t, shift), left=left)
    else:
        # It waits for the quiet hours to end: "starts in 2 h" would be wrong by then.
        text = t("reminder.upcoming_deferred", shift=shift_label(t, shift))
    if inside_window:
        text = "\n".join((text, _checkin_hint(t, settings)))
    else:
        way_at = now if sent_at is None else max(now, sent_at)
        text = "\n".join((text, _cant_come(t, shift, way_at, settings, assigned, leave_asked)))
    body = outbox.payload(
        text,
        location_button=location_button(t, settings) if inside_window else None,
        expires_at=shift.starts_at,
    )
    return body, urgent


async def shift_reminders(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """The reminder of each lead in REMINDER_LEADS. A lead equal to CHECKIN_OPEN_BEFORE_MIN is
    said by the check-in notice instead, so nobody gets two messages at the same minute."""
    opening = settings.checkin_open_before_min
    queued = 0
    for lead in sorted(set(settings.reminder_leads), reverse=True):
        if lead == opening:
            continue
        # Due from its time until the next occasion's time: then that one speaks.
        following = _following(lead, settings)
        held = await seat_scan.seats_starting(
            session, now + _minutes(following), now + _minutes(lead), key=("remind:", f":{lead}")
        )
        wanted = [
            seat.assignment_id
            for seat in held
            # a seat taken after this reminder's time gets none
            if seat.updated_at <= seat.starts_at - _minutes(lead)
        ]
        messages: list[tuple[Queued, bool]] = []
        translator = translators(settings)
        # Everyone on a shift reads the same reminder in their language (one for assigned
        # seats, one for the others): rendered once.
        bodies: dict[tuple[str, int, bool, bool], tuple[outbox.Message, bool]] = {}
        asked = await seats.with_pending_leave(session, wanted)
        for due in await seat_scan.load(session, wanted):
            shift = due.shift
            t = translator(due.language)
            leave_asked = due.assignment_id in asked
            kind = (t.language, shift.id, due.assigned, leave_asked)
            if kind not in bodies:
                bodies[kind] = _reminder(
                    t, shift, lead, now, settings, assigned=due.assigned, leave_asked=leave_asked
                )
            body, urgent = bodies[kind]
            body = replace(body, redraw=outbox.Redraw(REMINDER, (due.assignment_id, lead)))
            key = seat_scan.reminder_key(due.assignment_id, lead)
            messages.append((Queued(key, due.chat_id, body), urgent))
        queued += await _enqueue_in_order(session, messages, now)
    return queued


REMINDER = "reminder"


def _following(lead: int, settings: Settings) -> int:
    """The lead (minutes before the start) of the occasion after the reminder of `lead`: the
    next reminder, or the check-in notice, or the start itself (0)."""
    boundaries = {*settings.reminder_leads, settings.checkin_open_before_min}
    return max((b for b in boundaries if b < lead), default=0)


async def redraw_reminders(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[outbox.Message | None]:
    """The reminders about to go out, drawn again as they were written when queued but with the
    seat as it is now: leave asked since (or decided since) changes what it says to one who
    cannot come, and so does a cut-off passed since (held by the quiet hours, say). None for a
    seat gone (its reminders are withdrawn with it; the backstop), and none once the next
    occasion's time has passed (the check-in notice, or a nearer reminder, has spoken since:
    a shift moved overnight to 07:20 opens its check-in at 06:50, and the reminder the quiet
    hours held until 07:00 would come after it)."""
    ids = [subject.args[0] for subject in subjects]
    found = {due.assignment_id: due for due in await seat_scan.load(session, ids)}
    asked = await seats.with_pending_leave(session, ids)
    translator = translators(settings)
    drawn: list[outbox.Message | None] = []
    for subject in subjects:
        assignment_id, lead = subject.args
        due = found.get(assignment_id)
        if due is None or now > due.shift.starts_at - _minutes(_following(lead, settings)):
            drawn.append(None)
            continue
        body, _ = _reminder(
            translator(due.language),
            due.shift,
            lead,
            subject.queued_at,
            settings,
            assigned=due.assigned,
            leave_asked=assignment_id in asked,
            sent_at=now,
        )
        drawn.append(replace(body, redraw=outbox.Redraw(REMINDER, subject.args)))
    return drawn


# The check-in-open notice and the late nudge: one kind of notice drawn again when it goes
# out, the second id naming which (its text and how long it holds).
PROMPT = "checkin-prompt"
OPEN_PROMPT, LATE_PROMPT = 0, 1


def _prompt(
    t: Translator, shift: Shift, which: int, queued_at: dt.datetime, settings: Settings
) -> tuple[str, dt.datetime]:
    """A prompt's text as of when it was queued, and until when it is worth sending: a
    check-in is refused once the shift is over, so a prompt then (a shift shorter than the late
    nudge's delay) would only send someone to a refusal."""
    if which == OPEN_PROMPT:
        opened = t(
            "reminder.checkin_open", shift=shift_label(t, shift), start=t.time(shift.starts_at)
        )
        text = "\n".join((opened, _checkin_hint(t, settings)))
        until = _minutes(settings.late_after_min)
    else:
        minutes = minutes_between(shift.starts_at, queued_at)
        text = t("reminder.late", shift=shift_label(t, shift), count=minutes)
        until = _minutes(settings.absent_after_min)
    return text, min(shift.starts_at + until, shift.ends_at)


async def _location_prompts(
    session: AsyncSession,
    held: list[seat_scan.Seat],
    now: dt.datetime,
    settings: Settings,
    *,
    key: str,
    which: int,
) -> int:
    """One urgent message to each seat's holder, with the button that shares their location,
    none to a holder told otherwise (`_told_otherwise`). Each is judged again when it goes
    out (`redraw_prompts`): one a tick queued and the outbox has not sent when the holder's
    location is answered would follow that answer and ask for what was just sent."""
    prompts = [(seat.assignment_id, which, now) for seat in held]
    drawn = await _drawn_prompts(session, prompts, now, settings)
    messages = [
        Queued(f"{key}:{assignment_id}", found[0], found[1])
        for (assignment_id, _, _), found in zip(prompts, drawn, strict=True)
        if found is not None
    ]
    return await outbox.enqueue_many(session, messages, now=now, urgent=True)


async def _drawn_prompts(
    session: AsyncSession,
    prompts: Sequence[tuple[int, int, dt.datetime]],
    now: dt.datetime,
    settings: Settings,
) -> list[tuple[int, outbox.Message] | None]:
    """Each (seat, which, queued at) prompt as it is to go now, with its chat; None where it
    is not to go: the seat is gone, its shift over, or its holder told otherwise."""
    ids = [assignment_id for assignment_id, _, _ in prompts]
    found = {due.assignment_id: due for due in await seat_scan.load(session, ids)}
    seen = await _as_now(session, ids)
    translator = translators(settings)
    drawn: list[tuple[int, outbox.Message] | None] = []
    for assignment_id, which, queued_at in prompts:
        due = found.get(assignment_id)
        if due is None or due.shift.ends_at <= now:
            drawn.append(None)
            continue
        opens = window_opens(due.shift.starts_at, settings)
        if _told_otherwise(seen.get(assignment_id), assignment_id, opens, now):
            drawn.append(None)
            continue
        t = translator(due.language)
        text, until = _prompt(t, due.shift, which, queued_at, settings)
        body = outbox.payload(
            text,
            location_button=location_button(t, settings),
            expires_at=until,
            redraw=outbox.Redraw(PROMPT, (assignment_id, which)),
        )
        drawn.append((due.chat_id, body))
    return drawn


async def redraw_prompts(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[outbox.Message | None]:
    """The check-in-open notices and late nudges about to go out, judged again: none to one
    whose location was answered since they were queued (the answer says what comes next),
    nor for a seat given up or a shift over."""
    prompts = [(subject.args[0], subject.args[1], subject.queued_at) for subject in subjects]
    return [
        None if found is None else found[1]
        for found in await _drawn_prompts(session, prompts, now, settings)
    ]


@dataclass(frozen=True)
class _Seat:
    """A seat as it is now: its status and its holder's check-in dialogue, if any."""

    status: AssignmentStatus
    dialogue: Dialogue | None


async def _as_now(session: AsyncSession, assignment_ids: list[int]) -> dict[int, _Seat]:
    """These seats' status and their holders' check-in dialogues, by seat, each seat's in one
    statement: on PostgreSQL (READ COMMITTED) each statement sees what was committed when it
    began, so the status and the dialogue come from the same moment. Another process's opening
    (`live_wait.opening.live_waits_open`) that checks the holder in as this reads is seen whole
    (the seat checked in) or not at all (its dialogue still waiting), never as a seat still
    signed up whose dialogue is gone."""
    found: dict[int, _Seat] = {}
    for start in range(0, len(assignment_ids), 500):
        rows = await session.execute(
            select(Assignment.id, Assignment.status, Dialogue)
            .join(Member, Assignment.member_id == Member.id)
            .outerjoin(
                Dialogue,
                and_(
                    Dialogue.telegram_id == Member.telegram_id,
                    Dialogue.kind == DialogueKind.CHECKIN,
                ),
            )
            .where(Assignment.id.in_(assignment_ids[start : start + 500]))
        )
        found.update((row[0], _Seat(row[1], row[2])) for row in rows.all())
    return found


def _told_otherwise(
    seat: _Seat | None, assignment_id: int, opens: dt.datetime, now: dt.datetime
) -> bool:
    """Whether the holder of a seat whose check-in is open is not to be asked for their
    location: the seat is gone or no longer signed up (the seat scan read it before another
    transaction changed it), its check-in has its location already
    (`checkin_dialogue.has_location`), or it waits on a live location shared before the
    opening that the opening has still to take for this seat
    (`live_wait.waits.waits_for_opening`, of the seat opening at `opens`):
    another process's opening may be taking it at this moment. The opening tells them what
    comes next, in one message; should it not take the share (out of range, no longer
    shared), this notice follows at the next tick. A seat whose check-in opened after the
    moment the opening judges the share as of is not what the share waits for: its notice
    goes."""
    if seat is None or seat.status is not AssignmentStatus.SIGNED_UP:
        return True
    dialogue = seat.dialogue
    return dialogue is not None and (
        checkin_dialogue.has_location(dialogue, assignment_id, opens)
        or live_waits.waits_for_opening(dialogue, now, opens)
    )


async def checkin_open(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """At CHECKIN_OPEN_BEFORE_MIN before the start, each volunteer on the shift is told that
    check-in is open, with the button that shares their location. Still due until they would
    be late; after that the late nudge speaks. Not to one whose check-in has its location
    already: the live location they shared before the opening, which the opening took just
    before in the same tick (`live_wait.opening.live_waits_open`), and told them what comes
    next; nor, yet, to one whose share the opening has still to take (another process's tick
    may be taking it at this moment): see `_told_otherwise`."""
    late = _minutes(settings.late_after_min)
    seats = await seat_scan.seats_starting(
        session,
        now - late,
        now + _minutes(settings.checkin_open_before_min),
        key=("checkin-open:", ""),
        # Nor, yet, to one whose updates wait to be handled: her location may be among them.
        sparing_waiting=True,
    )

    return await _location_prompts(
        session,
        seats,
        now,
        settings,
        key="checkin-open",
        which=OPEN_PROMPT,
    )


async def late_nudges(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """LATE_AFTER_MIN after the start without a check-in: one nudge, with the location button
    (not while the check-in has its location and waits for the photo: `_told_otherwise`).
    At ABSENT_AFTER_MIN the no-show escalation takes over (bot/services/noshow.py)."""
    late, absent = _minutes(settings.late_after_min), _minutes(settings.absent_after_min)
    if late >= absent:
        return 0
    # Nor, yet, to one whose updates wait to be handled: her location may be among them.
    seats = await seat_scan.seats_starting(
        session, now - absent, now - late, key=("late:", ""), sparing_waiting=True
    )
    # Not to one whose location was taken and whose photo is on its way: "you have not checked
    # in, send your location" would ask for what was just sent.
    return await _location_prompts(
        session,
        seats,
        now,
        settings,
        key="late",
        which=LATE_PROMPT,
    )


async def rearm(session: AsyncSession, shift_id: int, now: dt.datetime, settings: Settings) -> int:
    """A shift moved to another time: its seats' reminders, check-in notice and late nudge are
    due again at the new time (those sent spoke of the old one and stay on record under a new
    key; those not sent yet are dropped)."""
    seats = list(
        await session.scalars(select(Assignment.id).where(Assignment.shift_id == shift_id))
    )
    keys = seat_scan.notice_keys(seats, settings.reminder_leads)
    return await outbox.retire_keys(session, keys, f":moved-{now:%Y%m%d%H%M%S}")
