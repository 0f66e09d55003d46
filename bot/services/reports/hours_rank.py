"""A volunteer's place in their unit by the hours credited this month, for /hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, CheckIn, Member, Post, Unit
from bot.services.reports.figures import names_of, served
from bot.services.reports.periods import day_start
from bot.settings import Settings


@dataclass(frozen=True)
class HoursRank:
    """A volunteer's place in their unit by hours credited this month (for /hours)."""

    unit: str
    rank: int | None  # None: no hours credited yet this month
    total: int  # members of the unit with hours this month
    minutes: int


async def month_rank(
    session: AsyncSession, member: Member, now: dt.datetime, settings: Settings
) -> HoursRank | None:
    """Rank by minutes credited on the unit's posts this local month, among those who served
    there: what was served stays the unit's where it was served, so one who left the unit
    (or joined another) keeps their place in its month, and brings no hours to the next."""
    if member.unit_id is None:
        return None
    today = now.astimezone(settings.zone).date()
    month_start = day_start(today.replace(day=1), settings.zone)
    per_member = (
        served(
            Assignment.member_id.label("member_id"),
            func.sum(func.coalesce(CheckIn.credited_minutes, 0)).label("minutes"),
            start=month_start,
            end=now,
        )
        .where(Post.unit_id == member.unit_id)
        .group_by(Assignment.member_id)
        .subquery()
    )
    mine = int(
        await session.scalar(
            select(per_member.c.minutes).where(per_member.c.member_id == member.id)
        )
        or 0
    )
    total = int(
        await session.scalar(
            select(func.count()).select_from(per_member).where(per_member.c.minutes > 0)
        )
        or 0
    )
    ahead = int(
        await session.scalar(
            select(func.count()).select_from(per_member).where(per_member.c.minutes > mine)
        )
        or 0
    )
    unit_name = (await names_of(session, Unit, [member.unit_id])).get(member.unit_id, "")
    return HoursRank(
        unit=unit_name, rank=ahead + 1 if mine > 0 else None, total=total, minutes=mine
    )
