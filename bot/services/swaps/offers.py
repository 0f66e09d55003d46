"""Shift swaps between members (issue 7): give a seat away to whoever of the unit takes it first,
hand it over to a named member, or exchange it for another member's seat.

A swap moves seats only when it is complete: accepted and, where the unit asks for it, approved
by a coordinator. Until then the offering member holds the shift. Every rule of sign-up
(``signup.check_eligibility``) is checked again at acceptance and at approval, every step is
written to the audit trail, and every notice to someone other than the person acting goes through
the outbox. Accepting is a conditional UPDATE on the offer's status, so of many people pressing
Take at once exactly one wins, whatever the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    AuditEntry,
    Member,
    MemberRole,
    Post,
    Role,
    Shift,
    ShiftStatus,
    SwapKind,
    SwapOffer,
    SwapStatus,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.people.access import Actor
from bot.services.platform import audit, outbox
from bot.services.schedule import signup
from bot.services.schedule.eligibility import check_eligibility, no_shows
from bot.services.schedule.seats import lock, seat
from bot.services.schedule.shift_text import shift_label, translator_for
from bot.settings import Settings

# Callback data of the buttons that notices carry (the handlers read the same prefixes).
TAKE_BUTTON = "swt"
ACCEPT_BUTTON = "swa"
DECLINE_BUTTON = "swd"
WITHDRAW_BUTTON = "sww"
APPROVE_BUTTON = "swy"
REJECT_BUTTON = "swn"

OPEN = (SwapStatus.PENDING, SwapStatus.AWAITING_APPROVAL)
EXCHANGE_CHOICES = 8
NAME_MAX = 64
HISTORY_SHOWN = 5


@dataclass(frozen=True)
class Offered:
    offer: SwapOffer
    told: int  # members the offer was sent to


@dataclass(frozen=True)
class Accepted:
    offer: SwapOffer
    completed: bool  # False: it waits for a coordinator


@dataclass(frozen=True)
class Listing:
    open: list[SwapOffer]  # offers the member may take or must answer
    mine: list[SwapOffer]  # the member's own open offers, and those they took awaiting approval


@dataclass(frozen=True)
class Record:
    """A member's standing, shown to a coordinator before approving."""

    member: Member
    no_shows: int


@dataclass(frozen=True)
class Step:
    entry: AuditEntry
    actor_name: str | None


# -- reading ---------------------------------------------------------------------------------


def expiry(settings: Settings, *on: Shift) -> dt.datetime:
    lead = dt.timedelta(minutes=settings.swap_expiry_before_start_min)
    return min(shift.starts_at for shift in on) - lead


def unit_of(offer: SwapOffer) -> Unit:
    return offer.from_assignment.shift.post.unit


def counterpart(offer: SwapOffer) -> Member | None:
    """Who takes the seat: the named member, or whoever took a give-away."""
    return offer.target_member or offer.taken_by


async def get(session: AsyncSession, offer_id: int) -> SwapOffer:
    offer = await session.get(SwapOffer, offer_id)
    if offer is None:
        raise DomainError(ErrorCode.SWAP_NOT_FOUND)
    return offer


async def swappable(session: AsyncSession, member: Member, now: dt.datetime) -> list[Assignment]:
    """The member's seats they may still offer: signed up, not started."""
    return [
        assignment
        for assignment in await signup.upcoming_of(session, member, now)
        if assignment.status is AssignmentStatus.SIGNED_UP and assignment.shift.starts_at > now
    ]


async def open_offer_of(session: AsyncSession, assignment_id: int) -> SwapOffer | None:
    offer: SwapOffer | None = (
        await session.scalars(
            select(SwapOffer)
            .where(SwapOffer.from_assignment_id == assignment_id, SwapOffer.status.in_(OPEN))
            .limit(1)
        )
    ).first()
    return offer


