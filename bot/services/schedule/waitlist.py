"""The queue of a full shift: a member's place in it, promotion, first come first served,
when seats come free (a cancel, a removal, a larger capacity), and the word to those still
waiting when the shift starts without them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Shift,
    ShiftStatus,
)
from bot.errors import DomainError
from bot.i18n import Translator
from bot.services.platform import outbox
from bot.services.platform.notify import translators
from bot.services.platform.redraw import Subject
from bot.services.schedule import seat_scan, unavailability
from bot.services.schedule.deadlines import way_out_text
from bot.services.schedule.eligibility import check_eligibility, clashes
from bot.services.schedule.seats import lock_members, seated_count
from bot.services.schedule.shift_text import shift_label, translator_for
from bot.settings import Settings


async def waitlist_position(session: AsyncSession, assignment: Assignment) -> int:
    ahead = int(
        await session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.shift_id == assignment.shift_id,
                Assignment.status == AssignmentStatus.WAITLISTED,
                (Assignment.updated_at < assignment.updated_at)
                | (
                    (Assignment.updated_at == assignment.updated_at)
                    & (Assignment.id < assignment.id)
                ),
            )
        )
        or 0
    )
    return ahead + 1


async def queue(session: AsyncSession, shift_id: int) -> list[Assignment]:
    """The shift's waitlist, first come first."""
    return list(
        (
            await session.scalars(
                select(Assignment)
                .where(
                    Assignment.shift_id == shift_id,
                    Assignment.status == AssignmentStatus.WAITLISTED,
                )
                .order_by(Assignment.updated_at, Assignment.id)
            )
        ).unique()
    )


async def lock_queues(
    session: AsyncSession, shift_ids: Sequence[int], *, also: Sequence[int] = ()
) -> None:
    """Lock everyone waiting on these shifts (whose locks the caller holds) in one statement, in
    id order, before their queues are promoted one by one: each promotion then locks nobody
    again (`promote_waitlist`'s `queue_locked`), and no writer locking some of them gets
    between two of its statements.
    `also`: other members the caller locks, in the same statement for the same reason."""
    waiting = await session.scalars(
        select(Assignment.member_id).where(
            Assignment.shift_id.in_(shift_ids),
            Assignment.status == AssignmentStatus.WAITLISTED,
        )
    )
    await lock_members(session, [*waiting, *also])


async def promote_waitlist(
    session: AsyncSession,
    shift: Shift,
    now: dt.datetime,
    settings: Settings,
    *,
    queue_locked: bool = False,
) -> list[Assignment]:
    """Give free seats to the waitlist, first come first served; each promoted member is told.

    The caller holds the shift's lock; `queue_locked`: and everyone waiting on it, locked (and
    read again) by `lock_queues` under it, so nobody joined the queue since and they are not
    locked a second time. Someone on the waitlist who may no longer take the shift
    (a clash taken since, the weekly cap, the hour declared off) is passed over and stays
    waiting, and so is someone the bot cannot write to (they blocked it): they would never hear
    of the seat, and the shift would be short of a person nobody knows is missing.
    """
    if shift.status is not ShiftStatus.SCHEDULED or shift.starts_at <= now:
        return []
    free = shift.capacity - await seated_count(session, shift.id)
    if free <= 0:
        return []
    waiting = await queue(session, shift.id)
    if not queue_locked:
        # All at once and in id order (seats.lock_members), not one by one as they come up.
        await lock_members(session, [assignment.member_id for assignment in waiting])
    # Declared off since they joined the queue (/unavailable): no seat is given at that hour,
    # as the rotation, a swap and a hand assignment give none.
    off = await unavailability.blocked(
        session, [assignment.member_id for assignment in waiting], shift, settings.zone
    )
    promoted: list[Assignment] = []
    for assignment in waiting:
        if free <= 0:
            break
        member = assignment.member
        if member.blocked_bot or member.id in off:
            continue
        try:
            # The queue belongs to a shift already planned: a post archived since it was
            # joined takes no new sign-ups, but the shift takes place, with its queue.
            await check_eligibility(
                session, member, shift, now, settings, from_waitlist=True, planned=True
            )
        except DomainError:
            continue
        assignment.status = AssignmentStatus.SIGNED_UP
        assignment.updated_at = now
        await session.flush()
        await outbox.enqueue(
            session,
            key=seat_scan.promoted_key(assignment.id),
            chat_id=member.telegram_id,
            body=promoted_notice(
                translator_for(member, settings), assignment.id, shift, now, settings
            ),
            now=now,
            urgent=shift.starts_at - now < dt.timedelta(hours=12),
        )
        promoted.append(assignment)
        free -= 1
    return promoted


