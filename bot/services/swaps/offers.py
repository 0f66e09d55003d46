"""Making an offer (issue 7): give a seat away to whoever of the unit takes it first, hand it
over to a named member, or exchange it for another member's seat. Each checks the seat and
the people asked against the sign-up rules, writes the offer and tells those it is offered to;
until the offer is complete the offering member holds the shift."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import SwapAccept, SwapDecline, SwapTake
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Member,
    ShiftStatus,
    SwapKind,
    SwapOffer,
    SwapStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.people.access import Actor
from bot.services.people.members import on_post
from bot.services.platform import outbox
from bot.services.platform.notify import (
    Render,
    members_of_chats,
    notify,
    notify_all,
    translators,
)
from bot.services.platform.outbox import ButtonRows, Message
from bot.services.platform.redraw import Subject
from bot.services.schedule import seats, unavailability
from bot.services.schedule.eligibility import refusals
from bot.services.schedule.shift_text import reader_of, shift_label
from bot.services.swaps.lifecycle import expiry, record, stands
from bot.services.swaps.notices import SWAP_ASK, SWAP_OFFER, offer_label, offers_told
from bot.services.swaps.queries import (
    exchange_bars,
    exchange_refusal,
    find_member,
    not_eligible,
    own_seat,
    refusal,
)
from bot.settings import Settings


@dataclass(frozen=True)
class Offered:
    offer: SwapOffer
    told: int  # members the offer was sent to


def _new_offer(
    session: AsyncSession,
    kind: SwapKind,
    mine: Assignment,
    now: dt.datetime,
    expires_at: dt.datetime,
    *,
    target: Member | None = None,
    theirs: Assignment | None = None,
) -> SwapOffer:
    offer = SwapOffer(
        kind=kind,
        status=SwapStatus.PENDING,
        from_assignment=mine,
        offered_by=mine.member,
        target_member=target,
        target_assignment=theirs,
        expires_at=expires_at,
        created_at=now,
        updated_at=now,
    )
    session.add(offer)
    return offer


def _urgent(settings: Settings, now: dt.datetime, expires_at: dt.datetime) -> bool:
    """An offer's notice waits for the end of the quiet hours like any other, unless the offer
    would expire first: then it goes out at once. (It also carries the expiry, so one that
    retries hold back past it is dropped rather than arrive with a dead button.)"""
    quiet_until = settings.quiet_until(now)
    return quiet_until is not None and quiet_until >= expires_at


def _answer_buttons(t: Translator, offer: SwapOffer) -> ButtonRows:
    return [
        [
            (t("swaps.button.accept"), SwapAccept(offer.id)),
            (t("swaps.button.decline"), SwapDecline(offer.id)),
        ]
    ]


async def give_away(
    session: AsyncSession, actor: Actor, assignment_id: int, now: dt.datetime, settings: Settings
) -> Offered:
    """Offer the seat to every member of the unit who stands on posts and may take it; the first
    to take it wins."""
    mine = await own_seat(session, actor, assignment_id, now, settings)
    shift, offerer = mine.shift, mine.member
    candidates = [
        member for member in await on_post(session, shift.post.unit_id) if member.id != offerer.id
    ]
    # The sign-up rules for the whole unit at once (on_post already keeps to members who stand
    # on posts); someone waiting for a seat on the shift may take one offered to them, someone
    # excused at its hour (a rule of sign-up) or who declared it off may not (queries.refusal).
    refused = await refusals(
        session,
        [(member, shift) for member in candidates],
        now,
        settings,
        from_waitlist=True,
        planned=True,
    )
    off = await unavailability.blocked(session, [m.id for m in candidates], shift, settings.zone)
    takers = [
        member
        for member in candidates
        if refused[(member.id, shift.id)] is None and member.id not in off
    ]
    if not takers:
        # An offer nobody reads would hold the seat in "being swapped" until it expired.
        raise DomainError(ErrorCode.SWAP_NOBODY_TO_TAKE)
    offer = _new_offer(session, SwapKind.GIVE_AWAY, mine, now, expiry(settings, shift))
    await session.flush()

    await notify_all(
        session,
        takers,
        _give_away_notice(offer),
        key=lambda member: f"swap-offer:{offer.id}:{member.id}",
        now=now,
        settings=settings,
        urgent=_urgent(settings, now, offer.expires_at),
    )
    told = len(takers)
    record(session, offerer.id, "offer", offer, now, after=_state(offer, told=told))
    return Offered(offer, told)


async def hand_over(
    session: AsyncSession,
    actor: Actor,
    assignment_id: int,
    name: str,
    now: dt.datetime,
    settings: Settings,
) -> Offered:
    """Offer the seat to the member of the unit called `name`, who accepts or declines."""
    mine = await own_seat(session, actor, assignment_id, now, settings)
    shift, offerer = mine.shift, mine.member
    target = await find_member(session, offerer, name)
    _reachable(target)
    error = await refusal(session, target, shift, now, settings, reader=reader_of(actor, settings))
    if error is not None:
        raise not_eligible(actor, target, error, settings)
    offer = _new_offer(
        session, SwapKind.HAND_OVER, mine, now, expiry(settings, shift), target=target
    )
    await session.flush()
    return await _ask(session, offer, now, settings)


async def exchange(
    session: AsyncSession,
    actor: Actor,
    assignment_id: int,
    their_assignment_id: int,
    now: dt.datetime,
    settings: Settings,
) -> Offered:
    """Offer the seat for another member's seat; they accept or decline."""
    mine = await own_seat(session, actor, assignment_id, now, settings)
    theirs = await session.get(Assignment, their_assignment_id)
    if theirs is not None:
        # Its holder's row, as leave asked from the seat locks it (leave.ask): leave asked at
        # this moment is found below, or finds this offer.
        await seats.lock_members(session, [theirs.member_id])
    if (
        theirs is None
        or theirs.status is not AssignmentStatus.SIGNED_UP
        or theirs.member_id == mine.member_id
        or theirs.shift.post.unit_id != mine.shift.post.unit_id
        or theirs.shift.status is not ShiftStatus.SCHEDULED
        # A seat whose leave was asked since the list was shown is not swapped.
        or await seats.pending_leave(session, theirs.id) is not None
    ):
        raise DomainError(ErrorCode.SWAP_TARGET_GONE)
    offered, reachable = await exchange_bars(session, theirs.id)
    if offered:
        # Offered by its holder, or asked for by another exchange, since the list was shown.
        raise DomainError(ErrorCode.SWAP_TARGET_GONE)
    if now >= expiry(settings, theirs.shift):
        raise DomainError(ErrorCode.SWAP_TOO_LATE, count=settings.swap_expiry_before_start_min)
    refused = await exchange_refusal(
        session, mine, theirs, now, settings, reader=reader_of(actor, settings)
    )
    if refused is not None:
        raise not_eligible(actor, *refused, settings)
    target = theirs.member
    if not reachable:
        raise DomainError(ErrorCode.SWAP_TARGET_UNREACHABLE, name=target.display_name)
    offer = _new_offer(
        session,
        SwapKind.EXCHANGE,
        mine,
        now,
        expiry(settings, mine.shift, theirs.shift),
        target=target,
        theirs=theirs,
    )
    await session.flush()
    return await _ask(session, offer, now, settings)


