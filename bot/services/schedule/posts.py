"""Duty posts: the places volunteers stand. A post belongs to a unit; its coordinators manage it,
admins manage every post."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Post, PostType, Role, Unit
from bot.errors import DomainError, ErrorCode
from bot.services.people import names, units
from bot.services.people.access import Actor
from bot.services.platform import audit
from bot.settings import POST_RADIUS_MAX_M, POST_RADIUS_MIN_M

# a post's own radius has the range of DEFAULT_POST_RADIUS_M
RADIUS_MIN_M = POST_RADIUS_MIN_M
RADIUS_MAX_M = POST_RADIUS_MAX_M

POST_NAME_MAX = 48


def clean_name(name: str) -> str:
    cleaned = names.plain(name)
    if not cleaned or len(cleaned) > POST_NAME_MAX or cleaned.startswith("/"):
        raise DomainError(ErrorCode.POST_NAME_INVALID, limit=POST_NAME_MAX)
    return cleaned


def check_location(latitude: float, longitude: float) -> None:
    if not (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    ):
        raise DomainError(ErrorCode.LOCATION_INVALID)


def check_radius(radius_m: int) -> int:
    if not RADIUS_MIN_M <= radius_m <= RADIUS_MAX_M:
        raise DomainError(ErrorCode.RADIUS_INVALID, low=RADIUS_MIN_M, high=RADIUS_MAX_M)
    return radius_m


def parse_type(value: str) -> PostType | None:
    cleaned = value.strip().lower()
    return next((kind for kind in PostType if kind.value == cleaned), None)


async def by_name(session: AsyncSession, unit_id: int, name: str) -> Post | None:
    post: Post | None = await session.scalar(
        select(Post).where(
            Post.unit_id == unit_id, func.lower(Post.name) == names.plain(name).lower()
        )
    )
    return post


async def get(session: AsyncSession, post_id: int) -> Post:
    post = await session.get(Post, post_id)
    if post is None:
        raise DomainError(ErrorCode.POST_NOT_FOUND)
    return post


async def get_managed(session: AsyncSession, actor: Actor, post_id: int) -> Post:
    """A post the actor may change: admins any, coordinators their unit's."""
    post = await get(session, post_id)
    actor.require_unit(post.unit_id, Role.COORDINATOR)
    return post


async def managed(
    session: AsyncSession, actor: Actor, *, include_archived: bool = False
) -> list[Post]:
    query = select(Post).order_by(Post.unit_id, Post.archived, Post.name)
    if not actor.is_admin:
        actor.require(Role.COORDINATOR)
        if actor.unit_id is None:
            return []
        query = query.where(Post.unit_id == actor.unit_id)
    if not include_archived:
        query = query.where(Post.archived.is_(False))
    return list((await session.scalars(query)).unique())


def _actor_id(actor: Actor) -> int | None:
    return actor.member.id if actor.member is not None else None


async def open_unit(session: AsyncSession, actor: Actor, unit_id: int) -> Unit:
    """The unit a new post goes to: one the actor manages, and not archived (it has left the
    campaign; an admin may restore it)."""
    actor.require_unit(unit_id, Role.COORDINATOR)
    return _not_archived(await units.get(session, unit_id))


def _not_archived(unit: Unit) -> Unit:
    if unit.archived:
        raise DomainError(ErrorCode.UNIT_ARCHIVED_NO_POSTS, unit=unit.name)
    return unit


async def new_name(session: AsyncSession, actor: Actor, unit_id: int, name: str) -> str:
    """A name for a new post of the unit, cleaned: asked at /newpost's first step, so that a
    taken name, or a unit archived meanwhile, is said at once rather than after the type and
    the place."""
    await open_unit(session, actor, unit_id)
    cleaned = clean_name(name)
    if await by_name(session, unit_id, cleaned) is not None:
        raise DomainError(ErrorCode.POST_NAME_TAKEN, name=cleaned)
    return cleaned


# What ends /newpost besides the refusals final everywhere (`DomainError.for_good`: the unit
# gone or archived): at any step, the unit no longer the coordinator's; at the last step (the
# radius), also the name taken meanwhile, which no radius typed could change.
NEW_POST_ENDS = frozenset({ErrorCode.FORBIDDEN})
CREATE_ENDS = NEW_POST_ENDS | {ErrorCode.POST_NAME_TAKEN}


async def create(
    session: AsyncSession,
    actor: Actor,
    *,
    unit_id: int,
    name: str,
    post_type: PostType,
    latitude: float,
    longitude: float,
    radius_m: int,
    now: dt.datetime,
) -> Post:
    actor.require_unit(unit_id, Role.COORDINATOR)
    unit = _not_archived(await units.held(session, unit_id))  # not archived until this commits
    check_location(latitude, longitude)
    check_radius(radius_m)
    cleaned = await new_name(session, actor, unit_id, name)
    post = Post(
        unit=unit,  # set, so that the caller may read post.unit without a lazy load
        name=cleaned,
        type=post_type,
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_m,
        archived=False,
        created_at=now,
    )
    session.add(post)
    await session.flush()
    audit.record(
        session,
        actor_id=_actor_id(actor),
        action="post.create",
        object_type="post",
        object_id=post.id,
        after=_snapshot(post),
        now=now,
    )
    return post


def _snapshot(post: Post) -> dict[str, object]:
    return {
        "name": post.name,
        "type": post.type.value,
        "latitude": post.latitude,
        "longitude": post.longitude,
        "radius_m": post.radius_m,
        "archived": post.archived,
    }


async def update(
    session: AsyncSession,
    actor: Actor,
    post_id: int,
    now: dt.datetime,
    *,
    name: str | None = None,
    post_type: PostType | None = None,
    location: tuple[float, float] | None = None,
    radius_m: int | None = None,
    archived: bool | None = None,
) -> Post:
    post = await get_managed(session, actor, post_id)
    before = _snapshot(post)
    # Every refusal before the first change: a refused edit leaves the post as it was.
    cleaned = clean_name(name) if name is not None else None
    if cleaned is not None:
        existing = await by_name(session, post.unit_id, cleaned)
        if existing is not None and existing.id != post.id:
            raise DomainError(ErrorCode.POST_NAME_TAKEN, name=cleaned)
    if location is not None:
        check_location(*location)
    radius = check_radius(radius_m) if radius_m is not None else None
    if archived is False and post.archived:
        # A post restored alone would stand in a unit that has left the campaign; held, so that
        # an archiving of the unit at the same moment waits for this one or is seen by it.
        unit = await units.held(session, post.unit_id)
        if unit.archived:
            raise DomainError(ErrorCode.POST_UNIT_ARCHIVED, unit=unit.name)
    if cleaned is not None:
        post.name = cleaned
    if post_type is not None:
        post.type = post_type
    if location is not None:
        post.latitude, post.longitude = location
    if radius is not None:
        post.radius_m = radius
    if archived is not None:
        post.archived = archived
    audit.record(
        session,
        actor_id=_actor_id(actor),
        action="post.update",
        object_type="post",
        object_id=post.id,
        before=before,
        after=_snapshot(post),
        now=now,
    )
    return post