PROMOTED = "promoted"


def promoted_notice(
    t: Translator, assignment_id: int, shift: Shift, now: dt.datetime, settings: Settings
) -> outbox.Message:
    """The word that a place in the queue became a seat, with what is still possible from `now`
    (close to the start, no longer a cancel). Drawn again when it goes out (``redraw_promoted``):
    held by the quiet hours, it names the shift's time then and the way out then."""
    return outbox.payload(
        "\n".join(
            (
                t("signup.notice.promoted", shift=shift_label(t, shift)),
                way_out_text(t, shift, now, settings),
            )
        ),
        redraw=outbox.Redraw(PROMOTED, (assignment_id,)),
    )


async def redraw_promoted(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[outbox.Message | None]:
    """The words of promotion about to go out, drawn again at `now`; None for a seat no longer
    held on a scheduled shift (its word is withdrawn with it, bot/services/schedule/seat_scan.py;
    this is the backstop)."""
    ids = [subject.args[0] for subject in subjects]
    found = {
        assignment.id: assignment
        for assignment in (
            await session.scalars(select(Assignment).where(Assignment.id.in_(ids)))
        ).unique()
    }
    translator = translators(settings)
    drawn: list[outbox.Message | None] = []
    for assignment_id in ids:
        assignment = found.get(assignment_id)
        if (
            assignment is None
            or assignment.status not in (AssignmentStatus.SIGNED_UP, AssignmentStatus.CHECKED_IN)
            or assignment.shift.status is not ShiftStatus.SCHEDULED
        ):
            drawn.append(None)
            continue
        t = translator(assignment.member.language)
        drawn.append(promoted_notice(t, assignment_id, assignment.shift, now, settings))
    return drawn


# A bot that was down longer than this after a shift's start says nothing about its waitlist:
# by then the volunteer has long seen the shift go by.
LAPSED_NOTICE_WITHIN = dt.timedelta(hours=2)
LAPSED_KEY = "waitlist-lapsed:"


async def lapsed_notices(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """At a shift's start, each member still on its waitlist is told that no seat came free,
    so nobody keeps waiting for a promotion that can no longer come. One who holds a seat on
    another shift at the same time could not have moved up whether or not a seat came free
    (a promotion passes them over): they are told that, not that no seat came free; so is one
    who declared that hour off (/unavailable), whom a promotion passes over too."""
    waiting = await seat_scan.seats_starting(
        session,
        now - LAPSED_NOTICE_WITHIN,
        now,
        status=AssignmentStatus.WAITLISTED,
        key=(LAPSED_KEY, ""),
    )
    due = await seat_scan.load(session, [seat.assignment_id for seat in waiting])
    rows = await session.execute(
        select(Assignment.id, Assignment.member_id).where(
            Assignment.id.in_([seat.assignment_id for seat in due])
        )
    )
    holders: dict[int, int] = {row[0]: row[1] for row in rows.all()}
    pairs = [(holders[seat.assignment_id], seat.shift) for seat in due]
    clashing = await clashes(session, pairs)
    off = await unavailability.blocked_pairs(session, pairs, settings.zone)
    translator = translators(settings)
    messages: list[outbox.Queued] = []
    for seat in due:
        t = translator(seat.language)
        label = shift_label(t, seat.shift)
        clash_id = clashing.get((holders[seat.assignment_id], seat.shift.id))
        clash = await session.get(Shift, clash_id) if clash_id is not None else None
        if clash is None and (holders[seat.assignment_id], seat.shift.id) in off:
            text = t("signup.notice.waitlist_lapsed_unavailable", shift=label)
        elif clash is None:
            text = t("signup.notice.waitlist_lapsed", shift=label)
        else:
            text = t(
                "signup.notice.waitlist_lapsed_clash", shift=label, clash=shift_label(t, clash)
            )
        body = outbox.payload(text)
        messages.append(outbox.Queued(f"{LAPSED_KEY}{seat.assignment_id}", seat.chat_id, body))
    return await outbox.enqueue_many(session, messages, now=now)
