"""Street reports (随手拍): any member reports a problem with a photo, a location, a category and
a short text, like an Open311 service request. The report is routed to the unit that answers for
the place (routing.py); a report within ``REPORT_DUPLICATE_M`` of an open one of the same
category from the same day is linked to it instead, and its reporter hears what the first one's
reporter hears. Reporters are told every change of state; nobody but inspectors, admins and the
unit's coordinators sees someone else's report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import geo
from bot.buttons import OrderFromReport, ReportDismiss, ReportDispatchPage
from bot.db.models import (
    UNDECIDED_REPORTS,
    Category,
    Dialogue,
    DialogueKind,
    EvidenceKind,
    Member,
    ReportStatus,
    Role,
    RouteMethod,
    StreetReport,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.duty.geofence import Position
from bot.services.duty.photo_rules import Photo
from bot.services.oversight import evidence, notices, routing
from bot.services.people.access import Actor
from bot.services.people.reachability import coordinators_of
from bot.services.platform import audit, dialogues
from bot.services.platform.outbox import Message
from bot.settings import Settings

DIALOGUE = DialogueKind.STREET_REPORT
TEXT_MAX = 300
OPEN = (ReportStatus.NEW, ReportStatus.ROUTED, ReportStatus.ORDERED)
# The categories a member picks from (``post`` is an inspector's finding, not a street problem).
CATEGORIES = (
    Category.PARKING,
    Category.LITTER,
    Category.VENDING,
    Category.FACILITY,
    Category.CONDUCT,
    Category.OTHER,
)
MINE_SHOWN = 3
QUEUE_PAGE = 10  # reports a page of the inspectors' queue shows


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
    first photo of an `album`: the dialogue keeps which, for the rest of it)."""
    actor.require_member()
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
    if category not in CATEGORIES:
        raise DomainError(ErrorCode.REPORT_INCOMPLETE)
    dialogues.advance(dialogue, Step.TEXT, now, category=category.value)


