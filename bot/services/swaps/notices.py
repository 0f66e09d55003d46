"""What swaps tell people through the outbox, in the recipient's language: the buttons their
notices carry, a word to one member about an offer, and the request to approve with its text
(the seats, both members' records and the trail)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import SwapApprove, SwapReject
from bot.db.models import Member, Post, SwapOffer
from bot.i18n import Translator
from bot.services.people.reachability import coordinators_of, deciders_of
from bot.services.platform import cards, outbox
from bot.services.platform.notify import notify, notify_admins
from bot.services.platform.outbox import Message
from bot.services.platform.redraw import Subject
from bot.services.schedule.shift_text import shift_label, translator_for
from bot.services.swaps.lifecycle import unit_of
from bot.services.swaps.queries import Record, Step, awaiting_approval, history, records
from bot.settings import Settings

# Notices drawn again when they go out (bot/redraw.py), each naming the offer: a give-away
# offered to the unit (whoever reads it is the chat it goes to), the question to the member an
# offer names (bot/services/swaps/offers.py), and the word to the offering member that it was
# taken and awaits approval (bot/services/swaps/acceptance.py; it also names the member told).
SWAP_OFFER = "swap-offer"
SWAP_ASK = "swap-ask"
SWAP_ACCEPTED = "swap-accepted"
# The word to either side of a swap that it is complete (bot/services/swaps/completion.py):
# the offer and the member told.
SWAP_COMPLETED = "swap-completed"
# The word that a swap ended without going through: declined, withdrawn or rejected
# (bot/services/swaps/endings.py): the offer and the member told.
SWAP_ENDED = "swap-ended"
# The word that the scheduler closed a swap: called off because a seat went away, because its
# shift was moved or because the member it asks blocked the bot, or expired
# (bot/services/swaps/closings.py): the offer and the member told.
SWAP_VOID = "swap-void"
SWAP_MOVED = "swap-moved"
SWAP_EXPIRED = "swap-expired"
# The word that the scheduler called off a hand-over or an exchange because the member it asks
# blocked the bot (bot/services/swaps/closings.py): the offer and the member told.
SWAP_UNREACHABLE = "swap-unreachable"


def offer_label(t: Translator, offer: SwapOffer) -> str:
    return shift_label(t, offer.from_assignment.shift)


async def tell(
    session: AsyncSession,
    offer: SwapOffer,
    member: Member,
    occasion: str,
    text: Callable[[Translator], str],
    now: dt.datetime,
    settings: Settings,
    *,
    redraw: str | None = None,
) -> None:
    """Tell `member` what happened to `offer`, in their language; with `redraw`, the kind it is
    drawn again as when it goes out (bot/redraw.py)."""
    drawn = outbox.Redraw(redraw, (offer.id, member.id)) if redraw is not None else None
    await notify(
        session,
        member,
        lambda t: outbox.payload(text(t), redraw=drawn),
        key=f"swap-{occasion}:{offer.id}:{member.id}",
        now=now,
        settings=settings,
        urgent=offer.expires_at - now < dt.timedelta(hours=12),
    )


def approval_text(
    t: Translator, offer: SwapOffer, people: Sequence[Record], steps: Sequence[Step]
) -> str:
    """What a coordinator reads before approving: the seats, both members' records, the trail."""
    lines = [t("swaps.approval.header", kind=t(f"swaps.kind.{offer.kind.value}"))]
    lines.append(t("swaps.approval.shift", shift=offer_label(t, offer)))
    if offer.target_assignment is not None:
        lines.append(t("swaps.approval.for", shift=shift_label(t, offer.target_assignment.shift)))
    for role, record in zip(("from", "to"), people, strict=False):
        lines.append(
            t(f"swaps.approval.{role}", name=record.member.display_name, count=record.no_shows)
        )
    lines += history_lines(t, steps)
    return "\n".join(lines)


def history_lines(t: Translator, steps: Sequence[Step]) -> list[str]:
    return [
        t(
            f"swaps.step.{step.entry.action.removeprefix('swap.')}",
            at=t.datetime(step.entry.created_at),
            who=step.actor_name or t("swaps.step.system"),
        )
        for step in steps
    ]


