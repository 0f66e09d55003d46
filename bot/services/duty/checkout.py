"""Leaving post: check-out (before the end of the shift, with a short reason), the minutes it
credits, and /hours, the credited time of a month and in total. Credited minutes are the
overlap of the checked-in time with the shift, unless a coordinator corrected them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import direct
from bot.db.batches import in_chunks
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    CheckoutKind,
    Dialogue,
    DialogueKind,
    Member,
    Shift,
    ShiftStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.services.duty.presence import presence
from bot.services.duty.sent import judged_at
from bot.services.people import names
from bot.services.platform import dialogues
from bot.settings import Settings

CHECKOUT_DIALOGUE = DialogueKind.CHECKOUT


class CheckoutStep(StrEnum):
    """What an early check-out waits for."""

    REASON = "reason"


REASON_MIN = 2
REASON_MAX = 200


async def open_checkin(session: AsyncSession, member_id: int) -> CheckIn | None:
    """The check-in this person has not checked out of yet (the latest, should there be two)."""
    checkin: CheckIn | None = await session.scalar(
        select(CheckIn)
        .join(Assignment, CheckIn.assignment_id == Assignment.id)
        .where(Assignment.member_id == member_id, CheckIn.checked_out_at.is_(None))
        .order_by(CheckIn.checked_in_at.desc(), CheckIn.id.desc())
        .limit(1)
    )
    return checkin


def credited_minutes(checkin: CheckIn) -> int | None:
    """The overlap of the checked-in time with the shift, unless a coordinator said otherwise."""
    return _credited(checkin, checkin.checked_out_at)


def _credited(checkin: CheckIn, checked_out_at: dt.datetime | None) -> int | None:
    """`credited_minutes` of the check-in, were it checked out at `checked_out_at`."""
    if checkin.credited_override is not None:
        return checkin.credited_override
    if checked_out_at is None:
        return None
    if checkin.photo_rejected:
        return 0
    shift = checkin.assignment.shift
    start = max(checkin.checked_in_at, shift.starts_at)
    end = min(checked_out_at, shift.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


async def close(
    session: AsyncSession,
    checkin: CheckIn,
    at: dt.datetime,
    kind: CheckoutKind,
    now: dt.datetime,
    reason: str | None = None,
) -> bool:
    """Check out of `checkin` at `at`; whether this closed it. The row is written only while it
    is still open: the volunteer's /checkout and the automatic check-out may both have read it
    open, and the one that writes second changes nothing (and says nothing)."""
    closed = await direct.update_row_if(
        session,
        checkin,
        (CheckIn.checked_out_at.is_(None),),
        checked_out_at=at,
        checkout_kind=kind,
        early_reason=reason,
        outside_since=None,
        presence_ratio=await presence(session, checkin, at),
        credited_minutes=_credited(checkin, at),
    )
    if closed:
        assignment = checkin.assignment
        assignment.status = AssignmentStatus.CHECKED_OUT
        assignment.updated_at = now
    return closed


def for_duty(checkin: CheckIn) -> bool:
    """Whether the check-in is on a seat still held for a shift that takes place. One left open
    on a seat cancelled or taken away (as cancelling a shift did before it checked its people
    out) is for no duty: nobody is asked about it, reminded of it or credited for it."""
    return (
        checkin.assignment.shift.status is ShiftStatus.SCHEDULED
        and checkin.assignment.status is AssignmentStatus.CHECKED_IN
    )


async def close_unserved(session: AsyncSession, checkin: CheckIn, at: dt.datetime) -> bool:
    """Close a check-in that is for no duty (its seat cancelled or taken away) at `at` with no
    minutes credited: nothing of the shift was served. The seat keeps its status; whether this
    closed it, as for `close`."""
    return await direct.update_row_if(
        session,
        checkin,
        (CheckIn.checked_out_at.is_(None),),
        checked_out_at=max(checkin.checked_in_at, at),
        checkout_kind=CheckoutKind.NORMAL,
        outside_since=None,
        credited_minutes=0,
    )


@dataclass(frozen=True)
class NeedReason:
    checkin: CheckIn


@dataclass(frozen=True)
class CheckedOut:
    checkin: CheckIn


async def _own_open_checkin(
    session: AsyncSession, member: Member, checkin_id: int | None
) -> CheckIn:
    checkin = await open_checkin(session, member.id)
    if checkin is None or (checkin_id is not None and checkin.id != checkin_id):
        raise DomainError(ErrorCode.CHECKIN_NOT_CHECKED_IN)
    return checkin


# What a check-out button's refusal adds to those final everywhere (`DomainError.for_good`): the
# check-in it was made for is closed (checked out, by the person, the automatic check-out or a
# coordinator), or another check-in is the one on now. Its message's buttons have nothing left
# to do.
PRESS_ENDS = frozenset({ErrorCode.CHECKIN_NOT_CHECKED_IN, ErrorCode.CHECKOUT_OLD_BUTTON})


async def request_checkout(
    session: AsyncSession,
    member: Member,
    checkin_id: int | None,
    now: dt.datetime,
    *,
    sent_at: dt.datetime | None = None,
) -> NeedReason | CheckedOut:
    """/checkout or its button: before the end a short reason is asked first. The button of
    an earlier check-in, pressed while on post again, says so rather than "not checked in".
    The check-out counts when /checkout was sent (`sent_at`, `judged_at`), as a check-in counts
    when its location and photo were: sent at 09:00 and read after the shift's end (the bot
    down or slow), it is still an early leave at 09:00, not the whole shift."""
    checkin = await open_checkin(session, member.id)
    if checkin is None:
        raise DomainError(ErrorCode.CHECKIN_NOT_CHECKED_IN)
    if checkin_id is not None and checkin.id != checkin_id:
        raise DomainError(
            ErrorCode.CHECKOUT_OLD_BUTTON,
            post=checkin.assignment.shift.post.name,
            since=checkin.checked_in_at,
        )
    at = max(judged_at(sent_at, now), checkin.checked_in_at)
    asked = await asked_to_leave_at(session, member.telegram_id, checkin)
    if asked is not None:
        # Asked for the reason of an earlier /checkout, not answered: left then all the same.
        at = min(at, asked)
    if not for_duty(checkin):
        # Its shift was cancelled: no reason to ask, no minutes to credit.
        if not await close_unserved(session, checkin, at):
            raise DomainError(ErrorCode.CHECKIN_NOT_CHECKED_IN)
        return CheckedOut(checkin)
    if at < checkin.assignment.shift.ends_at:
        await dialogues.begin(
            session,
            member.telegram_id,
            CHECKOUT_DIALOGUE,
            CheckoutStep.REASON,
            now,
            {"checkin_id": checkin.id, "at": at.isoformat()},
        )
        return NeedReason(checkin)
    if not await close(session, checkin, at, CheckoutKind.NORMAL, now):
        # Closed meanwhile by the automatic check-out, which tells the volunteer itself.
        raise DomainError(ErrorCode.CHECKIN_NOT_CHECKED_IN)
    return CheckedOut(checkin)


async def asked_to_leave_at(
    session: AsyncSession, telegram_id: int, checkin: CheckIn
) -> dt.datetime | None:
    """When this person sent the early check-out of `checkin` whose reason is still asked for
    (`request_checkout`), or None. They left then: the reason only explains it, so a check-out
    that closes it later (the automatic one, the button pressed after the end) counts from
    then, not from whenever that comes."""
    return asked_at(await dialogues.current(session, telegram_id), checkin)


async def asked_to_leave(
    session: AsyncSession, checkins: Sequence[CheckIn]
) -> dict[int, dt.datetime]:
    """``asked_to_leave_at`` of many check-ins, by check-in id (those with no question left
    unanswered are not in it), in one statement per IN_LIST_MAX people: the automatic
    check-out closes a thousand of them when a morning's shifts end."""
    of_person: dict[int, list[CheckIn]] = {}
    for checkin in checkins:
        of_person.setdefault(checkin.assignment.member.telegram_id, []).append(checkin)
    found: dict[int, dt.datetime] = {}
    for part in in_chunks(sorted(of_person)):
        rows = await session.scalars(
            select(Dialogue).where(
                Dialogue.telegram_id.in_(part), Dialogue.kind == CHECKOUT_DIALOGUE
            )
        )
        for dialogue in rows:
            for checkin in of_person[dialogue.telegram_id]:
                asked = asked_at(dialogue, checkin)
                if asked is not None:
                    found[checkin.id] = asked
    return found