def clean_text(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > TEXT_MAX or cleaned.startswith("/"):
        raise DomainError(ErrorCode.NOTE_TOO_LONG, limit=TEXT_MAX)
    return cleaned


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
            StreetReport.status.in_(OPEN),
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
    reporter = actor.require_member()
    data = dialogue.data
    if not data.get("photos") or data.get("latitude") is None or not data.get("category"):
        raise DomainError(ErrorCode.REPORT_INCOMPLETE)
    description = clean_text(text) if text is not None else None
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
        found = await routing.route(session, latitude, longitude, settings)
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
    _record(session, reporter.id, "report.file", report, now, after={"status": report.status.value})
    await dialogues.end(session, actor.telegram_id)
    if report.status is ReportStatus.ROUTED:
        await _tell_unit(session, report, now, settings)
    elif report.status is ReportStatus.NEW:
        await _ask_dispatch(session, report, now, settings)
    return report


def _record(
    session: AsyncSession,
    actor_id: int | None,
    action: str,
    report: StreetReport,
    now: dt.datetime,
    *,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        object_type="report",
        object_id=report.id,
        now=now,
        after=after,
        reason=reason,
    )


async def _photos(session: AsyncSession, report: StreetReport) -> list[str]:
    return await evidence.file_ids(session, report_id=report.duplicate_of_id or report.id)


async def _tell_unit(
    session: AsyncSession, report: StreetReport, now: dt.datetime, settings: Settings
) -> None:
    """The unit's coordinators hear of a report in their place; inspectors decide on an order."""
    assert report.unit_id is not None
    photos = await _photos(session, report)

    def render(t: Translator) -> Message:
        text = notices.report_card(t, report, header=t("oversight.report.to_unit"))
        return notices.message(text, photos)

    await notices.send(
        session,
        notices.people(await coordinators_of(session, report.unit_id), settings),
        render,
        key=f"report:{report.id}:unit:{report.unit_id}",
        now=now,
        settings=settings,
    )


async def _ask_dispatch(
    session: AsyncSession, report: StreetReport, now: dt.datetime, settings: Settings
) -> None:
    photos = await _photos(session, report)

    def render(t: Translator) -> Message:
        text = notices.report_card(t, report, header=t("oversight.report.needs_dispatch"))
        return notices.message(text, photos, inspector_buttons(t, report))

    await notices.send(
        session,
        await notices.inspectors(session, settings),
        render,
        key=f"report:{report.id}:dispatch",
        now=now,
        settings=settings,
    )


def inspector_buttons(
    t: Translator, report: StreetReport
) -> list[list[tuple[str, OrderFromReport | ReportDismiss | ReportDispatchPage]]]:
    rows: list[list[tuple[str, Any]]] = []
    if report.status in UNDECIDED_REPORTS:
        if report.unit_id is not None:
            rows.append([(t("oversight.button.order_from_report"), OrderFromReport(report.id))])
        rows.append([(t("oversight.button.dispatch"), ReportDispatchPage(report.id, 0))])
        rows.append([(t("oversight.button.dismiss"), ReportDismiss(report.id))])
    return rows


async def tell_reporters(
    session: AsyncSession,
    report: StreetReport,
    event: str,
    render: notices.Render,
    now: dt.datetime,
    settings: Settings,
) -> int:
    """Tell the reporter, and everyone whose report was linked to it, about a change."""
    linked = await session.scalars(
        select(StreetReport).where(StreetReport.duplicate_of_id == report.id)
    )
    members = [report.reporter, *(other.reporter for other in linked.unique())]
    unique = list({member.id: member for member in members}.values())
    return await notices.send(
        session,
        notices.people(unique, settings),
        render,
        key=f"report:{report.id}:{event}",
        now=now,
        settings=settings,
    )


async def get(session: AsyncSession, report_id: int) -> StreetReport:
    report = await session.get(StreetReport, report_id)
    if report is None:
        raise DomainError(ErrorCode.REPORT_NOT_FOUND)
    return report


def may_see(actor: Actor, report: StreetReport) -> bool:
    """The reporter, inspectors and admins, and the coordinators of the unit it went to."""
    if actor.is_admin or Role.INSPECTOR in actor.roles:
        return True
    member = actor.member
    if member is None:
        return False
    if report.reporter_id == member.id:
        return True
    return (
        Role.COORDINATOR in actor.roles
        and report.unit_id is not None
        and report.unit_id == member.unit_id
    )


async def visible(session: AsyncSession, actor: Actor, report_id: int) -> StreetReport:
    report = await get(session, report_id)
    if not may_see(actor, report):
        raise DomainError(ErrorCode.REPORT_NOT_YOURS)
    return report


def _require_inspector(actor: Actor) -> int | None:
    if not actor.is_admin and Role.INSPECTOR not in actor.roles:
        raise DomainError(ErrorCode.FORBIDDEN)
    return actor.member.id if actor.member is not None else None


async def undecided(session: AsyncSession, actor: Actor, report_id: int) -> StreetReport:
    """A report an inspector or admin may still decide (order, dispatch, dismiss)."""
    _require_inspector(actor)
    report = await get(session, report_id)
    if report.status not in UNDECIDED_REPORTS:
        raise DomainError(ErrorCode.REPORT_CLOSED)
    return report


async def take_for_order(
    session: AsyncSession, report_id: int, unit_id: int, now: dt.datetime
) -> bool:
    """Mark a report ORDERED for the order about to be issued to `unit_id`: false when it was
    decided or sent to another unit since the draft began."""
    return await _decide(
        session, report_id, now, StreetReport.unit_id == unit_id, status=ReportStatus.ORDERED
    )


async def _decide(
    session: AsyncSession, report_id: int, now: dt.datetime, *conditions: Any, **values: Any
) -> bool:
    """Decide a report still undecided, in one conditional update: of an inspector issuing an
    order, another dismissing and a third dispatching at the same moment, one wins and the
    others are told it was decided (a read-then-write would let the last overwrite the first)."""
    decided = await session.execute(
        update(StreetReport)
        .where(
            StreetReport.id == report_id, StreetReport.status.in_(UNDECIDED_REPORTS), *conditions
        )
        .values(updated_at=now, **values)
        .execution_options(synchronize_session="fetch")
    )
    return getattr(decided, "rowcount", 0) == 1


async def dispatch(
    session: AsyncSession,
    actor: Actor,
    report_id: int,
    unit_id: int,
    now: dt.datetime,
    settings: Settings,
) -> StreetReport:
    """An inspector or admin sends a report to a unit by hand."""
    actor_id = _require_inspector(actor)
    report = await get(session, report_id)
    if report.status not in UNDECIDED_REPORTS:
        raise DomainError(ErrorCode.REPORT_CLOSED, state=report.status.value)
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise DomainError(ErrorCode.UNIT_NOT_FOUND)
    if unit.archived:
        raise DomainError(ErrorCode.ORDER_UNIT_ARCHIVED, unit=unit.name)
    if report.unit_id == unit.id and report.status is ReportStatus.ROUTED:
        return report
    if not await _decide(
        session,
        report.id,
        now,
        unit_id=unit.id,
        route_method=RouteMethod.HAND,
        route_distance_m=None,
        status=ReportStatus.ROUTED,
    ):
        raise DomainError(ErrorCode.REPORT_CLOSED)
    await session.refresh(report)
    _record(session, actor_id, "report.dispatch", report, now, after={"unit": unit.id})
    await _tell_unit(session, report, now, settings)
    await tell_reporters(
        session,
        report,
        f"routed:{unit.id}",
        lambda t: notices.message(t("oversight.report.told.routed", id=report.id, unit=unit.name)),
        now,
        settings,
    )
    return report


async def dismiss(
    session: AsyncSession,
    actor: Actor,
    report_id: int,
    reason: str,
    now: dt.datetime,
    settings: Settings,
) -> StreetReport:
    actor_id = _require_inspector(actor)
    report = await get(session, report_id)
    if report.status not in UNDECIDED_REPORTS:
        raise DomainError(ErrorCode.REPORT_CLOSED, state=report.status.value)
    note = " ".join(reason.split())
    if len(note) < 2 or len(note) > TEXT_MAX or note.startswith("/"):
        raise DomainError(ErrorCode.ORDER_REASON_INVALID, limit=TEXT_MAX)
    if not await _decide(session, report.id, now, status=ReportStatus.DISMISSED, status_note=note):
        raise DomainError(ErrorCode.REPORT_CLOSED)
    await session.refresh(report)
    _record(session, actor_id, "report.dismiss", report, now, reason=note)
    await tell_reporters(
        session,
        report,
        "dismissed",
        lambda t: notices.message(t("oversight.report.told.dismissed", id=report.id, reason=note)),
        now,
        settings,
    )
    return report


async def dispatch_units(session: AsyncSession) -> list[Unit]:
    """Every unit a report may be sent to (not archived), by name."""
    return list(
        await session.scalars(select(Unit).where(Unit.archived.is_(False)).order_by(Unit.name))
    )


async def dispatch_units_before(session: AsyncSession, unit_id: int) -> int:
    """How many units of `dispatch_units` come before the unit `unit_id` (archived since the
    list was shown): where it stood, in the database's own order of names, as the list is."""
    name = select(Unit.name).where(Unit.id == unit_id).scalar_subquery()
    return int(
        await session.scalar(select(func.count()).where(Unit.archived.is_(False), Unit.name < name))
        or 0
    )


async def mine(session: AsyncSession, member: Member) -> list[StreetReport]:
    """The member's own latest reports, for /report."""
    return list(
        (
            await session.scalars(
                select(StreetReport)
                .where(StreetReport.reporter_id == member.id)
                .order_by(StreetReport.created_at.desc(), StreetReport.id.desc())
                .limit(MINE_SHOWN)
            )
        ).unique()
    )


async def count_awaiting(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(StreetReport)
            .where(StreetReport.status.in_(UNDECIDED_REPORTS))
        )
        or 0
    )


@dataclass(frozen=True)
class Queue:
    """One page of the inspectors' queue: its reports, where it starts, how many wait."""

    reports: list[StreetReport]
    offset: int
    total: int


async def awaiting_decision(
    session: AsyncSession, offset: int = 0, size: int = QUEUE_PAGE
) -> Queue:
    """The page at `offset` of the reports no order or dismissal has answered yet, oldest
    first: the inspectors' queue. Reports are decided while a page is open, so an offset past
    the end (a page button pressed since) shows the last page instead of an empty one."""
    total = await count_awaiting(session)
    last_start = (max(total, 1) - 1) // size * size
    offset = max(0, min(offset // size * size, last_start))
    page = (
        await session.scalars(
            select(StreetReport)
            .where(StreetReport.status.in_(UNDECIDED_REPORTS))
            .order_by(StreetReport.created_at, StreetReport.id)
            .offset(offset)
            .limit(size)
        )
    ).unique()
    return Queue(list(page), offset, total)


async def photos_of(session: AsyncSession, report: StreetReport) -> Sequence[str]:
    return await _photos(session, report)
