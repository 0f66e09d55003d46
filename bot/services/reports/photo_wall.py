"""The photo wall of a daily summary (SUMMARY_PHOTO_WALL): the period's check-in photos, first
arrivals first."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckIn, Post
from bot.services.reports.figures import served
from bot.services.reports.periods import Period
from bot.settings import Settings


async def photos(
    session: AsyncSession, period: Period, settings: Settings, unit_id: int | None, limit: int
) -> list[str]:
    """File ids of check-in photos of the period, first arrivals first, flagged ones and those
    a coordinator rejected left out."""
    start, end = period.bounds(settings.zone)
    query = (
        served(CheckIn.photo_file_id, start=start, end=end)
        .where(
            CheckIn.photo_file_id.is_not(None),
            CheckIn.photo_flagged.is_(False),
            CheckIn.photo_rejected.is_(False),
        )
        .order_by(CheckIn.checked_in_at, CheckIn.id)
        .limit(limit)
    )
    if unit_id is not None:
        query = query.where(Post.unit_id == unit_id)
    return [file_id for file_id in await session.scalars(query) if file_id]
