"""Member tags (such as 党员, party member) that shifts may require: what a tag may be, and
coordinators giving and taking them for members of their unit (admins: for anyone), by /tag with
a name or by a press on the member's card of /members, under the one rule of `_managed`."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import Select, exists, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, Member, MemberTag, Post, Role, Shift, ShiftStatus
from bot.errors import DomainError, ErrorCode
from bot.services.people import members, names
from bot.services.people.access import Actor
from bot.services.people.members import PHONE_TAIL, Shown, typed_phone
from bot.services.platform import audit

TAG_MAX = 32
AMBIGUOUS_SHOWN = 10
# Hex digits of a tag's key on a card's button: two of a unit's tags sharing a key is a chance
# of one in four billion.
KEY_LENGTH = 8
# How long a tag taken from the unit's last holder stays on the cards (to give back a tag taken
# by mistake); one typed wrong once leaves them after this. Read from the audit trail by its
# time index: a week of a busy city's trail (every seat assigned is a row) is read in ~10 ms on
# SQLite, a month in ~35 ms, inside the write lock of a tag's press.
TAG_REMEMBERED = dt.timedelta(days=7)
ADDED, REMOVED = "member.tag.add", "member.tag.remove"


@dataclass(frozen=True)
class Toggled:
    member: Member
    tag: str
    given: bool  # False: taken away


def clean_tag(tag: str | None) -> str | None:
    """A tag as it is kept (spaces collapsed), None for a blank one; refused when too long or
    when it looks like a command."""
    if tag is None:
        return None
    cleaned = names.plain(tag)
    if not cleaned:
        return None
    if len(cleaned) > TAG_MAX or cleaned.startswith("/"):
        raise DomainError(ErrorCode.TAG_INVALID, limit=TAG_MAX)
    return cleaned


def _managed(actor: Actor) -> Select[Member]:
    """The members whose tags the actor gives and takes: a coordinator those of their unit, an
    admin anyone (the rule of /tag and of the card's buttons alike)."""
    actor.require(Role.COORDINATOR)
    query = select(Member).where(Member.active.is_(True))
    if not actor.is_admin:
        query = query.where(Member.unit_id == actor.unit_id)
    return query


@dataclass(frozen=True)
class Directory:
    """The tags of the members an actor manages: who holds each, and how many hold none."""

    holders: dict[str, list[str]]  # tag -> its holders' names, both sorted
    untagged: int


async def directory(session: AsyncSession, actor: Actor) -> Directory:
    """/tag alone: each tag with its holders among the members the actor manages (counted, not
    named, are those without one: an admin manages the whole city)."""
    managed = _managed(actor).subquery()
    rows = await session.execute(
        select(MemberTag.tag, managed.c.display_name)
        .join(managed, MemberTag.member_id == managed.c.id)
        .order_by(MemberTag.tag, managed.c.display_name)
    )
    holders: dict[str, list[str]] = {}
    for tag, name in rows:
        holders.setdefault(tag, []).append(name)
    untagged = await session.scalar(
        select(func.count())
        .select_from(managed)
        .where(~exists().where(MemberTag.member_id == managed.c.id))
    )
    return Directory(holders, int(untagged or 0))


def tag_key(tag: str) -> str:
    """A short, stable stand-in for `tag` in a button's data (a tag may be longer than
    Telegram's 64 bytes, and hold ``:``)."""
    return hashlib.sha256(tag.encode()).hexdigest()[:KEY_LENGTH]


async def of_unit(session: AsyncSession, unit_id: int, now: dt.datetime) -> list[str]:
    """The unit's tags, sorted: those its members hold, those its shifts not yet ended require,
    and those taken from a member of the unit in the last `TAG_REMEMBERED` (so that a tag taken
    from its last holder can be given back on the card). Older than that, a tag nobody holds
    and nothing requires is no longer offered (/tag gives it)."""
    held = (
        select(MemberTag.tag)
        .join(Member, MemberTag.member_id == Member.id)
        .where(Member.unit_id == unit_id, Member.active.is_(True))
    )
    required = (
        select(Shift.required_tag)
        .join(Post, Shift.post_id == Post.id)
        .where(
            Post.unit_id == unit_id,
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.ends_at > now,
            Shift.required_tag.is_not(None),
        )
    )
    rows = await session.scalars(select(union(held, required).subquery().c[0]))
    # The unit the tag was taken in, as the entry keeps it: the member's unit now may be another
    # (one who left joins the next unit with the same record; an admin who left has none).
    # Entries from before the unit was kept (no "unit_id" at all): the member's unit now. One
    # that keeps no unit (None: an admin tagged in no unit, the tag taken on joining one) was
    # taken in no unit: SQL reads both as NULL, so those are told apart below.
    taken_in = func.coalesce(AuditEntry.after["unit_id"].as_integer(), Member.unit_id)
    taken = await session.scalars(
        select(AuditEntry.after)
        .join(Member, AuditEntry.object_id == Member.id)
        .where(
            AuditEntry.created_at > now - TAG_REMEMBERED,
            AuditEntry.action == REMOVED,
            AuditEntry.object_type == "member",
            taken_in == unit_id,
        )
    )
    recent = [
        after.get("tag")
        for after in taken
        if after is not None and after.get("unit_id", unit_id) == unit_id
    ]
    return sorted({tag for tag in [*rows, *recent] if isinstance(tag, str) and tag})


async def choices(
    session: AsyncSession, actor: Actor, member: Member, now: dt.datetime
) -> list[str] | None:
    """The tags the card offers to give or take (the member's unit's), or None when the actor
    may not tag this member."""
    try:
        query = _managed(actor)
    except DomainError:
        return None
    found = (await session.scalars(query.where(Member.id == member.id))).unique()
    if found.first() is None or member.unit_id is None:
        return None
    return await of_unit(session, member.unit_id, now)


async def toggle_by_key(
    session: AsyncSession, actor: Actor, member_id: int, key: str, give: bool, now: dt.datetime
) -> Toggled | None:
    """A press on the card: give the unit's tag whose `tag_key` is `key` to the member (`give`),
    or take it away. The state asked for, not a flip: a second tap, or a press on a card older
    than another coordinator's press, leaves the tag as the button said. None when no tag of
    the unit has that key (the button is stale or forged)."""
    query = _managed(actor).where(Member.id == member_id)
    member = (await session.scalars(query)).unique().first()
    if member is None:
        other = await session.get(Member, member_id)
        if other is None or not other.active:
            name = other.display_name if other is not None else "-"
            raise DomainError(ErrorCode.MEMBER_GONE, name=name)
        raise DomainError(ErrorCode.FORBIDDEN)
    if member.unit_id is None:
        return None
    unit_tags = await of_unit(session, member.unit_id, now)
    tag = next((tag for tag in unit_tags if tag_key(tag) == key), None)
    if tag is None:
        return None
    await _lock_tags(session, member)
    if (tag in member.tags) != give:
        await _flip(session, actor, member, tag, now)
    return Toggled(member=member, tag=tag, given=give)


async def toggle(
    session: AsyncSession, actor: Actor, name: str, tag: str, now: dt.datetime
) -> tuple[Member, bool]:
    """Give `tag` to the member called `name`, or take it away if they have it; True if given."""
    query = _managed(actor)
    cleaned = clean_tag(tag)
    if cleaned is None:
        raise DomainError(ErrorCode.TAG_INVALID, limit=TAG_MAX)
    typed = names.plain(name)
    found = list(
        (
            await session.scalars(query.where(func.lower(Member.display_name) == typed.lower()))
        ).unique()
    )
    digits = typed_phone(typed)
    if not found and digits is not None:
        # Names repeat and a member cannot change theirs: the phone, or its last digits, tells
        # two people of one name apart.
        by_phone = query.where(Member.phone.endswith(digits, autoescape=True))
        found = list((await session.scalars(by_phone)).unique())
    if not found:
        raise DomainError(ErrorCode.MEMBER_NOT_FOUND, name=name)
    if len(found) > 1:
        raise DomainError(
            ErrorCode.MEMBER_AMBIGUOUS,
            name=typed,
            count=len(found),
            people=tuple(Shown.of(person) for person in found[:AMBIGUOUS_SHOWN]),
            tail=(found[0].phone or "")[-PHONE_TAIL:] or "1234",
            tag=cleaned,
        )
    await _lock_tags(session, found[0])
    return found[0], await _flip(session, actor, found[0], cleaned, now)


async def _lock_tags(session: AsyncSession, member: Member) -> None:
    """Lock the member's row and read their tags again under the lock, so that two presses at
    one moment take turns: the second finds what the first did rather than giving the tag
    twice (PostgreSQL; SQLite's writers already take turns and ignore the clause)."""
    await members.lock(session, [member.id])
    await session.refresh(member, ["tag_rows"])


async def _flip(
    session: AsyncSession, actor: Actor, member: Member, cleaned: str, now: dt.datetime
) -> bool:
    """Give the tag, or take it away if the member has it (audited); True if given."""
    existing = next((row for row in member.tag_rows if row.tag == cleaned), None)
    if existing is not None:
        member.tag_rows.remove(existing)
    else:
        member.tag_rows.append(MemberTag(tag=cleaned))
    _audited(session, actor, member, cleaned, given=existing is None, now=now)
    await session.flush()
    return existing is None


def take_all(session: AsyncSession, actor: Actor, member: Member, now: dt.datetime) -> None:
    """Every tag taken from a member leaving their unit (under the caller's lock on the row),
    each audited as a press taking it: the trail is complete, and the unit's cards offer a tag
    its last holder took with them for `TAG_REMEMBERED`, as one taken by a press."""
    _take_all(session, _actor_id(actor), member, now)


def take_all_on_joining(session: AsyncSession, member: Member, now: dt.datetime) -> None:
    """Every tag a member still holds when they join a unit afresh (an admin of ADMIN_IDS,
    tagged while in no unit), taken by the joining member themselves, audited as leaving
    audits them: no tag disappears from the trail unseen."""
    _take_all(session, member.id, member, now)


def _take_all(
    session: AsyncSession, actor_id: int | None, member: Member, now: dt.datetime
) -> None:
    for row in sorted(member.tag_rows, key=lambda row: row.tag):
        _record(session, actor_id, member, row.tag, given=False, now=now)
    member.tag_rows.clear()


def _actor_id(actor: Actor) -> int | None:
    return actor.member.id if actor.member is not None else None


def _audited(
    session: AsyncSession, actor: Actor, member: Member, tag: str, *, given: bool, now: dt.datetime
) -> None:
    _record(session, _actor_id(actor), member, tag, given=given, now=now)


def _record(
    session: AsyncSession,
    actor_id: int | None,
    member: Member,
    tag: str,
    *,
    given: bool,
    now: dt.datetime,
) -> None:
    audit.record(
        session,
        actor_id=actor_id,
        action=ADDED if given else REMOVED,
        object_type="member",
        object_id=member.id,
        after={"tag": tag, "unit_id": member.unit_id},
        now=now,
    )