def asked_at(dialogue: Dialogue | None, checkin: CheckIn) -> dt.datetime | None:
    """`asked_to_leave_at`, read from the person's dialogue as already known."""
    if dialogue is None or dialogue.kind != CHECKOUT_DIALOGUE:
        return None
    return _asked_in(dialogue.data, checkin)


def _asked_in(data: Mapping[str, Any], checkin: CheckIn) -> dt.datetime | None:
    """When the early /checkout of `checkin` was sent, from the data of its question."""
    if data.get("checkin_id") != checkin.id or not data.get("at"):
        return None
    return dt.datetime.fromisoformat(str(data["at"]))


async def leave_as_asked(session: AsyncSession, member: Member, now: dt.datetime) -> CheckIn | None:
    """Make the early check-out whose reason is still asked for, as the automatic check-out
    would: at the moment /checkout was sent, an early leave with no reason given; the
    question ends. For a check-in that replaces the question (the next shift, back to back):
    the shift left stays left when it was, not closed at the new check-in. The check-in so
    closed, or None (no question waits, or it was closed meanwhile)."""
    dialogue = await dialogues.current(session, member.telegram_id)
    if dialogue is None or dialogue.kind != CHECKOUT_DIALOGUE:
        return None  # known without a statement: most check-ins replace no question
    checkin = await open_checkin(session, member.id)
    asked = asked_at(dialogue, checkin) if checkin is not None else None
    if checkin is None or asked is None:
        return None
    await dialogues.end(session, member.telegram_id)
    return await _left_at(session, checkin, asked, now)


