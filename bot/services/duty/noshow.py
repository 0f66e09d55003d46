"""No-show escalation (issue 5): ABSENT_AFTER_MIN after the start without a check-in, the
volunteer is asked whether they are coming and the unit's coordinators are told who is missing
at which post; the volunteer's answer goes to the coordinators too.

Both notices are urgent (quiet hours do not hold them back) and keyed by the seat, so a tick
that runs twice or a second process tells nobody twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import NoShowComing, NoShowNotComing, OpenShiftCard
from bot.db.models import Assignment, AssignmentStatus, Member, Shift
from bot.errors import DomainError, ErrorCode
from bot.services.duty.checkin_text import minutes_between
from bot.services.people.reachability import coordinators_of
from bot.services.platform import audit, outbox
from bot.services.schedule.shift_text import shift_label, translator_for
from bot.settings import Settings

# Callback data of the volunteer's two answers: ns.y:<assignment id> / ns.n:<assignment id>.


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
    member, shift = assignment.member, assignment.shift
    if member.blocked_bot:
        return 0
    t = translator_for(member, settings)
    minutes = minutes_between(shift.starts_at, now)
    text = t("noshow.ask", shift=shift_label(t, shift), count=minutes)
    buttons = [
        [
            (t("noshow.button.coming"), NoShowComing(assignment.id)),
            (t("noshow.button.not_coming"), NoShowNotComing(assignment.id)),
        ]
    ]
    queued = await outbox.enqueue(
        session,
        key=f"noshow:{assignment.id}",
        chat_id=member.telegram_id,
        body=outbox.payload(text, buttons=buttons, expires_at=shift.ends_at),
        now=now,
        urgent=True,
    )
    return int(queued)


async def _tell_coordinators(
    session: AsyncSession,
    shift: Shift,
    seats: list[Assignment],
    now: dt.datetime,
    settings: Settings,
) -> int:
    names = [assignment.member for assignment in seats]
    queued = 0
    for coordinator in await coordinators_of(session, shift.post.unit_id):
        if coordinator.blocked_bot:
            continue
        t = translator_for(coordinator, settings)
        text = t(
            "noshow.coordinator",
            shift=shift_label(t, shift),
            names=t("noshow.name_separator").join(_who(member) for member in names),
            count=len(names),
            capacity=shift.capacity,
        )
        # The card comes as a new message: this alert holds who is missing and their phone.
        buttons = [[(t("noshow.button.open_shift"), OpenShiftCard(shift.id))]]
        seat_ids = "-".join(str(assignment.id) for assignment in seats)
        if await outbox.enqueue(
            session,
            key=f"noshow:{shift.id}:to:{coordinator.id}:{seat_ids}",
            chat_id=coordinator.telegram_id,
            body=outbox.payload(text, buttons=buttons),
            now=now,
            urgent=True,
        ):
            queued += 1
    return queued


def _who(member: Member) -> str:
    return f"{member.display_name} {member.phone}" if member.phone else member.display_name


async def answer(
    session: AsyncSession,
    member: Member,
    assignment_id: int,
    coming: bool,
    now: dt.datetime,
    settings: Settings,
) -> Assignment:
    """The volunteer's answer to the no-show question, passed on to the coordinators and kept in
    the audit trail. Pressing the same answer again tells nobody twice."""
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None or assignment.member_id != member.id:
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    shift = assignment.shift
    if assignment.status in (AssignmentStatus.CHECKED_IN, AssignmentStatus.CHECKED_OUT):
        raise DomainError(ErrorCode.NOSHOW_ALREADY_CHECKED_IN, post=shift.post.name)
    if assignment.status is not AssignmentStatus.ABSENT:
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    if now >= shift.ends_at:
        raise DomainError(ErrorCode.CHECKIN_SHIFT_OVER, post=shift.post.name, end=shift.ends_at)
    choice = "coming" if coming else "not_coming"
    action = f"noshow.{choice}"
    if await audit.exists(
        session, action=action, object_type="assignment", object_id=assignment.id
    ):
        return assignment
    audit.record(
        session,
        actor_id=member.id,
        action=action,
        object_type="assignment",
        object_id=assignment.id,
        now=now,
    )
    for coordinator in await coordinators_of(session, shift.post.unit_id):
        if coordinator.blocked_bot:
            continue
        t = translator_for(coordinator, settings)
        text = t(
            f"noshow.answer.{choice}",
            name=member.display_name,
            shift=shift_label(t, shift),
        )
        await outbox.enqueue(
            session,
            key=f"noshow-answer:{assignment.id}:{choice}:{coordinator.id}",
            chat_id=coordinator.telegram_id,
            body=outbox.payload(text),
            now=now,
            urgent=True,
        )
    return assignment
