"""The word to the offering member that their offer was taken and awaits a coordinator's
approval (`SWAP_ACCEPTED`, bot/services/swaps/answers.py), and how it is drawn again when it
goes out (a kind of bot/redraw.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import SwapOffer, SwapStatus
from bot.i18n import Translator
from bot.services.platform import outbox
from bot.services.platform.notify import translators
from bot.services.platform.outbox import Message
from bot.services.platform.redraw import Subject
from bot.services.swaps.lifecycle import stands
from bot.services.swaps.notices import SWAP_ACCEPTED, offer_label, offers_told
from bot.settings import Settings


def accepted(offer: SwapOffer) -> Callable[[Translator], str]:
    """The word to the offering member that their offer was taken and awaits approval."""
    taker = offer.taken_by
    assert taker is not None

    def text(t: Translator) -> str:
        return t("swaps.notice.accepted", name=taker.display_name, shift=offer_label(t, offer))

    return text


async def redraw_accepted(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The word to offering members that their offer was taken (`SWAP_ACCEPTED`), about to go
    out, drawn again at `now`: the shift as it is. None once the swap is no longer awaiting
    approval, or can no longer go through: approved, rejected, withdrawn, void or expired, each
    told in its own notice."""
    offers = await offers_told(session, subjects)
    translator = translators(settings)
    drawn: list[Message | None] = []
    for subject in subjects:
        offer = offers.get(subject.args[0])
        if offer is None or not stands(offer, SwapStatus.AWAITING_APPROVAL, now):
            drawn.append(None)
            continue
        t = translator(offer.offered_by.language)
        drawn.append(
            outbox.payload(accepted(offer)(t), redraw=outbox.Redraw(SWAP_ACCEPTED, subject.args))
        )
    return drawn
