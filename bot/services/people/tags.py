"""Member tags (such as 党员, party member) that shifts may require: what a tag may be, and
coordinators giving and taking them for members of their unit (admins: for anyone)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, MemberTag, Role
from bot.errors import DomainError, ErrorCode
from bot.services.people.access import Actor
from bot.services.people.members import PHONE_TAIL, Shown, typed_phone
from bot.services.platform import audit

TAG_MAX = 32
AMBIGUOUS_SHOWN = 10


def clean_tag(tag: str | None) -> str | None:
    """A tag as it is kept (spaces collapsed), None for a blank one; refused when too long or
    when it looks like a command."""
    if tag is None:
        return None
    cleaned = " ".join(tag.split())
    if not cleaned:
        return None
    if len(cleaned) > TAG_MAX or cleaned.startswith("/"):
        raise DomainError(ErrorCode.TAG_INVALID, limit=TAG_MAX)
    return cleaned


async def members(session: AsyncSession, actor: Actor) -> list[Member]:
    """The members whose tags the actor manages, by name."""
    actor.require(Role.COORDINATOR)
    query = select(Member).where(Member.active.is_(True)).order_by(Member.display_name)
    if not actor.is_admin:
        query = query.where(Member.unit_id == actor.unit_id)
    return list((await session.scalars(query)).unique())


async def toggle(
    session: AsyncSession, actor: Actor, name: str, tag: str, now: dt.datetime
) -> tuple[Member, bool]:
    """Give `tag` to the member called `name`, or take it away if they have it; True if given."""
    actor.require(Role.COORDINATOR)
    cleaned = clean_tag(tag)
    if cleaned is None:
        raise DomainError(ErrorCode.TAG_INVALID, limit=TAG_MAX)
    query = select(Member).where(Member.active.is_(True))
    if not actor.is_admin:
        query = query.where(Member.unit_id == actor.unit_id)
    typed = " ".join(name.split())
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
    member = found[0]
    existing = next((row for row in member.tag_rows if row.tag == cleaned), None)
    if existing is not None:
        member.tag_rows.remove(existing)
    else:
        member.tag_rows.append(MemberTag(tag=cleaned))
    audit.record(
        session,
        actor_id=actor.member.id if actor.member is not None else None,
        action="member.tag.remove" if existing is not None else "member.tag.add",
        object_type="member",
        object_id=member.id,
        after={"tag": cleaned},
        now=now,
    )
    await session.flush()
    return member, existing is None
