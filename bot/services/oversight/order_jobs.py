"""The scheduler's side of rectification orders (rows of bot/due.py): an order not acknowledged
``ORDER_ACK_REMIND_HOURS`` after it reached the unit, and one whose deadline is within
``ORDER_NEAR_DEADLINE_HOURS`` without a reply, are reminded to the unit's coordinators (at
once when the quiet hours would hold the reminder back past the deadline); one still
without a reply ``ORDER_ESCALATE_AFTER_HOURS`` past its deadline is escalated (超期督办) to the
admins and the headquarters groups, once; an accepted order whose follow-up date has come is
put back to its issuer (回头看).

Everything is derived from the orders' rows and queued under keys that name the order, the
occasion and the order's round (a reopened order is a new round), so a tick that runs twice, a
second process or a restart never sends twice. Escalation also stamps ``escalated_at`` by a
conditional UPDATE, so only one process escalates an order.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ORDERS_AWAITING_UNIT, OrderStatus, RectificationOrder
from bot.i18n import Translator
from bot.services.oversight import notices, order_review, orders
from bot.services.people.reachability import coordinators_of
from bot.services.platform.outbox import Message
from bot.settings import Settings

AWAITING_UNIT = ORDERS_AWAITING_UNIT


def _round(order: RectificationOrder) -> str:
    """The round of an order its reminders and escalation are sent once in: a reopen starts
    one, and so does each send-back (named by the deadline it left, which it may have moved: the
    unit is reminded of it, and escalated again if it misses it). An order never sent back keeps
    the key it always had."""
    if order.status is not OrderStatus.RETURNED:
        return str(order.reopened)
    return f"{order.reopened}:returned:{order.deadline_at.astimezone(dt.UTC):%Y%m%d%H%M}"


async def _remind_unit(
    session: AsyncSession,
    order: RectificationOrder,
    header_key: str,
    event: str,
    now: dt.datetime,
    settings: Settings,
    *,
    urgent: bool = False,
) -> int:
    where = await orders.post_name(session, order)
    problem = await orders.problem_of(session, order, settings)

    def render(t: Translator) -> Message:
        text = notices.order_card(
            t,
            order,
            post_name=where,
            now=None,
            header=t(header_key, id=order.id, deadline=t.datetime(order.deadline_at)),
            problem=problem,
        )
        return notices.message(text, buttons=orders.unit_buttons(t, order))

    return await notices.send(
        session,
        notices.people(await coordinators_of(session, order.unit_id), settings),
        render,
        key=f"order:{order.id}:{event}:{_round(order)}",
        now=now,
        settings=settings,
        urgent=urgent,
    )


def _held_past(deadline: dt.datetime, now: dt.datetime, settings: Settings) -> bool:
    """Whether the quiet hours under way would hold a notice back until the deadline it warns
    of has passed (as a shift's reminder, bot/services/duty/reminders.py, it then goes at once)."""
    quiet_until = settings.quiet_until(now)
    return quiet_until is not None and quiet_until >= deadline


async def ack_reminders(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    wait = dt.timedelta(hours=settings.order_ack_remind_hours)
    due = await session.scalars(
        select(RectificationOrder)
        .where(
            RectificationOrder.status == OrderStatus.ISSUED,
            RectificationOrder.visible_from <= now - wait,
            RectificationOrder.deadline_at > now,
        )
        .order_by(RectificationOrder.id)
    )
    queued = 0
    for order in due.unique():
        queued += await _remind_unit(
            session,
            order,
            "oversight.order.remind_ack",
            "remind-ack",
            now,
            settings,
            urgent=_held_past(order.deadline_at, now, settings),
        )
    return queued


async def deadline_reminders(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    if settings.order_near_deadline_hours <= 0:
        return 0
    lead = dt.timedelta(hours=settings.order_near_deadline_hours)
    due = await session.scalars(
        select(RectificationOrder)
        .where(
            RectificationOrder.status.in_(AWAITING_UNIT),
            RectificationOrder.visible_from <= now,
            RectificationOrder.deadline_at > now,
            RectificationOrder.deadline_at <= now + lead,
        )
        .order_by(RectificationOrder.id)
    )
    queued = 0
    for order in due.unique():
        queued += await _remind_unit(
            session,
            order,
            "oversight.order.remind_deadline",
            "remind-deadline",
            now,
            settings,
            urgent=_held_past(order.deadline_at, now, settings),
        )
    return queued


async def escalate(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """超期督办: once per order and round, to admins, headquarters groups and the unit."""
    grace = dt.timedelta(hours=settings.order_escalate_after_hours)
    # Escalated before the deadline it now has (a send-back moved it): a new round.
    not_escalated_this_round = or_(
        RectificationOrder.escalated_at.is_(None),
        RectificationOrder.escalated_at < RectificationOrder.deadline_at,
    )
    due = await session.scalars(
        select(RectificationOrder)
        .where(
            RectificationOrder.status.in_(AWAITING_UNIT),
            not_escalated_this_round,
            RectificationOrder.deadline_at <= now - grace,
        )
        .order_by(RectificationOrder.deadline_at, RectificationOrder.id)
    )
    queued = 0
    for order in list(due.unique()):
        stamped = await session.execute(
            update(RectificationOrder)
            .where(
                RectificationOrder.id == order.id,
                not_escalated_this_round,
                # Replied between the scan and now: nothing to escalate.
                RectificationOrder.status.in_(AWAITING_UNIT),
                RectificationOrder.deadline_at <= now - grace,
            )
            .values(escalated_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(stamped, "rowcount", 0) != 1:
            continue
        orders.record(session, None, "order.escalate", order, now)
        where = await orders.post_name(session, order)
        problem = await orders.problem_of(session, order, settings)

        def render(
            t: Translator,
            order: RectificationOrder = order,
            where: str | None = where,
            problem: notices.Problem = problem,
        ) -> Message:
            # A reply sent back and not answered again is not an order "still not replied".
            key = (
                "oversight.order.escalated_returned"
                if order.status is OrderStatus.RETURNED
                else "oversight.order.escalated"
            )
            header = t(
                key,
                id=order.id,
                unit=order.unit.name,
                deadline=t.datetime(order.deadline_at),
            )
            return notices.message(
                notices.order_card(
                    t, order, post_name=where, now=None, header=header, problem=problem
                )
            )

        audience = await notices.admins(session, settings) + await notices.headquarters(session)
        key = f"order:{order.id}:escalate:{_round(order)}"
        queued += await notices.send(session, audience, render, key=key, now=now, settings=settings)
        queued += await _remind_unit(
            session, order, "oversight.order.escalated_unit", "escalate-unit", now, settings
        )
    return queued


async def follow_ups(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    due = await session.scalars(
        select(RectificationOrder)
        .where(
            RectificationOrder.status == OrderStatus.ACCEPTED,
            RectificationOrder.follow_up_at.is_not(None),
            RectificationOrder.follow_up_at <= now,
            RectificationOrder.follow_up_done_at.is_(None),
        )
        .order_by(RectificationOrder.follow_up_at, RectificationOrder.id)
    )
    queued = 0
    for order in list(due.unique()):
        where = await orders.post_name(session, order)
        after = await orders.after_photos(session, order)
        problem = await orders.problem_of(session, order, settings)

        def render(
            t: Translator,
            order: RectificationOrder = order,
            where: str | None = where,
            after: list[str] = after,
            problem: notices.Problem = problem,
        ) -> Message:
            header = t("oversight.order.follow_up_due", id=order.id, unit=order.unit.name)
            text = notices.order_card(
                t, order, post_name=where, now=None, header=header, problem=problem
            )
            return notices.message(text, after, order_review.follow_up_buttons(t, order))

        queued += await orders.tell_issuer(
            session, order, render, event=f"follow-up:{order.reopened}", now=now, settings=settings
        )
    return queued
