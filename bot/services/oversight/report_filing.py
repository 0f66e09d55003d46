"""Filing a street report (随手拍): a photo, the place, a category and a short text, like an
Open311 service request. The report is routed to the unit that answers for the place
(routing.py); a report within ``REPORT_DUPLICATE_M`` of an open one of the same category from the
same day is linked to it instead, and its reporter hears what the first one's reporter hears.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import geo
from bot.db.models import (
    Category,
    Dialogue,
    DialogueKind,
    EvidenceKind,
    Member,
    ReportStatus,
    StreetReport,
)
from bot.errors import DomainError, ErrorCode
from bot.services.duty.geofence import Position
from bot.services.duty.photo_rules import Photo
from bot.services.oversight import evidence, reports, routing, typed
from bot.services.people import units
from bot.services.people.access import Actor
from bot.services.platform import dialogues
from bot.settings import Settings

DIALOGUE = DialogueKind.STREET_REPORT
MINE_SHOWN = 3


class Step(StrEnum):
    PHOTO = "photo"
    LOCATION = "location"
    CATEGORY = "category"
    TEXT = "text"


async def begin(
    session: AsyncSession,
    actor: Actor,
    now: dt.datetime,
    settings: Settings,
    photo: Photo | None = None,
    album: str | None = None,
) -> Step:
    """Start a report; a photo sent with the caption 随手拍 is its first step already (the
    first photo of an `album`: the dialogue keeps which, for the rest of it). A report is a
    unit member's: an admin in no unit, record or not, is told so."""
    actor.require_unit_member()
    if photo is None:
        await dialogues.begin(session, actor.telegram_id, DIALOGUE, Step.PHOTO, now)
        return Step.PHOTO
    # Judged before the report opens: a refused photo (forwarded, used before) opens nothing.
    accepted = await evidence.accept(session, photo, [], settings)
    data = {"photos": [accepted], **evidence.album_marks(album)}
    await dialogues.begin(session, actor.telegram_id, DIALOGUE, Step.LOCATION, now, data)
    return Step.LOCATION


async def add_photo(
    session: AsyncSession,
    dialogue: Dialogue,
    photo: Photo,
    album: str | None,
    now: dt.datetime,
    settings: Settings,
) -> evidence.Taken:
    """One more photo of the problem (of an `album`, see evidence.take)."""
    held = dialogue.data.get("photos") or []
    taken = await evidence.take(session, dialogue, photo, held, album, settings)
    step = Step.LOCATION if dialogue.step == Step.PHOTO else Step(dialogue.step)
    dialogues.advance(dialogue, step, now, photos=taken.photos, **taken.marks)
    return taken


def set_caption(dialogue: Dialogue, text: str, now: dt.datetime) -> None:
    """A photo's caption is the line written with it, as is a line typed before the photo: the
    report's text unless a line is typed at the last step. A refused one (blank, too long)
    changes nothing."""
    dialogues.advance(dialogue, Step(dialogue.step), now, caption=clean_text(text))


def set_location(dialogue: Dialogue, position: Position, now: dt.datetime) -> None:
    if position.forwarded:
        raise DomainError(ErrorCode.CHECKIN_FORWARDED_LOCATION)
    if position.venue:
        raise DomainError(ErrorCode.CHECKIN_VENUE)
    if not dialogue.data.get("photos"):
        raise DomainError(ErrorCode.REPORT_INCOMPLETE)
    dialogues.advance(
        dialogue, Step.CATEGORY, now, latitude=position.latitude, longitude=position.longitude
    )


def set_category(dialogue: Dialogue, category: Category, now: dt.datetime) -> None:
    if category not in reports.CATEGORIES:
        raise DomainError(ErrorCode.REPORT_INCOMPLETE)
    dialogues.advance(dialogue, Step.TEXT, now, category=category.value)


def clean_text(text: str) -> str:
    return typed.line(text, reports.TEXT_MAX)


