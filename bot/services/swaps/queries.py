"""What swaps read: the seats a member may offer, the members of the unit and the seats an
exchange may be for, what is on offer to a member, and what a coordinator reads before
approving (both members' records, the trail). Whether someone may take a seat is the sign-up
rules, asked again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Member,
    Post,
    Shift,
    ShiftStatus,
    SwapKind,
    SwapOffer,
    SwapStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.people import members
from bot.services.people.access import Actor
from bot.services.people.members import Shown, serves_on_posts, typed_phone
from bot.services.people.names import plain
from bot.services.platform import audit
from bot.services.schedule import seats, unavailability
from bot.services.schedule.eligibility import check_eligibility, no_shows
from bot.services.schedule.shift_text import reader_of
from bot.services.swaps.lifecycle import OPEN, counterpart, expiry
from bot.settings import Settings

EXCHANGE_CHOICES = 8
NAME_MAX = 64
AMBIGUOUS_SHOWN = 5
HISTORY_SHOWN = 5


@dataclass(frozen=True)
class Listing:
    open: list[SwapOffer]  # offers the member may take or must answer
    mine: list[SwapOffer]  # the member's own open offers, and those they took awaiting approval


@dataclass(frozen=True)
class Record:
    """A member's standing, shown to a coordinator before approving."""

    member: Member
    no_shows: int


Step = audit.Step


async def swappable(
    session: AsyncSession, member: Member, now: dt.datetime, settings: Settings
) -> list[Assignment]:
    """The member's seats they may still offer, soonest first, in one statement: signed up on
    a scheduled shift, before its swap deadline (SWAP_EXPIRY_BEFORE_START_MIN before the
    start), not already offered, no leave asked. /swap lists them and /my offers 🔁 on them,
    so neither offers a seat whose press `own_seat` would refuse."""
    deadline = now + dt.timedelta(minutes=settings.swap_expiry_before_start_min)
    offered = exists().where(
        SwapOffer.from_assignment_id == Assignment.id, SwapOffer.status.in_(OPEN)
    )
    return list(
        (
            await session.scalars(
                select(Assignment)
                .join(Shift, Assignment.shift_id == Shift.id)
                .where(
                    Assignment.member_id == member.id,
                    Assignment.status == AssignmentStatus.SIGNED_UP,
                    Shift.status == ShiftStatus.SCHEDULED,
                    Shift.starts_at > deadline,
                    ~offered,
                    ~seats.leave_pending(Assignment.id),
                )
                .order_by(Shift.starts_at, Assignment.id)
            )
        ).unique()
    )


def awaiting_approval() -> Select[SwapOffer]:
    """The swaps awaiting a coordinator's approval, joined to their seat's shift and post (the
    post's unit is the one that decides them)."""
    return (
        select(SwapOffer)
        .join(Assignment, SwapOffer.from_assignment_id == Assignment.id)
        .join(Shift, Assignment.shift_id == Shift.id)
        .join(Post, Shift.post_id == Post.id)
        .where(SwapOffer.status == SwapStatus.AWAITING_APPROVAL)
    )


async def open_offer_of(session: AsyncSession, assignment_id: int) -> SwapOffer | None:
    offer: SwapOffer | None = (
        await session.scalars(
            select(SwapOffer)
            .where(SwapOffer.from_assignment_id == assignment_id, SwapOffer.status.in_(OPEN))
            .limit(1)
        )
    ).first()
    return offer


async def open_exchange_for(session: AsyncSession, assignment_id: int) -> SwapOffer | None:
    """An open exchange that asks for this seat (the other side's, not the offering member's)."""
    offer: SwapOffer | None = (
        await session.scalars(
            select(SwapOffer)
            .where(SwapOffer.target_assignment_id == assignment_id, SwapOffer.status.in_(OPEN))
            .limit(1)
        )
    ).first()
    return offer


def open_offer_on(seat: int | seats.SeatColumn | Sequence[int]) -> ColumnElement[bool]:
    """Whether an offer is open and on the seat (an id, a column of a statement about seats,
    or any of a list of ids): its holder offers it, or an exchange asks for it. The one
    condition for both a seat in an open offer and the offers a completed swap voids
    (bot/services/swaps/completion.py)."""
    if isinstance(seat, Sequence):
        on = or_(SwapOffer.from_assignment_id.in_(seat), SwapOffer.target_assignment_id.in_(seat))
    else:
        on = or_(SwapOffer.from_assignment_id == seat, SwapOffer.target_assignment_id == seat)
    return and_(SwapOffer.status.in_(OPEN), on)


