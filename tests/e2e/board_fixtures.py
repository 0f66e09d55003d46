"""The live board under test: its server on a free loopback port beside the real bot, signed
Mini App initData as Telegram would send it, and a duty morning whose map is known.

The prepared morning (Tuesday 1 December 2026, looked at 07:10 local time):

城管局
  人民路口   07:00-09:00 cap 2: 张伟 and 王芳 checked in            -> staffed (green)
  解放路口   07:00-09:00 cap 3: 李娜 checked in, 刘强 signed up    -> short (amber)
  黄河路口   07:00-09:00 cap 1: 陈静 signed up, not there          -> empty (red)
  和平街     14:00-16:00 cap 2                                     -> no shift now (grey)
团结社区
  垃圾分类点 07:00-09:00 cap 1: 杨磊 signed up, not there          -> empty (red)
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.board.auth import sign_init_data
from bot.board.health import SenderStatus
from bot.board.server import BoardServer
from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    Member,
    MemberRole,
    Post,
    PostType,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from tests.conftest import START, ZONE
from tests.harness import Harness

BOARD_URL = "https://board.example.test/board/"
# Tiles from a loopback port nobody listens on: the tests never reach out, and the page must
# work without tiles.
UNREACHABLE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"
BOARD_SETTINGS: dict[str, object] = {
    "board_url": BOARD_URL,
    "board_refresh_seconds": 1,
    "map_tile_url": UNREACHABLE_TILES,
}
COLORS = {"staffed": "#2e7d32", "short": "#f9a825", "empty": "#c62828", "idle": "#9e9e9e"}

LEADER_ID = 610_001  # leader of 城管局
COORDINATOR_ID = 610_002  # coordinator of 团结社区
VOLUNTEER_ID = 610_003  # volunteer of 城管局
INSPECTOR_ID = 610_004  # inspector of 城管局


def local(hour: int, minute: int = 0, day: dt.date | None = None) -> dt.datetime:
    return dt.datetime.combine(day or START.date(), dt.time(hour, minute), tzinfo=ZONE)


def init_data(
    harness: Harness,
    user_id: int,
    *,
    auth_date: dt.datetime | None = None,
    language_code: str = "zh-hans",
    token: str | None = None,
) -> str:
    """initData as Telegram signs it for a Mini App opened by `user_id` (now by default)."""
    when = auth_date if auth_date is not None else harness.clock.now()
    user = {"id": user_id, "first_name": f"U{user_id}", "language_code": language_code}
    fields = {
        "auth_date": str(int(when.timestamp())),
        "query_id": f"AAH{user_id}",
        "user": json.dumps(user, separators=(",", ":")),
    }
    return sign_init_data(fields, token or harness.runtime.settings.bot_token)


def mini_app(harness: Harness, user_id: int, **options: Any) -> str:
    return f"tma {init_data(harness, user_id, **options)}"


@asynccontextmanager
async def running_board(
    harness: Harness, sender: SenderStatus | None = None, **server_options: Any
) -> AsyncIterator[BoardServer]:
    status = sender or SenderStatus(running=True, leading=True)
    board = BoardServer(harness.runtime, sender=lambda: status, **server_options)
    await board.start(listen="127.0.0.1", port=0)
    try:
        yield board
    finally:
        await board.stop()


@asynccontextmanager
async def database_down(harness: Harness) -> AsyncIterator[None]:
    """The database out of reach (a PostgreSQL port nobody listens on) until the block ends."""
    nowhere = Database("postgresql+asyncpg://nobody@127.0.0.1:1/nothing")
    original, harness.runtime.db = harness.runtime.db, nowhere
    try:
        yield
    finally:
        harness.runtime.db = original
        await nowhere.dispose()


def local_address(board: BoardServer, public_url: str) -> str:
    """The loopback address of a public board URL (BOARD_URL, a screen link)."""
    assert public_url.startswith(BOARD_URL.rstrip("/")), public_url
    return board.local_url + public_url.removeprefix(BOARD_URL.rstrip("/"))


async def get(
    board: BoardServer, path: str, authorization: str | None = None
) -> tuple[int, Any, str]:
    """(status, JSON body or None, text) of a GET on the board's server."""
    headers = {"Authorization": authorization} if authorization is not None else {}
    base = board.local_url.removesuffix(board.prefix)
    async with (
        aiohttp.ClientSession() as client,
        client.get(base + path, headers=headers) as response,
    ):
        text = await response.text()
        body = None
        if response.content_type == "application/json":
            body = json.loads(text)
        return response.status, body, text


async def state(board: BoardServer, authorization: str | None) -> tuple[int, Any]:
    status, body, _ = await get(board, f"{board.prefix}/api/state", authorization)
    return status, body


def panel(payload: dict[str, Any], key: str) -> dict[str, Any]:
    for item in payload["panels"]:
        if item["key"] == key:
            data: dict[str, Any] = item["data"]
            return data
    raise AssertionError(f"no panel {key!r} in {[p['key'] for p in payload['panels']]}")