async def own_seat(
    session: AsyncSession, actor: Actor, assignment_id: int, now: dt.datetime, settings: Settings
) -> Assignment:
    """The actor's seat they want to offer, refused with the rule it breaks."""
    member = actor.require_member()
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None or assignment.member_id != member.id:
        raise DomainError(ErrorCode.SWAP_NOT_OWN)
    shift = assignment.shift
    if shift.status is ShiftStatus.CANCELLED:
        raise DomainError(ErrorCode.SHIFT_CANCELLED)
    if shift.starts_at <= now:
        raise DomainError(ErrorCode.SWAP_SHIFT_STARTED)
    if assignment.status is not AssignmentStatus.SIGNED_UP:
        raise DomainError(ErrorCode.SWAP_NOT_SIGNED_UP)
    if now >= expiry(settings, shift):
        raise DomainError(ErrorCode.SWAP_TOO_LATE, minutes=settings.swap_expiry_before_start_min)
    if await open_offer_of(session, assignment.id) is not None:
        raise DomainError(ErrorCode.SWAP_ALREADY_OFFERED)
    return assignment


async def _problem(
    session: AsyncSession,
    member: Member,
    shift: Shift,
    now: dt.datetime,
    settings: Settings,
    *,
    leaving: int | None = None,
) -> DomainError | None:
    """The rule that keeps `member` from taking a seat on `shift`, if any. Someone waiting for
    a seat on the shift may take one offered to them."""
    try:
        await check_eligibility(
            session, member, shift, now, settings, from_waitlist=True, leaving=leaving
        )
    except DomainError as error:
        return error
    return None


def _not_eligible(
    actor: Actor, member: Member, error: DomainError, settings: Settings
) -> DomainError:
    """Another member's refusal, worded for the person acting."""
    t = (
        translator_for(actor.member, settings)
        if actor.member is not None
        else Translator(settings.default_language, settings.zone)
    )
    return DomainError(
        ErrorCode.SWAP_NOT_ELIGIBLE,
        name=member.display_name,
        reason=t(error.message_key, **error.params),
    )


async def _unit_members(session: AsyncSession, unit_id: int) -> list[Member]:
    return list(
        (
            await session.scalars(
                select(Member)
                .where(Member.unit_id == unit_id, Member.active.is_(True))
                .order_by(Member.display_name, Member.id)
            )
        ).unique()
    )


async def find_member(session: AsyncSession, member: Member, name: str) -> Member:
    """A member of the same unit by their name: an exact match first (any case), else the one
    whose name contains what was typed; none or several are refused."""
    typed = " ".join(name.split())
    if not typed or typed.startswith("/") or len(typed) > NAME_MAX:
        raise DomainError(ErrorCode.SWAP_NAME_INVALID)
    if member.unit_id is None:
        raise DomainError(ErrorCode.NO_UNIT)
    wanted = typed.casefold()
    people = await _unit_members(session, member.unit_id)
    found = [p for p in people if p.display_name.casefold() == wanted]
    if not found:
        found = [p for p in people if wanted in p.display_name.casefold()]
    others = [p for p in found if p.id != member.id]
    if found and not others:
        raise DomainError(ErrorCode.SWAP_SELF)
    if not others:
        raise DomainError(ErrorCode.SWAP_MEMBER_NOT_FOUND, name=typed)
    if len(others) > 1:
        names = "、".join(p.display_name for p in others[:5])
        raise DomainError(
            ErrorCode.SWAP_MEMBER_AMBIGUOUS, name=typed, count=len(others), names=names
        )
    return others[0]


async def exchange_choices(
    session: AsyncSession, actor: Actor, assignment_id: int, now: dt.datetime, settings: Settings
) -> tuple[Assignment, list[Assignment]]:
    """The actor's seat and the other members' seats it may be exchanged for: both sides may
    take the other's shift, and neither is too close to its start."""
    mine = await own_seat(session, actor, assignment_id, now, settings)
    lead = dt.timedelta(minutes=settings.swap_expiry_before_start_min)
    candidates = (
        await session.scalars(
            select(Assignment)
            .join(Shift, Assignment.shift_id == Shift.id)
            .join(Post, Shift.post_id == Post.id)
            .where(
                Post.unit_id == mine.shift.post.unit_id,
                Assignment.status == AssignmentStatus.SIGNED_UP,
                Assignment.member_id != mine.member_id,
                Shift.id != mine.shift_id,
                Shift.status == ShiftStatus.SCHEDULED,
                Shift.starts_at > now + lead,
            )
            .order_by(Shift.starts_at, Assignment.id)
            .limit(EXCHANGE_CHOICES * 5)
        )
    ).unique()
    choices: list[Assignment] = []
    for theirs in candidates:
        if await _exchange_problem(session, mine, theirs, now, settings) is None:
            choices.append(theirs)
        if len(choices) >= EXCHANGE_CHOICES:
            break
    return mine, choices