def in_open_offer(seat: int | seats.SeatColumn) -> ColumnElement[bool]:
    """Whether the seat (an id, or a column of a statement about seats) is in an open offer:
    its holder offers it, or an exchange asks for it. Another exchange may not ask for it (the
    exchange refuses it, the list of seats to exchange for leaves it out)."""
    return exists().where(open_offer_on(seat))


def holder_reachable(seat: int | seats.SeatColumn) -> ColumnElement[bool]:
    """Whether the seat's holder has not blocked the bot: an exchange asked of someone who
    blocked it would hold both seats until it expired, unseen (the exchange refuses it, the
    list leaves it out)."""
    held = aliased(Assignment)
    return exists().where(
        held.id == seat, Member.id == held.member_id, Member.blocked_bot.is_(False)
    )


async def exchange_bars(session: AsyncSession, seat_id: int) -> tuple[bool, bool]:
    """For the seat an exchange asks for: whether it is in an open offer, and whether its
    holder is reachable, in one statement."""
    row = (await session.execute(select(in_open_offer(seat_id), holder_reachable(seat_id)))).one()
    return bool(row[0]), bool(row[1])


# What ends a swap's dialogue besides the refusals final everywhere (`DomainError.for_good`:
# the seat no longer the person's, its shift cancelled or too near): own_seat's other refusals,
# about the seat itself (no longer signed up, already offered, leave asked for it), which no
# other name or choice typed can mend.
SEAT_ENDS = frozenset(
    {
        ErrorCode.SWAP_NOT_SIGNED_UP,
        ErrorCode.SWAP_ALREADY_OFFERED,
        ErrorCode.SWAP_LEAVE_ASKED,
    }
)


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
        raise DomainError(ErrorCode.SWAP_TOO_LATE, count=settings.swap_expiry_before_start_min)
    if await open_offer_of(session, assignment.id) is not None:
        raise DomainError(ErrorCode.SWAP_ALREADY_OFFERED)
    # One way out of a seat at a time: the coordinator deciding the leave decides this seat.
    if await seats.pending_leave(session, assignment.id) is not None:
        raise DomainError(ErrorCode.SWAP_LEAVE_ASKED)
    return assignment


async def refusal(
    session: AsyncSession,
    member: Member,
    shift: Shift,
    now: dt.datetime,
    settings: Settings,
    *,
    leaving: int | None = None,
    reader: Translator | None = None,
) -> DomainError | None:
    """The rule that keeps `member` from taking a seat on `shift`, if any: only members who
    stand on posts take a swapped seat, and the rules of sign-up hold. Someone waiting for a
    seat on the shift may take one offered to them; someone excused (leave approved) at its
    hour may not, nor someone who declared that hour off. What it names (a clashing shift) is
    worded for `reader`, who may be someone else (see `reader_of`)."""
    if not serves_on_posts(member):
        return DomainError(ErrorCode.NOT_ON_POST)
    try:
        await check_eligibility(
            session,
            member,
            shift,
            now,
            settings,
            from_waitlist=True,
            leaving=leaving,
            planned=True,
            reader=reader,
        )
    except DomainError as error:
        # Leave is a rule of sign-up; a swap says it in its own words (taking, not signing up).
        return DomainError(ErrorCode.SWAP_ON_LEAVE) if error.code is ErrorCode.ON_LEAVE else error
    # Nor is a seat given at an hour they declared off (/unavailable), as the rotation does not.
    if await unavailability.blocking(session, member, shift, settings.zone) is not None:
        return DomainError(ErrorCode.SWAP_UNAVAILABLE)
    return None


# The refusals whose own wording speaks to the member refused ("您已报名 …"), said of them
# by name to whoever else reads it: the other side of a swap, a coordinator deciding it.
OF_ANOTHER = {
    ErrorCode.NOT_REGISTERED: "swaps.other.not_registered",
    ErrorCode.TAG_REQUIRED: "swaps.other.tag_required",
    ErrorCode.ALREADY_SIGNED_UP: "swaps.other.already_signed_up",
    ErrorCode.ALREADY_WAITLISTED: "swaps.other.already_signed_up",
    ErrorCode.SHIFT_CLASH: "swaps.other.shift_clash",
    ErrorCode.NO_SHOW_BLOCKED: "swaps.other.no_show_blocked",
    ErrorCode.SWAP_UNAVAILABLE: "swaps.other.unavailable",
}