async def ask_approval(
    session: AsyncSession, offer: SwapOffer, now: dt.datetime, settings: Settings
) -> int:
    """Ask the unit's coordinators who can be written to, each in their language, but not one
    who offered or took the swap (a party does not approve their own swap). A unit with none
    (no coordinator, all of them blocked the bot, or only a party) still gets its swaps
    decided, by the admins (not a party either): otherwise the request would wait unread until
    the offer expires. How many were asked anew (one already asked is not asked again)."""
    people = await records(session, offer)
    steps = await history(session, offer.id)

    def request(t: Translator) -> Message:
        return outbox.payload(
            approval_text(t, offer, people, steps),
            buttons=[
                [
                    (t("swaps.button.approve"), SwapApprove(offer.id)),
                    (t("swaps.button.reject"), SwapReject(offer.id)),
                ]
            ],
            keep_id=True,
        )

    coordinators = await deciders(session, offer)
    if not coordinators:
        return await notify_admins(
            session,
            request,
            key=lambda chat_id: approval_key(offer.id, chat_id),
            now=now,
            settings=settings,
            urgent=True,
            sparing=[m.telegram_id for m in (offer.offered_by, offer.taken_by) if m is not None],
        )
    asked = 0
    for coordinator in coordinators:
        asked += await outbox.enqueue(
            session,
            key=approval_key(offer.id, coordinator.telegram_id),
            chat_id=coordinator.telegram_id,
            body=request(translator_for(coordinator, settings)),
            now=now,
            urgent=True,
        )
    return asked


async def deciders(session: AsyncSession, offer: SwapOffer) -> list[Member]:
    """The coordinators of the offer's unit who decide it: those who can be written to, but
    not a party to it."""
    return await deciders_of(session, unit_of(offer).id, parties_of(offer))


def parties_of(offer: SwapOffer) -> set[int]:
    """The members a swap moves seats between (who offered it, who took it): neither decides
    it."""
    return {offer.offered_by_id} | ({offer.taken_by_id} if offer.taken_by_id is not None else set())


def approval_key(offer_id: int, chat_id: int) -> str:
    return f"swap-approval:{offer_id}:{chat_id}"


async def close_approval(
    session: AsyncSession,
    offer: SwapOffer,
    now: dt.datetime,
    settings: Settings,
    *,
    spare: int | None = None,
) -> int:
    """The cards that asked to approve `offer` (to the unit's coordinators, or the admins),
    closed now that it no longer awaits approval (decided, withdrawn, expired, void): each one
    sent shows the request and its trail as it ended, without buttons, in its reader's
    language (bot/services/platform/cards.py); but the card in chat `spare`, which the decider
    pressed and is answered in place. How many are to be edited."""
    chats = {c.telegram_id for c in await coordinators_of(session, unit_of(offer).id)}
    chats |= set(settings.admin_ids)
    chats.discard(spare if spare is not None else 0)
    people = await records(session, offer)
    steps = await history(session, offer.id)
    return await cards.close(
        session,
        [approval_key(offer.id, chat) for chat in sorted(chats)],
        lambda t: outbox.payload(approval_text(t, offer, people, steps)),
        now=now,
        settings=settings,
    )


async def ask_again(
    session: AsyncSession, unit_id: int, now: dt.datetime, settings: Settings
) -> int:
    """The unit's swaps waiting for approval are asked again, of whoever decides them now: a
    unit left without a coordinator has them decided by the admins. How many."""
    waiting = list(
        (
            await session.scalars(
                awaiting_approval().where(Post.unit_id == unit_id).order_by(SwapOffer.id)
            )
        ).unique()
    )
    for offer in waiting:
        await ask_approval(session, offer, now, settings)
    return len(waiting)


async def offers_told(session: AsyncSession, subjects: Sequence[Subject]) -> dict[int, SwapOffer]:
    """The offers these held swap notices name (each one's first argument), by id."""
    ids = sorted({subject.args[0] for subject in subjects})
    found = await session.scalars(select(SwapOffer).where(SwapOffer.id.in_(ids)))
    return {offer.id: offer for offer in found.unique()}


async def members_told(session: AsyncSession, subjects: Sequence[Subject]) -> dict[int, Member]:
    """The members these held swap notices are to (each one's second argument), by id."""
    ids = sorted({subject.args[1] for subject in subjects})
    return {
        member.id: member
        for member in await session.scalars(select(Member).where(Member.id.in_(ids)))
    }
