"""The swaps' scheduler job (a row of ``bot/due.py``): closing the offers whose time is up and
telling everyone concerned, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AssignmentStatus, Member, ShiftStatus, SwapOffer, SwapStatus
from bot.services.people.reachability import coordinators_of
from bot.services.platform import outbox
from bot.services.platform.notify import Render, notify_all
from bot.services.swaps.lifecycle import OPEN, counterpart, record, transition, unit_of
from bot.services.swaps.notices import offer_label
from bot.settings import Settings


async def expire(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """Close the open offers whose time is up and tell everyone concerned, once: the offering
    member, the member named or who took it, and the coordinators asked to approve it. An offer
    whose seat went away some other way (cancelled, removed) is closed without a word."""
    is_due = (SwapOffer.status.in_(OPEN), SwapOffer.expires_at <= now)
    # Loading offers with their joined seats and people costs several times the query even when
    # none comes back, which is almost every tick: the ids first (without LIMIT 1, which can
    # turn PostgreSQL's plan into a scan for a first row that is not there).
    if (await session.scalars(select(SwapOffer.id).where(*is_due))).first() is None:
        return 0
    due = list(
        (await session.scalars(select(SwapOffer).where(*is_due).order_by(SwapOffer.id))).unique()
    )
    queued = 0
    for offer in due:
        before = offer.status
        held = (
            offer.from_assignment.status is AssignmentStatus.SIGNED_UP
            and offer.from_assignment.shift.status is ShiftStatus.SCHEDULED
        )
        to = SwapStatus.EXPIRED if held else SwapStatus.VOID
        if not await transition(session, offer, before, to, now):
            continue
        record(
            session,
            None,
            "expire" if held else "void",
            offer,
            now,
            before={"status": before.value},
            after={"status": to.value},
        )
        if not held:
            continue
        concerned = [offer.offered_by]
        other = counterpart(offer)
        if other is not None:
            concerned.append(other)
        if before is SwapStatus.AWAITING_APPROVAL:
            concerned += await coordinators_of(session, unit_of(offer).id)
        queued += await notify_all(
            session,
            concerned,
            _expired(offer),
            key=_expired_key(offer),
            now=now,
            settings=settings,
            urgent=True,
        )
    return queued


def _expired_key(offer: SwapOffer) -> Callable[[Member], str]:
    return lambda member: f"swap-expired:{offer.id}:{member.id}"


def _expired(offer: SwapOffer) -> Render:
    return lambda t: outbox.payload(t("swaps.notice.expired", shift=offer_label(t, offer)))
