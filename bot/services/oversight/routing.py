"""Where a place belongs: the posts near a point (for an inspector on site and for routing a
street report), and the unit that answers for a point: the unit whose responsibility zone holds
it, else the unit of the nearest post within ``REPORT_ROUTE_NEAREST_M``, else nobody (inspectors
and admins dispatch it by hand)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import geo
from bot.db.models import Post, RouteMethod, Unit, Zone
from bot.services.oversight import zones
from bot.settings import Settings

METRES_PER_DEGREE = math.pi * geo.EARTH_RADIUS_M / 180


@dataclass(frozen=True)
class Near:
    post: Post
    distance_m: float
    direction: geo.Compass


@dataclass(frozen=True)
class Route:
    unit_id: int | None
    method: RouteMethod | None
    distance_m: float | None = None  # to the post, when routed by the nearest post
    zone: Zone | None = None


def bounding_box(latitude: float, longitude: float, radius_m: float) -> tuple[float, float]:
    """Half the sides, in degrees, of a box that holds the circle."""
    d_lat = radius_m / METRES_PER_DEGREE
    d_lon = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return d_lat, d_lon


async def posts_near(
    session: AsyncSession,
    latitude: float,
    longitude: float,
    radius_m: float,
    *,
    limit: int,
) -> list[Near]:
    """Posts in use (not archived, of a unit not archived) within `radius_m`, nearest first. A
    bounding box in SQL keeps a city of thousands of posts to the few around the point."""
    d_lat, d_lon = bounding_box(latitude, longitude, radius_m)
    rows = await session.scalars(
        select(Post)
        .join(Unit, Unit.id == Post.unit_id)
        .where(
            Post.archived.is_(False),
            Unit.archived.is_(False),
            Post.latitude.between(latitude - d_lat, latitude + d_lat),
            Post.longitude.between(longitude - d_lon, longitude + d_lon),
        )
    )
    found = []
    for post in rows.unique():
        distance = geo.distance_m(latitude, longitude, post.latitude, post.longitude)
        if distance <= radius_m:
            direction = geo.direction(latitude, longitude, post.latitude, post.longitude)
            found.append(Near(post, distance, direction))
    found.sort(key=lambda near: (near.distance_m, near.post.id))
    return found[:limit]


async def nearest_post(session: AsyncSession, latitude: float, longitude: float) -> Near | None:
    """The nearest post in use at any distance (to tell someone how far off they are): rings
    of growing size, so a city-wide search still reads few rows."""
    for radius in (2_000.0, 20_000.0, 200_000.0):
        found = await posts_near(session, latitude, longitude, radius, limit=1)
        if found:
            return found[0]
    return None


async def route(
    session: AsyncSession, latitude: float, longitude: float, settings: Settings
) -> Route:
    zone = await zones.locate(session, latitude, longitude)
    if zone is not None:
        return Route(zone.unit_id, RouteMethod.ZONE, zone=zone)
    if settings.report_route_nearest_m > 0:
        near = await posts_near(
            session, latitude, longitude, settings.report_route_nearest_m, limit=1
        )
        if near:
            return Route(near[0].post.unit_id, RouteMethod.NEAREST_POST, near[0].distance_m)
    return Route(None, None)
