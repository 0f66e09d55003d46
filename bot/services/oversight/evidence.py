"""Evidence photos of checks, street reports and order replies: the check-in photo rules
(bot/services/duty/photo_rules.py) applied across every photo the bot was ever shown as proof, and
the rows that keep them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import EvidenceKind, EvidencePhoto
from bot.errors import DomainError, ErrorCode
from bot.services.duty import photo_rules
from bot.services.duty.photo_rules import Photo
from bot.settings import Settings

# Photos one check, report or reply may carry: an album holds ten.
MAX_PHOTOS = 10


async def used_before(session: AsyncSession, file_unique_id: str) -> bool:
    if await photo_rules.used_in_checkins(session, file_unique_id):
        return True
    found = await session.scalar(
        select(EvidencePhoto.id).where(EvidencePhoto.file_unique_id == file_unique_id).limit(1)
    )
    return found is not None


async def accept(
    session: AsyncSession, photo: Photo, held: Sequence[dict[str, Any]], settings: Settings
) -> dict[str, Any]:
    """Judge a photo offered during a dialogue (`held`: the photos taken so far in it) and
    return what the dialogue keeps of it."""
    again = holds(held, photo)
    flagged = photo_rules.judge(
        photo,
        again or await used_before(session, photo.file_unique_id),
        settings,
        ErrorCode.EVIDENCE_PHOTO_REUSED,
    )
    return {"file_id": photo.file_id, "file_unique_id": photo.file_unique_id, "flagged": flagged}


def holds(held: Sequence[dict[str, Any]], photo: Photo) -> bool:
    """Whether the dialogue has this picture already."""
    return any(item["file_unique_id"] == photo.file_unique_id for item in held)


async def add(
    session: AsyncSession, photo: Photo, held: Sequence[dict[str, Any]], settings: Settings
) -> list[dict[str, Any]]:
    """The dialogue's photos with `photo` added. The same picture sent again (a phone on a poor
    network sends twice) is the one photo it has, not a picture used before; another one past
    ``MAX_PHOTOS`` is refused (not kept, and the person is told so)."""
    photos = list(held)
    # A forwarded copy is still judged, and refused as forwarded.
    if photo.forwarded or not holds(photos, photo):
        if len(photos) >= MAX_PHOTOS:
            raise DomainError(ErrorCode.EVIDENCE_PHOTOS_FULL, count=MAX_PHOTOS)
        photos.append(await accept(session, photo, photos, settings))
    return photos


def keep(
    session: AsyncSession,
    kind: EvidenceKind,
    photos: Sequence[dict[str, Any]],
    *,
    added_by_id: int | None,
    now: dt.datetime,
    inspection_id: int | None = None,
    report_id: int | None = None,
    order_id: int | None = None,
) -> None:
    for item in photos:
        session.add(
            EvidencePhoto(
                kind=kind,
                inspection_id=inspection_id,
                report_id=report_id,
                order_id=order_id,
                file_id=str(item["file_id"]),
                file_unique_id=str(item["file_unique_id"]),
                flagged=bool(item.get("flagged")),
                added_by_id=added_by_id,
                created_at=now,
            )
        )


async def file_ids(
    session: AsyncSession,
    *,
    inspection_id: int | None = None,
    report_id: int | None = None,
    order_id: int | None = None,
) -> list[str]:
    """The photos of one check, report or order reply, in the order they were taken."""
    query = select(EvidencePhoto.file_id).order_by(EvidencePhoto.id)
    if inspection_id is not None:
        query = query.where(EvidencePhoto.inspection_id == inspection_id)
    elif report_id is not None:
        query = query.where(EvidencePhoto.report_id == report_id)
    elif order_id is not None:
        query = query.where(EvidencePhoto.order_id == order_id)
    else:
        return []
    return [str(file_id) for file_id in await session.scalars(query)]
