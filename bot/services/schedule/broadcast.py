"""Broadcasts: open shifts with Sign up buttons, or an announcement, to the volunteers of a unit
(an admin: of every unit). One outbox message per volunteer under the batch
``broadcast:<id>``, queued in bulk (``outbox.enqueue_many``); a progress message in the
sender's chat is edited with the counts of that batch until every message is sent, blocked or
failed (broadcast_progress.py). A broadcast may be stopped midway (broadcast_stop.py): the count
then says so."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import BroadcastChoice
from bot.db.models import (
    Broadcast,
    BroadcastKind,
    Member,
    OutboxMessage,
    OutboxStatus,
    Post,
    Role,
    Shift,
    ShiftStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.services.people import names, units
from bot.services.people.access import Actor
from bot.services.people.members import on_post
from bot.services.platform import outbox
from bot.services.schedule import offers
from bot.services.schedule.broadcast_messages import announcement_redraw, shift_message
from bot.services.schedule.eligibility import refusals
from bot.services.schedule.seats import OpenShift, seats
from bot.services.schedule.shift_text import translator_for
from bot.services.schedule.timespec import local_day_bounds
from bot.settings import Settings

ANNOUNCEMENT_MAX = 2000
RANGE_DAYS_MAX = 62  # a typed range; the open-seats choice may reach SIGNUP_OPEN_DAYS


WEEK_DAYS = 7


def audience_days(
    choice: BroadcastChoice, today: dt.date, settings: Settings
) -> tuple[dt.date, dt.date, bool]:
    """The days a broadcast button covers, and whether only shifts with open seats go out."""
    tomorrow = today + dt.timedelta(days=1)
    if choice is BroadcastChoice.TODAY:
        return today, today, False
    if choice is BroadcastChoice.TOMORROW:
        return tomorrow, tomorrow, False
    if choice is BroadcastChoice.WEEK:
        return today, today + dt.timedelta(days=WEEK_DAYS - 1), False
    # The open seats of every shift one may sign up for now.
    return today, today + dt.timedelta(days=settings.signup_open_days), True


@dataclass(frozen=True)
class Audience:
    unit_id: int | None  # None: every unit (admins only)
    first: dt.date
    last: dt.date
    open_only: bool


def held_until(now: dt.datetime, settings: Settings) -> dt.datetime | None:
    """When a broadcast queued at `now` starts going out: its messages are not urgent, so
    during QUIET_HOURS they wait for the end of them (None: at once)."""
    return settings.quiet_until(now)


BATCH_PREFIX = "broadcast:"


def batch_of(broadcast_id: int) -> str:
    return f"{BATCH_PREFIX}{broadcast_id}"


async def drop_waiting_for(session: AsyncSession, chat_id: int, reason: str) -> None:
    """What broadcasts queued for this chat and have not sent yet is dropped (counted as not
    sent: one who left the unit): an admin of ADMIN_IDS who leaves keeps their chat's other
    messages, which are an admin's."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.batch.like(f"{BATCH_PREFIX}%"),
        )
        .values(status=OutboxStatus.DROPPED, last_error=reason[:500])
        .execution_options(synchronize_session=False)
    )


async def check_audience(session: AsyncSession, actor: Actor, unit_id: int | None) -> None:
    """The actor may send to the audience: every unit (None) an admin only, a unit an admin or
    its coordinators. A coordinator moved to another unit since /broadcast began is refused
    with the unit's name (BROADCAST_UNIT_LEFT), and so is a unit archived since it was picked
    (BROADCAST_UNIT_ARCHIVED: it has left the campaign, as a broadcast to all units treats it):
    no later step of it changes the audience."""
    if unit_id is None:
        actor.require(Role.ADMIN)
        return
    actor.require(Role.COORDINATOR)
    if not (actor.is_admin or actor.unit_id == unit_id):
        unit = await units.get(session, unit_id)
        raise DomainError(ErrorCode.BROADCAST_UNIT_LEFT, unit=unit.name)
    unit = await units.get(session, unit_id)
    if unit.archived:
        raise DomainError(ErrorCode.BROADCAST_UNIT_ARCHIVED, unit=unit.name)


def check_range(first: dt.date, last: dt.date, settings: Settings) -> None:
    """The days of a shift broadcast run forward and span at most RANGE_DAYS_MAX days (or the
    sign-up horizon, if that is longer)."""
    longest = max(RANGE_DAYS_MAX, settings.signup_open_days)
    if not first <= last <= first + dt.timedelta(days=longest):
        raise DomainError(ErrorCode.BROADCAST_RANGE_INVALID, count=longest)


def from_today(days: tuple[dt.date, dt.date], today: dt.date) -> tuple[dt.date, dt.date]:
    """A typed range of days (timespec.parse_day_range, a just-past day read as past) from
    today on: one that is over is refused as past, not read as next year's; one begun runs from
    today, the days gone having no shift left to sign up for."""
    first, last = days
    if max(first, last) < today:
        raise DomainError(ErrorCode.BROADCAST_RANGE_PAST)
    return max(first, today), last


