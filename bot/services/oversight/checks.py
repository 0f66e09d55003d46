"""Inspectors' checks on site (督查): the /inspect dialogue and the record it leaves.

The inspector sends a location; the posts within ``INSPECT_NEAR_M`` are offered nearest first
(a location far from every post is refused, naming the nearest). Then the kind of check and
whether it is covert, how many people are seen on post against the plan and the check-ins of
that moment, one tap per checklist line found, and photos with an optional note. The finding
is held against the check-ins: |checked in − seen| is the discrepancy, shown at once and listed
in the tally. A covert check is shown to the unit from the next daily tally on (or the weekly
or monthly report of its period, when that comes first).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import geo
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    CheckKind,
    ChecklistItem,
    Dialogue,
    DialogueKind,
    EvidenceKind,
    Inspection,
    Member,
    Post,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.duty.geofence import Position
from bot.services.duty.photo_rules import Photo
from bot.services.oversight import checklist, evidence, routing
from bot.services.people import names
from bot.services.people.access import Actor
from bot.services.platform import audit, dialogues
from bot.settings import Settings

DIALOGUE = DialogueKind.INSPECT
NEAR_SHOWN = 6
UNCHECKED_SHOWN = 5
NOTE_MAX = 500
SEEN_MAX = 999  # people an inspector may count on one post (a shift holds up to 500)
HELD = (
    AssignmentStatus.SIGNED_UP,
    AssignmentStatus.CHECKED_IN,
    AssignmentStatus.CHECKED_OUT,
    AssignmentStatus.ABSENT,
)


class Step(StrEnum):
    LOCATION = "location"
    POST = "post"
    KIND = "kind"
    SEEN = "seen"
    ITEMS = "items"
    PHOTOS = "photos"


@dataclass(frozen=True)
class Situation:
    """A post at one moment: seats of the shifts on, held ones, and who is checked in."""

    planned: int
    held: int
    checked_in: list[tuple[str, dt.datetime]]

    def as_data(self) -> dict[str, Any]:
        return {
            "planned": self.planned,
            "held": self.held,
            "checked_in": [[name, at.isoformat()] for name, at in self.checked_in],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Situation:
        return cls(
            planned=int(data["planned"]),
            held=int(data["held"]),
            checked_in=[
                (str(name), dt.datetime.fromisoformat(at)) for name, at in data["checked_in"]
            ],
        )


@dataclass(frozen=True)
class Offer:
    near: list[routing.Near]
    unchecked: set[int]  # of them, posts not checked this week


@dataclass(frozen=True)
class Picked:
    post: Post
    distance_m: float
    situation: Situation


@dataclass(frozen=True)
class Checklist:
    """The lines an inspector ticks (per-person lines apply by themselves), those ticked, and
    what the shortfall of people seen against the plan deducts."""

    items: list[ChecklistItem]
    chosen: set[int]
    shortfall: int
    shortfall_points: int


def require_inspector(actor: Actor) -> Member | None:
    if not actor.is_admin and Role.INSPECTOR not in actor.roles:
        raise DomainError(ErrorCode.FORBIDDEN)
    return actor.member


def week_start(now: dt.datetime, settings: Settings) -> dt.datetime:
    today = now.astimezone(settings.zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    return dt.datetime.combine(monday, dt.time(0), tzinfo=settings.zone).astimezone(dt.UTC)


def visible_from(now: dt.datetime, covert: bool, settings: Settings) -> dt.datetime:
    """When the unit may see a check: at once, or for a covert one at the first report that
    counts it: the next daily tally, or the weekly (Mondays) or monthly (the 1st) report of its
    period at REPORT_TIME when that comes first (a check on Sunday night is published by
    Monday morning's report of its week, which must not leave it out and rank without it)."""
    if not covert:
        return now
    zone = settings.zone
    local = now.astimezone(zone)
    day = local.date()
    tally = dt.datetime.combine(day, settings.summary_time, tzinfo=zone)
    if tally <= local:
        tally += dt.timedelta(days=1)
    next_monday = day + dt.timedelta(days=7 - day.weekday())
    next_month = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    reports = [
        dt.datetime.combine(d, settings.report_time, tzinfo=zone) for d in (next_monday, next_month)
    ]
    return min(tally, *reports).astimezone(dt.UTC)


def at_daily_tally(shown_from: dt.datetime, settings: Settings) -> bool:
    """Whether a covert check's `shown_from` is a daily tally's time (else a weekly or monthly
    report's)."""
    return shown_from.astimezone(settings.zone).time() == settings.summary_time


async def unchecked_this_week(
    session: AsyncSession, now: dt.datetime, settings: Settings, limit: int = UNCHECKED_SHOWN
) -> list[tuple[Post, dt.datetime | None]]:
    """Posts in use with no check since Monday, the longest unchecked first (never checked
    before anything), with their last check."""
    last = (
        select(Inspection.post_id, func.max(Inspection.inspected_at).label("last"))
        .group_by(Inspection.post_id)
        .subquery()
    )
    rows = await session.execute(
        select(Post, last.c.last)
        .join(Unit, Unit.id == Post.unit_id)
        .outerjoin(last, last.c.post_id == Post.id)
        .where(
            Post.archived.is_(False),
            Unit.archived.is_(False),
            or_(last.c.last.is_(None), last.c.last < week_start(now, settings)),
        )
        .order_by(last.c.last.is_not(None), last.c.last, Post.name, Post.id)
        .limit(limit)
    )
    result = []
    for post, at in rows.unique().all():
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        result.append((post, at))
    return result


async def begin(session: AsyncSession, actor: Actor, now: dt.datetime) -> None:
    require_inspector(actor)
    await dialogues.begin(session, actor.telegram_id, DIALOGUE, Step.LOCATION, now)


async def receive_location(
    session: AsyncSession,
    actor: Actor,
    dialogue: Dialogue,
    position: Position,
    now: dt.datetime,
    settings: Settings,
) -> Offer:
    """The posts near the inspector; refused, changing nothing, when none is near."""
    require_inspector(actor)
    if position.forwarded:
        raise DomainError(ErrorCode.CHECKIN_FORWARDED_LOCATION)
    if position.venue:
        raise DomainError(ErrorCode.CHECKIN_VENUE)
    near = await routing.posts_near(
        session, position.latitude, position.longitude, settings.inspect_near_m, limit=NEAR_SHOWN
    )
    if not near:
        nearest = await routing.nearest_post(session, position.latitude, position.longitude)
        if nearest is None:
            raise DomainError(ErrorCode.INSPECT_NO_POSTS)
        raise DomainError(
            ErrorCode.INSPECT_NO_POST_NEAR,
            post=nearest.post.name,
            distance=nearest.distance_m,
            direction=nearest.direction,
            radius=settings.inspect_near_m,
        )
    dialogues.advance(
        dialogue,
        Step.POST,
        now,
        latitude=position.latitude,
        longitude=position.longitude,
        near={str(n.post.id): round(n.distance_m, 1) for n in near},
    )
    return await _offer(session, near, now, settings)


async def _offer(
    session: AsyncSession, near: list[routing.Near], now: dt.datetime, settings: Settings
) -> Offer:
    checked = set(
        await session.scalars(
            select(Inspection.post_id).where(
                Inspection.post_id.in_([n.post.id for n in near]),
                Inspection.inspected_at >= week_start(now, settings),
            )
        )
    )
    return Offer(near, {n.post.id for n in near} - checked)


async def offer_again(
    session: AsyncSession, dialogue: Dialogue, now: dt.datetime, settings: Settings
) -> Offer:
    """The posts of the offer for the dialogue's location that are still checked (not archived
    since, nor their unit), in the order first shown: the list redrawn after a refusal."""
    shown: dict[str, float] = dialogue.data.get("near") or {}
    latitude, longitude = float(dialogue.data["latitude"]), float(dialogue.data["longitude"])
    posts = await session.scalars(
        select(Post)
        .join(Unit, Unit.id == Post.unit_id)
        .where(
            Post.id.in_([int(post_id) for post_id in shown]),
            Post.archived.is_(False),
            Unit.archived.is_(False),
        )
    )
    near = [
        routing.Near(
            post,
            shown[str(post.id)],
            geo.direction(latitude, longitude, post.latitude, post.longitude),
        )
        for post in posts.unique()
    ]
    near.sort(key=lambda one: (one.distance_m, one.post.id))
    return await _offer(session, near, now, settings)


async def situation(
    session: AsyncSession, post_id: int, at: dt.datetime, settings: Settings
) -> Situation:
    """Who should be and who is checked in on the post at `at`. The plan counts the shifts
    under way; the check-ins also those of a shift about to start, whose check-in is open
    (people who came early are on post, not a discrepancy, and nobody is short yet)."""
    opening = dt.timedelta(minutes=settings.checkin_open_before_min)
    on_post = select(Shift.id, Shift.capacity).where(
        Shift.post_id == post_id,
        Shift.status == ShiftStatus.SCHEDULED,
        Shift.starts_at <= at + opening,
        Shift.ends_at > at,
    )
    shifts = on_post.where(Shift.starts_at <= at).subquery()
    open_for_check_in = on_post.subquery()
    planned = int(await session.scalar(select(func.coalesce(func.sum(shifts.c.capacity), 0))) or 0)
    held = int(
        await session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.shift_id.in_(select(shifts.c.id)), Assignment.status.in_(HELD))
        )
        or 0
    )
    rows = await session.execute(
        select(Member.display_name, CheckIn.checked_in_at)
        .select_from(CheckIn)
        .join(Assignment, Assignment.id == CheckIn.assignment_id)
        .join(Member, Member.id == Assignment.member_id)
        .where(
            Assignment.shift_id.in_(select(open_for_check_in.c.id)),
            Assignment.status.in_(HELD),
            CheckIn.checked_in_at <= at,
            or_(CheckIn.checked_out_at.is_(None), CheckIn.checked_out_at > at),
        )
        .order_by(CheckIn.checked_in_at, Member.display_name)
    )
    return Situation(planned, held, [(str(name), when) for name, when in rows.all()])


