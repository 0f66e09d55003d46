"""What the Open311 endpoint (bot/board/open311.py) reads: street reports and the orders units
may see, as open data, and every member's name for masking. Kept apart from data.py, the
board's live read, so that each module stays one concern; the domain's rules (which states
are open) still come through data.py, the board's one door to the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.board.data import OPEN_ORDER_STATES, REPORT_OPEN
from bot.db.models import (
    Category,
    Member,
    OrderStatus,
    Post,
    RectificationOrder,
    ReportStatus,
    StreetReport,
    Unit,
)


@dataclass(frozen=True, slots=True)
class PublicRequest:
    """A street report or a rectification order as open data: nothing about who reported it,
    who issued it or who was on post."""

    kind: str  # "report" or "order"
    id: int
    category: Category
    open: bool
    state: str  # the report's or order's status value
    description: str | None
    unit: str | None
    latitude: float | None
    longitude: float | None
    requested: dt.datetime
    updated: dt.datetime
    expected: dt.datetime | None


@dataclass(frozen=True)
class RequestFilter:
    start: dt.datetime
    end: dt.datetime
    kinds: frozenset[str]  # "report", "order"
    categories: frozenset[Category] | None  # None: every category (street reports)
    status: bool | None  # True: open ones, False: closed ones, None: both
    ids: dict[str, set[int]] | None = None  # given: these requests only, other filters aside
    limit: int = 1000


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


async def public_requests(
    session: AsyncSession, wanted: RequestFilter, now: dt.datetime
) -> list[PublicRequest]:
    """Street reports and the orders units may see by `now` (a covert check's order only once
    published), newest first, at most `wanted.limit`."""
    found: list[PublicRequest] = []
    if "report" in wanted.kinds:
        report = StreetReport
        query = (
            select(
                report.id,
                report.category,
                report.status,
                report.description,
                Unit.name,
                report.latitude,
                report.longitude,
                report.created_at,
                report.updated_at,
            )
            .outerjoin(Unit, Unit.id == report.unit_id)
            .order_by(report.created_at.desc(), report.id.desc())
            .limit(wanted.limit)
        )
        if wanted.ids is not None:
            query = query.where(report.id.in_(sorted(wanted.ids.get("report", set()))))
        else:
            query = query.where(report.created_at >= wanted.start, report.created_at < wanted.end)
            if wanted.categories is not None:
                query = query.where(report.category.in_(sorted(wanted.categories)))
            if wanted.status is True:
                query = query.where(report.status.in_(REPORT_OPEN))
            elif wanted.status is False:
                query = query.where(report.status.not_in(REPORT_OPEN))
        rows: Any = await session.execute(query)
        for key, category, status, text, unit, lat, lng, created, updated in rows:
            found.append(
                PublicRequest(
                    "report",
                    int(key),
                    Category(category),
                    ReportStatus(status) in REPORT_OPEN,
                    ReportStatus(status).value,
                    text,
                    unit,
                    lat,
                    lng,
                    _aware(created),
                    _aware(updated),
                    None,
                )
            )
    if "order" in wanted.kinds:
        order = RectificationOrder
        orders: Any = (
            select(
                order.id,
                order.category,
                order.status,
                order.description,
                Unit.name,
                func.coalesce(order.latitude, Post.latitude),
                func.coalesce(order.longitude, Post.longitude),
                order.issued_at,
                order.updated_at,
                order.deadline_at,
            )
            .join(Unit, Unit.id == order.unit_id)
            .outerjoin(Post, Post.id == order.post_id)
            # The rule of /orders: a covert check's order is nobody's business before the
            # daily tally after the check.
            .where(order.visible_from <= now)
            .order_by(order.issued_at.desc(), order.id.desc())
            .limit(wanted.limit)
        )
        if wanted.ids is not None:
            orders = orders.where(order.id.in_(sorted(wanted.ids.get("order", set()))))
        else:
            orders = orders.where(order.issued_at >= wanted.start, order.issued_at < wanted.end)
            if wanted.status is True:
                orders = orders.where(order.status.in_(OPEN_ORDER_STATES))
            elif wanted.status is False:
                orders = orders.where(order.status == OrderStatus.ACCEPTED)
        rows = await session.execute(orders)
        for key, category, status, text, unit, lat, lng, issued, updated, deadline in rows:
            found.append(
                PublicRequest(
                    "order",
                    int(key),
                    Category(category),
                    OrderStatus(status).is_open,
                    OrderStatus(status).value,
                    text,
                    unit,
                    lat,
                    lng,
                    _aware(issued),
                    _aware(updated),
                    _aware(deadline),
                )
            )
    found.sort(key=lambda item: (item.requested, item.kind, item.id), reverse=True)
    return found[: wanted.limit]


async def member_names(session: AsyncSession) -> list[str]:
    """Every member's name, active or not, for open data to mask in a description (an
    inspector's note naming the volunteer seen, a reporter signing their report)."""
    return list(await session.scalars(select(Member.display_name).distinct()))
