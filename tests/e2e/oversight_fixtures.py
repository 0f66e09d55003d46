"""One-line fixtures for oversight stories: a small city (two units with posts, coordinators,
volunteers, an inspector, a leader), a shift on now with check-ins, a street report and a check
made through /report and /inspect as people make them, and reading orders, reports and checks
back."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    AuditEntry,
    CheckIn,
    CheckKind,
    Inspection,
    Member,
    RectificationOrder,
    Role,
    StreetReport,
)
from bot.emulator import SimGroup, SimUser
from bot.geo import offset
from tests.e2e.schedule import post, press_and_settle, unit
from tests.e2e.swap_fixtures import member
from tests.harness import Harness

# tests/e2e/schedule.py puts every post here.
LATITUDE, LONGITUDE = 30.6586, 104.0648
HQ_GROUP = -100_777


def near(north_m: float = 0.0, east_m: float = 0.0) -> tuple[float, float]:
    return offset(LATITUDE, LONGITUDE, north_m, east_m)


@dataclass
class City:
    unit_id: int  # 城管局
    other_unit_id: int  # 交通局
    post_id: int  # 黄河路-人民路口, 城管局
    inspector: SimUser  # 赵督查
    coordinator: SimUser  # 陈协调, 城管局
    other_coordinator: SimUser  # 林协调, 交通局
    volunteers: list[SimUser]  # 王芳, 李明, of 城管局
    leader: SimUser  # 周领导, 城管局


async def city(harness: Harness) -> City:
    unit_id = await unit(harness, "城管局")
    other_unit_id = await unit(harness, "交通局")
    post_id = await post(harness, unit_id)
    inspector = await member(harness, 8001, unit_id, "赵督查", role=Role.INSPECTOR)
    coordinator = await member(harness, 8002, unit_id, "陈协调", role=Role.COORDINATOR)
    other = await member(harness, 8003, other_unit_id, "林协调", role=Role.COORDINATOR)
    volunteers = [
        await member(harness, 8011, unit_id, "王芳"),
        await member(harness, 8012, unit_id, "李明"),
    ]
    leader = await member(harness, 8004, unit_id, "周领导", role=Role.LEADER)
    harness.admin.started = True
    return City(unit_id, other_unit_id, post_id, inspector, coordinator, other, volunteers, leader)


async def checked_in(
    harness: Harness, shift_id: int, user: SimUser, at: dt.datetime, photo: str | None = None
) -> int:
    """A seat on the shift, checked in at `at` (the check-in journey is tested elsewhere)."""
    async with harness.session() as session:
        found = await session.scalar(select(Member).where(Member.telegram_id == user.user_id))
        assert found is not None
        seat = Assignment(
            shift_id=shift_id,
            member_id=found.id,
            status=AssignmentStatus.CHECKED_IN,
            created_at=at,
            updated_at=at,
        )
        session.add(seat)
        await session.flush()
        session.add(
            CheckIn(
                assignment_id=seat.id,
                checked_in_at=at,
                latitude=LATITUDE,
                longitude=LONGITUDE,
                distance_m=5.0,
                live=False,
                photo_file_id=photo,
                photo_file_unique_id=photo,
                minutes_late=0,
            )
        )
        return seat.id


async def recorded_check(
    harness: Harness, post_id: int, unit_id: int, when: dt.datetime, score: float
) -> None:
    """A daily check of the post scored `score` at `when` (the check journey is tested
    elsewhere), for figures that depend only on scores."""
    async with harness.session() as session:
        session.add(
            Inspection(
                post_id=post_id,
                unit_id=unit_id,
                kind=CheckKind.DAILY,
                covert=False,
                latitude=LATITUDE,
                longitude=LONGITUDE,
                distance_m=5.0,
                planned=0,
                held=0,
                checked_in=0,
                seen=0,
                discrepancy=0,
                checked_in_names=[],
                deductions=[],
                score=score,
                inspected_at=when,
                visible_from=when,
            )
        )


async def bind_headquarters(harness: Harness) -> SimGroup:
    """The headquarters group, bound with /setgroup."""
    group = harness.emulator.group(HQ_GROUP, "创建指挥部")
    await group.send_command(harness.admin, "setgroup")
    await harness.settle()
    await group.press(harness.admin, "🏛 全部单位（指挥部）")
    await harness.settle()
    return group


async def rows(harness: Harness, model: Any) -> list[Any]:
    async with harness.session() as session:
        return list((await session.scalars(select(model).order_by(model.id))).unique())


async def inspections(harness: Harness) -> list[Inspection]:
    return await rows(harness, Inspection)


async def orders(harness: Harness) -> list[RectificationOrder]:
    return await rows(harness, RectificationOrder)


async def street_reports(harness: Harness) -> list[StreetReport]:
    return await rows(harness, StreetReport)


async def trail(harness: Harness, object_type: str, object_id: int) -> list[str]:
    async with harness.session() as session:
        return list(
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
                .order_by(AuditEntry.id)
            )
        )


def square(center: tuple[float, float], half_m: float) -> list[list[float]]:
    """A closed GeoJSON ring (longitude, latitude) of a square around a point."""
    lat, lon = center
    corners = [(-half_m, -half_m), (-half_m, half_m), (half_m, half_m), (half_m, -half_m)]
    ring = [offset(lat, lon, north, east) for north, east in corners]
    return [[point[1], point[0]] for point in [*ring, ring[0]]]


def geojson(*zones: tuple[str, str, list[list[float]]], kind: str = "Polygon") -> bytes:
    """A FeatureCollection of (unit, zone name, ring)."""
    features = []
    for unit_name, name, ring in zones:
        coordinates: Any = [ring] if kind == "Polygon" else ring
        features.append(
            {
                "type": "Feature",
                "properties": {"unit": unit_name, "name": name},
                "geometry": {"type": kind, "coordinates": coordinates},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


async def last_text(harness: Harness, user: SimUser) -> str:
    await harness.settle()
    message = user.last()
    return message.text or message.caption or ""


async def report(
    harness: Harness,
    user: SimUser,
    where: tuple[float, float],
    category: str = "乱停车",
    text: str | None = "共享单车堆在盲道上",
) -> str:
    await user.send_command("report")
    await harness.settle()
    await user.send_photo()
    await harness.settle()
    await user.send_location(*where)
    await harness.settle()
    await press_and_settle(harness, user, category)
    if text is None:
        return await press_and_settle(harness, user, "✅ 提交")
    await user.send_text(text)
    await harness.settle()
    return user.last().text or ""


async def start_check(harness: Harness, user: SimUser, north_m: float = 30.0) -> str:
    await user.send_command("inspect")
    await harness.settle()
    await user.send_location(*near(north_m))
    await harness.settle()
    return user.last().text or ""


async def submit_check(harness: Harness, inspector: SimUser, kind: str, seen: str) -> None:
    await start_check(harness, inspector)
    # ⭐ only while the post has not been checked this week.
    post_button = next(b for b in inspector.last().buttons() if "黄河路-人民路口" in b)
    await press_and_settle(harness, inspector, post_button)
    await press_and_settle(harness, inspector, kind)
    await press_and_settle(harness, inspector, seen)
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")
    await inspector.send_photo()
    await harness.settle()
    await press_and_settle(harness, inspector, "✅ 提交督查")