async def pick_post(
    session: AsyncSession,
    actor: Actor,
    dialogue: Dialogue,
    post_id: int,
    now: dt.datetime,
    settings: Settings,
) -> Picked:
    """The post the check is of, among those offered for the location. One archived (or its
    unit) since the offer is refused, changing nothing: the rest of the offer still stands."""
    require_inspector(actor)
    near: dict[str, float] = dialogue.data.get("near") or {}
    post = await session.get(Post, post_id)
    if post is None or str(post_id) not in near:
        raise DomainError(ErrorCode.POST_NOT_FOUND)
    if post.archived:
        raise DomainError(ErrorCode.INSPECT_POST_ARCHIVED, post=post.name)
    if post.unit.archived:
        raise DomainError(ErrorCode.INSPECT_UNIT_ARCHIVED, unit=post.unit.name)
    found = await situation(session, post.id, now, settings)
    dialogues.advance(
        dialogue,
        Step.KIND,
        now,
        post_id=post.id,
        distance_m=near[str(post_id)],
        situation=found.as_data(),
        inspected_at=now.isoformat(),
    )
    return Picked(post, near[str(post_id)], found)


async def current_post(session: AsyncSession, dialogue: Dialogue) -> Picked:
    post = await session.get(Post, int(dialogue.data["post_id"]))
    if post is None:
        raise DomainError(ErrorCode.POST_NOT_FOUND)
    return Picked(
        post, float(dialogue.data["distance_m"]), Situation.from_data(dialogue.data["situation"])
    )


