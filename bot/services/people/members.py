"""Member records: lookup, language, profile."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, Role
from bot.i18n import LANGUAGES
from bot.services.people.access import Actor


async def by_telegram_id(session: AsyncSession, telegram_id: int) -> Member | None:
    member: Member | None = await session.scalar(
        select(Member).where(Member.telegram_id == telegram_id)
    )
    return member


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
