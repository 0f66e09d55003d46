"""Completing a swap, accepted and, where the unit asks for it, approved
(bot/services/swaps/answers.py): the seats move, the other open offers of them become void, and
either side is told, in a word drawn again when it goes out (`SWAP_COMPLETED`, a kind of
bot/redraw.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AssignmentStatus,
    Member,
    Shift,
    ShiftStatus,
    SwapOffer,
)
from bot.i18n import Translator
from bot.services.platform import outbox
from bot.services.platform.notify import translators
from bot.services.platform.outbox import Message
from bot.services.platform.redraw import Subject
from bot.services.schedule import seat_scan
from bot.services.schedule.seats import seat, seat_holders
from bot.services.schedule.shift_text import shift_label
from bot.services.swaps.jobs import call_off
from bot.services.swaps.lifecycle import record
from bot.services.swaps.notices import (
    SWAP_COMPLETED,
    members_told,
    offer_label,
    offers_told,
    tell,
)
from bot.services.swaps.queries import open_offer_on
from bot.settings import Settings


async def complete(
    session: AsyncSession,
    offer: SwapOffer,
    now: dt.datetime,
    settings: Settings,
    *,
    notify: Sequence[Member],
) -> None:
    """Move the seats: the offering member's seat goes to the taker and, in an exchange, the
    taker's seat to the offering member. Other open offers of these seats become void, and
    whoever waits on them is told."""
    taker = offer.taken_by
    assert taker is not None
    mine = offer.from_assignment
    moves = [(mine, taker)]
    if offer.target_assignment is not None:
        moves.append((offer.target_assignment, offer.offered_by))
    for leaving, _ in moves:
        leaving.status = AssignmentStatus.CANCELLED
        leaving.updated_at = now
    await session.flush()
    await seat_scan.withdraw_notices(session, [leaving.id for leaving, _ in moves], now, settings)
    seats: dict[str, int] = {}
    for leaving, newcomer in moves:
        # A row the newcomer left on this shift earlier (cancelled, waiting) is reused: one row
        # per member and shift.
        arrived = await seat(session, newcomer, leaving.shift, AssignmentStatus.SIGNED_UP, now)
        seats[str(leaving.id)] = arrived.id
    record(
        session,
        None,
        "complete",
        offer,
        now,
        before={"holders": {str(a.id): a.member_id for a, _ in moves}},
        after={"seats": seats},
    )
    moved = [a.id for a, _ in moves]
    stale = (
        await session.scalars(
            select(SwapOffer).where(SwapOffer.id != offer.id, open_offer_on(moved))
        )
    ).unique()
    for other in stale:
        # Whoever waits on it (an exchange asking for a seat given away meanwhile, say) is
        # told, and the cards asking to approve it closed: nothing else would, it being closed.
        await call_off(session, other, now, settings)
    for person in notify:
        gets = offer.from_assignment.shift if person.id == taker.id else None
        if gets is None and offer.target_assignment is not None:
            gets = offer.target_assignment.shift
        text = _completed(offer, taker, gets)
        await tell(session, offer, person, "completed", text, now, settings, redraw=SWAP_COMPLETED)


def _gets(offer: SwapOffer, person_id: int) -> Shift | None:
    """The shift a completed swap gave `person_id` (None: the side whose seat went)."""
    if person_id == offer.taken_by_id:
        return offer.from_assignment.shift
    if offer.target_assignment is not None:
        return offer.target_assignment.shift
    return None


async def redraw_completed(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The word to either side of a swap that it is complete (`SWAP_COMPLETED`), about to go
    out, drawn again at `now`: the shifts as they are. None for the side told of a seat it got
    once that seat is no longer theirs (given up, taken off, swapped on, the shift cancelled:
    each told in its own notice) or its shift is over (kept while it is under way: they are
    expected there). None for the side told that it need not go once the shift is over, or
    once they hold a seat on it again (swapped back, signed up again); kept when the shift is
    cancelled, which, holding no seat on it, they are not told otherwise."""
    offers = await offers_told(session, subjects)
    gets = {
        (offer.id, subject.args[1]): _gets(offer, subject.args[1])
        for subject in subjects
        if (offer := offers.get(subject.args[0])) is not None
    }
    shift_ids = sorted(
        {shift.id for shift in gets.values() if shift is not None}
        | {offer.from_assignment.shift_id for offer in offers.values()}
    )
    held = await seat_holders(session, shift_ids)
    people = await members_told(session, subjects)
    translator = translators(settings)
    drawn: list[Message | None] = []
    for subject in subjects:
        offer_id, person_id = subject.args[0], subject.args[1]
        offer, person = offers.get(offer_id), people.get(person_id)
        if offer is None or person is None or offer.taken_by is None:
            drawn.append(None)
            continue
        shift = gets[(offer_id, person_id)]
        if shift is not None and (
            shift.status is not ShiftStatus.SCHEDULED
            or shift.ends_at <= now
            or (shift.id, person_id) not in held
        ):
            drawn.append(None)
            continue
        gone = offer.from_assignment.shift
        if shift is None and (gone.ends_at <= now or (gone.id, person_id) in held):
            drawn.append(None)
            continue
        text = _completed(offer, offer.taken_by, shift)(translator(person.language))
        drawn.append(outbox.payload(text, redraw=outbox.Redraw(SWAP_COMPLETED, subject.args)))
    return drawn


def _completed(offer: SwapOffer, taker: Member, gets: Shift | None) -> Callable[[Translator], str]:
    """What a swap's completion says to one side: the seat they now hold, or that theirs is gone."""

    def text(t: Translator) -> str:
        if gets is not None:
            return t("swaps.notice.completed_yours", shift=shift_label(t, gets))
        return t(
            "swaps.notice.completed_gone", name=taker.display_name, shift=offer_label(t, offer)
        )

    return text
