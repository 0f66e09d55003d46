"""People the bot cannot reach: Telegram answered 403 (blocked, deactivated). The member is
marked, nothing is retried, and their unit's coordinators are told once (not when, the word
held by the quiet hours, the member can be reached again by the time it goes out, nor about
someone who has left the unit)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import InstrumentedAttribute, set_committed_value

from bot.db.models import Member, MemberRole, Role
from bot.i18n import Translator
from bot.services.platform import outbox
from bot.services.platform.notify import members_of_chats, notify_all, translators
from bot.services.platform.outbox import Message
from bot.services.platform.redraw import Subject
from bot.settings import Settings

# The word to a unit's coordinators that a member cannot be reached, drawn again when it goes
# out (bot/redraw.py): it is not urgent, and one the quiet hours held overnight is not sent
# once the member can be reached again (they unblocked the bot, or wrote to it, since).
UNREACHABLE = "member-unreachable"


async def coordinators_of(session: AsyncSession, unit_id: int) -> list[Member]:
    return (await coordinators_by_unit(session, {unit_id})).get(unit_id, [])


async def coordinators_by_unit(
    session: AsyncSession, unit_ids: set[int]
) -> dict[int, list[Member]]:
    """The active coordinators of each of these units, by unit id, in member order."""
    rows = await session.scalars(
        select(Member)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(
            Member.unit_id.in_(sorted(unit_ids)),
            Member.active.is_(True),
            MemberRole.role == Role.COORDINATOR,
        )
        .order_by(Member.id)
    )
    found: dict[int, list[Member]] = defaultdict(list)
    for member in rows.unique():
        assert member.unit_id is not None
        found[member.unit_id].append(member)
    return found


async def deciders_of(
    session: AsyncSession, unit_id: int, parties: Collection[int | None]
) -> list[Member]:
    """The unit's active coordinators who can be written to and are none of `parties` (member
    ids): who decide a swap or a leave request of the unit, asked in the unit's language each;
    `has_decider` is the same rule as a condition of a statement."""
    return [
        coordinator
        for coordinator in await coordinators_of(session, unit_id)
        if not coordinator.blocked_bot and coordinator.id not in parties
    ]


def has_decider(
    unit_id: ColumnElement[int] | InstrumentedAttribute[int],
    *parties: ColumnElement[int] | InstrumentedAttribute[int] | InstrumentedAttribute[int | None],
) -> ColumnElement[bool]:
    """Whether the unit (a column of a statement) has an active coordinator who can be written
    to and is none of `parties` (columns of member ids, possibly null): someone of the unit to
    decide what the statement is about (a swap, a leave request). `coordinators_by_unit` with
    the blocked and the parties left out, as a condition: no query per row, the unit's members
    read through their index."""
    coordinator, role = aliased(Member), aliased(MemberRole)
    return exists().where(
        coordinator.unit_id == unit_id,
        coordinator.active.is_(True),
        coordinator.blocked_bot.is_(False),
        role.member_id == coordinator.id,
        role.role == Role.COORDINATOR,
        *(or_(party.is_(None), coordinator.id != party) for party in parties),
    )


async def mark_unreachable(
    session: AsyncSession, telegram_id: int, now: dt.datetime, settings: Settings
) -> Member | None:
    """Record that `telegram_id` cannot be written to; tell the coordinators the first time."""
    member: Member | None = await session.scalar(
        select(Member).where(Member.telegram_id == telegram_id)
    )
    if member is None or member.blocked_bot:
        return member
    # A conditional UPDATE, not the read above, decides who tells: two senders meeting the same
    # 403 at once (PostgreSQL) both read "reachable", but only one of them flips the flag.
    flipped = await session.execute(
        update(Member)
        .where(Member.id == member.id, Member.blocked_bot.is_(False))
        .values(blocked_bot=True)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(member)
    # One who left their unit (or was removed) is marked all the same, but is no concern of
    # the unit they left: its coordinators are not asked to phone them.
    if getattr(flipped, "rowcount", 0) != 1 or member.unit_id is None or not member.active:
        return member
    others = [c for c in await coordinators_of(session, member.unit_id) if c.id != member.id]
    await notify_all(
        session,
        others,
        lambda t: _unreachable(t, member),
        # One notice per time the member becomes unreachable (they may unblock and block again).
        key=lambda coordinator: f"unreachable:{member.id}:{coordinator.id}:{now.isoformat()}",
        now=now,
        settings=settings,
    )
    return member


def _unreachable(t: Translator, member: Member) -> Message:
    name, phone = member.display_name, member.phone or "-"
    return outbox.payload(
        t("delivery.member_unreachable", name=name, phone=phone),
        redraw=outbox.Redraw(UNREACHABLE, (member.id,)),
    )


async def redraw_unreachable(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The words to coordinators that a member cannot be reached (`UNREACHABLE`), about to go
    out, drawn again in their reader's language; none once the member can be reached again, or
    once either of them is no longer of the unit."""
    ids = sorted({subject.args[0] for subject in subjects})
    found = {
        member.id: member
        for member in await session.scalars(select(Member).where(Member.id.in_(ids)))
    }
    readers = await members_of_chats(session, [subject.chat_id for subject in subjects])
    translator = translators(settings)
    drawn: list[Message | None] = []
    for subject in subjects:
        member = found.get(subject.args[0])
        reader = readers.get(subject.chat_id)
        # Reachable again, or no longer a member (left or removed while the word waited), or
        # the coordinator it waited for left that unit meanwhile (an admin of ADMIN_IDS keeps
        # their chat's queue): no longer theirs to phone.
        if (
            member is None
            or not member.blocked_bot
            or not member.active
            or member.unit_id is None
            or (reader is not None and reader.unit_id != member.unit_id)
        ):
            drawn.append(None)
            continue
        drawn.append(_unreachable(translator(reader.language if reader else None), member))
    return drawn


def seen_reachable(member: Member) -> bool:
    """The person wrote to the bot, so it can write to them again: from now on for this turn
    (its own messages to them go out), but only in memory; whether `reachable_again` must
    write it. Written at once, her member row would be locked first, before any shift her turn
    locks, the reverse of the order of a coordinator assigning (shift, then people): the two
    could deadlock on PostgreSQL."""
    if not member.blocked_bot:
        return False
    set_committed_value(member, "blocked_bot", False)
    return True


async def reachable_again(session: AsyncSession, member_id: int) -> None:
    """Write that the member can be reached again (`seen_reachable`), last in a turn."""
    await _reachable(session, Member.id == member_id)


async def unblocked(session: AsyncSession, telegram_id: int) -> None:
    """The person unblocked the bot (Telegram's `my_chat_member`): reachable again, as when
    they write to it."""
    await _reachable(session, Member.telegram_id == telegram_id)


async def _reachable(session: AsyncSession, who: ColumnElement[bool]) -> None:
    await session.execute(
        update(Member).where(who, Member.blocked_bot.is_(True)).values(blocked_bot=False)
    )