async def leave_as_replaced(
    session: AsyncSession, member: Member, question: Mapping[str, Any], now: dt.datetime
) -> CheckIn | None:
    """Make the early check-out whose reason was asked for (`question`: the data of that
    dialogue) as `leave_as_asked` does, once another dialogue has replaced the question before
    the reason came (a street report begun on the way out, say): she left when she sent
    /checkout, and the automatic check-out would otherwise credit the whole shift. The
    check-in so closed, or None (closed meanwhile: by a check-in that replaced the question,
    say)."""
    checkin_id = question.get("checkin_id")
    checkin = await session.get(CheckIn, checkin_id) if isinstance(checkin_id, int) else None
    if (
        checkin is None
        or checkin.checked_out_at is not None
        or checkin.assignment.member_id != member.id
    ):
        return None
    asked = _asked_in(question, checkin)
    if asked is None:
        return None
    return await _left_at(session, checkin, asked, now)


async def _left_at(
    session: AsyncSession, checkin: CheckIn, asked: dt.datetime, now: dt.datetime
) -> CheckIn | None:
    """Close `checkin` at `asked`, when /checkout was sent: an early leave with no reason."""
    kind = CheckoutKind.EARLY if asked < checkin.assignment.shift.ends_at else CheckoutKind.NORMAL
    if not await close(session, checkin, asked, kind, now):
        return None
    return checkin


def clean_reason(text: str, code: ErrorCode) -> str:
    reason = names.plain(text)
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise DomainError(code, min=REASON_MIN, max=REASON_MAX)
    return reason


async def checkout_with_reason(
    session: AsyncSession, member: Member, dialogue: Dialogue, text: str, now: dt.datetime
) -> CheckIn:
    reason = clean_reason(text, ErrorCode.CHECKOUT_REASON_INVALID)
    checkin = await _own_open_checkin(session, member, int(dialogue.data["checkin_id"]))
    await dialogues.end(session, member.telegram_id)
    ends_at = checkin.assignment.shift.ends_at
    # As of when /checkout was sent (`request_checkout`): the reason may come later.
    asked = dialogue.data.get("at")
    at = dt.datetime.fromisoformat(asked) if asked else now
    if at >= ends_at:
        closed = await close(session, checkin, at, CheckoutKind.NORMAL, now)
    else:
        closed = await close(session, checkin, at, CheckoutKind.EARLY, now, reason)
    if not closed:
        # Closed meanwhile by the automatic check-out, which tells the volunteer itself.
        raise DomainError(ErrorCode.CHECKIN_NOT_CHECKED_IN)
    return checkin


@dataclass(frozen=True)
class Hours:
    month_minutes: int
    month_shifts: int
    total_minutes: int
    total_shifts: int
    on_post: CheckIn | None


async def hours(
    session: AsyncSession, member: Member, now: dt.datetime, settings: Settings
) -> Hours:
    """Credited time this calendar month (local) and in total, by the day the shift began."""
    rows = await session.execute(
        select(CheckIn.credited_minutes, Shift.starts_at)
        .join(Assignment, CheckIn.assignment_id == Assignment.id)
        .join(Shift, Assignment.shift_id == Shift.id)
        .where(Assignment.member_id == member.id, CheckIn.credited_minutes.is_not(None))
    )
    local_now = now.astimezone(settings.zone)
    month = (local_now.year, local_now.month)
    month_minutes = month_shifts = total_minutes = total_shifts = 0
    for minutes, starts_at in rows.all():
        if not minutes:
            continue
        total_minutes += minutes
        total_shifts += 1
        local = starts_at.astimezone(settings.zone)
        if (local.year, local.month) == month:
            month_minutes += minutes
            month_shifts += 1
    return Hours(
        month_minutes=month_minutes,
        month_shifts=month_shifts,
        total_minutes=total_minutes,
        total_shifts=total_shifts,
        on_post=await open_checkin(session, member.id),
    )