async def _duplicate_of(
    session: AsyncSession,
    category: Category,
    latitude: float,
    longitude: float,
    now: dt.datetime,
    settings: Settings,
) -> StreetReport | None:
    """An open report of the same category, from the same local day, near enough."""
    if settings.report_duplicate_m <= 0:
        return None
    local = now.astimezone(settings.zone).date()
    day_start = dt.datetime.combine(local, dt.time(0), tzinfo=settings.zone).astimezone(dt.UTC)
    d_lat, d_lon = routing.bounding_box(latitude, longitude, settings.report_duplicate_m)
    candidates = await session.scalars(
        select(StreetReport)
        .where(
            StreetReport.category == category,
            StreetReport.status.in_(reports.OPEN),
            StreetReport.created_at >= day_start,
            StreetReport.latitude.between(latitude - d_lat, latitude + d_lat),
            StreetReport.longitude.between(longitude - d_lon, longitude + d_lon),
        )
        .order_by(StreetReport.created_at)
    )
    best: tuple[float, StreetReport] | None = None
    for report in candidates.unique():
        distance = geo.distance_m(latitude, longitude, report.latitude, report.longitude)
        if distance <= settings.report_duplicate_m and (best is None or distance < best[0]):
            best = (distance, report)
    return best[1] if best is not None else None


# Units archived one after another just as a report is routed, each found by the next try.
ROUTE_TRIES = 3


async def _route_to_open_unit(
    session: AsyncSession, latitude: float, longitude: float, settings: Settings
) -> routing.Route:
    """The route of the place, its unit held to the commit: archiving the unit (which sends
    its undecided reports back to the inspectors) waits for this report and then finds it, or
    this waits for the archiving and routes the place again without the unit."""
    for _ in range(ROUTE_TRIES):
        found = await routing.route(session, latitude, longitude, settings)
        if found.unit_id is None or not (await units.held(session, found.unit_id)).archived:
            return found
    return routing.Route(None, None)


async def submit(
    session: AsyncSession,
    actor: Actor,
    dialogue: Dialogue,
    text: str | None,
    now: dt.datetime,
    settings: Settings,
) -> StreetReport:
    """File the report: linked to an open one nearby, routed to a unit, or left for an
    inspector to dispatch. The reporter's dialogue ends."""
    reporter = actor.require_unit_member()
    data = dialogue.data
    if not data.get("photos") or data.get("latitude") is None or not data.get("category"):
        raise DomainError(ErrorCode.REPORT_INCOMPLETE)
    # A line typed at the last step, else the caption of a photo (set_caption).
    description = clean_text(text) if text is not None else data.get("caption")
    category = Category(data["category"])
    latitude, longitude = float(data["latitude"]), float(data["longitude"])
    original = await _duplicate_of(session, category, latitude, longitude, now, settings)
    report = StreetReport(
        reporter_id=reporter.id,
        category=category,
        description=description,
        latitude=latitude,
        longitude=longitude,
        created_at=now,
        updated_at=now,
    )
    if original is not None:
        report.status = ReportStatus.DUPLICATE
        report.duplicate_of_id = original.id
        report.unit_id = original.unit_id
        report.route_method = original.route_method
    else:
        found = await _route_to_open_unit(session, latitude, longitude, settings)
        report.unit_id = found.unit_id
        report.route_method = found.method
        report.route_distance_m = found.distance_m
        report.status = ReportStatus.ROUTED if found.unit_id is not None else ReportStatus.NEW
    session.add(report)
    await session.flush()
    await session.refresh(report)
    evidence.keep(
        session,
        EvidenceKind.REPORT,
        list(data["photos"]),
        added_by_id=reporter.id,
        now=now,
        report_id=report.id,
    )
    reports.record(
        session, reporter.id, "report.file", report, now, after={"status": report.status.value}
    )
    await dialogues.end(session, actor.telegram_id)
    if report.status is ReportStatus.ROUTED:
        await reports.tell_unit(session, report, now, settings)
    elif report.status is ReportStatus.NEW:
        await reports.ask_dispatch(session, report, now, settings)
    return report


@dataclass(frozen=True)
class Mine:
    """One of the member's reports, and for one merged into another, that report: the
    member hears its steps, so their list tells where it stands."""

    report: StreetReport
    merged_into: StreetReport | None


async def mine(session: AsyncSession, member: Member) -> list[Mine]:
    """The member's own latest reports, for /report."""
    found = list(
        (
            await session.scalars(
                select(StreetReport)
                .where(StreetReport.reporter_id == member.id)
                .order_by(StreetReport.created_at.desc(), StreetReport.id.desc())
                .limit(MINE_SHOWN)
            )
        ).unique()
    )
    result = []
    for report in found:
        original = (
            await session.get(StreetReport, report.duplicate_of_id)
            if report.status is ReportStatus.DUPLICATE and report.duplicate_of_id is not None
            else None
        )
        result.append(Mine(report, original))
    return result