def choose_kind(dialogue: Dialogue, kind: CheckKind, covert: bool, now: dt.datetime) -> None:
    dialogues.advance(dialogue, Step.SEEN, now, kind=kind.value, covert=covert)


async def set_seen(
    session: AsyncSession, dialogue: Dialogue, seen: int, now: dt.datetime
) -> Checklist:
    if not 0 <= seen <= SEEN_MAX:
        raise DomainError(ErrorCode.INSPECTION_NOT_FOUND)
    dialogues.advance(dialogue, Step.ITEMS, now, seen=seen, items=[])
    return await current_checklist(session, dialogue, now)


async def current_checklist(
    session: AsyncSession, dialogue: Dialogue, now: dt.datetime
) -> Checklist:
    items = await checklist.items(session, now)
    found = Situation.from_data(dialogue.data["situation"])
    short = shortfall(found.planned, int(dialogue.data.get("seen") or 0))
    return Checklist(
        [item for item in items if not item.per_person],
        {int(i) for i in dialogue.data.get("items") or []},
        short,
        sum(item.deduction * short for item in items if item.per_person),
    )


async def toggle_item(
    session: AsyncSession, dialogue: Dialogue, item_id: int, now: dt.datetime
) -> Checklist:
    found = await current_checklist(session, dialogue, now)
    if item_id not in {item.id for item in found.items}:
        # Switched off (or never a line) since the checklist was shown.
        raise DomainError(ErrorCode.INSPECT_ITEM_OFF)
    chosen = found.chosen ^ {item_id}
    dialogues.advance(dialogue, Step.ITEMS, now, items=sorted(chosen))
    return Checklist(found.items, chosen, found.shortfall, found.shortfall_points)


def items_done(dialogue: Dialogue, now: dt.datetime) -> None:
    dialogues.advance(dialogue, Step.PHOTOS, now, photos=[], note=None)


