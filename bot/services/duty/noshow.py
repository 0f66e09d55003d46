"""No-show escalation (issue 5): ABSENT_AFTER_MIN after the start without a check-in, the
volunteer is asked whether they are coming and the unit's coordinators are told who is missing
at which post; the volunteer's answer goes to the coordinators too.

Both notices are urgent (quiet hours do not hold them back) and keyed by the seat, so a tick
that runs twice or a second process tells nobody twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import NoShowComing, NoShowNotComing, OpenShiftCard
from bot.db.models import Assignment, AssignmentStatus, CheckIn, Member, Shift
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.duty.checkin_text import Moment, minutes_between
from bot.services.people.reachability import coordinators_of
from bot.services.platform import audit, outbox
from bot.services.platform.notify import (
    Render,
    members_of_chats,
    notify,
    notify_admins,
    notify_all,
    translators,
)
from bot.services.platform.redraw import Subject
from bot.services.schedule.shift_text import shift_label
from bot.settings import Settings


async def escalate(
    session: AsyncSession, absent: list[Assignment], now: dt.datetime, settings: Settings
) -> int:
    """Ask each newly absent volunteer whether they are coming and tell the coordinators of each
    shift's unit, one message per shift. Nothing is said about a shift that has already ended:
    the bot was down, and the tally reports the absence."""
    by_shift: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in absent:
        if assignment.shift.ends_at > now:
            by_shift[assignment.shift_id].append(assignment)
    queued = 0
    for seats in by_shift.values():
        shift = seats[0].shift
        for assignment in seats:
            queued += await _ask_volunteer(session, assignment, now, settings)
        queued += await _tell_coordinators(session, shift, seats, now, settings)
    return queued


async def _ask_volunteer(
    session: AsyncSession, assignment: Assignment, now: dt.datetime, settings: Settings
) -> int:
    queued = await notify(
        session,
        assignment.member,
        lambda t: _question(t, assignment, now),
        key=f"noshow:{assignment.id}",
        now=now,
        settings=settings,
        urgent=True,
    )
    return int(queued)


# The ⚠️ question and the 🚨 alert are drawn again when they go out (bot/redraw.py): held in
# the outbox (a 429, Telegram out of reach), they would otherwise ask one who checked in
# meanwhile whether she is coming, and name her to the coordinators as missing.
QUESTION, ALERT = "noshow-question", "noshow-alert"


def _question(t: Translator, assignment: Assignment, queued_at: dt.datetime) -> outbox.Message:
    """The ⚠️ question to the holder of the seat, with the minutes since the start as of when
    it was queued."""
    shift = assignment.shift
    buttons = [
        [
            (t("noshow.button.coming"), NoShowComing(assignment.id)),
            (t("noshow.button.not_coming"), NoShowNotComing(assignment.id)),
        ]
    ]
    minutes = minutes_between(shift.starts_at, queued_at)
    text = t("noshow.ask", shift=shift_label(t, shift), count=minutes)
    return outbox.payload(
        text,
        buttons=buttons,
        expires_at=shift.ends_at,
        redraw=outbox.Redraw(QUESTION, (assignment.id,)),
    )


def _alert(t: Translator, shift: Shift, seats: list[Assignment]) -> outbox.Message:
    """The 🚨 alert naming the holders of these seats of `shift`, with their phones."""
    text = t(
        "noshow.coordinator",
        shift=shift_label(t, shift),
        names=t("noshow.name_separator").join(_who(seat.member) for seat in seats),
        count=len(seats),
        capacity=shift.capacity,
    )
    # The card comes as a new message: this alert holds who is missing and their phone.
    buttons = [[(t("noshow.button.open_shift"), OpenShiftCard(shift.id))]]
    seat_ids = tuple(seat.id for seat in seats)
    return outbox.payload(text, buttons=buttons, redraw=outbox.Redraw(ALERT, (shift.id, *seat_ids)))


async def _still_missing(
    session: AsyncSession, assignment_ids: list[int], now: dt.datetime
) -> dict[int, Assignment]:
    """Those of these seats still marked absent, on a shift not over, by id."""
    if not assignment_ids:
        return {}
    rows = await session.scalars(
        select(Assignment).where(Assignment.id.in_(sorted(set(assignment_ids))))
    )
    return {
        seat.id: seat
        for seat in rows.unique()
        if seat.status is AssignmentStatus.ABSENT and seat.shift.ends_at > now
    }


async def redraw_questions(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[outbox.Message | None]:
    """The ⚠️ questions about to go out, in their reader's language now; none to one who
    checked in since (or whose seat went, or whose shift is over)."""
    found = await _still_missing(session, [subject.args[0] for subject in subjects], now)
    translator = translators(settings)
    drawn: list[outbox.Message | None] = []
    for subject in subjects:
        seat = found.get(subject.args[0])
        drawn.append(
            None
            if seat is None
            else _question(translator(seat.member.language), seat, subject.queued_at)
        )
    return drawn


async def redraw_alerts(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[outbox.Message | None]:
    """The 🚨 alerts about to go out, naming only those still missing; none when nobody is
    (all checked in since, or the shift is over)."""
    found = await _still_missing(
        session, [seat_id for subject in subjects for seat_id in subject.args[1:]], now
    )
    readers = await members_of_chats(session, [subject.chat_id for subject in subjects])
    translator = translators(settings)
    drawn: list[outbox.Message | None] = []
    for subject in subjects:
        seats = [found[seat_id] for seat_id in subject.args[1:] if seat_id in found]
        if not seats:
            drawn.append(None)
            continue
        reader = readers.get(subject.chat_id)
        t = translator(reader.language if reader is not None else None)
        drawn.append(_alert(t, seats[0].shift, seats))
    return drawn


async def _tell_coordinators(
    session: AsyncSession,
    shift: Shift,
    seats: list[Assignment],
    now: dt.datetime,
    settings: Settings,
) -> int:
    seat_ids = "-".join(str(assignment.id) for assignment in seats)
    missing = {assignment.member.telegram_id for assignment in seats}
    return await _tell_unit(
        session,
        await _coordinators_to_tell(session, shift.post.unit_id, missing),
        missing,
        lambda t: _alert(t, shift, seats),
        to_coordinator=lambda coordinator: f"noshow:{shift.id}:to:{coordinator.id}:{seat_ids}",
        to_admin=lambda admin_id: f"noshow:{shift.id}:admin:{admin_id}:{seat_ids}",
        now=now,
        settings=settings,
    )


async def _coordinators_to_tell(
    session: AsyncSession, unit_id: int, missing: set[int]
) -> list[Member]:
    """The unit's coordinators who can be written to, but not one who is among the `missing`
    (Telegram ids): they are asked whether they are coming, not alerted about themselves."""
    return [
        coordinator
        for coordinator in await coordinators_of(session, unit_id)
        if not coordinator.blocked_bot and coordinator.telegram_id not in missing
    ]


async def _tell_unit(
    session: AsyncSession,
    coordinators: list[Member],
    missing: set[int],
    render: Render,
    *,
    to_coordinator: Callable[[Member], str],
    to_admin: Callable[[int], str],
    now: dt.datetime,
    settings: Settings,
) -> int:
    """Tell the `coordinators` (_coordinators_to_tell). With nobody there (no coordinator, all
    blocked, or only the one missing), the admins are told, as they decide a unit's swaps and
    leave then: otherwise nobody would know the post is empty."""
    if coordinators:
        return await notify_all(
            session,
            coordinators,
            render,
            key=to_coordinator,
            now=now,
            settings=settings,
            urgent=True,
        )
    return await notify_admins(
        session, render, key=to_admin, now=now, settings=settings, urgent=True, sparing=missing
    )


async def _missing_from(session: AsyncSession, shift_id: int) -> set[int]:
    """The Telegram ids of the holders of this shift's seats marked absent."""
    rows = await session.scalars(
        select(Member.telegram_id)
        .join(Assignment, Assignment.member_id == Member.id)
        .where(Assignment.shift_id == shift_id, Assignment.status == AssignmentStatus.ABSENT)
    )
    return set(rows)


