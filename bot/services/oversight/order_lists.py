"""What /orders shows: the lists by state (scoped to the unit for coordinators, who see a
covert check's order only from the tally on), the headline counts by unit, and an order's card
with its photos before and after and its history from the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import OrderView
from bot.db.models import (
    ORDERS_AWAITING_UNIT,
    AuditEntry,
    Category,
    OrderStatus,
    Post,
    RectificationOrder,
    Role,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.services.oversight import orders, report_decisions
from bot.services.people.access import Actor
from bot.services.platform import audit

PAGE_SIZE = 8
# Open orders by their status index (a year of accepted ones is never read for them).
OPEN_STATES = tuple(status for status in OrderStatus if status.is_open)


Step = audit.Step


@dataclass(frozen=True)
class Card:
    order: RectificationOrder
    post_name: str | None
    before: list[str]
    after: list[str]
    history: list[Step]
    after_flagged: int = 0  # of `after`, photos used before and let in flagged


async def history(session: AsyncSession, order_id: int) -> list[Step]:
    return await audit.trail(session, "order", order_id)


async def card(session: AsyncSession, actor: Actor, order_id: int, now: dt.datetime) -> Card:
    order = await orders.visible(session, actor, order_id, now)
    return Card(
        order=order,
        post_name=await orders.post_name(session, order),
        before=await orders.before_photos(session, order),
        after=await orders.after_photos(session, order),
        history=await history(session, order.id),
        after_flagged=await orders.after_flagged(session, order),
    )


def _scope(actor: Actor, now: dt.datetime) -> Any:
    if orders.is_inspector(actor):
        return None
    return (RectificationOrder.unit_id == actor.unit_id) & (RectificationOrder.visible_from <= now)


def _view(view: OrderView, now: dt.datetime) -> Any:
    awaiting = RectificationOrder.status.in_(ORDERS_AWAITING_UNIT)
    if view is OrderView.OPEN:
        return RectificationOrder.status != OrderStatus.ACCEPTED
    if view is OrderView.OVERDUE:
        return awaiting & (RectificationOrder.deadline_at < now)
    if view is OrderView.REPLIED:
        return RectificationOrder.status == OrderStatus.REPLIED
    return RectificationOrder.status == OrderStatus.ACCEPTED


def may_list(actor: Actor) -> None:
    if not orders.is_inspector(actor) and not (Role.COORDINATOR in actor.roles and actor.unit_id):
        raise DomainError(ErrorCode.FORBIDDEN)


@dataclass(frozen=True)
class Page:
    """One page of a list of /orders: its orders, where it starts, how many the list holds."""

    orders: list[RectificationOrder]
    offset: int
    total: int


async def listing(
    session: AsyncSession, actor: Actor, view: OrderView, offset: int, now: dt.datetime
) -> Page:
    """The page of a list of /orders at `offset`. Orders leave a list while a page of it is
    open (accepted, replied), so an offset past its end (a page button pressed since) gives
    the last page instead of an empty one under a count that says otherwise."""
    may_list(actor)
    condition = _view(view, now)
    scope = _scope(actor, now)
    if scope is not None:
        condition = condition & scope
    total = int(
        await session.scalar(select(func.count()).select_from(RectificationOrder).where(condition))
        or 0
    )
    last_start = (max(total, 1) - 1) // PAGE_SIZE * PAGE_SIZE
    offset = max(0, min(offset // PAGE_SIZE * PAGE_SIZE, last_start))
    order_by = (
        (RectificationOrder.accepted_at.desc(), RectificationOrder.id.desc())
        if view is OrderView.ACCEPTED
        else (RectificationOrder.deadline_at, RectificationOrder.id)
    )
    rows = await session.scalars(
        select(RectificationOrder)
        .where(condition)
        .order_by(*order_by)
        .offset(offset)
        .limit(PAGE_SIZE)
    )
    return Page(list(rows.unique()), offset, total)


@dataclass(frozen=True)
class UnitLine:
    unit: str
    open: int
    overdue: int


async def summary(
    session: AsyncSession, actor: Actor, now: dt.datetime
) -> tuple[dict[OrderView, int], list[UnitLine]]:
    """How many orders each list holds, and the open and overdue ones by unit."""
    may_list(actor)
    scope = _scope(actor, now)
    counts: dict[OrderView, int] = {}
    for view in (OrderView.OPEN, OrderView.OVERDUE, OrderView.REPLIED, OrderView.ACCEPTED):
        condition = _view(view, now) if scope is None else _view(view, now) & scope
        counts[view] = int(
            await session.scalar(
                select(func.count()).select_from(RectificationOrder).where(condition)
            )
            or 0
        )
    if orders.is_inspector(actor):
        counts[OrderView.REPORTS] = await report_decisions.count_awaiting(session)
    overdue = _view(OrderView.OVERDUE, now)
    query = (
        select(
            Unit.name,
            func.count(RectificationOrder.id),
            func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        )
        .join(RectificationOrder, RectificationOrder.unit_id == Unit.id)
        .where(_view(OrderView.OPEN, now))
        .group_by(Unit.name)
        .order_by(func.count(RectificationOrder.id).desc(), Unit.name)
    )
    if scope is not None:
        query = query.where(scope)
    lines = [
        UnitLine(str(name), int(total), int(late or 0))
        for name, total, late in (await session.execute(query)).all()
    ]
    return counts, lines


async def open_by_unit(
    session: AsyncSession, now: dt.datetime, unit_id: int | None = None
) -> list[UnitLine]:
    """The orders still open by unit (most first), for the headquarters bulletin."""
    overdue = _view(OrderView.OVERDUE, now)
    query = (
        select(
            Unit.name,
            func.count(RectificationOrder.id),
            func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        )
        .join(RectificationOrder, RectificationOrder.unit_id == Unit.id)
        .where(RectificationOrder.status.in_(OPEN_STATES), RectificationOrder.visible_from <= now)
        .group_by(Unit.name)
        .order_by(func.count(RectificationOrder.id).desc(), Unit.name)
    )
    if unit_id is not None:
        query = query.where(RectificationOrder.unit_id == unit_id)
    rows = await session.execute(query)
    return [UnitLine(str(name), int(total), int(late or 0)) for name, total, late in rows.all()]


@dataclass(frozen=True)
class OrderLine:
    """One order of the ledger's orders sheet."""

    id: int
    unit: str
    category: Category
    source: str  # "check", "report" or "-"
    place: str | None
    description: str | None
    status: OrderStatus
    issued_at: dt.datetime
    deadline_at: dt.datetime
    first_deadline_at: dt.datetime  # the deadline it was issued with, before any reopening
    acknowledged_at: dt.datetime | None
    first_replied_at: dt.datetime | None
    # The first acceptance, as the figures count it: a reopening at the follow-up clears the
    # order's accepted_at, not what a closed period's on-time rate read.
    first_accepted_at: dt.datetime | None
    escalated: bool
    reopened: int
    reply_note: str | None

    @property
    def replied_on_time(self) -> bool:
        """By the first deadline, as the figures count it."""
        return self.first_replied_at is not None and self.first_replied_at <= self.first_deadline_at


