"""An offer's life: which statuses are still open, when an offer expires, moving it from one
status to the next in one conditional UPDATE (of many people pressing at once, one wins), and
each step written to the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Member,
    Shift,
    ShiftStatus,
    SwapOffer,
    SwapStatus,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.services.platform import audit
from bot.services.schedule.deadlines import swap_deadline
from bot.settings import Settings

OPEN = (SwapStatus.PENDING, SwapStatus.AWAITING_APPROVAL)


def expiry(settings: Settings, *on: Shift) -> dt.datetime:
    return min(swap_deadline(shift, settings) for shift in on)


def unit_of(offer: SwapOffer) -> Unit:
    return offer.from_assignment.shift.post.unit


def counterpart(offer: SwapOffer) -> Member | None:
    """Who takes the seat: the named member, or whoever took a give-away."""
    return offer.target_member or offer.taken_by


def stands(offer: SwapOffer, status: SwapStatus, now: dt.datetime) -> bool:
    """Whether `offer` is still in `status` and could still go through at `now`: its time not
    up, and its seats held, by those it names, on shifts still scheduled and ahead (what a
    notice of it drawn again at `now` asks before it says anything)."""

    def held(seat: Assignment | None, holder_id: int | None) -> bool:
        return seat is None or (
            seat.status is AssignmentStatus.SIGNED_UP
            and seat.member_id == holder_id
            and seat.shift.status is ShiftStatus.SCHEDULED
            and seat.shift.starts_at > now
        )

    return (
        offer.status is status
        and now < offer.expires_at
        and held(offer.from_assignment, offer.offered_by_id)
        and held(offer.target_assignment, offer.target_member_id)
    )


async def get(session: AsyncSession, offer_id: int) -> SwapOffer:
    offer = await session.get(SwapOffer, offer_id)
    if offer is None:
        raise DomainError(ErrorCode.SWAP_NOT_FOUND)
    return offer


async def transition(
    session: AsyncSession,
    offer: SwapOffer,
    expected: SwapStatus,
    to: SwapStatus,
    now: dt.datetime,
    **values: Any,
) -> bool:
    """Move the offer from `expected` to `to` in one conditional UPDATE; False if someone else
    moved it first. This, not a read before, is what makes one winner among many."""
    result = await session.execute(
        update(SwapOffer)
        .where(SwapOffer.id == offer.id, SwapOffer.status == expected)
        .values(status=to, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        await session.refresh(offer)
        return False
    await session.refresh(offer)
    return True


def record(
    session: AsyncSession,
    actor_id: int | None,
    action: str,
    offer: SwapOffer,
    now: dt.datetime,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        actor_id=actor_id,
        action=f"swap.{action}",
        object_type="swap",
        object_id=offer.id,
        before=before,
        after=after,
        now=now,
    )