def _who(member: Member) -> str:
    return f"{member.display_name} {member.phone}" if member.phone else member.display_name


@dataclass(frozen=True)
class Answered:
    """The volunteer's answer passed on: to the unit's coordinators, or, with none to tell
    (none, or only ones missing from the shift too), to the admins, as the alert went."""

    assignment: Assignment
    to_admins: bool


async def answer(
    session: AsyncSession,
    member: Member,
    assignment_id: int,
    coming: bool,
    now: dt.datetime,
    settings: Settings,
) -> Answered:
    """The volunteer's answer to the no-show question, passed on to the coordinators (or the
    admins) and kept in the audit trail. Pressing the same answer again tells nobody twice."""
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None or assignment.member_id != member.id:
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    shift = assignment.shift
    if assignment.status in (AssignmentStatus.CHECKED_IN, AssignmentStatus.CHECKED_OUT):
        manual = await session.scalar(
            select(CheckIn.manual).where(CheckIn.assignment_id == assignment.id)
        )
        if manual:
            # Recorded present by a coordinator (a phone gone flat): not "you checked in".
            raise DomainError(
                ErrorCode.CHECKIN_MARKED_PRESENT,
                post=shift.post.name,
                start=Moment(shift.starts_at, now),
                end=Moment(shift.ends_at, now),
            )
        raise DomainError(ErrorCode.NOSHOW_ALREADY_CHECKED_IN, post=shift.post.name)
    if assignment.status is not AssignmentStatus.ABSENT:
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    if now >= shift.ends_at:
        raise DomainError(
            ErrorCode.CHECKIN_SHIFT_OVER, post=shift.post.name, end=Moment(shift.ends_at, now)
        )
    choice = "coming" if coming else "not_coming"
    action = f"noshow.{choice}"
    # Those the alert spared, so the answer goes where the alert went: with the unit's only
    # coordinator missing from this shift too, to the admins, not to that coordinator.
    missing = await _missing_from(session, shift.id) | {member.telegram_id}
    coordinators = await _coordinators_to_tell(session, shift.post.unit_id, missing)
    answered = Answered(assignment, to_admins=not coordinators)
    if await audit.exists(
        session, action=action, object_type="assignment", object_id=assignment.id
    ):
        return answered
    audit.record(
        session,
        actor_id=member.id,
        action=action,
        object_type="assignment",
        object_id=assignment.id,
        now=now,
    )
    await _tell_unit(
        session,
        coordinators,
        missing,
        lambda t: outbox.payload(
            t(f"noshow.answer.{choice}", name=member.display_name, shift=shift_label(t, shift))
        ),
        to_coordinator=lambda coordinator: (
            f"noshow-answer:{assignment.id}:{choice}:{coordinator.id}"
        ),
        to_admin=lambda admin_id: f"noshow-answer:{assignment.id}:{choice}:admin:{admin_id}",
        now=now,
        settings=settings,
    )
    return answered