def states(payload: dict[str, Any]) -> dict[str, str]:
    """Post name -> marker state."""
    return {m["popup"]["title"]: m["state"] for m in panel(payload, "map")["markers"]}


@dataclass
class Morning:
    units: dict[str, int] = field(default_factory=dict)
    posts: dict[str, int] = field(default_factory=dict)
    expected: dict[str, str] = field(default_factory=dict)  # post name -> state at 07:10


async def prepare_morning(harness: Harness) -> Morning:
    """The morning of the module docstring, written straight into the database."""
    morning = Morning()
    created = START - dt.timedelta(days=10)
    async with harness.session() as session:
        units = {}
        for name in ("城管局", "团结社区"):
            unit = Unit(name=name, require_swap_approval=False, created_at=created)
            session.add(unit)
            await session.flush()
            units[name] = unit
            morning.units[name] = unit.id
        telegram_ids = iter(range(620_001, 620_100))

        async def member(name: str, unit: str, role: Role, telegram_id: int | None = None) -> int:
            row = Member(
                telegram_id=telegram_id or next(telegram_ids),
                display_name=name,
                phone="+8613800138000",
                language="zh_Hans",
                unit_id=units[unit].id,
                registered_at=created,
                blocked_bot=False,
                active=True,
            )
            row.role_rows.append(MemberRole(role=role))
            session.add(row)
            await session.flush()
            return row.id

        await member("李领导", "城管局", Role.LEADER, LEADER_ID)
        await member("团结协调", "团结社区", Role.COORDINATOR, COORDINATOR_ID)
        await member("城管志愿者", "城管局", Role.VOLUNTEER, VOLUNTEER_ID)
        await member("城管督查", "城管局", Role.INSPECTOR, INSPECTOR_ID)

        async def post(name: str, unit: str, north_km: float, east_km: float) -> Post:
            row = Post(
                unit_id=units[unit].id,
                name=name,
                type=PostType.TRAFFIC,
                latitude=30.6586 + north_km / 111.0,
                longitude=104.0648 + east_km / 96.0,
                radius_m=150,
                archived=False,
                created_at=created,
            )
            session.add(row)
            await session.flush()
            morning.posts[name] = row.id
            return row

        async def shift(row: Post, start: int, end: int, capacity: int) -> Shift:
            item = Shift(
                post_id=row.id,
                starts_at=local(start),
                ends_at=local(end),
                capacity=capacity,
                status=ShiftStatus.SCHEDULED,
                created_at=created,
            )
            session.add(item)
            await session.flush()
            return item

        async def seat(item: Shift, name: str, unit: str, checked_in: dt.datetime | None) -> None:
            member_id = await member(name, unit, Role.VOLUNTEER)
            assignment = Assignment(
                shift_id=item.id,
                member_id=member_id,
                status=AssignmentStatus.CHECKED_IN if checked_in else AssignmentStatus.SIGNED_UP,
                created_at=created,
                updated_at=created,
            )
            session.add(assignment)
            await session.flush()
            if checked_in is not None:
                late = max(0, int((checked_in - item.starts_at).total_seconds() // 60))
                session.add(
                    CheckIn(
                        assignment_id=assignment.id,
                        checked_in_at=checked_in,
                        latitude=30.6586,
                        longitude=104.0648,
                        distance_m=20.0,
                        accuracy_m=10.0,
                        live=False,
                        photo_file_id=f"photo-{assignment.id}",
                        photo_file_unique_id=f"u-{assignment.id}",
                        photo_flagged=False,
                        minutes_late=late,
                        # Judged when checked in, as checkin.py does (LATE_AFTER_MIN 5).
                        late=late > 5,
                    )
                )
                await session.flush()

        staffed = await shift(await post("人民路口", "城管局", 0, 0), 7, 9, 2)
        await seat(staffed, "张伟", "城管局", local(6, 50))
        await seat(staffed, "王芳", "城管局", local(7, 8))
        short = await shift(await post("解放路口", "城管局", 1, 1), 7, 9, 3)
        await seat(short, "李娜", "城管局", local(6, 55))
        await seat(short, "刘强", "城管局", None)
        empty = await shift(await post("黄河路口", "城管局", -1, 1), 7, 9, 1)
        await seat(empty, "陈静", "城管局", None)
        await shift(await post("和平街", "城管局", 1, -1), 14, 16, 2)
        sorting = await shift(await post("垃圾分类点", "团结社区", -1, -1), 7, 9, 1)
        await seat(sorting, "杨磊", "团结社区", None)
    morning.expected = {
        "人民路口": "staffed",
        "解放路口": "short",
        "黄河路口": "empty",
        "和平街": "idle",
        "垃圾分类点": "empty",
    }
    harness.clock.set(local(7, 10))
    return morning


@dataclass
class Orders:
    """The rectification orders of the prepared morning, by name."""

    ids: dict[str, int] = field(default_factory=dict)
    reports: dict[str, int] = field(default_factory=dict)


REPORTER_PHONE = "13912345678"


async def prepare_orders(harness: Harness, morning: Morning) -> Orders:
    """Orders and street reports beside the prepared morning (07:10 on 1 December):

    城管局    overdue   issued, due 06:00 today, litter at 人民路口            (open, overdue)
              replied   replied, due tomorrow 07:00, parking at 解放路口      (open, to accept)
              accepted  accepted yesterday                                   (closed)
    团结社区  acked     acknowledged, due 12:00 today, facility at 垃圾分类点 (open)
              covert    from a covert check at 07:00 today: issued, due tomorrow, shown to the
                        unit from the daily tally (20:00) on                 (open, hidden)

    and two street reports by 城管志愿者: one routed to 城管局 this morning (its text holds the
    reporter's phone number), one dismissed yesterday (filed at 06:10).
    """
    from bot.db.models import (
        Category,
        CheckKind,
        Inspection,
        OrderStatus,
        RectificationOrder,
        ReportStatus,
        RouteMethod,
        StreetReport,
    )
    from bot.services.oversight.check_visibility import visible_from

    found = Orders()
    settings = harness.runtime.settings
    now = harness.clock.now()
    yesterday = now - dt.timedelta(days=1)
    city, community = morning.units["城管局"], morning.units["团结社区"]
    async with harness.session() as session:
        reporter = await session.scalar(select(Member.id).where(Member.telegram_id == VOLUNTEER_ID))
        inspector = await session.scalar(
            select(Member.id).where(Member.telegram_id == INSPECTOR_ID)
        )
        covert_at = local(7)
        check = Inspection(
            post_id=morning.posts["垃圾分类点"],
            unit_id=community,
            inspector_id=inspector,
            kind=CheckKind.SPOT,
            covert=True,
            latitude=30.6586,
            longitude=104.0648,
            distance_m=10.0,
            planned=1,
            held=1,
            checked_in=0,
            seen=0,
            discrepancy=0,
            checked_in_names=[],
            deductions=[],
            score=80.0,
            note=None,
            inspected_at=covert_at,
            # The oversight domain's rule: a covert check shows from the next daily tally.
            visible_from=visible_from(covert_at, True, settings),
        )
        session.add(check)
        await session.flush()

        def order(
            name: str,
            unit: int,
            post: str,
            category: Category,
            status: OrderStatus,
            deadline: dt.datetime,
            **extra: Any,
        ) -> RectificationOrder:
            row = RectificationOrder(
                unit_id=unit,
                category=category,
                status=status,
                post_id=morning.posts[post],
                description=f"{name} 的问题",
                issued_by_id=inspector,
                issued_at=extra.pop("issued_at", yesterday),
                visible_from=extra.pop("visible_from", yesterday),
                deadline_at=deadline,
                updated_at=now,
                **extra,
            )
            session.add(row)
            return row

        rows = {
            "overdue": order(
                "overdue", city, "人民路口", Category.LITTER, OrderStatus.ISSUED, local(6)
            ),
            "replied": order(
                "replied",
                city,
                "解放路口",
                Category.PARKING,
                OrderStatus.REPLIED,
                local(7) + dt.timedelta(days=1),
                replied_at=local(7),
                first_replied_at=local(7),
            ),
            "accepted": order(
                "accepted",
                city,
                "黄河路口",
                Category.LITTER,
                OrderStatus.ACCEPTED,
                local(6),
                accepted_at=yesterday,
            ),
            "acked": order(
                "acked",
                community,
                "垃圾分类点",
                Category.FACILITY,
                OrderStatus.ACKNOWLEDGED,
                local(12),
                acknowledged_at=local(6),
            ),
            "covert": order(
                "covert",
                community,
                "垃圾分类点",
                Category.POST,
                OrderStatus.ISSUED,
                local(7) + dt.timedelta(days=1),
                inspection_id=check.id,
                issued_at=covert_at,
                visible_from=check.visible_from,
            ),
        }
        reports = {
            "routed": StreetReport(
                reporter_id=reporter,
                category=Category.PARKING,
                description=f"人行道上停满了车（川A12345），有事打我电话 {REPORTER_PHONE}",
                latitude=30.6590,
                longitude=104.0650,
                status=ReportStatus.ROUTED,
                unit_id=city,
                route_method=RouteMethod.ZONE,
                created_at=local(6, 30),
                updated_at=local(6, 30),
            ),
            "dismissed": StreetReport(
                reporter_id=reporter,
                category=Category.OTHER,
                description="不归这里管的事",
                latitude=30.6500,
                longitude=104.0600,
                status=ReportStatus.DISMISSED,
                unit_id=None,
                status_note="不属于创建工作范围",
                created_at=yesterday - dt.timedelta(hours=1),
                updated_at=yesterday,
            ),
        }
        session.add_all(reports.values())
        await session.flush()
        found.ids = {name: row.id for name, row in rows.items()}
        found.reports = {name: row.id for name, row in reports.items()}
    return found