async def volunteers(session: AsyncSession, unit_id: int | None) -> list[Member]:
    """The audience of offers: the members who stand on posts and can be written to, of one
    unit or all (the one rule of bot/services/people/members.py)."""
    return await on_post(session, unit_id)


async def unreachable(session: AsyncSession, unit_id: int | None) -> list[Member]:
    """The volunteers of the audience no broadcast reaches: they blocked the bot. The preview
    names them, to be phoned."""
    return await on_post(session, unit_id, blocked=True)


async def shifts_for(
    session: AsyncSession, audience: Audience, now: dt.datetime, settings: Settings
) -> list[OpenShift]:
    """Scheduled shifts of the audience's posts starting within its days (not yet started),
    soonest first; only those with open seats when asked."""
    first, _ = local_day_bounds(audience.first, settings.zone)
    _, after = local_day_bounds(audience.last, settings.zone)
    query = (
        select(Shift)
        .join(Post, Shift.post)
        .where(
            Post.archived.is_(False),
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at >= max(first, now),
            Shift.starts_at < after,
        )
        .order_by(Shift.starts_at, Post.name)
    )
    if audience.unit_id is not None:
        query = query.where(Post.unit_id == audience.unit_id)
    found = list((await session.scalars(query)).unique())
    counts = await seats(session, [shift.id for shift in found])
    items = [OpenShift(shift, counts[shift.id]) for shift in found]
    return [item for item in items if item.left > 0] if audience.open_only else items


@dataclass(frozen=True)
class Preview:
    """What a broadcast would do: the shifts it sends (0 for an announcement), how many volunteers
    get a message (as ``send_shifts`` picks them), who would have got one but blocked the bot, and
    when nobody would get one, why (the refusal sending it meets)."""

    shifts: int
    people: int
    unreachable: list[Member]
    nobody: ErrorCode | None = None


async def _nobody_there(
    session: AsyncSession, unit_id: int | None, units: set[int] | None = None
) -> ErrorCode:
    """Why no volunteer of the audience (of these of its units) can be written to: all of
    them blocked the bot, or there are none yet."""
    blocked = await unreachable(session, unit_id)
    if any(units is None or member.unit_id in units for member in blocked):
        return ErrorCode.BROADCAST_ALL_UNREACHABLE
    return ErrorCode.BROADCAST_NO_VOLUNTEERS


async def preview(
    session: AsyncSession, actor: Actor, audience: Audience, now: dt.datetime, settings: Settings
) -> Preview:
    await check_audience(session, actor, audience.unit_id)
    check_range(audience.first, audience.last, settings)
    items = await shifts_for(session, audience, now, settings)
    if not items:
        return Preview(0, 0, [], ErrorCode.NOTHING_TO_BROADCAST)
    members = await volunteers(session, audience.unit_id)
    # Those who blocked the bot by the same rules: one of another unit, or already on the
    # shift, would get nothing anyway and is not to be phoned about it.
    blocked = await unreachable(session, audience.unit_id)
    lists = await _lists(session, members + blocked, items, now, settings)
    people = sum(1 for member, _ in lists if not member.blocked_bot)
    missed = [member for member, _ in lists if member.blocked_bot]
    if people:
        return Preview(len(items), people, missed)
    with_shifts = {item.shift.post.unit_id for item in items}
    if any(member.unit_id in with_shifts for member in members):
        return Preview(len(items), 0, missed, ErrorCode.BROADCAST_NOBODY_ELIGIBLE)
    return Preview(
        len(items), 0, missed, await _nobody_there(session, audience.unit_id, with_shifts)
    )


async def announcement_preview(session: AsyncSession, actor: Actor, unit_id: int | None) -> Preview:
    """The volunteers an announcement would reach, and those who blocked the bot; nobody, with
    why."""
    await check_audience(session, actor, unit_id)
    people = len(await volunteers(session, unit_id))
    blocked = await unreachable(session, unit_id)
    if people:
        return Preview(0, people, blocked)
    return Preview(0, 0, blocked, await _nobody_there(session, unit_id))


async def _lists(
    session: AsyncSession,
    members: list[Member],
    items: list[OpenShift],
    now: dt.datetime,
    settings: Settings,
) -> list[tuple[Member, list[OpenShift]]]:
    """Each volunteer with the shifts of their unit among `items` they may sign up for now
    (the sign-up rules, read in bulk as the understaffed alert reads them: not on the shift
    already nor waiting on it, no clash with a seat they hold, their tag, the weekly cap, the
    no-show pause, sign-up open), less those the understaffed alert offered them within
    OFFER_REPEAT_HOURS; those left with none are left out."""
    by_unit: dict[int, list[OpenShift]] = {}
    for item in items:
        by_unit.setdefault(item.shift.post.unit_id, []).append(item)
    pairs = [
        (member, item.shift)
        for member in members
        if member.unit_id is not None
        for item in by_unit.get(member.unit_id, ())
    ]
    refused = await refusals(session, pairs, now, settings)
    # A shift the understaffed alert offered someone a moment ago is not offered again.
    offered = await offers.offered_elsewhere(
        session,
        [member.id for member in members],
        [item.shift.id for item in items],
        offers.OfferPath.BROADCAST,
        now,
        settings,
    )
    lists: list[tuple[Member, list[OpenShift]]] = []
    for member in members:
        theirs = [
            item
            for item in by_unit.get(member.unit_id or 0, ())
            if refused.get((member.id, item.shift.id)) is None
            and (member.id, item.shift.id) not in offered
        ]
        if theirs:
            lists.append((member, theirs))
    return lists


