"""The word that a swap ended without going through: declined by the member it named, withdrawn
by the offering member, rejected by a coordinator (bot/services/swaps/answers.py). Drawn again
when it goes out (a kind of bot/redraw.py), so that it names the shift as it is by then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ShiftStatus, SwapOffer, SwapStatus
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
    shift is still theirs, also once they hold no seat on it (swapped away since, taken off)."""
    offers = await offers_told(session, subjects)
    people = await members_told(session, subjects)
    held = await seat_holders(
        session,
        {
            offer.from_assignment.shift_id
            for offer in offers.values()
            if offer.status is SwapStatus.DECLINED
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
        ):
            drawn.append(None)
            continue
        text = ended(offer)(translator(person.language))
        drawn.append(outbox.payload(text, redraw=outbox.Redraw(SWAP_ENDED, subject.args)))
    return drawn