async def _exchange_problem(
    session: AsyncSession,
    mine: Assignment,
    theirs: Assignment,
    now: dt.datetime,
    settings: Settings,
) -> tuple[Member, DomainError] | None:
    """Whoever of the two may not take the other's shift, giving up their own."""
    for member, shift, leaving in (
        (mine.member, theirs.shift, mine.id),
        (theirs.member, mine.shift, theirs.id),
    ):
        error = await _problem(session, member, shift, now, settings, leaving=leaving)
        if error is not None:
            return member, error
    return None


async def listing(
    session: AsyncSession, member: Member, now: dt.datetime, settings: Settings
) -> Listing:
    held = (
        select(Assignment.id)
        .where(Assignment.status == AssignmentStatus.SIGNED_UP)
        .scalar_subquery()
    )
    candidates = (
        await session.scalars(
            select(SwapOffer)
            .join(Assignment, SwapOffer.from_assignment_id == Assignment.id)
            .join(Shift, Assignment.shift_id == Shift.id)
            .join(Post, Shift.post_id == Post.id)
            .where(
                SwapOffer.status == SwapStatus.PENDING,
                SwapOffer.expires_at > now,
                SwapOffer.offered_by_id != member.id,
                Assignment.status == AssignmentStatus.SIGNED_UP,
                or_(
                    (SwapOffer.kind == SwapKind.GIVE_AWAY) & (Post.unit_id == member.unit_id),
                    SwapOffer.target_member_id == member.id,
                ),
            )
            .order_by(Shift.starts_at, SwapOffer.id)
        )
    ).unique()
    takeable: list[SwapOffer] = []
    for offer in candidates:
        if offer.kind is SwapKind.GIVE_AWAY and await _problem(
            session, member, offer.from_assignment.shift, now, settings
        ):
            continue
        takeable.append(offer)
    mine = (
        await session.scalars(
            select(SwapOffer)
            .join(Assignment, SwapOffer.from_assignment_id == Assignment.id)
            .join(Shift, Assignment.shift_id == Shift.id)
            .where(
                or_(SwapOffer.offered_by_id == member.id, SwapOffer.taken_by_id == member.id),
                SwapOffer.status.in_(OPEN),
                SwapOffer.expires_at > now,
                SwapOffer.from_assignment_id.in_(held),
            )
            .order_by(Shift.starts_at, SwapOffer.id)
        )
    ).unique()
    return Listing(open=takeable, mine=list(mine))


async def records(session: AsyncSession, offer: SwapOffer) -> list[Record]:
    """Both members' no-show counts, for the coordinator who approves."""
    people = [offer.offered_by]
    other = counterpart(offer)
    if other is not None:
        people.append(other)
    return [Record(person, await no_shows(session, person.id)) for person in people]


async def history(session: AsyncSession, offer_id: int) -> list[Step]:
    entries = list(
        (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.object_type == "swap", AuditEntry.object_id == offer_id)
                .order_by(AuditEntry.created_at, AuditEntry.id)
            )
        ).all()
    )
    actor_ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    names: dict[int, str] = {}
    if actor_ids:
        rows = await session.execute(
            select(Member.id, Member.display_name).where(Member.id.in_(actor_ids))
        )
        names = {int(row[0]): str(row[1]) for row in rows.all()}
    return [
        Step(entry, names.get(entry.actor_id) if entry.actor_id is not None else None)
        for entry in entries
    ]


async def of_shift(session: AsyncSession, shift_id: int) -> list[SwapOffer]:
    """The latest swap offers about a shift (either side of an exchange), newest first."""
    on_shift = select(Assignment.id).where(Assignment.shift_id == shift_id).scalar_subquery()
    return list(
        (
            await session.scalars(
                select(SwapOffer)
                .where(
                    or_(
                        SwapOffer.from_assignment_id.in_(on_shift),
                        SwapOffer.target_assignment_id.in_(on_shift),
                    )
                )
                .order_by(SwapOffer.created_at.desc(), SwapOffer.id.desc())
                .limit(HISTORY_SHOWN)
            )
        ).unique()
    )