def _reachable(target: Member) -> None:
    """An offer to one person who blocked the bot would hold the seat until it expired, unseen."""
    if target.blocked_bot:
        raise DomainError(ErrorCode.SWAP_TARGET_UNREACHABLE, name=target.display_name)


def _give_away_notice(offer: SwapOffer) -> Render:
    """The offer of a give-away to one member of the unit, with 🙋 Take."""

    def render(t: Translator) -> outbox.Message:
        return outbox.payload(
            t(
                "swaps.notice.give_away",
                name=offer.offered_by.display_name,
                shift=offer_label(t, offer),
                until=t.datetime(offer.expires_at),
            ),
            buttons=[[(t("swaps.button.take"), SwapTake(offer.id))]],
            expires_at=offer.expires_at,
            redraw=outbox.Redraw(SWAP_OFFER, (offer.id,)),
        )

    return render


def _ask_notice(offer: SwapOffer) -> Render:
    """The question to the member a hand-over or an exchange names, with Accept and Decline."""

    def render(t: Translator) -> outbox.Message:
        name, until = offer.offered_by.display_name, t.datetime(offer.expires_at)
        if offer.target_assignment is None:
            text = t("swaps.notice.hand_over", name=name, shift=offer_label(t, offer), until=until)
        else:
            text = t(
                "swaps.notice.exchange",
                name=name,
                theirs=offer_label(t, offer),
                yours=shift_label(t, offer.target_assignment.shift),
                until=until,
            )
        return outbox.payload(
            text,
            buttons=_answer_buttons(t, offer),
            expires_at=offer.expires_at,
            redraw=outbox.Redraw(SWAP_ASK, (offer.id,)),
        )

    return render


