"""The word that a swap ended without going through: declined by the member it named, withdrawn
by the offering member, rejected by a coordinator (bot/services/swaps/answers.py). Drawn again
when it goes out (a kind of bot/redraw.py), so that it names the shift as it is by then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, ShiftStatus, SwapOffer, SwapStatus
from bot.i18n import Translator
from bot.services.platform import outbox
from bot.services.platform.notify import translators
from bot.services.platform.outbox import Message
from bot.services.platform.redraw import Subject
from bot.services.schedule.seats import seat_holders
from bot.services.swaps.notices import SWAP_ENDED, members_told, offer_label, offers_told
from bot.settings import Settings

ENDINGS = (SwapStatus.DECLINED, SwapStatus.WITHDRAWN, SwapStatus.REJECTED)


def ended(offer: SwapOffer) -> Callable[[Translator], str]:
    """What an offer that ended (one of ENDINGS, its status) says: who ended it, which shift."""

    def text(t: Translator) -> str:
        shift = offer_label(t, offer)
        if offer.status is SwapStatus.DECLINED:
            assert offer.target_member is not None
            return t("swaps.notice.declined", name=offer.target_member.display_name, shift=shift)
        if offer.status is SwapStatus.WITHDRAWN:
            return t("swaps.notice.withdrawn", name=offer.offered_by.display_name, shift=shift)
        assert offer.status is SwapStatus.REJECTED
        return t("swaps.notice.rejected", shift=shift)

    return text


async def redraw_ended(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The word that a swap ended (`SWAP_ENDED`; the offer and the member told), drawn again at
    `now`: the shift as it is. None when the shift is gone or cancelled (told in its own
    notice), or over (what was to be swapped is past); for a decline, which tells its reader the
    shift is still theirs, also once they hold no seat on it (swapped away since, taken off);
    for a rejection, which tells both sides that nothing changes, also once it did for its
    reader (see `_unchanged_for`)."""
    offers = await offers_told(session, subjects)
    people = await members_told(session, subjects)
    held = await seat_holders(
        session,
        {
            seat.shift_id
            for offer in offers.values()
            if offer.status in (SwapStatus.DECLINED, SwapStatus.REJECTED)
            for seat in (offer.from_assignment, offer.target_assignment)
            if seat is not None
        },
    )
    translator = translators(settings)
    drawn: list[Message | None] = []
    for subject in subjects:
        offer, person = offers.get(subject.args[0]), people.get(subject.args[1])
        if (
            offer is None
            or person is None
            or offer.status not in ENDINGS
            or offer.from_assignment.shift.status is not ShiftStatus.SCHEDULED
            or offer.from_assignment.shift.ends_at <= now
            or (
                offer.status is SwapStatus.DECLINED
                and (offer.from_assignment.shift_id, person.id) not in held
            )
            or (offer.status is SwapStatus.REJECTED and not _unchanged_for(offer, person, held))
        ):
            drawn.append(None)
            continue
        text = ended(offer)(translator(person.language))
        drawn.append(outbox.payload(text, redraw=outbox.Redraw(SWAP_ENDED, subject.args)))
    return drawn


def _unchanged_for(offer: SwapOffer, person: Member, held: set[tuple[int, int]]) -> bool:
    """Whether "nothing changes", as a swap not approved tells both sides, is still so for
    `person` (`held`: who holds a seat on which shift). The offering member still holds the seat
    offered and not the one asked for in exchange; the other side still does not hold it, and
    still holds their own in an exchange. A later swap that moved a seat (or a coordinator who
    took one away) makes it untrue, and their own notices tell what became of it."""
    on_offered = (offer.from_assignment.shift_id, person.id) in held
    asked = offer.target_assignment
    on_asked = asked is not None and (asked.shift_id, person.id) in held
    if person.id == offer.offered_by_id:
        return on_offered and not on_asked
    return not on_offered and (asked is None or on_asked)