# -- offering --------------------------------------------------------------------------------


def _record(
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


def _answer_buttons(t: Translator, offer: SwapOffer) -> list[list[tuple[str, str]]]:
    return [
        [
            (t("swaps.button.accept"), f"{ACCEPT_BUTTON}:{offer.id}"),
            (t("swaps.button.decline"), f"{DECLINE_BUTTON}:{offer.id}"),
        ]
    ]


async def give_away(
    session: AsyncSession, actor: Actor, assignment_id: int, now: dt.datetime, settings: Settings
) -> Offered:
    """Offer the seat to every member of the unit who may take it; the first to take it wins."""
    mine = await own_seat(session, actor, assignment_id, now, settings)
    shift, offerer = mine.shift, mine.member
    offer = _new_offer(session, SwapKind.GIVE_AWAY, mine, now, expiry(settings, shift))
    await session.flush()
    told = 0
    for member in await _unit_members(session, shift.post.unit_id):
        if member.id == offerer.id or await _problem(session, member, shift, now, settings):
            continue
        t = translator_for(member, settings)
        await outbox.enqueue(
            session,
            key=f"swap-offer:{offer.id}:{member.id}",
            chat_id=member.telegram_id,
            body=outbox.payload(
                t(
                    "swaps.notice.give_away",
                    name=offerer.display_name,
                    shift=shift_label(t, shift),
                    until=t.datetime(offer.expires_at),
                ),
                buttons=[[(t("swaps.button.take"), f"{TAKE_BUTTON}:{offer.id}")]],
                expires_at=offer.expires_at,
            ),
            now=now,
            urgent=_urgent(settings, now, offer.expires_at),
        )
        told += 1
    _record(session, offerer.id, "offer", offer, now, after=_state(offer, told=told))
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
    error = await _problem(session, target, shift, now, settings)
    if error is not None:
        raise _not_eligible(actor, target, error, settings)
    offer = _new_offer(
        session, SwapKind.HAND_OVER, mine, now, expiry(settings, shift), target=target
    )
    await session.flush()
    t = translator_for(target, settings)
    await outbox.enqueue(
        session,
        key=f"swap-ask:{offer.id}",
        chat_id=target.telegram_id,
        body=outbox.payload(
            t(
                "swaps.notice.hand_over",
                name=offerer.display_name,
                shift=shift_label(t, shift),
                until=t.datetime(offer.expires_at),
            ),
            buttons=_answer_buttons(t, offer),
            expires_at=offer.expires_at,
        ),
        now=now,
        urgent=_urgent(settings, now, offer.expires_at),
    )
    _record(session, offerer.id, "offer", offer, now, after=_state(offer))
    return Offered(offer, 1)


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
    if (
        theirs is None
        or theirs.status is not AssignmentStatus.SIGNED_UP
        or theirs.member_id == mine.member_id
        or theirs.shift.post.unit_id != mine.shift.post.unit_id
        or theirs.shift.status is not ShiftStatus.SCHEDULED
    ):
        raise DomainError(ErrorCode.SWAP_TARGET_GONE)
    if now >= expiry(settings, theirs.shift):
        raise DomainError(ErrorCode.SWAP_TOO_LATE, minutes=settings.swap_expiry_before_start_min)
    problem = await _exchange_problem(session, mine, theirs, now, settings)
    if problem is not None:
        raise _not_eligible(actor, *problem, settings)
    offerer, target = mine.member, theirs.member
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
    t = translator_for(target, settings)
    await outbox.enqueue(
        session,
        key=f"swap-ask:{offer.id}",
        chat_id=target.telegram_id,
        body=outbox.payload(
            t(
                "swaps.notice.exchange",
                name=offerer.display_name,
                theirs=shift_label(t, mine.shift),
                yours=shift_label(t, theirs.shift),
                until=t.datetime(offer.expires_at),
            ),
            buttons=_answer_buttons(t, offer),
            expires_at=offer.expires_at,
        ),
        now=now,
        urgent=_urgent(settings, now, offer.expires_at),
    )
    _record(session, offerer.id, "offer", offer, now, after=_state(offer))
    return Offered(offer, 1)


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


# -- answering -------------------------------------------------------------------------------


def _closed(offer: SwapOffer) -> DomainError:
    """Why an offer can no longer be acted on."""
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


async def _transition(
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
    """The rules of sign-up, again, for whoever takes a seat in this swap."""
    theirs = offer.target_assignment
    error = await _problem(
        session,
        taker,
        offer.from_assignment.shift,
        now,
        settings,
        leaving=theirs.id if theirs is not None else None,
    )
    if error is not None:
        raise error if taker_is_actor else _not_eligible(actor, taker, error, settings)
    if theirs is not None:
        error = await _problem(
            session,
            offer.offered_by,
            theirs.shift,
            now,
            settings,
            leaving=offer.from_assignment_id,
        )
        if error is not None:
            raise _not_eligible(actor, offer.offered_by, error, settings)


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
        raise _closed(offer)
    _require_open_in_time(offer, now)
    _require_still_held(offer)
    await _check_both(session, actor, offer, member, now, settings, taker_is_actor=True)
    approval = unit_of(offer).require_swap_approval
    to = SwapStatus.AWAITING_APPROVAL if approval else SwapStatus.COMPLETED
    if not await _transition(session, offer, SwapStatus.PENDING, to, now, taken_by_id=member.id):
        raise _closed(offer)
    _record(
        session,
        member.id,
        "accept",
        offer,
        now,
        before={"status": SwapStatus.PENDING.value},
        after={"status": to.value, "taken_by": member.id},
    )
    if approval:
        await _ask_approval(session, offer, now, settings)
        t = translator_for(offer.offered_by, settings)
        await _tell(
            session,
            offer,
            offer.offered_by,
            "accepted",
            t("swaps.notice.accepted", name=member.display_name, shift=_label(t, offer)),
            now,
        )
    else:
        await _complete(session, offer, now, settings, notify=(offer.offered_by,))
    return Accepted(offer, completed=not approval)


async def decline(
    session: AsyncSession, actor: Actor, offer_id: int, now: dt.datetime, settings: Settings
) -> SwapOffer:
    """The named member says no to a hand-over or an exchange."""
    member = actor.require_member()
    offer = await get(session, offer_id)
    if offer.kind is SwapKind.GIVE_AWAY or offer.target_member_id != member.id:
        raise DomainError(ErrorCode.SWAP_NOT_FOR_YOU)
    if not await _transition(session, offer, SwapStatus.PENDING, SwapStatus.DECLINED, now):
        raise _closed(offer)
    _record(session, member.id, "decline", offer, now)
    t = translator_for(offer.offered_by, settings)
    await _tell(
        session,
        offer,
        offer.offered_by,
        "declined",
        t("swaps.notice.declined", name=member.display_name, shift=_label(t, offer)),
        now,
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
    if not before.is_open or not await _transition(
        session, offer, before, SwapStatus.WITHDRAWN, now
    ):
        if offer.status in (SwapStatus.COMPLETED, SwapStatus.REJECTED):
            raise DomainError(ErrorCode.SWAP_ALREADY_DECIDED)
        raise _closed(offer)
    _record(
        session,
        member.id,
        "withdraw",
        offer,
        now,
        before={"status": before.value},
        after={"status": SwapStatus.WITHDRAWN.value},
    )
    other = counterpart(offer)
    if other is not None:
        t = translator_for(other, settings)
        await _tell(
            session,
            offer,
            other,
            "withdrawn",
            t("swaps.notice.withdrawn", name=member.display_name, shift=_label(t, offer)),
            now,
        )
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
    if not await _transition(
        session, offer, SwapStatus.AWAITING_APPROVAL, to, now, decided_by_id=decider
    ):
        raise DomainError(ErrorCode.SWAP_ALREADY_DECIDED)
    _record(
        session,
        decider,
        "approve" if approve else "reject",
        offer,
        now,
        before={"status": SwapStatus.AWAITING_APPROVAL.value},
        after={"status": to.value},
    )
    if approve:
        await _complete(session, offer, now, settings, notify=(offer.offered_by, taker))
    else:
        for person in (offer.offered_by, taker):
            t = translator_for(person, settings)
            await _tell(
                session,
                offer,
                person,
                "rejected",
                t("swaps.notice.rejected", shift=_label(t, offer)),
                now,
            )
    return offer


# -- completing ------------------------------------------------------------------------------


async def _complete(
    session: AsyncSession,
    offer: SwapOffer,
    now: dt.datetime,
    settings: Settings,
    *,
    notify: Sequence[Member],
) -> None:
    """Move the seats: the offering member's seat goes to the taker and, in an exchange, the
    taker's seat to the offering member. Other open offers of these seats become void."""
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
    seats: dict[str, int] = {}
    for leaving, newcomer in moves:
        # A row the newcomer left on this shift earlier (cancelled, waiting) is reused: one row
        # per member and shift.
        arrived = await seat(session, newcomer, leaving.shift, AssignmentStatus.SIGNED_UP, now)
        seats[str(leaving.id)] = arrived.id
    _record(
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
            select(SwapOffer).where(
                SwapOffer.id != offer.id,
                SwapOffer.status.in_(OPEN),
                or_(
                    SwapOffer.from_assignment_id.in_(moved),
                    SwapOffer.target_assignment_id.in_(moved),
                ),
            )
        )
    ).unique()
    for other in stale:
        before = other.status
        if await _transition(session, other, before, SwapStatus.VOID, now):
            _record(session, None, "void", other, now, before={"status": before.value})
    for person in notify:
        t = translator_for(person, settings)
        gets = offer.from_assignment.shift if person.id == taker.id else None
        if gets is None and offer.target_assignment is not None:
            gets = offer.target_assignment.shift
        text = (
            t("swaps.notice.completed_yours", shift=shift_label(t, gets))
            if gets is not None
            else t("swaps.notice.completed_gone", name=taker.display_name, shift=_label(t, offer))
        )
        await _tell(session, offer, person, "completed", text, now)


def _label(t: Translator, offer: SwapOffer) -> str:
    return shift_label(t, offer.from_assignment.shift)


async def _tell(
    session: AsyncSession,
    offer: SwapOffer,
    member: Member,
    occasion: str,
    text: str,
    now: dt.datetime,
) -> None:
    await outbox.enqueue(
        session,
        key=f"swap-{occasion}:{offer.id}:{member.id}",
        chat_id=member.telegram_id,
        body=outbox.payload(text),
        now=now,
        urgent=offer.expires_at - now < dt.timedelta(hours=12),
    )


async def _approvers(session: AsyncSession, unit_id: int) -> list[Member]:
    return list(
        (
            await session.scalars(
                select(Member)
                .join(MemberRole, MemberRole.member_id == Member.id)
                .where(
                    Member.unit_id == unit_id,
                    Member.active.is_(True),
                    MemberRole.role == Role.COORDINATOR,
                )
                .order_by(Member.id)
            )
        ).unique()
    )


def approval_text(
    t: Translator, offer: SwapOffer, people: Sequence[Record], steps: Sequence[Step]
) -> str:
    """What a coordinator reads before approving: the seats, both members' records, the trail."""
    lines = [t("swaps.approval.header", kind=t(f"swaps.kind.{offer.kind.value}"))]
    lines.append(t("swaps.approval.shift", shift=_label(t, offer)))
    if offer.target_assignment is not None:
        lines.append(t("swaps.approval.for", shift=shift_label(t, offer.target_assignment.shift)))
    for role, record in zip(("from", "to"), people, strict=False):
        lines.append(
            t(f"swaps.approval.{role}", name=record.member.display_name, missed=record.no_shows)
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


async def _ask_approval(
    session: AsyncSession, offer: SwapOffer, now: dt.datetime, settings: Settings
) -> None:
    unit = unit_of(offer)
    people = await records(session, offer)
    steps = await history(session, offer.id)
    approvers: list[tuple[int, Translator]] = [
        (member.telegram_id, translator_for(member, settings))
        for member in await _approvers(session, unit.id)
    ]
    if not approvers:
        # A unit without a coordinator still gets its swaps decided, by the admins.
        fallback = Translator(settings.default_language, settings.zone)
        approvers = [(admin_id, fallback) for admin_id in settings.admin_ids]
    for chat_id, t in approvers:
        await outbox.enqueue(
            session,
            key=f"swap-approval:{offer.id}:{chat_id}",
            chat_id=chat_id,
            body=outbox.payload(
                approval_text(t, offer, people, steps),
                buttons=[
                    [
                        (t("swaps.button.approve"), f"{APPROVE_BUTTON}:{offer.id}"),
                        (t("swaps.button.reject"), f"{REJECT_BUTTON}:{offer.id}"),
                    ]
                ],
            ),
            now=now,
            urgent=True,
        )


# -- expiry (a row of bot/due.py) --------------------------------------------------------------


async def expire(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """Close the open offers whose time is up and tell everyone concerned, once: the offering
    member, the member named or who took it, and the coordinators asked to approve it. An offer
    whose seat went away some other way (cancelled, removed) is closed without a word."""
    due = list(
        (
            await session.scalars(
                select(SwapOffer)
                .where(SwapOffer.status.in_(OPEN), SwapOffer.expires_at <= now)
                .order_by(SwapOffer.id)
            )
        ).unique()
    )
    queued = 0
    for offer in due:
        before = offer.status
        held = (
            offer.from_assignment.status is AssignmentStatus.SIGNED_UP
            and offer.from_assignment.shift.status is ShiftStatus.SCHEDULED
        )
        to = SwapStatus.EXPIRED if held else SwapStatus.VOID
        if not await _transition(session, offer, before, to, now):
            continue
        _record(
            session,
            None,
            "expire" if held else "void",
            offer,
            now,
            before={"status": before.value},
            after={"status": to.value},
        )
        if not held:
            continue
        concerned = [offer.offered_by]
        other = counterpart(offer)
        if other is not None:
            concerned.append(other)
        if before is SwapStatus.AWAITING_APPROVAL:
            concerned += await _approvers(session, unit_of(offer).id)
        for member in concerned:
            t = translator_for(member, settings)
            text = t("swaps.notice.expired", shift=_label(t, offer))
            if await outbox.enqueue(
                session,
                key=f"swap-expired:{offer.id}:{member.id}",
                chat_id=member.telegram_id,
                body=outbox.payload(text),
                now=now,
                urgent=True,
            ):
                queued += 1
    return queued


# -- unit settings ---------------------------------------------------------------------------


async def managed_units(session: AsyncSession, actor: Actor) -> list[Unit]:
    """The units whose swap settings the actor sets: their own unit, or every unit for admins."""
    actor.require(Role.COORDINATOR)
    if actor.is_admin:
        return list((await session.scalars(select(Unit).order_by(Unit.name))).all())
    if actor.unit_id is None:
        raise DomainError(ErrorCode.NO_UNIT)
    unit = await session.get(Unit, actor.unit_id)
    if unit is None:
        raise DomainError(ErrorCode.UNIT_NOT_FOUND)
    return [unit]


async def set_approval(
    session: AsyncSession, actor: Actor, unit_id: int, required: bool, now: dt.datetime
) -> tuple[Unit, bool]:
    """Set whether swaps in the unit wait for a coordinator's approval; returns the unit and
    whether anything changed. The button names the state it sets, not a toggle, so an old
    copy of it (or two coordinators pressing at once) can never switch the rule back. Swaps
    already accepted keep the rule they were accepted under."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise DomainError(ErrorCode.UNIT_NOT_FOUND)
    actor.require_unit(unit.id, Role.COORDINATOR)
    before = unit.require_swap_approval
    if before == required:
        return unit, False
    unit.require_swap_approval = required
    audit.record(
        session,
        actor_id=actor.member.id if actor.member is not None else None,
        action="unit.swap_approval",
        object_type="unit",
        object_id=unit.id,
        before={"require_swap_approval": before},
        after={"require_swap_approval": required},
        now=now,
    )
    await session.flush()
    return unit, True
