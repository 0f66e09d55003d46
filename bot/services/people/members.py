"""Member records: lookup, language, profile, and who stands on posts."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.db.models import Member, MemberRole, Role, Unit
from bot.i18n import LANGUAGES
from bot.services.people.access import Actor

# Who stands on posts, and so is offered shifts (broadcasts, the understaffed alert, give-aways)
# and may take one from a swap: the volunteers. A coordinator or leader who also stands on posts
# holds the volunteer role as well.
ON_POST_ROLES = frozenset({Role.VOLUNTEER})


PHONE_TAIL = 4  # the last digits of a phone number, as 尾号 names someone
# What people put between a phone number's digits: +86 138-0000-1234, (+86)13800001234.
PHONE_PUNCTUATION = frozenset(" -()+")


def typed_phone(typed: str) -> str | None:
    """The digits of a phone number or of its last PHONE_TAIL or more digits as typed (with a
    Chinese keyboard's full-width digits too), or None when what was typed is not one."""
    plain = unicodedata.normalize("NFKC", typed)
    digits = "".join(ch for ch in plain if ch not in PHONE_PUNCTUATION)
    if len(digits) >= PHONE_TAIL and digits.isascii() and digits.isdecimal():
        return digits
    return None


@dataclass(frozen=True)
class Shown:
    """One of several members a typed name matched, as a refusal shows them apart."""

    name: str
    phone_tail: str

    @classmethod
    def of(cls, member: Member) -> Shown:
        return cls(member.display_name, (member.phone or "")[-PHONE_TAIL:])

    @classmethod
    def apart(cls, people: Sequence[Member], limit: int) -> tuple[Shown, ...]:
        """The first `limit` of `people` as a colleague sees them: a phone's last digits only
        for a name that two of them bear (nobody can change theirs), the name alone otherwise."""
        names = Counter(" ".join(p.display_name.split()).casefold() for p in people)
        return tuple(
            cls.of(p)
            if names[" ".join(p.display_name.split()).casefold()] > 1
            else cls(p.display_name, "")
            for p in people[:limit]
        )


def serves_on_posts(member: Member) -> bool:
    return not ON_POST_ROLES.isdisjoint(member.roles)


def _on_post_query(*, blocked: bool = False) -> Select[Member]:
    return (
        select(Member)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(
            MemberRole.role.in_(ON_POST_ROLES),
            Member.active.is_(True),
            Member.blocked_bot.is_(blocked),
            Member.unit_id.is_not(None),
        )
        .order_by(Member.id)
    )


async def on_post(
    session: AsyncSession, unit_id: int | None, *, blocked: bool = False
) -> list[Member]:
    """The active members who stand on posts and can be written to (they have not blocked the
    bot), of one unit or of all units still in the campaign (not archived), by id. With
    `blocked`, those of them who cannot be written to instead."""
    query = _on_post_query(blocked=blocked)
    if unit_id is not None:
        query = query.where(Member.unit_id == unit_id)
    else:
        query = query.where(Member.unit_id.in_(select(Unit.id).where(Unit.archived.is_(False))))
    return list((await session.scalars(query)).unique())


async def on_post_in(session: AsyncSession, unit_ids: Collection[int]) -> list[Member]:
    """``on_post`` of several units in one statement, by id."""
    if not unit_ids:
        return []
    query = _on_post_query().where(Member.unit_id.in_(sorted(set(unit_ids))))
    return list((await session.scalars(query)).unique())


async def of_unit(session: AsyncSession, unit_id: int) -> list[Member]:
    """The unit's members (not those who left it), by name."""
    return list(
        (
            await session.scalars(
                select(Member)
                .where(Member.unit_id == unit_id, Member.active.is_(True))
                .order_by(Member.display_name, Member.id)
            )
        ).unique()
    )


async def by_telegram_id(session: AsyncSession, telegram_id: int) -> Member | None:
    member: Member | None = await session.scalar(
        select(Member).where(Member.telegram_id == telegram_id)
    )
    return member


@dataclass(frozen=True)
class Standing:
    """A member's roles (none while inactive, as Actor.of counts them), language and unit, with
    whether that unit is archived: what a request authorized afresh each time needs to know."""

    roles: frozenset[Role]
    language: str | None
    unit_id: int | None
    unit_name: str | None
    unit_archived: bool


async def standing(session: AsyncSession, telegram_id: int) -> Standing | None:
    """The member's Standing in one statement (a row per role), None for a stranger: the
    board authorizes every data request of every open board with it."""
    rows = (
        await session.execute(
            select(
                Member.active,
                Member.language,
                Member.unit_id,
                Unit.name,
                Unit.archived,
                MemberRole.role,
            )
            .outerjoin(Unit, Unit.id == Member.unit_id)
            .outerjoin(MemberRole, MemberRole.member_id == Member.id)
            .where(Member.telegram_id == telegram_id)
        )
    ).all()
    if not rows:
        return None
    active, language, unit_id, unit_name, archived, _ = rows[0]
    roles = frozenset(row[5] for row in rows if row[5] is not None) if active else frozenset()
    return Standing(roles, language, unit_id, unit_name, bool(archived))


async def set_language(actor: Actor, language: str) -> Member:
    member = actor.require_member()
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    member.language = language
    return member


@dataclass(frozen=True)
class Profile:
    member: Member
    roles: tuple[Role, ...]
    unit_name: str | None


ROLE_ORDER = (Role.ADMIN, Role.LEADER, Role.COORDINATOR, Role.INSPECTOR, Role.VOLUNTEER)


def profile(actor: Actor) -> Profile:
    member = actor.require_member()
    roles = tuple(role for role in ROLE_ORDER if role in actor.roles)
    return Profile(member=member, roles=roles, unit_name=member.unit.name if member.unit else None)


async def lock(session: AsyncSession, member_ids: Collection[int]) -> None:
    """Lock these members' rows for this transaction, in id order (the same order everywhere,
    so no two transactions wait for each other in a circle), and read them again as they are
    now: the writer this one waited for may have removed one, moved them to another unit or
    taken a role, and the rules checked under the lock must see it (a `Member` read earlier in
    the transaction is refreshed in place). SQLite's writers already take turns and it
    ignores the clause.

    Two statements, the lock and then the read with roles, tags and unit joined. Not one: a
    statement that waited for a row lock sees that row as it is now, but the rows it joined
    from other tables (their roles, a role just taken) as they were when it began. Not three:
    the lock is taken under a shift's, and every sign-up of a burst on that shift waits for
    each round trip of the ones before (the roles' and tags' own loading, a statement each)."""
    ids = sorted(set(member_ids))
    if not ids:
        return
    await session.execute(
        select(Member.id).where(Member.id.in_(ids)).order_by(Member.id).with_for_update()
    )
    await session.scalars(
        select(Member)
        .where(Member.id.in_(ids))
        .options(joinedload(Member.role_rows), joinedload(Member.tag_rows))
        .execution_options(populate_existing=True)
    )
