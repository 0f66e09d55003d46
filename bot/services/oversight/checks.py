"""Inspectors' checks on site (督查): the /inspect dialogue up to the check's submission.

The inspector sends a location; the posts within ``INSPECT_NEAR_M`` are offered nearest first
(a location far from every post is refused, naming the nearest). Then the kind of check and
whether it is covert, how many people are seen on post against the plan and the check-ins of
that moment, one tap per checklist line found, and photos with an optional note. The finding
is held against the check-ins: |checked in − seen| is the discrepancy, shown at once and listed
in the tally. A covert check is shown to the unit from the next daily tally on (or the weekly
or monthly report of its period, when that comes first). The checklist is graded in
`check_scoring`, the check recorded in `check_record`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import geo
from bot.db.models import CheckKind, Dialogue, DialogueKind, Inspection, Member, Post, Role, Unit
from bot.errors import DomainError, ErrorCode
from bot.services.duty.geofence import Position
from bot.services.duty.photo_rules import Photo
from bot.services.oversight import evidence, routing, typed
from bot.services.oversight.check_reading import Situation, situation
from bot.services.oversight.check_visibility import week_start
from bot.services.people.access import Actor
from bot.services.platform import dialogues
from bot.settings import Settings

DIALOGUE = DialogueKind.INSPECT
NEAR_SHOWN = 6


class Step(StrEnum):
    LOCATION = "location"
    POST = "post"
    KIND = "kind"
    SEEN = "seen"
    ITEMS = "items"
    PHOTOS = "photos"


@dataclass(frozen=True)
class Offer:
    near: list[routing.Near]
    unchecked: set[int]  # of them, posts not checked this week


@dataclass(frozen=True)
class Picked:
    post: Post
    distance_m: float
    situation: Situation


def require_inspector(actor: Actor) -> Member | None:
    if not actor.is_admin and Role.INSPECTOR not in actor.roles:
        raise DomainError(ErrorCode.FORBIDDEN)
    return actor.member


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
    """The check's note, judged as every line typed in the oversight loop (typed.line)."""
    note = typed.line(text, typed.NOTE_MAX)
    dialogues.advance(dialogue, Step.PHOTOS, now, note=note)
    return note