async def _ask(
    session: AsyncSession, offer: SwapOffer, now: dt.datetime, settings: Settings
) -> Offered:
    """Ask the one member an offer names to accept or decline it, and record the offer."""
    assert offer.target_member is not None
    await notify(
        session,
        offer.target_member,
        _ask_notice(offer),
        key=f"swap-ask:{offer.id}",
        now=now,
        settings=settings,
        urgent=_urgent(settings, now, offer.expires_at),
    )
    record(session, offer.offered_by_id, "offer", offer, now, after=_state(offer))
    return Offered(offer, 1)


async def redraw_offers(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The offers of give-aways about to go out to the unit (`SWAP_OFFER`), drawn again at
    `now`: the shift as it is. None when the offer is off (taken, withdrawn, void, its time
    up, its seat gone or its shift moved, cancelled or started) or the reader may no longer
    take the seat (the rules of sign-up, as when it was offered: left the unit, on another
    shift at that hour since, excused at that hour since, declared it off since, ...)."""
    offers = await offers_told(session, subjects)
    readers = await members_of_chats(session, [subject.chat_id for subject in subjects])
    asked: dict[int, tuple[Member, SwapOffer]] = {}
    for index, subject in enumerate(subjects):
        offer = offers.get(subject.args[0])
        reader = readers.get(subject.chat_id)
        if (
            offer is not None
            and reader is not None
            and reader.id != offer.offered_by_id
            and stands(offer, SwapStatus.PENDING, now)
        ):
            asked[index] = (reader, offer)
    refused = await refusals(
        session,
        [(reader, offer.from_assignment.shift) for reader, offer in asked.values()],
        now,
        settings,
        from_waitlist=True,
        planned=True,
    )
    # Declared off since (/unavailable): read for all the readers at once.
    off = await unavailability.blocked_pairs(
        session,
        [(reader.id, offer.from_assignment.shift) for reader, offer in asked.values()],
        settings.zone,
    )
    translator = translators(settings)
    drawn: list[Message | None] = []
    for index in range(len(subjects)):
        if index not in asked:
            drawn.append(None)
            continue
        reader, offer = asked[index]
        if (
            refused[(reader.id, offer.from_assignment.shift_id)] is not None
            or (reader.id, offer.from_assignment.shift_id) in off
        ):
            drawn.append(None)
            continue
        drawn.append(_give_away_notice(offer)(translator(reader.language)))
    return drawn


async def redraw_asks(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The questions about to go out to the member a hand-over or an exchange names
    (`SWAP_ASK`), drawn again at `now`: the shifts as they are. None when the offer is off
    (withdrawn, void, its time up, a seat gone or a shift moved, cancelled or started)."""
    offers = await offers_told(session, subjects)
    translator = translators(settings)
    drawn: list[Message | None] = []
    for subject in subjects:
        offer = offers.get(subject.args[0])
        if (
            offer is None
            or offer.target_member is None
            or not stands(offer, SwapStatus.PENDING, now)
        ):
            drawn.append(None)
            continue
        drawn.append(_ask_notice(offer)(translator(offer.target_member.language)))
    return drawn


def _state(offer: SwapOffer, **extra: Any) -> dict[str, Any]:
    state: dict[str, Any] = {"kind": offer.kind.value, "status": offer.status.value}
    state["from_assignment"] = offer.from_assignment_id
    if offer.target_member_id is not None:
        state["target_member"] = offer.target_member_id
    if offer.target_assignment_id is not None:
        state["target_assignment"] = offer.target_assignment_id
    if offer.taken_by_id is not None:
        state["taken_by"] = offer.taken_by_id
    return {**state, **extra}