async def ledger_lines(
    session: AsyncSession,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    unit_id: int | None,
) -> list[OrderLine]:
    """The orders issued or due (first deadline) in [start, end) that the unit may see by
    `now`, as the figures count them."""
    order = RectificationOrder
    # Escalated in any round: a reopening clears the round's mark (escalated_at), the trail
    # keeps it.
    escalated = (
        select(AuditEntry.id)
        .where(
            AuditEntry.object_type == "order",
            AuditEntry.object_id == order.id,
            AuditEntry.action == orders.ESCALATE_ACTION,
        )
        .correlate(order)
        .exists()
    )
    query = (
        select(order, Post.name, escalated)
        .outerjoin(Post, Post.id == order.post_id)
        .where(
            order.visible_from <= now,
            or_(
                and_(order.issued_at >= start, order.issued_at < end),
                and_(order.first_deadline_at >= start, order.first_deadline_at < end),
            ),
        )
        .order_by(order.issued_at, order.id)
    )
    if unit_id is not None:
        query = query.where(order.unit_id == unit_id)
    lines = []
    for found, post, ever_escalated in (await session.execute(query)).unique().all():
        source = "check" if found.inspection_id else "report" if found.report_id else "-"
        lines.append(
            OrderLine(
                id=found.id,
                unit=found.unit.name,
                category=found.category,
                source=source,
                place=post,
                description=found.description,
                status=found.status,
                issued_at=found.issued_at,
                deadline_at=found.deadline_at,
                first_deadline_at=found.first_deadline_at,
                acknowledged_at=found.acknowledged_at,
                first_replied_at=found.first_replied_at,
                first_accepted_at=found.first_accepted_at,
                escalated=found.escalated_at is not None or bool(ever_escalated),
                reopened=found.reopened,
                reply_note=found.reply_note,
            )
        )
    return lines
