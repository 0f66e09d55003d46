"""Who may take which shift now: every rule of sign-up in one place. Sign-up, the waitlist
promotion, the understaffed offers and swaps all call ``check_eligibility``. Capacity is not one
of these rules: it is checked separately, under the shift's lock, by whoever takes a seat."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, AssignmentStatus, Member, Post, Shift, ShiftStatus
from bot.errors import DomainError, ErrorCode
from bot.services.schedule.seats import ATTACHED, COMMITTED
from bot.services.schedule.shift_text import shift_label, translator_for
from bot.settings import Settings


def week_bounds(instant: dt.datetime, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00, local time, of the week holding `instant`."""
    local = instant.astimezone(zone)
    monday = local.date() - dt.timedelta(days=local.weekday())
    first = dt.datetime.combine(monday, dt.time(0, 0), tzinfo=zone)
    after = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0, 0), tzinfo=zone)
    return first.astimezone(dt.UTC), after.astimezone(dt.UTC)


async def no_shows(session: AsyncSession, member_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.member_id == member_id,
                Assignment.status == AssignmentStatus.ABSENT,
            )
        )
        or 0
    )


async def check_eligibility(
    session: AsyncSession,
    member: Member,
    shift: Shift,
    now: dt.datetime,
    settings: Settings,
    *,
    from_waitlist: bool = False,
    leaving: int | None = None,
    assigned: bool = False,
) -> None:
    """Raise the DomainError of the first rule that keeps `member` from `shift` at `now`.

    Capacity is not a rule here: a full shift offers the waitlist instead. `from_waitlist`
    checks a member who waits on this shift for a seat that came free. `leaving` is a seat of
    the member's that goes away in the same step (the other half of a swap): it neither clashes
    nor counts toward the weekly cap. An `assigned` seat (a coordinator puts the member on the
    shift) is not bound by the sign-up window: rotas are made weeks ahead.
    """
    others = Assignment.id != leaving if leaving is not None else true()
    if not member.active:
        raise DomainError(ErrorCode.NOT_REGISTERED)
    post: Post = shift.post
    if shift.status is ShiftStatus.CANCELLED:
        raise DomainError(ErrorCode.SHIFT_CANCELLED)
    if post.archived:
        raise DomainError(ErrorCode.POST_ARCHIVED, post=post.name)
    if member.unit_id != post.unit_id:
        raise DomainError(ErrorCode.SHIFT_OTHER_UNIT, unit=post.unit.name)
    if shift.starts_at <= now:
        raise DomainError(ErrorCode.SHIFT_STARTED)
    opens_at = shift.starts_at - dt.timedelta(days=settings.signup_open_days)
    if now < opens_at and not assigned:
        t = translator_for(member, settings)
        raise DomainError(ErrorCode.SIGNUP_NOT_OPEN, opens=t.datetime(opens_at))
    if shift.required_tag and shift.required_tag not in member.tags:
        raise DomainError(ErrorCode.TAG_REQUIRED, tag=shift.required_tag)
    own: AssignmentStatus | None = await session.scalar(
        select(Assignment.status).where(
            Assignment.shift_id == shift.id,
            Assignment.member_id == member.id,
            Assignment.status.in_(ATTACHED),
        )
    )
    if own == AssignmentStatus.WAITLISTED:
        if not from_waitlist:
            raise DomainError(ErrorCode.ALREADY_WAITLISTED)
    elif own is not None:
        raise DomainError(ErrorCode.ALREADY_SIGNED_UP)
    clash: Shift | None = (
        await session.scalars(
            select(Shift)
            .join(Assignment, Assignment.shift_id == Shift.id)
            .where(
                Assignment.member_id == member.id,
                Assignment.status.in_(COMMITTED),
                others,
                Shift.id != shift.id,
                Shift.status == ShiftStatus.SCHEDULED,
                Shift.starts_at < shift.ends_at,
                Shift.ends_at > shift.starts_at,
            )
            .limit(1)
        )
    ).first()
    if clash is not None:
        t = translator_for(member, settings)
        raise DomainError(ErrorCode.SHIFT_CLASH, shift=shift_label(t, clash))
    if settings.weekly_shift_cap > 0:
        first, after = week_bounds(shift.starts_at, settings.zone)
        taken = int(
            await session.scalar(
                select(func.count())
                .select_from(Assignment)
                .join(Shift, Assignment.shift_id == Shift.id)
                .where(
                    Assignment.member_id == member.id,
                    Assignment.status.in_(COMMITTED),
                    others,
                    Shift.status == ShiftStatus.SCHEDULED,
                    Shift.starts_at >= first,
                    Shift.starts_at < after,
                )
            )
            or 0
        )
        if taken >= settings.weekly_shift_cap:
            raise DomainError(ErrorCode.WEEKLY_CAP_REACHED, count=settings.weekly_shift_cap)
    if settings.no_show_block_after > 0:
        missed = await no_shows(session, member.id)
        if missed >= settings.no_show_block_after:
            raise DomainError(ErrorCode.NO_SHOW_BLOCKED, count=missed)
