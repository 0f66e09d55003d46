"""The rules every photo offered as proof obeys, a check-in's or an inspector's or a reporter's:
taken on the spot, so not forwarded, and not a picture used before (``CHECKIN_DUPLICATE_PHOTO``
says whether one used before is refused or accepted flagged for a person to look at)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckIn
from bot.errors import DomainError, ErrorCode
from bot.settings import Settings


@dataclass(frozen=True)
class Photo:
    """A photo message as the handler read it (Telegram's file_unique_id names the picture,
    whoever sends it and however often)."""

    file_id: str
    file_unique_id: str
    forwarded: bool = False
    # When Telegram says it was sent; None: unknown.
    sent_at: dt.datetime | None = None


def refuse_forwarded(photo: Photo) -> None:
    if photo.forwarded:
        raise DomainError(ErrorCode.CHECKIN_FORWARDED_PHOTO)


async def used_in_checkins(session: AsyncSession, file_unique_id: str) -> bool:
    found = await session.scalar(
        select(CheckIn.id).where(CheckIn.photo_file_unique_id == file_unique_id).limit(1)
    )
    return found is not None


def judge_reuse(
    used_before: bool, settings: Settings, code: ErrorCode = ErrorCode.CHECKIN_PHOTO_REUSED
) -> bool:
    """Refuse a picture used before unless the settings only flag it; whether it is flagged."""
    if used_before and settings.checkin_duplicate_photo == "refuse":
        raise DomainError(code)
    return used_before


def judge(photo: Photo, used_before: bool, settings: Settings, code: ErrorCode) -> bool:
    """Both rules at once; whether the accepted photo is flagged."""
    refuse_forwarded(photo)
    return judge_reuse(used_before, settings, code)
