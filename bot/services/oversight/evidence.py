"""Evidence photos of checks, street reports and order replies: the check-in photo rules
(bot/services/duty/photo_rules.py) applied across every photo the bot was ever shown as proof, and
the rows that keep them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Dialogue, EvidenceKind, EvidencePhoto
from bot.errors import DomainError, ErrorCode
from bot.services.duty import photo_rules
from bot.services.duty.photo_rules import Photo
from bot.services.platform import dialogues
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


# An album's photos come one message each, in order (dialogues.ALBUM). Besides the album's id,
# the dialogue keeps how many of its photos it kept and whether it said the rest did not fit,
# so that the album is answered once, and an album past MAX_PHOTOS is told once how many of it
# were kept. All of it is in the dialogue's row, written with the update that caused it: an
# update of the album handled again after a crash finds it as it was left.
_ALBUM_KEPT = "album_kept"
_ALBUM_FULL = "album_full"


class Answer(StrEnum):
    """What to tell the person about a photo offered to a dialogue."""

    TAKEN = "taken"  # a photo alone, or the first of an album: the dialogue's usual answer
    QUIET = "quiet"  # one more photo of an album already answered: nothing
    FULL = "full"  # the first photo of an album that did not fit: how many of it were kept


@dataclass(frozen=True)
class Taken:
    """A photo offered to a dialogue: the dialogue's photos after it and what to say."""

    photos: list[dict[str, Any]]  # the dialogue's photos now
    answer: Answer
    album: bool  # the photo came in an album
    album_kept: int  # how many photos of its album were kept (with this one)
    marks: dict[str, Any]  # what the dialogue keeps of the album, beside its photos


async def take(
    session: AsyncSession,
    dialogue: Dialogue | None,
    photo: Photo,
    held: Sequence[dict[str, Any]],
    album: str | None,
    settings: Settings,
) -> Taken:
    """`add` for a photo that may be one of an `album` (its media_group_id): the first photo
    of an album is answered as a photo alone would be, the rest quietly; a photo past
    ``MAX_PHOTOS`` is refused as ever when it comes alone, and of an album only the first that
    does not fit is answered (with how many of the album were kept), the others quietly. A
    photo refused for what it is (forwarded, used before) is refused whatever it came in."""
    rest = dialogues.rest_of_album(dialogue, album)
    data = dialogue.data if rest and dialogue is not None else {}
    kept = int(data.get(_ALBUM_KEPT) or 0)
    told_full = bool(data.get(_ALBUM_FULL))
    try:
        photos = await add(session, photo, held, settings)
    except DomainError as error:
        if album is None or error.code is not ErrorCode.EVIDENCE_PHOTOS_FULL:
            raise
        answer = Answer.QUIET if told_full else Answer.FULL
        marks = {dialogues.ALBUM: album, _ALBUM_KEPT: kept, _ALBUM_FULL: True}
        return Taken(list(held), answer, True, kept, marks)
    if album is None:
        return Taken(photos, Answer.TAKEN, False, 0, {dialogues.ALBUM: None})
    kept += len(photos) - len(held)
    marks = {dialogues.ALBUM: album, _ALBUM_KEPT: kept, _ALBUM_FULL: told_full}
    return Taken(photos, Answer.QUIET if rest else Answer.TAKEN, True, kept, marks)


def album_marks(album: str | None) -> dict[str, Any]:
    """What a dialogue begun by a photo of `album` keeps of it (see `take`)."""
    if album is None:
        return {}
    return {dialogues.ALBUM: album, _ALBUM_KEPT: 1, _ALBUM_FULL: False}


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
    after: dt.datetime | None = None,
) -> list[str]:
    """The photos of one check, report or order's replies, in the order they were taken;
    with `after`, only those kept later than that."""
    query = select(EvidencePhoto.file_id).order_by(EvidencePhoto.id)
    if after is not None:
        query = query.where(EvidencePhoto.created_at > after)
    if inspection_id is not None:
        query = query.where(EvidencePhoto.inspection_id == inspection_id)
    elif report_id is not None:
        query = query.where(EvidencePhoto.report_id == report_id)
    elif order_id is not None:
        query = query.where(EvidencePhoto.order_id == order_id)
    else:
        return []
    return [str(file_id) for file_id in await session.scalars(query)]


async def flagged(
    session: AsyncSession,
    *,
    report_id: int | None = None,
    order_id: int | None = None,
    after: dt.datetime | None = None,
) -> int:
    """How many photos of a report, or of an order's replies kept later than `after`, were let
    in though used before (CHECKIN_DUPLICATE_PHOTO=flag)."""
    query = select(func.count()).where(EvidencePhoto.flagged.is_(True))
    if report_id is not None:
        query = query.where(EvidencePhoto.report_id == report_id)
    elif order_id is not None:
        query = query.where(EvidencePhoto.order_id == order_id)
    else:
        return 0
    if after is not None:
        query = query.where(EvidencePhoto.created_at > after)
    return int(await session.scalar(query) or 0)