def not_eligible(
    actor: Actor, member: Member, error: DomainError, settings: Settings
) -> DomainError:
    """A member's refusal, worded for the person acting and naming whose rule it is (their
    clash, their no-shows), never "you": in an exchange it may be either side's. The refusal
    is to be asked with `reader=reader_of(actor, settings)`, so that the dates it names are
    already the actor's."""
    t = reader_of(actor, settings)
    key = OF_ANOTHER.get(error.code, error.message_key)
    return DomainError(
        ErrorCode.SWAP_NOT_ELIGIBLE,
        name=member.display_name,
        reason=t(key, **{"name": member.display_name, **error.params}),
    )


async def unit_members(session: AsyncSession, unit_id: int) -> list[Member]:
    return await members.of_unit(session, unit_id)


async def find_member(session: AsyncSession, member: Member, name: str) -> Member:
    """A member of the same unit by their name: an exact match first (any case), else the one
    whose name contains what was typed; none or several are refused."""
    typed = plain(name)
    if not typed or typed.startswith("/") or len(typed) > NAME_MAX:
        raise DomainError(ErrorCode.SWAP_NAME_INVALID)
    if member.unit_id is None:
        raise DomainError(ErrorCode.NO_UNIT)
    wanted = typed.casefold()
    people = await unit_members(session, member.unit_id)
    found = [p for p in people if p.display_name.casefold() == wanted]
    if not found:
        found = [p for p in people if wanted in p.display_name.casefold()]
    digits = typed_phone(typed)
    if not found and digits is not None:
        # Names repeat and nobody can change theirs: the phone's last digits, which the
        # refusal below shows, tell two people of one name apart.
        found = [p for p in people if (p.phone or "").endswith(digits)]
    others = [p for p in found if p.id != member.id]
    if found and not others:
        raise DomainError(ErrorCode.SWAP_SELF)
    if not others:
        raise DomainError(ErrorCode.SWAP_MEMBER_NOT_FOUND, name=typed)
    if len(others) > 1:
        names = Shown.apart(others, AMBIGUOUS_SHOWN)
        raise DomainError(
            ErrorCode.SWAP_MEMBER_AMBIGUOUS, name=typed, count=len(others), names=names
        )
    return others[0]


async def exchange_choices(
    session: AsyncSession, actor: Actor, assignment_id: int, now: dt.datetime, settings: Settings
) -> tuple[Assignment, list[Assignment]]:
    """The actor's seat and the other members' seats it may be exchanged for: both sides may
    take the other's shift, neither is too close to its start, and theirs is one the exchange
    would take (no leave asked, in no open offer, its holder reachable), left out in the query
    before its limit."""
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
                # One way out of a seat at a time: a seat whose leave is asked is not swapped.
                ~seats.leave_pending(Assignment.id),
                ~in_open_offer(Assignment.id),
                holder_reachable(Assignment.id),
            )
            .order_by(Shift.starts_at, Assignment.id)
            .limit(EXCHANGE_CHOICES * 5)
        )
    ).unique()
    choices: list[Assignment] = []
    for theirs in candidates:
        if await exchange_refusal(session, mine, theirs, now, settings) is None:
            choices.append(theirs)
        if len(choices) >= EXCHANGE_CHOICES:
            break
    return mine, choices


async def exchange_refusal(
    session: AsyncSession,
    mine: Assignment,
    theirs: Assignment,
    now: dt.datetime,
    settings: Settings,
    *,
    reader: Translator | None = None,
) -> tuple[Member, DomainError] | None:
    """Whoever of the two may not take the other's shift, giving up their own (what it names
    worded for `reader`)."""
    for member, shift, leaving in (
        (mine.member, theirs.shift, mine.id),
        (theirs.member, mine.shift, theirs.id),
    ):
        error = await refusal(session, member, shift, now, settings, leaving=leaving, reader=reader)
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
        if offer.kind is SwapKind.GIVE_AWAY and await refusal(
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
    return await audit.trail(session, "swap", offer_id)


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
