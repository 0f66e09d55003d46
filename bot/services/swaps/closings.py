"""The word that the scheduler closed an open swap (bot/services/swaps/jobs.py): called off
because one of its seats went away (`SWAP_VOID`), its shift's time changed (`SWAP_MOVED`) or
the member it asks blocked the bot (`SWAP_UNREACHABLE`), or expired (`SWAP_EXPIRED`), to the
offering member, the member named or who took it, and the coordinators asked to approve it.
These go out at once, even in the quiet hours; a 429 or failed sends may still hold them, so
they are drawn again when they go out (kinds of bot/redraw.py): the shift as it is by then,
and nothing once what they say no longer holds.
A swap one of whose shifts is cancelled (which called it off, or came after) is told as void
for that reason, naming that shift, to whoever the cancellation did not reach (the other side,
the coordinators asked), and not at all to whoever it did (the seat's holder, told once, by the
cancellation). One called off because the other side went tells whoever still holds their own
seat in it that the shift is still theirs (`VOID_KEPT`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AssignmentStatus, Member, Shift, ShiftStatus, SwapOffer, SwapStatus
from bot.services.platform import outbox
from bot.services.platform.notify import Render, translators
from bot.services.platform.outbox import Message
from bot.services.platform.redraw import Subject
from bot.services.schedule.shift_text import shift_label
from bot.services.schedule.shifts import cancelled_key
from bot.services.swaps.notices import (
    SWAP_EXPIRED,
    SWAP_MOVED,
    SWAP_UNREACHABLE,
    SWAP_VOID,
    members_told,
    offer_label,
    offers_told,
)
from bot.settings import Settings


@dataclass(frozen=True)
class Closing:
    """How a job closes an offer: the state, the audit action, the notice, and the kind its
    word is drawn again as (also the name of its key)."""

    to: SwapStatus
    action: str
    notice: str
    kind: str


# The word instead of the closing's once a shift of the swap is cancelled, to those the
# cancellation notice did not reach: the swap is void, that shift was cancelled. "A seat
# changed", "nothing changes" and "start a new one" say less, or do not hold of it; its holder
# reads nothing of the swap, having read of the cancellation.
CANCELLED = "swaps.notice.cancelled"


VOID = Closing(SwapStatus.VOID, "void", "swaps.notice.void", SWAP_VOID)
MOVED = Closing(SwapStatus.VOID, "void", "swaps.notice.moved", SWAP_MOVED)
EXPIRED = Closing(SwapStatus.EXPIRED, "expire", "swaps.notice.expired", SWAP_EXPIRED)
# A hand-over or an exchange still asked of a member who blocked the bot since: the question
# cannot reach them (an offer to one who had blocked it is refused for that reason), and the
# seat would wait "being swapped" until the offer expired, its holder thinking it asked.
UNREACHABLE = Closing(SwapStatus.VOID, "void", "swaps.notice.unreachable", SWAP_UNREACHABLE)


def closed(
    offer: SwapOffer, closing: Closing, member: Member, shift: Shift | None = None
) -> Render:
    """The word to `member` that `offer` was closed so, naming its shift, or `shift` (the shift
    asked for in an exchange, moved: its id is the third of the ids it is drawn again from)."""
    if shift is None or shift.id == offer.from_assignment.shift_id:
        drawn = outbox.Redraw(closing.kind, (offer.id, member.id))
        return lambda t: outbox.payload(
            t(closing.notice, shift=offer_label(t, offer)), redraw=drawn
        )
    drawn = outbox.Redraw(closing.kind, (offer.id, member.id, shift.id))
    return lambda t: outbox.payload(t(closing.notice, shift=shift_label(t, shift)), redraw=drawn)


def _named(offer: SwapOffer, args: tuple[int, ...]) -> Shift | None:
    """The shift of the offer a word drawn again from `args` names, if not the one offered."""
    asked = offer.target_assignment
    if len(args) > 2 and asked is not None and asked.shift_id == args[2]:
        return asked.shift
    return None


def unreachable(offer: SwapOffer, closing: Closing, member: Member) -> Render:
    """The word to `member`, who offered it, that `offer` is off because the member it asks
    blocked the bot, naming them; the shift is still theirs (drawn again as the closing's
    kind)."""
    asked = offer.target_member
    assert asked is not None
    drawn = outbox.Redraw(closing.kind, (offer.id, member.id))
    return lambda t: outbox.payload(
        t(closing.notice, shift=offer_label(t, offer), name=asked.display_name), redraw=drawn
    )


def void_cancelled(offer: SwapOffer, closing: Closing, member: Member, shift: Shift) -> Render:
    """The word to `member` that `offer` is void because `shift`, one of its shifts, was
    cancelled (drawn again as the closing's kind)."""
    drawn = outbox.Redraw(closing.kind, (offer.id, member.id))
    return lambda t: outbox.payload(t(CANCELLED, shift=shift_label(t, shift)), redraw=drawn)


# The word instead of VOID's to whoever still holds their own seat in the swap (the offering
# member's, or the one an exchange asked of them): it was the other side that went (their
# seat given up or taken off, or they left the unit). "A seat changed, nothing more to do",
# naming their own shift, would read as if they were off it and need not go.
VOID_KEPT = "swaps.notice.void_kept"


def kept_shift(offer: SwapOffer, member: Member) -> Shift | None:
    """The shift of `member`'s own seat in `offer` while it is still theirs and its shift still
    scheduled: the seat offered, if they offered it, or the one asked of them in exchange."""
    for seat, holder_id in (
        (offer.from_assignment, offer.offered_by_id),
        (offer.target_assignment, offer.target_member_id),
    ):
        if (
            seat is not None
            and holder_id == member.id
            and seat.member_id == member.id
            # Checked in, it was their own doing that called the swap off, not the other side.
            and seat.status is AssignmentStatus.SIGNED_UP
            and seat.shift.status is ShiftStatus.SCHEDULED
        ):
            return seat.shift
    return None


def void_kept(offer: SwapOffer, closing: Closing, member: Member, shift: Shift) -> Render:
    """The word to `member` that `offer` is void and `shift`, their own, is still theirs
    (drawn again as the closing's kind)."""
    drawn = outbox.Redraw(closing.kind, (offer.id, member.id))
    return lambda t: outbox.payload(t(VOID_KEPT, shift=shift_label(t, shift)), redraw=drawn)


def cancelled_shift(offer: SwapOffer) -> Shift | None:
    """The offer's shift that was cancelled, if any: the one offered first, else the one asked
    for in exchange."""
    for seat in (offer.from_assignment, offer.target_assignment):
        if seat is not None and seat.shift.status is not ShiftStatus.SCHEDULED:
            return seat.shift
    return None


async def told_cancelled(
    session: AsyncSession, pairs: Iterable[tuple[int, int]]
) -> set[tuple[int, int]]:
    """Of these (shift, member) pairs, those whose member was told the shift was cancelled
    (they were on it when it was)."""
    keys = {cancelled_key(*pair): pair for pair in set(pairs)}
    if not keys:
        return set()
    return {keys[key] for key in await outbox.queued_keys(session, list(keys))}


async def redraw_void(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The word that a swap was called off because a seat went away (`SWAP_VOID`), drawn again
    at `now`: the shift as it is. None once the shift is over, or for whoever a later offer of
    the same seat concerns (they hear of that one in its own notices). Once a shift of the swap
    is cancelled, none to whoever was told so, CANCELLED to the others."""
    return await _redraw(session, subjects, now, settings, VOID)


async def redraw_moved(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The word that a swap was called off because its shift was moved (`SWAP_MOVED`), drawn
    again at `now`: the shift at its time now. None once the shift is over, or for whoever a
    later offer of the same seat concerns: the one who offered it started again, as the word
    asks, and whoever it names or took it hears of it in its own notices. Once the shift is
    cancelled, none to whoever was told so, CANCELLED to the others."""
    return await _redraw(session, subjects, now, settings, MOVED)


async def redraw_expired(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The word that a swap expired and nothing changes (`SWAP_EXPIRED`), drawn again at `now`:
    the shift as it is. None once the shift is over, or for whoever a later offer of the same
    seat concerns (the shift moved later, and offered again: told in its own notices). Kept
    while the shift is under way: the one who offered it is expected there. Once the shift is
    cancelled, none to whoever was told so, CANCELLED to the others."""
    return await _redraw(session, subjects, now, settings, EXPIRED)


async def redraw_unreachable(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The word that a swap was called off because the member it asks blocked the bot
    (`SWAP_UNREACHABLE`), drawn again at `now`: the shift as it is. None once the shift is
    over, to whoever no longer holds the seat offered, or when a later offer of the seat
    concerns them (they started again). Once the shift is cancelled, none to whoever was told
    so."""
    return await _redraw(session, subjects, now, settings, UNREACHABLE)


async def _redraw(
    session: AsyncSession,
    subjects: Sequence[Subject],
    now: dt.datetime,
    settings: Settings,
    closing: Closing,
) -> list[Message | None]:
    offers = await offers_told(session, subjects)
    people = await members_told(session, subjects)
    superseded = await _concerned_by_later_offers(session, list(offers.values()))
    told = await told_cancelled(
        session,
        (
            (cancelled.id, subject.args[1])
            for subject in subjects
            if (offer := offers.get(subject.args[0])) is not None
            and (cancelled := cancelled_shift(offer)) is not None
        ),
    )
    translator = translators(settings)
    drawn: list[Message | None] = []
    for subject in subjects:
        offer, person = offers.get(subject.args[0]), people.get(subject.args[1])
        if offer is None or person is None or offer.status is not closing.to:
            drawn.append(None)
            continue
        shift = offer.from_assignment.shift
        if shift.ends_at <= now or (offer.id, person.id) in superseded:
            drawn.append(None)
            continue
        word = word_to(offer, closing, person, told, _named(offer, subject.args))
        drawn.append(None if word is None else word(translator(person.language)))
    return drawn


def word_to(
    offer: SwapOffer,
    closing: Closing,
    member: Member,
    told: set[tuple[int, int]],
    shift: Shift | None = None,
) -> Render | None:
    """What `member` is told of `offer` closed so: the closing's word (naming `shift`, if
    given, instead of the one offered; called off while their own seat in it stands, that it
    is still theirs), or, once a shift of it is cancelled, nothing if they were told so
    (`told`: (shift, member) pairs), else that the swap is void for that reason."""
    cancelled = cancelled_shift(offer)
    if cancelled is None and closing.kind == SWAP_UNREACHABLE:
        # Told only to its holder, while the seat offered is still theirs.
        return unreachable(offer, closing, member) if kept_shift(offer, member) else None
    if cancelled is None:
        kept = kept_shift(offer, member) if closing.kind == SWAP_VOID else None
        if kept is not None:
            return void_kept(offer, closing, member, kept)
        return closed(offer, closing, member, shift)
    if (cancelled.id, member.id) in told:
        return None
    return void_cancelled(offer, closing, member, cancelled)


async def _concerned_by_later_offers(
    session: AsyncSession, offers: Sequence[SwapOffer]
) -> set[tuple[int, int]]:
    """(offer, member) for each member whom an offer of the same seat made after it concerns:
    the one who made it, the member it names, whoever took it."""
    seats = sorted({offer.from_assignment_id for offer in offers})
    if not seats:
        return set()
    made = (
        await session.execute(
            select(
                SwapOffer.id,
                SwapOffer.from_assignment_id,
                SwapOffer.offered_by_id,
                SwapOffer.target_member_id,
                SwapOffer.taken_by_id,
            ).where(SwapOffer.from_assignment_id.in_(seats))
        )
    ).all()
    by_seat: dict[int, list[tuple[int, set[int | None]]]] = {}
    for offer_id, seat_id, offered_by, target, taken_by in made:
        by_seat.setdefault(seat_id, []).append((offer_id, {offered_by, target, taken_by}))
    return {
        (offer.id, member_id)
        for offer in offers
        for later_id, people in by_seat.get(offer.from_assignment_id, [])
        if later_id > offer.id
        for member_id in people
        if member_id is not None
    }