async def add_photo(
    session: AsyncSession,
    dialogue: Dialogue,
    photo: Photo,
    album: str | None,
    now: dt.datetime,
    settings: Settings,
) -> evidence.Taken:
    """Keep a photo of the check (of an `album`, see evidence.take). A photo sent while the
    checklist is open ends the checklist, but only once it is accepted: a refused one leaves
    the check where it was."""
    from_checklist = dialogue.step == Step.ITEMS
    held = [] if from_checklist else dialogue.data.get("photos") or []
    taken = await evidence.take(session, dialogue, photo, held, album, settings)
    if from_checklist:
        dialogues.advance(dialogue, Step.PHOTOS, now, photos=taken.photos, note=None, **taken.marks)
    else:
        dialogues.advance(dialogue, Step.PHOTOS, now, photos=taken.photos, **taken.marks)
    return taken


def set_note(dialogue: Dialogue, text: str, now: dt.datetime) -> str:
    note = names.plain(text)
    if not note or len(note) > NOTE_MAX:
        raise DomainError(ErrorCode.NOTE_TOO_LONG, limit=NOTE_MAX)
    dialogues.advance(dialogue, Step.PHOTOS, now, note=note)
    return note


def shortfall(planned: int, seen: int) -> int:
    return max(0, planned - seen)


async def submit(
    session: AsyncSession,
    actor: Actor,
    dialogue: Dialogue,
    t: Translator,
    now: dt.datetime,
    settings: Settings,
) -> Inspection:
    """Record the check; the inspector's dialogue ends."""
    inspector = require_inspector(actor)
    data = dialogue.data
    photos = list(data.get("photos") or [])
    if not photos:
        raise DomainError(ErrorCode.INSPECT_NEED_PHOTO)
    picked = await current_post(session, dialogue)
    # Archived since it was picked: no longer checked, as the pick refuses it.
    if picked.post.archived:
        raise DomainError(ErrorCode.INSPECT_POST_ARCHIVED_DURING, post=picked.post.name)
    if picked.post.unit.archived:
        raise DomainError(ErrorCode.INSPECT_UNIT_ARCHIVED_DURING, unit=picked.post.unit.name)
    found = picked.situation
    seen = int(data["seen"])
    items = await checklist.items(session, now)
    chosen_ids = {int(i) for i in data.get("items") or []}
    # A per-person line follows from the count of people seen: it is never ticked by hand.
    chosen = [item for item in items if item.id in chosen_ids or item.per_person]
    applied = checklist.deductions(t, chosen, shortfall(found.planned, seen))
    covert = bool(data.get("covert"))
    inspected_at = dt.datetime.fromisoformat(data.get("inspected_at") or now.isoformat())
    # A covert check begun before the daily tally and submitted after it missed that tally:
    # the unit sees it now, not at a time already past (nor held for a day it is not in).
    shown_from = max(visible_from(inspected_at, covert, settings), now) if covert else inspected_at
    inspection = Inspection(
        post_id=picked.post.id,
        unit_id=picked.post.unit_id,
        inspector_id=inspector.id if inspector is not None else None,
        kind=CheckKind(data["kind"]),
        covert=covert,
        latitude=float(data["latitude"]),
        longitude=float(data["longitude"]),
        distance_m=picked.distance_m,
        planned=found.planned,
        held=found.held,
        checked_in=len(found.checked_in),
        seen=seen,
        discrepancy=abs(len(found.checked_in) - seen),
        checked_in_names=[name for name, _ in found.checked_in],
        deductions=applied,
        score=checklist.score_of(applied),
        note=data.get("note"),
        inspected_at=inspected_at,
        visible_from=shown_from,
    )
    session.add(inspection)
    await session.flush()
    await session.refresh(inspection)
    evidence.keep(
        session,
        EvidenceKind.CHECK,
        photos,
        added_by_id=inspection.inspector_id,
        now=now,
        inspection_id=inspection.id,
    )
    audit.record(
        session,
        actor_id=inspection.inspector_id,
        action="inspection.record",
        object_type="inspection",
        object_id=inspection.id,
        now=now,
        after={
            "post": picked.post.id,
            "kind": inspection.kind.value,
            "covert": covert,
            "score": inspection.score,
            "seen": seen,
            "checked_in": inspection.checked_in,
        },
    )
    await dialogues.end(session, actor.telegram_id)
    return inspection


async def get(session: AsyncSession, actor: Actor, inspection_id: int) -> Inspection:
    """A check's details are for inspectors and admins only."""
    require_inspector(actor)
    inspection = await session.get(Inspection, inspection_id)
    if inspection is None:
        raise DomainError(ErrorCode.INSPECTION_NOT_FOUND)
    return inspection
