"""The understaffed alert: UNDERSTAFFED_ALERT_HOURS before a shift that is still short of
people, its unit's coordinators are told and the open seats are offered again to the unit's
volunteers who may take the shift (no clash, no rule against them). Once per shift."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import ShiftCard, SignUp
from bot.db.models import (
    Assignment,
    Member,
    MemberRole,
    OutboxMessage,
    Post,
    Role,
    Shift,
    ShiftStatus,
)
from bot.errors import DomainError
from bot.services.platform import outbox
from bot.services.schedule.broadcast import volunteers
from bot.services.schedule.eligibility import check_eligibility
from bot.services.schedule.seats import ATTACHED, seats
from bot.services.schedule.shift_text import shift_label, translator_for
from bot.settings import Settings


def batch_of(shift_id: int) -> str:
    return f"understaffed:{shift_id}"


async def _coordinators(session: AsyncSession, unit_id: int) -> list[Member]:
    return list(
        (
            await session.scalars(
                select(Member)
                .join(MemberRole, MemberRole.member_id == Member.id)
                .where(
                    MemberRole.role == Role.COORDINATOR,
                    Member.unit_id == unit_id,
                    Member.active.is_(True),
                )
                .order_by(Member.id)
            )
        ).unique()
    )


async def alert(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    if settings.understaffed_alert_hours <= 0:
        return 0
    horizon = now + dt.timedelta(hours=settings.understaffed_alert_hours)
    candidates = list(
        (
            await session.scalars(
                select(Shift)
                .join(Post, Shift.post)
                .where(
                    Shift.status == ShiftStatus.SCHEDULED,
                    Post.archived.is_(False),
                    Shift.starts_at > now,
                    Shift.starts_at <= horizon,
                )
                .order_by(Shift.starts_at)
            )
        ).unique()
    )
    counts = await seats(session, [shift.id for shift in candidates])
    queued = 0
    for shift in candidates:
        missing = shift.capacity - counts[shift.id].seated
        if missing <= 0:
            continue
        already = select(OutboxMessage.id).where(OutboxMessage.batch == batch_of(shift.id))
        if await session.scalar(already.limit(1)) is not None:
            continue  # alerted on an earlier tick
        queued += await _alert_shift(session, shift, missing, now, settings)
    return queued


async def _alert_shift(
    session: AsyncSession, shift: Shift, missing: int, now: dt.datetime, settings: Settings
) -> int:
    batch = batch_of(shift.id)
    queued = 0
    for coordinator in await _coordinators(session, shift.post.unit_id):
        t = translator_for(coordinator, settings)
        text = t(
            "understaffed.coordinator",
            shift=shift_label(t, shift),
            missing=missing,
            seated=shift.capacity - missing,
            capacity=shift.capacity,
        )
        queued += await outbox.enqueue(
            session,
            key=f"{batch}:coordinator:{coordinator.id}",
            chat_id=coordinator.telegram_id,
            body=outbox.payload(
                text,
                buttons=[[(t("understaffed.button.open"), ShiftCard(shift.id))]],
            ),
            now=now,
            batch=batch,
        )
    attached = set(
        (
            await session.scalars(
                select(Assignment.member_id).where(
                    Assignment.shift_id == shift.id, Assignment.status.in_(ATTACHED)
                )
            )
        ).all()
    )
    for member in await volunteers(session, shift.post.unit_id):
        if member.id in attached:
            continue
        try:
            await check_eligibility(session, member, shift, now, settings)
        except DomainError:
            continue
        t = translator_for(member, settings)
        text = t("understaffed.offer", shift=shift_label(t, shift), count=missing)
        queued += await outbox.enqueue(
            session,
            key=f"{batch}:offer:{member.id}",
            chat_id=member.telegram_id,
            body=outbox.payload(
                text, buttons=[[(t("understaffed.button.sign_up"), SignUp(shift.id))]]
            ),
            now=now,
            batch=batch,
        )
    return queued
