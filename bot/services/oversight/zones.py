"""Units' responsibility zones (包干区 / 责任路段) from a GeoJSON file an admin uploads.

The file is a FeatureCollection of Polygon or MultiPolygon features, each naming its unit in
``properties.unit`` (and itself in ``properties.name``). An upload replaces every zone, all or
nothing: anything that is not a valid polygon, names no known unit, or overlaps another zone
(touching edges are fine) rejects the file with each problem listed. Geometry is shapely's, so
point-in-polygon and overlap are a maintained library's, not ours.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Unit, Zone
from bot.errors import DomainError, ErrorCode
from bot.services.people.access import Actor
from bot.services.people.names import plain
from bot.services.people.units import name_key
from bot.services.platform import audit
from bot.services.platform.offload import run_off_loop

MAX_BYTES = 5 * 1024 * 1024
NAME_MAX = 64
POLYGONS = ("Polygon", "MultiPolygon")
# Zones drawn edge to edge meet in slivers of floating-point rounding; a millionth of the
# smaller zone's area (a fraction of a square metre for a city block) is not an overlap.
OVERLAP_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Problem:
    """One reason the file is refused; ``code`` names its message (oversight.zones.problem.*),
    ``feature`` is 1-based (0: the file as a whole)."""

    code: str
    feature: int = 0
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Draft:
    unit_id: int
    unit_name: str
    name: str
    geometry: BaseGeometry


@dataclass(frozen=True)
class Imported:
    zones: list[Draft]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _features(data: bytes) -> list[Any] | Problem:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        # Not UTF-8, not JSON, a number past Python's digit limit, or nested past the stack.
        return Problem("not_json")
    if isinstance(document, dict) and document.get("type") == "Feature":
        return [document]
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return Problem("not_collection")
    features = document.get("features")
    if not isinstance(features, list) or not features:
        return Problem("empty")
    return features


def _geometry(number: int, feature: Any) -> BaseGeometry | Problem:
    raw = feature.get("geometry") if isinstance(feature, dict) else None
    kind = raw.get("type") if isinstance(raw, dict) else None
    if kind not in POLYGONS:
        return Problem("not_polygon", number, {"kind": kind or "-"})
    try:
        geometry = shape(raw)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError):
        return Problem("bad_coordinates", number)
    if geometry.is_empty:
        return Problem("bad_coordinates", number)
    west, south, east, north = geometry.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return Problem("bad_coordinates", number)
    if not geometry.is_valid:
        code, place = _invalidity(geometry)
        return Problem(code, number, {"place": place})
    return geometry


# GEOS explains an invalid polygon in English ("Self-intersection[104.005 30.005]"): the kind
# of slip picks a message of the catalogs, and the place is shown as latitude, longitude.
_REASON = re.compile(r"^(?P<what>[^\[]*)\[(?P<x>[-+0-9.eE]+) (?P<y>[-+0-9.eE]+)")
_INVALID_KINDS = (
    ("self-intersection", "invalid_crossing"),
    ("ring self-intersection", "invalid_crossing"),
    ("too few points", "invalid_points"),
    ("hole", "invalid_rings"),
    ("nested", "invalid_rings"),
    ("interior is disconnected", "invalid_rings"),
    ("duplicate rings", "invalid_rings"),
)


def _invalidity(geometry: BaseGeometry) -> tuple[str, str]:
    """The problem code for an invalid polygon and where (latitude, longitude) it is."""
    reason = explain_validity(geometry)
    found = _REASON.match(reason)
    what = (found.group("what") if found else reason).strip().lower()
    code = next((c for start, c in _INVALID_KINDS if what.startswith(start)), "invalid")
    if found:
        longitude, latitude = float(found.group("x")), float(found.group("y"))
    else:
        point = geometry.representative_point()
        longitude, latitude = point.x, point.y
    return code, f"{latitude:.5f}, {longitude:.5f}"


# The units a file may name, by name_key: id, name as stored, archived.
Units = dict[str, tuple[int, str, bool]]


async def units_by_name(session: AsyncSession) -> Units:
    """The units a zone file may name, read before the file is checked (a unit is named as
    everywhere else a name is typed: any case, any spacing)."""
    return {
        name_key(name): (unit_id, name, archived)
        for unit_id, name, archived in (
            await session.execute(select(Unit.id, Unit.name, Unit.archived))
        ).all()
    }


async def read(session: AsyncSession, data: bytes) -> Imported:
    """Check an uploaded file, here on the loop; nothing is written."""
    return check(data, await units_by_name(session))


async def read_off_loop(data: bytes, units: Units) -> Imported:
    """Check an uploaded file in the offload worker (bot/services/platform/offload.py): a file
    near the size limit (3,000 polygons, 5 MB) takes about a second of shapely and JSON, which
    on the loop would keep every other chat waiting."""
    _require_size(data)
    return await run_off_loop(check, data, units)


def _require_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise DomainError(ErrorCode.ZONES_FILE_TOO_LARGE, limit=MAX_BYTES // 1024 // 1024)


def check(data: bytes, units: Units) -> Imported:
    """Check an uploaded file against the units; nothing is read or written."""
    _require_size(data)
    features = _features(data)
    if isinstance(features, Problem):
        return Imported([], [features])
    drafts: list[Draft] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    for number, feature in enumerate(features, start=1):
        geometry = _geometry(number, feature)
        if isinstance(geometry, Problem):
            problems.append(geometry)
            continue
        properties = feature.get("properties")
        if not isinstance(properties, dict):
            properties = {}
        unit_name = str(properties.get("unit") or "").strip()
        if not unit_name:
            problems.append(Problem("no_unit", number))
            continue
        if name_key(unit_name) not in units:
            problems.append(Problem("unknown_unit", number, {"unit": unit_name}))
            continue
        unit_id, unit_name, archived = units[name_key(unit_name)]
        if archived:
            problems.append(Problem("archived_unit", number, {"unit": unit_name}))
            continue
        name = plain(str(properties.get("name") or ""))[:NAME_MAX]
        drafts.append(Draft(unit_id, unit_name, name or f"{unit_name} #{number}", geometry))
        numbers.append(number)
    problems += _overlaps(drafts, numbers)
    return Imported(drafts if not problems else [], problems)


def _overlap(first: BaseGeometry, second: BaseGeometry) -> bool:
    """Whether the insides meet: more than a sliver of rounding where two zones share an edge."""
    shared = float(first.intersection(second).area)
    return shared > OVERLAP_TOLERANCE * min(float(first.area), float(second.area))


def _overlaps(drafts: list[Draft], numbers: list[int]) -> list[Problem]:
    """Pairs of zones whose insides meet (an R-tree finds the candidates)."""
    tree = shapely.STRtree([draft.geometry for draft in drafts])
    problems = []
    for index, draft in enumerate(drafts):
        for other in sorted(int(i) for i in tree.query(draft.geometry, predicate="intersects")):
            if other <= index or not _overlap(draft.geometry, drafts[other].geometry):
                continue
            problems.append(
                Problem(
                    "overlap",
                    numbers[index],
                    {
                        "name": draft.name,
                        "unit": draft.unit_name,
                        "other_feature": numbers[other],
                        "other_name": drafts[other].name,
                        "other_unit": drafts[other].unit_name,
                    },
                )
            )
    return problems


async def replace(session: AsyncSession, actor: Actor, imported: Imported, now: dt.datetime) -> int:
    """Put the checked zones in place of every zone; returns how many there are now."""
    if not actor.is_admin:
        raise DomainError(ErrorCode.FORBIDDEN)
    assert imported.ok
    before = await count(session)
    await session.execute(delete(Zone))
    for draft in imported.zones:
        west, south, east, north = draft.geometry.bounds
        session.add(
            Zone(
                unit_id=draft.unit_id,
                name=draft.name,
                geometry=shapely.geometry.mapping(draft.geometry),
                min_latitude=south,
                min_longitude=west,
                max_latitude=north,
                max_longitude=east,
                created_at=now,
            )
        )
    audit.record(
        session,
        actor_id=actor.member.id if actor.member is not None else None,
        action="zones.replace",
        object_type="zones",
        object_id=None,
        now=now,
        before={"zones": before},
        after={"zones": len(imported.zones)},
    )
    return len(imported.zones)


async def count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Zone)) or 0)


async def per_unit(session: AsyncSession) -> list[tuple[str, int]]:
    rows = await session.execute(
        select(Unit.name, func.count(Zone.id))
        .join(Zone, Zone.unit_id == Unit.id)
        .group_by(Unit.name)
        .order_by(Unit.name)
    )
    return [(str(name), int(number)) for name, number in rows.all()]


async def locate(session: AsyncSession, latitude: float, longitude: float) -> Zone | None:
    """The zone that holds the point (its edge included); zones do not overlap, so at most
    one does. A zone of a unit archived since its upload holds nothing: the unit is given no
    street report."""
    candidates = await session.scalars(
        select(Zone)
        .join(Unit, Unit.id == Zone.unit_id)
        .where(
            Unit.archived.is_(False),
            Zone.min_latitude <= latitude,
            Zone.max_latitude >= latitude,
            Zone.min_longitude <= longitude,
            Zone.max_longitude >= longitude,
        )
        .order_by(Zone.id)
    )
    point = Point(longitude, latitude)  # GeoJSON puts longitude first
    for zone in candidates.unique():
        if shape(zone.geometry).covers(point):
            return zone
    return None
