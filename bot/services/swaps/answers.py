"""Answering an offer: taking a give-away, accepting or declining a hand-over or an exchange,
withdrawing one's own offer, and a coordinator approving or rejecting (the seats move in
bot/services/swaps/completion.py).

Every rule of sign-up is checked again at acceptance and at approval, under the locks of the
shifts involved. Accepting is a conditional UPDATE on the offer's status, so of many people
pressing Take at once exactly one wins, whatever the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AssignmentStatus, Member, Role, SwapKind, SwapOffer, SwapStatus
from bot.errors import DomainError, ErrorCode
from bot.services.people.access import Actor
from bot.services.people.reachability import coordinators_of
from bot.services.schedule.seats import lock, lock_members
from bot.services.schedule.shift_text import reader_of
from bot.services.swaps.acceptance import accepted
from bot.services.swaps.completion import complete
from bot.services.swaps.endings import ended
from bot.services.swaps.lifecycle import counterpart, get, record, transition, unit_of
from bot.services.swaps.notices import (
    SWAP_ACCEPTED,
    SWAP_ENDED,
    ask_approval,
    close_approval,
    parties_of,
    tell,
)
from bot.services.swaps.queries import not_eligible, refusal
from bot.settings import Settings


@dataclass(frozen=True)
class Accepted:
    offer: SwapOffer
    completed: bool  # False: it waits for a coordinator


def _closed(offer: SwapOffer, member: Member | None = None) -> DomainError:
    """Why an offer can no longer be acted on (by `member`: who took it, pressing again, is
    told so, not that someone else did)."""
    taken = (SwapStatus.AWAITING_APPROVAL, SwapStatus.COMPLETED)
    if member is not None and offer.taken_by_id == member.id and offer.status in taken:
        return DomainError(ErrorCode.SWAP_TAKEN_BY_YOU)
    codes = {
        SwapStatus.AWAITING_APPROVAL: ErrorCode.SWAP_ALREADY_TAKEN,
        SwapStatus.COMPLETED: ErrorCode.SWAP_ALREADY_TAKEN,
        SwapStatus.DECLINED: ErrorCode.SWAP_DECLINED,
        SwapStatus.REJECTED: ErrorCode.SWAP_ALREADY_DECIDED,
        SwapStatus.WITHDRAWN: ErrorCode.SWAP_WITHDRAWN,
        SwapStatus.EXPIRED: ErrorCode.SWAP_EXPIRED,
    }
    return DomainError(codes.get(offer.status, ErrorCode.SWAP_CLOSED))


async def _lock(session: AsyncSession, offer: SwapOffer) -> None:
    """Lock the shifts the offer moves seats on (in id order, so two swaps cannot deadlock),
    then read the offer and its seats as they are now."""
    shift_ids = {offer.from_assignment.shift_id}
    if offer.target_assignment is not None:
        shift_ids.add(offer.target_assignment.shift_id)
    for shift_id in sorted(shift_ids):
        await lock(session, shift_id)
    await session.refresh(offer)
    await session.refresh(offer.from_assignment)
    if offer.target_assignment is not None:
        await session.refresh(offer.target_assignment)


def _require_open_in_time(offer: SwapOffer, now: dt.datetime) -> None:
    """Before the expiry tick has run, the clock alone closes an offer."""
    starts = [offer.from_assignment.shift.starts_at]
    if offer.target_assignment is not None:
        starts.append(offer.target_assignment.shift.starts_at)
    if now >= min(starts):
        raise DomainError(ErrorCode.SWAP_SHIFT_STARTED)
    if now >= offer.expires_at:
        raise DomainError(ErrorCode.SWAP_EXPIRED)


def _require_still_held(offer: SwapOffer) -> None:
    """Both seats are still where the offer found them (nobody cancelled or moved them)."""
    mine = offer.from_assignment
    if mine.status is not AssignmentStatus.SIGNED_UP or mine.member_id != offer.offered_by_id:
        raise DomainError(ErrorCode.SWAP_CLOSED)
    theirs = offer.target_assignment
    if theirs is not None and (
        theirs.status is not AssignmentStatus.SIGNED_UP
        or theirs.member_id != offer.target_member_id
    ):
        raise DomainError(ErrorCode.SWAP_TARGET_GONE)


async def _check_both(
    session: AsyncSession,
    actor: Actor,
    offer: SwapOffer,
    taker: Member,
    now: dt.datetime,
    settings: Settings,
    *,
    taker_is_actor: bool,
) -> None:
    """The rules of sign-up, again, for whoever takes a seat in this swap (both locked first,
    after the shifts, as every path that gives a seat does)."""
    await lock_members(session, [taker.id, offer.offered_by_id])
    theirs = offer.target_assignment
    reader = reader_of(actor, settings)
    error = await refusal(
        session,
        taker,
        offer.from_assignment.shift,
        now,
        settings,
        leaving=theirs.id if theirs is not None else None,
        reader=reader,
    )
    if error is not None:
        raise error if taker_is_actor else not_eligible(actor, taker, error, settings)
    if theirs is not None:
        error = await refusal(
            session,
            offer.offered_by,
            theirs.shift,
            now,
            settings,
            leaving=offer.from_assignment_id,
            reader=reader,
        )
        if error is not None:
            raise not_eligible(actor, offer.offered_by, error, settings)


async def take(
    session: AsyncSession, actor: Actor, offer_id: int, now: dt.datetime, settings: Settings
) -> Accepted:
    """Take a give-away (the Take button)."""
    member = actor.require_member()
    offer = await get(session, offer_id)
    if offer.kind is not SwapKind.GIVE_AWAY and offer.target_member_id != member.id:
        raise DomainError(ErrorCode.SWAP_NOT_FOR_YOU)
    return await _accept(session, actor, member, offer, now, settings)


async def accept(
    session: AsyncSession, actor: Actor, offer_id: int, now: dt.datetime, settings: Settings
) -> Accepted:
    """The named member accepts a hand-over or an exchange."""
    member = actor.require_member()
    offer = await get(session, offer_id)
    if offer.offered_by_id != member.id and (
        offer.kind is SwapKind.GIVE_AWAY or offer.target_member_id != member.id
    ):
        raise DomainError(ErrorCode.SWAP_NOT_FOR_YOU)
    return await _accept(session, actor, member, offer, now, settings)


async def _accept(
    session: AsyncSession,
    actor: Actor,
    member: Member,
    offer: SwapOffer,
    now: dt.datetime,
    settings: Settings,
) -> Accepted:
    if offer.offered_by_id == member.id:
        raise DomainError(ErrorCode.SWAP_OWN_OFFER)
    await _lock(session, offer)
    if offer.status is not SwapStatus.PENDING:
        raise _closed(offer, member)
    _require_open_in_time(offer, now)
    _require_still_held(offer)
    await _check_both(session, actor, offer, member, now, settings, taker_is_actor=True)
    approval = unit_of(offer).require_swap_approval
    to = SwapStatus.AWAITING_APPROVAL if approval else SwapStatus.COMPLETED
    if not await transition(session, offer, SwapStatus.PENDING, to, now, taken_by_id=member.id):
        raise _closed(offer, member)
    record(
        session,
        member.id,
        "accept",
        offer,
        now,
        before={"status": SwapStatus.PENDING.value},
        after={"status": to.value, "taken_by": member.id},
    )
    if approval:
        await ask_approval(session, offer, now, settings)
        await tell(
            session,
            offer,
            offer.offered_by,
            "accepted",
            accepted(offer),
            now,
            settings,
            redraw=SWAP_ACCEPTED,
        )
    else:
        await complete(session, offer, now, settings, notify=(offer.offered_by,))
    return Accepted(offer, completed=not approval)


async def decline(
    session: AsyncSession, actor: Actor, offer_id: int, now: dt.datetime, settings: Settings
) -> SwapOffer:
    """The named member says no to a hand-over or an exchange."""
    member = actor.require_member()
    offer = await get(session, offer_id)
    if offer.kind is SwapKind.GIVE_AWAY or offer.target_member_id != member.id:
        raise DomainError(ErrorCode.SWAP_NOT_FOR_YOU)
    if not await transition(session, offer, SwapStatus.PENDING, SwapStatus.DECLINED, now):
        # Accepted already (from another copy of the question): by them, not by someone else.
        raise _closed(offer, member)
    record(session, member.id, "decline", offer, now)
    await tell(
        session,
        offer,
        offer.offered_by,
        "declined",
        ended(offer),
        now,
        settings,
        redraw=SWAP_ENDED,
    )
    return offer


async def withdraw(
    session: AsyncSession, actor: Actor, offer_id: int, now: dt.datetime, settings: Settings
) -> SwapOffer:
    """The offering member takes the offer back while it is still open."""
    member = actor.require_member()
    offer = await get(session, offer_id)
    if offer.offered_by_id != member.id:
        raise DomainError(ErrorCode.SWAP_NOT_YOURS)
    before = offer.status
    if not before.is_open or not await transition(
        session, offer, before, SwapStatus.WITHDRAWN, now
    ):
        if offer.status in (SwapStatus.COMPLETED, SwapStatus.REJECTED):
            raise DomainError(ErrorCode.SWAP_ALREADY_DECIDED)
        raise _closed(offer)
    record(
        session,
        member.id,
        "withdraw",
        offer,
        now,
        before={"status": before.value},
        after={"status": SwapStatus.WITHDRAWN.value},
    )
    told = [other] if (other := counterpart(offer)) is not None else []
    if before is SwapStatus.AWAITING_APPROVAL:
        # The coordinators asked to approve it, as when it expires or is called off.
        coordinators = await coordinators_of(session, unit_of(offer).id)
        told += [c for c in coordinators if c.id not in (member.id, offer.taken_by_id)]
    for person in told:
        await tell(
            session,
            offer,
            person,
            "withdrawn",
            ended(offer),
            now,
            settings,
            redraw=SWAP_ENDED,
        )
    if before is SwapStatus.AWAITING_APPROVAL:
        await close_approval(session, offer, now, settings)
    return offer


async def decide(
    session: AsyncSession,
    actor: Actor,
    offer_id: int,
    approve: bool,
    now: dt.datetime,
    settings: Settings,
) -> SwapOffer:
    """A coordinator of the unit approves or rejects an accepted swap."""
    offer = await get(session, offer_id)
    actor.require_unit(unit_of(offer).id, Role.COORDINATOR)
    if actor.member is not None and actor.member.id in parties_of(offer):
        # Asked of the unit's other coordinators (or the admins), never of a party: a forged
        # press does not let one approve, or reject, their own swap.
        raise DomainError(ErrorCode.SWAP_OWN_DECISION)
    await _lock(session, offer)
    if offer.status is not SwapStatus.AWAITING_APPROVAL:
        raise DomainError(
            ErrorCode.SWAP_ALREADY_DECIDED
            if offer.status in (SwapStatus.COMPLETED, SwapStatus.REJECTED)
            else _closed(offer).code
        )
    taker = offer.taken_by
    assert taker is not None
    decider = actor.member.id if actor.member is not None else None
    if approve:
        _require_open_in_time(offer, now)
        _require_still_held(offer)
        await _check_both(session, actor, offer, taker, now, settings, taker_is_actor=False)
        to = SwapStatus.COMPLETED
    else:
        to = SwapStatus.REJECTED
    if not await transition(
        session, offer, SwapStatus.AWAITING_APPROVAL, to, now, decided_by_id=decider
    ):
        raise DomainError(ErrorCode.SWAP_ALREADY_DECIDED)
    record(
        session,
        decider,
        "approve" if approve else "reject",
        offer,
        now,
        before={"status": SwapStatus.AWAITING_APPROVAL.value},
        after={"status": to.value},
    )
    if approve:
        await complete(session, offer, now, settings, notify=(offer.offered_by, taker))
    else:
        for person in (offer.offered_by, taker):
            await tell(
                session,
                offer,
                person,
                "rejected",
                ended(offer),
                now,
                settings,
                redraw=SWAP_ENDED,
            )
    # The other deciders' cards say how it was decided; the pressed one is answered in place.
    await close_approval(session, offer, now, settings, spare=actor.telegram_id)
    return offer
