"""The scheduler's side of rectification orders (rows of bot/due.py): an order held for its
covert check's publication reaches the unit's coordinators of that moment; an order not acknowledged
``ORDER_ACK_REMIND_HOURS`` after it reached the unit (one issued in the quiet hours reaches it when
they end), and one whose deadline is within ``ORDER_NEAR_DEADLINE_HOURS`` without a reply, are
reminded to the unit's coordinators (at once when the quiet hours would hold the reminder back
past the deadline); one still
without a reply ``ORDER_ESCALATE_AFTER_HOURS`` past its deadline is escalated (超期督办) to the
admins and the headquarters groups, once; an accepted order whose follow-up date has come is
put back to its issuer (回头看). A reminder held by the quiet hours is drawn again when it goes
out (bot/redraw.py), as is the unit's word of its escalation: dropped once the unit did what it
asks, the order was closed, or it is in another round (a send-back's round reminds of its own).

Everything is derived from the orders' rows and queued under keys that name the order, the
occasion and the order's round (a reopened order is a new round), so a tick that runs twice, a
second process or a restart never sends twice. Escalation also stamps ``escalated_at`` by a
conditional UPDATE, so only one process escalates an order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ORDERS_AWAITING_UNIT, AuditEntry, OrderStatus, RectificationOrder
from bot.i18n import Translator
from bot.services.oversight import notices, order_readers, order_review, orders
from bot.services.people.reachability import coordinators_of
from bot.services.platform import audit
from bot.services.platform.outbox import Message, Redraw
from bot.services.platform.redraw import RedrawFunction, Subject
from bot.settings import Settings

AWAITING_UNIT = ORDERS_AWAITING_UNIT
# The kinds of the reminders to the unit drawn again when they go out (bot/redraw.py).
REMIND_ACK = "order.remind_ack"
REMIND_DEADLINE = "order.remind_deadline"
ESCALATED_UNIT = "order.escalated_unit"
DELIVERED = "order.deliver"  # the trail's mark that a held order reached the unit


# The states of a round that follow a send-back when one came in it: the unit's answer to it,
# and that answer accepted. Issuing and reopening start a round, and a returned order is not
# acknowledged again, so ISSUED and ACKNOWLEDGED are never in a send-back's round.
_AFTER_A_SEND_BACK = (OrderStatus.REPLIED, OrderStatus.ACCEPTED)


def round_key(order: RectificationOrder, *, sent_back: bool) -> str:
    """The round of an order its reminders and escalation are sent once in: a reopen starts
    one, and so does each send-back (named by the deadline it left, which it may have moved: the
    unit is reminded of it, and escalated again if it misses it). `sent_back`: whether the
    order was sent back since it was issued or last reopened (`sent_back_this_round`); a reply
    to a send-back stays in its round. An order never sent back keeps the key it always had."""
    if order.status is OrderStatus.RETURNED or (sent_back and order.status in _AFTER_A_SEND_BACK):
        return f"{order.reopened}:returned:{order.deadline_at.astimezone(dt.UTC):%Y%m%d%H%M}"
    return str(order.reopened)


async def sent_back_this_round(session: AsyncSession, order: RectificationOrder) -> bool:
    """Whether the trail holds a send-back of the order after its last reopening (if any)."""
    last_reopen = (
        select(func.max(AuditEntry.id))
        .where(
            AuditEntry.object_type == "order",
            AuditEntry.object_id == order.id,
            AuditEntry.action == order_review.REOPEN_ACTION,
        )
        .scalar_subquery()
    )
    returned = await session.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.object_type == "order",
            AuditEntry.object_id == order.id,
            AuditEntry.action == order_review.RETURN_ACTION,
            AuditEntry.id > func.coalesce(last_reopen, 0),
        )
        .limit(1)
    )
    return returned is not None


async def round_of(session: AsyncSession, order: RectificationOrder) -> str:
    """`round_key` of the order as it is, the trail read only where its state leaves the round
    open (a reply or an acceptance, with or without a send-back before it)."""
    sent_back = order.status is OrderStatus.RETURNED or (
        order.status in _AFTER_A_SEND_BACK and await sent_back_this_round(session, order)
    )
    return round_key(order, sent_back=sent_back)


def _round_ids(order: RectificationOrder) -> tuple[int, int]:
    """The round of `round_key` of an order awaiting the unit (where the state alone says
    whether it was sent back) as the ids a held notice to the unit carries, so that its redraw
    drops it once the order is in another round (that round tells the unit of its own)."""
    returned = order.status is OrderStatus.RETURNED
    return order.reopened, int(order.deadline_at.timestamp()) if returned else 0


def delivered_mark() -> ColumnElement[bool]:
    """The trail's row marking that a held order (the RectificationOrder of the enclosing
    query) reached the unit: the one way the publication and the figures read it."""
    return and_(
        AuditEntry.object_type == "order",
        AuditEntry.object_id == RectificationOrder.id,
        AuditEntry.action == DELIVERED,
    )


async def publish_held(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """An order held for its covert check's publication, once its moment has come, to the
    unit's coordinators then (one appointed while it waited too), once: the trail marks it
    delivered, so a later tick, a second process or a restart does not tell it again."""
    delivered = exists().where(delivered_mark())
    due = await session.scalars(
        select(RectificationOrder.id)
        .where(
            RectificationOrder.status == OrderStatus.ISSUED,
            RectificationOrder.reopened == 0,
            RectificationOrder.visible_from > RectificationOrder.issued_at,
            RectificationOrder.visible_from <= now,
            ~delivered,
        )
        .order_by(RectificationOrder.visible_from, RectificationOrder.id)
    )
    queued = 0
    for order_id in list(due):
        # Locked, then asked again: of two processes, the second finds it delivered.
        order = await orders.get(session, order_id, to_change=True)
        if await audit.exists(session, action=DELIVERED, object_type="order", object_id=order.id):
            continue
        orders.record(session, None, DELIVERED, order, now)
        queued += await orders.tell_unit(session, order, now, settings, event="issued")
    return queued


def _reminder(
    t: Translator,
    order: RectificationOrder,
    kind: str,
    where: str | None,
    problem: notices.Problem,
) -> Message:
    text = notices.order_card(
        t,
        order,
        post_name=where,
        now=None,
        header=t(_HEADERS[kind], id=order.id, deadline=t.datetime(order.deadline_at)),
        problem=problem,
    )
    drawn = notices.message(text, buttons=orders.unit_buttons(t, order))
    return dataclasses.replace(drawn, redraw=Redraw(kind, (order.id, *_round_ids(order))))


async def _remind_unit(
    session: AsyncSession,
    order: RectificationOrder,
    kind: str,
    event: str,
    now: dt.datetime,
    settings: Settings,
    *,
    urgent: bool = False,
) -> int:
    where = await orders.post_name(session, order)
    problem = await orders.problem_of(session, order, settings)
    return await notices.send(
        session,
        notices.people(await coordinators_of(session, order.unit_id), settings),
        lambda t: _reminder(t, order, kind, where, problem),
        key=f"order:{order.id}:{event}:{await round_of(session, order)}",
        now=now,
        settings=settings,
        urgent=urgent,
    )


def _held_past(deadline: dt.datetime, now: dt.datetime, settings: Settings) -> bool:
    """Whether the quiet hours under way would hold a notice back until the deadline it warns
    of has passed (as a shift's reminder, bot/services/duty/reminders.py, it then goes at once)."""
    quiet_until = settings.quiet_until(now)
    return quiet_until is not None and quiet_until >= deadline


def reached_unit(order: RectificationOrder, settings: Settings) -> dt.datetime:
    """When the order's notice reached the unit: when it was issued, reopened or published,
    or, issued inside the quiet hours, when they ended and let it go (unless they would hold it
    past its deadline: then its reminder is the one that goes at once, see `_held_past`)."""
    quiet_until = settings.quiet_until(order.visible_from)
    if quiet_until is None or quiet_until >= order.deadline_at:
        return order.visible_from
    return quiet_until


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
        if reached_unit(order, settings) > now - wait:
            # Held overnight, it arrived this morning: "not acknowledged" would come with it.
            continue
        queued += await _remind_unit(
            session,
            order,
            REMIND_ACK,
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
            REMIND_DEADLINE,
            "remind-deadline",
            now,
            settings,
            urgent=_held_past(order.deadline_at, now, settings),
        )
    return queued


StillDue = Callable[[RectificationOrder, dt.datetime, Settings], bool]


def _ack_still_due(order: RectificationOrder, now: dt.datetime, settings: Settings) -> bool:
    return order.status is OrderStatus.ISSUED


def _escalation_still_due(order: RectificationOrder, now: dt.datetime, settings: Settings) -> bool:
    # It asks for the reply the unit has not sent: once sent, it would ask for it again.
    return order.status in AWAITING_UNIT


def _deadline_still_due(order: RectificationOrder, now: dt.datetime, settings: Settings) -> bool:
    """Still awaiting the unit, and the deadline (a send-back may have moved it: that round
    is reminded of its own) still ahead and near."""
    lead = dt.timedelta(hours=settings.order_near_deadline_hours)
    return order.status in AWAITING_UNIT and now < order.deadline_at <= now + lead


# Each notice to the unit: its header, and while it still asks something of the unit.
_HEADERS = {
    REMIND_ACK: "oversight.order.remind_ack",
    REMIND_DEADLINE: "oversight.order.remind_deadline",
    ESCALATED_UNIT: "oversight.order.escalated_unit",
}
_STILL_DUE: dict[str, StillDue] = {
    REMIND_ACK: _ack_still_due,
    REMIND_DEADLINE: _deadline_still_due,
    ESCALATED_UNIT: _escalation_still_due,
}


async def _redraw_reminders(
    session: AsyncSession,
    subjects: Sequence[Subject],
    now: dt.datetime,
    settings: Settings,
    kind: str,
) -> list[Message | None]:
    """A held reminder as the order is when it goes out, in the reader's language; None once
    it no longer asks anything of the unit, the order is in another round than the one it was
    queued in (a send-back's round queues its own: the unit would hear of one deadline twice),
    or to a reader no longer its coordinator."""
    still_due = _STILL_DUE[kind]

    def still_applies(order: RectificationOrder, subject: Subject) -> bool:
        # A notice queued before it carried its round (only the order's id) is not checked.
        if not still_due(order, now, settings):
            return False
        return len(subject.args) == 1 or subject.args[1:] == _round_ids(order)

    drawn: list[Message | None] = []
    for reading in await order_readers.unit_readings(session, subjects, settings, still_applies):
        if reading is None:
            drawn.append(None)
            continue
        order = reading.order
        where = await orders.post_name(session, order)
        problem = await orders.problem_of(session, order, settings)
        drawn.append(_reminder(reading.t, order, kind, where, problem))
    return drawn


def _redraw_of(kind: str) -> RedrawFunction:
    async def redraw(
        session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
    ) -> list[Message | None]:
        return await _redraw_reminders(session, subjects, now, settings, kind)

    return redraw


# The reminder to acknowledge: only while the order is still not acknowledged.
redraw_ack_reminders = _redraw_of(REMIND_ACK)
# The reminder of a near deadline: only while no reply is in and the deadline is near.
redraw_deadline_reminders = _redraw_of(REMIND_DEADLINE)
# The unit's word of its escalation: only while the reply it asks for is not in.
redraw_escalations = _redraw_of(ESCALATED_UNIT)


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
        orders.record(session, None, orders.ESCALATE_ACTION, order, now)
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
        key = f"order:{order.id}:escalate:{await round_of(session, order)}"
        queued += await notices.send(session, audience, render, key=key, now=now, settings=settings)
        queued += await _remind_unit(
            session,
            order,
            ESCALATED_UNIT,
            "escalate-unit",
            now,
            settings,
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