async def _create(
    session: AsyncSession,
    actor: Actor,
    kind: BroadcastKind,
    unit_id: int | None,
    chat_id: int,
    language: str,
    text: str | None,
    now: dt.datetime,
) -> Broadcast:
    broadcast = Broadcast(
        created_by_id=actor.member.id if actor.member is not None else None,
        chat_id=chat_id,
        language=language,
        unit_id=unit_id,
        kind=kind,
        text=text,
        total=0,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def send_shifts(
    session: AsyncSession,
    actor: Actor,
    audience: Audience,
    *,
    chat_id: int,
    language: str,
    now: dt.datetime,
    settings: Settings,
) -> Broadcast:
    """Queue, for each volunteer, the audience's shifts of their unit they may sign up for now
    (``_lists``: the sign-up rules, less what the understaffed alert offered them within
    OFFER_REPEAT_HOURS: bot/services/schedule/offers.py); someone left with none gets no
    message. Every Sign up press is checked again then."""
    await check_audience(session, actor, audience.unit_id)
    check_range(audience.first, audience.last, settings)
    items = await shifts_for(session, audience, now, settings)
    if not items:
        raise DomainError(ErrorCode.NOTHING_TO_BROADCAST)
    broadcast = await _create(
        session, actor, BroadcastKind.SHIFTS, audience.unit_id, chat_id, language, None, now
    )
    members = await volunteers(session, audience.unit_id)
    # Sent to all units, the shifts may all be in units nobody has joined yet: that is nobody
    # to receive them, not volunteers lacking a tag.
    with_shifts = {item.shift.post.unit_id for item in items}
    if not any(member.unit_id in with_shifts for member in members):
        raise DomainError(await _nobody_there(session, audience.unit_id, with_shifts))
    messages: list[outbox.Queued] = []
    made: list[tuple[int, int]] = []
    for member, theirs in await _lists(session, members, items, now, settings):
        message, shown = shift_message(translator_for(member, settings), member.id, theirs)
        messages.append(
            outbox.Queued(f"{batch_of(broadcast.id)}:{member.id}", member.telegram_id, message)
        )
        # Only the shifts shown with a button count as offered; "and 3 more" is no offer.
        made += [(member.id, item.shift.id) for item in theirs[:shown]]
    total = len(messages)
    if total == 0:
        raise DomainError(ErrorCode.BROADCAST_NOBODY_ELIGIBLE)
    await outbox.enqueue_many(session, messages, now=now, batch=batch_of(broadcast.id))
    await offers.record(session, made, offers.OfferPath.BROADCAST, now)
    broadcast.total = total
    return broadcast


def clean_announcement(text: str) -> str:
    cleaned = names.lines(text)
    if not cleaned or len(cleaned) > ANNOUNCEMENT_MAX:
        raise DomainError(ErrorCode.BROADCAST_TEXT_INVALID, limit=ANNOUNCEMENT_MAX)
    return cleaned


async def send_announcement(
    session: AsyncSession,
    actor: Actor,
    unit_id: int | None,
    text: str,
    *,
    chat_id: int,
    language: str,
    now: dt.datetime,
    settings: Settings,
    sender_name: str,
) -> Broadcast:
    await check_audience(session, actor, unit_id)
    cleaned = clean_announcement(text)
    members = await volunteers(session, unit_id)
    if not members:
        raise DomainError(await _nobody_there(session, unit_id))
    broadcast = await _create(
        session, actor, BroadcastKind.ANNOUNCEMENT, unit_id, chat_id, language, cleaned, now
    )
    # In bulk, as the shifts are: a few statements for thousands of volunteers, the text
    # rendered once a language. Each is drawn again when it goes out, in the language its
    # reader has then (broadcast_messages).
    texts: dict[str, str] = {}
    messages: list[outbox.Queued] = []
    for member in members:
        t = translator_for(member, settings)
        if t.language not in texts:
            texts[t.language] = t("broadcast.announcement", sender=sender_name, text=cleaned)
        body = outbox.payload(
            texts[t.language], redraw=announcement_redraw(broadcast.id, member.id)
        )
        messages.append(
            outbox.Queued(f"{batch_of(broadcast.id)}:{member.id}", member.telegram_id, body)
        )
    await outbox.enqueue_many(session, messages, now=now, batch=batch_of(broadcast.id))
    broadcast.total = len(members)
    return broadcast
