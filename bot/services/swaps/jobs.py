"""The swaps' scheduler jobs (rows of ``bot/due.py``): closing the offers whose seat went away
some other way, and those whose time is up, telling everyone concerned, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Member,
    Post,
    Shift,
    ShiftStatus,
    SwapOffer,
    SwapStatus,
)
from bot.services.people.reachability import coordinators_of, has_decider
from bot.services.platform import outbox
from bot.services.platform.notify import notify
from bot.services.swaps.closings import (
    EXPIRED,
    MOVED,
    UNREACHABLE,
    VOID,
    Closing,
    cancelled_shift,
    told_cancelled,
    word_to,
)
from bot.services.swaps.lifecycle import OPEN, counterpart, record, transition, unit_of
from bot.services.swaps.notices import approval_key, ask_approval, close_approval
from bot.services.swaps.queries import awaiting_approval
from bot.settings import Settings


def _orphaned() -> Select[SwapOffer]:
    """The open offers one of whose seats is no longer held: the offering member's, or the one
    asked for in exchange (a coordinator took the holder off, a seat given up, the shift
    cancelled)."""
    mine, my_shift = aliased(Assignment), aliased(Shift)
    theirs, their_shift = aliased(Assignment), aliased(Shift)

    def gone(seat: Any, shift: Any) -> Any:
        return or_(seat.status != AssignmentStatus.SIGNED_UP, shift.status != ShiftStatus.SCHEDULED)

    return (
        select(SwapOffer)
        .join(mine, SwapOffer.from_assignment_id == mine.id)
        .join(my_shift, mine.shift_id == my_shift.id)
        .outerjoin(theirs, SwapOffer.target_assignment_id == theirs.id)
        .outerjoin(their_shift, theirs.shift_id == their_shift.id)
        .where(
            SwapOffer.status.in_(OPEN),
            or_(gone(mine, my_shift), and_(theirs.id.is_not(None), gone(theirs, their_shift))),
        )
        .order_by(SwapOffer.id)
    )


def _asking_unreachable() -> Select[SwapOffer]:
    """The hand-overs and exchanges still asked of a member who blocked the bot since (or whom
    Telegram refused a message): the question cannot reach them. Once accepted, a swap goes on
    without them: what it waits for is a coordinator."""
    return (
        select(SwapOffer)
        .join(Member, SwapOffer.target_member_id == Member.id)
        .where(SwapOffer.status == SwapStatus.PENDING, Member.blocked_bot.is_(True))
        .order_by(SwapOffer.id)
    )


async def _close(
    session: AsyncSession,
    offer: SwapOffer,
    to: SwapStatus,
    action: str,
    now: dt.datetime,
    settings: Settings,
) -> SwapStatus | None:
    """Move an open offer to `to` and record it, closing the cards that asked to approve it;
    the status it had, or None when another process closed it first."""
    before = offer.status
    if not await transition(session, offer, before, to, now):
        return None
    record(
        session,
        None,
        action,
        offer,
        now,
        before={"status": before.value},
        after={"status": to.value},
    )
    if before is SwapStatus.AWAITING_APPROVAL:
        await close_approval(session, offer, now, settings)
    return before


async def void_orphans(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """Close at once the open offers whose seat went away some other way, and tell who was
    waiting on them: the offering member, the member named or who took it, and the coordinators
    asked to approve it. (Left to expiry, a taker would wait for a seat that no longer exists.)
    Close too those still asked of a member who blocked the bot, and tell the offering member."""
    # Open offers are few and usually none: that is asked first, the joins only when there are.
    if (
        await session.scalars(select(SwapOffer.id).where(SwapOffer.status.in_(OPEN)))
    ).first() is None:
        return 0
    queued = 0
    for offer in list((await session.scalars(_orphaned())).unique()):
        queued += await _close_and_tell(session, offer, VOID, now, settings)
    # Asked of someone who can no longer read it: off, and its holder told the seat is theirs.
    for offer in list((await session.scalars(_asking_unreachable())).unique()):
        queued += await _close_and_tell(session, offer, UNREACHABLE, now, settings)
    return queued


async def call_off(
    session: AsyncSession, offer: SwapOffer, now: dt.datetime, settings: Settings
) -> int:
    """Close an open offer whose seat went away (a swap of it went through, say) and tell
    everyone waiting on it, as `void_orphans` would at the next tick; how many were told."""
    return await _close_and_tell(session, offer, VOID, now, settings)


async def void_for_moved_shift(
    session: AsyncSession, shift_id: int, now: dt.datetime, settings: Settings
) -> int:
    """A shift's time changed: the open offers of its seats are off, and everyone waiting on
    them is told. Those offered it agreed to the old time, and its expiry (counted from the
    start) no longer holds."""
    mine, theirs = aliased(Assignment), aliased(Assignment)
    moved = (
        select(SwapOffer)
        .join(mine, SwapOffer.from_assignment_id == mine.id)
        .outerjoin(theirs, SwapOffer.target_assignment_id == theirs.id)
        .where(
            SwapOffer.status.in_(OPEN),
            or_(mine.shift_id == shift_id, theirs.shift_id == shift_id),
        )
        .order_by(SwapOffer.id)
    )
    queued = 0
    for offer in list((await session.scalars(moved)).unique()):
        # The word names the shift that moved: in an exchange, maybe the one asked for.
        asked = offer.target_assignment
        shift = asked.shift if asked is not None and asked.shift_id == shift_id else None
        queued += await _close_and_tell(session, offer, MOVED, now, settings, shift)
    return queued


async def void_for_member(
    session: AsyncSession, member_id: int, now: dt.datetime, settings: Settings
) -> int:
    """A member left the unit (or the posts): the open offers they made, were named in or took
    are off, and everyone else waiting on them is told (the one leaving hears it once, from the
    notice of their leaving). How many offers were called off."""
    theirs = (
        select(SwapOffer)
        .where(
            SwapOffer.status.in_(OPEN),
            or_(
                SwapOffer.offered_by_id == member_id,
                SwapOffer.target_member_id == member_id,
                SwapOffer.taken_by_id == member_id,
            ),
        )
        .order_by(SwapOffer.id)
    )
    voided = 0
    for offer in list((await session.scalars(theirs)).unique()):
        before = await _close(session, offer, VOID.to, VOID.action, now, settings)
        if before is not None:
            voided += 1
            await _tell(session, offer, before, VOID, now, settings, spare=member_id)
    return voided


async def _close_and_tell(
    session: AsyncSession,
    offer: SwapOffer,
    closing: Closing,
    now: dt.datetime,
    settings: Settings,
    shift: Shift | None = None,
) -> int:
    """Close an open offer and tell everyone concerned, once (keyed by the offer and the
    person), naming `shift` if given; nothing when another process closed it first."""
    before = await _close(session, offer, closing.to, closing.action, now, settings)
    if before is None:
        return 0
    return await _tell(session, offer, before, closing, now, settings, shift=shift)


async def _tell(
    session: AsyncSession,
    offer: SwapOffer,
    before: SwapStatus,
    closing: Closing,
    now: dt.datetime,
    settings: Settings,
    *,
    spare: int | None = None,
    shift: Shift | None = None,
) -> int:
    """Tell everyone concerned by an offer just closed (but the member `spare`) how it ended;
    once a shift of it is cancelled, whoever held its seat was told so and hears nothing more,
    the others that the swap is void for that reason."""
    concerned = [
        member for member in await _concerned(session, offer, before) if member.id != spare
    ]
    cancelled = cancelled_shift(offer)
    told = (
        await told_cancelled(session, ((cancelled.id, member.id) for member in concerned))
        if cancelled is not None
        else set()
    )
    queued = 0
    for member in concerned:
        word = word_to(offer, closing, member, told, shift)
        if word is not None and await notify(
            session,
            member,
            word,
            key=f"{closing.kind}:{offer.id}:{member.id}",
            now=now,
            settings=settings,
            urgent=True,
        ):
            queued += 1
    return queued


async def _concerned(session: AsyncSession, offer: SwapOffer, before: SwapStatus) -> list[Member]:
    concerned = [offer.offered_by]
    other = counterpart(offer)
    if other is not None:
        concerned.append(other)
    if before is SwapStatus.AWAITING_APPROVAL:
        concerned += await coordinators_of(session, unit_of(offer).id)
    return concerned


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
        held = (
            offer.from_assignment.status is AssignmentStatus.SIGNED_UP
            and offer.from_assignment.shift.status is ShiftStatus.SCHEDULED
        )
        if not held:
            # Its seat went away since void_orphans, which tells whoever waited, last ran.
            await _close(session, offer, SwapStatus.VOID, "void", now, settings)
            continue
        queued += await _close_and_tell(session, offer, EXPIRED, now, settings)
    return queued


async def ask_admins_instead(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """The swaps awaiting approval that none of their unit's coordinators can decide any more
    (each blocked the bot since they were asked, or Telegram refused the request) are asked of
    the admins, once each (under ask_approval's keys), as a unit without a coordinator to write
    to has its swaps decided: otherwise nobody would read the request before it expired. Read
    in a few statements whatever the number of swaps waiting (a steady tick: one, through the
    index of statuses). How many were asked."""
    waiting = SwapOffer.status == SwapStatus.AWAITING_APPROVAL
    if not settings.admin_ids:
        return 0
    if (await session.scalars(select(SwapOffer.id).where(waiting).limit(1))).first() is None:
        return 0
    undecidable = list(
        (
            await session.scalars(
                awaiting_approval()
                .where(~has_decider(Post.unit_id, SwapOffer.offered_by_id, SwapOffer.taken_by_id))
                .order_by(SwapOffer.id)
            )
        ).unique()
    )
    if not undecidable:
        return 0
    # The admins who would be asked (a party is not: ask_approval spares them), by offer.
    keys = {
        offer.id: [
            approval_key(offer.id, admin_id)
            for admin_id in dict.fromkeys(settings.admin_ids)
            if admin_id not in _parties_chats(offer)
        ]
        for offer in undecidable
    }
    asked = await outbox.queued_keys(session, [key for each in keys.values() for key in each])
    queued = 0
    for offer in undecidable:
        # Asked of the admins at a tick before (or none to ask): nothing more to do.
        if not keys[offer.id] or asked.intersection(keys[offer.id]):
            continue
        queued += await ask_approval(session, offer, now, settings)
    return queued


def _parties_chats(offer: SwapOffer) -> set[int]:
    return {m.telegram_id for m in (offer.offered_by, offer.taken_by) if m is not None}
