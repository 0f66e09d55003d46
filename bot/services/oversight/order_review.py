"""Rectification orders, the issuer's side: accept the unit's fix (办结) with an optional
follow-up check (回头看), send it back with a reason (退回), and on the follow-up either let it
stand or reopen it when the problem came back. The states, the unit's side and the notices are
orders.py.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import FollowUpHolds, FollowUpReopen
from bot.db.models import Dialogue, OrderStatus, RectificationOrder, ReportStatus
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.oversight import notices, orders, reports, typed
from bot.services.oversight.orders import (
    REASON,
    ReasonFor,
    after_photos,
    check_reply,
    count_actions,
    get,
    member_id,
    record,
    reply_mark,
    require_inspector,
    tell_unit,
    wrong_state,
)
from bot.services.people import units
from bot.services.people.access import Actor
from bot.services.people.reachability import coordinators_of
from bot.services.platform import dialogues
from bot.settings import Settings

# The trail's marks of a send-back and of a reopening; each starts a round (order_jobs.py reads
# them to tell one round's reminders from the next; orders.py the photos of the round's reply).
RETURN_ACTION = orders.RETURN_ACTION
REOPEN_ACTION = orders.REOPEN_ACTION

FOLLOW_UP_CHOICES = (7, 14)  # days after acceptance the issuer may choose to look again
REASON_MIN = typed.REASON_MIN


async def accept(
    session: AsyncSession,
    actor: Actor,
    order_id: int,
    reply: int | None,
    now: dt.datetime,
    settings: Settings,
) -> RectificationOrder:
    """验收办结 of the reply with this mark (orders.reply_mark)."""
    require_inspector(actor)
    order = await get(session, order_id, to_change=True)
    check_reply(order, reply)
    order.status = OrderStatus.ACCEPTED
    order.accepted_at = now
    if order.first_accepted_at is None:
        order.first_accepted_at = now
    order.accepted_by_id = member_id(actor)
    order.updated_at = now
    record(session, order.accepted_by_id, "order.accept", order, now)
    after = await after_photos(session, order)
    await notices.send(
        session,
        notices.people(await coordinators_of(session, order.unit_id), settings),
        lambda t: notices.message(t("oversight.order.accepted", id=order.id, unit=order.unit.name)),
        key=f"order:{order.id}:accepted:{order.reopened}",
        now=now,
        settings=settings,
    )
    if order.report_id is not None:
        report = await reports.get(session, order.report_id)
        report.status = ReportStatus.FIXED
        report.updated_at = now
        await reports.tell_reporters(
            session,
            report,
            f"fixed:{order.reopened}",
            lambda t, number: notices.message(
                t("oversight.report.told.fixed", id=number, unit=order.unit.name), after
            ),
            now,
            settings,
        )
    return order


async def begin_return(
    session: AsyncSession, actor: Actor, order_id: int, reply: int | None, now: dt.datetime
) -> RectificationOrder:
    require_inspector(actor)
    order = await get(session, order_id)
    check_reply(order, reply)
    await dialogues.begin(
        session,
        actor.telegram_id,
        REASON,
        ReasonFor.RETURN.value,
        now,
        {"order_id": order.id, "reply": reply},
    )
    return order


def clean_reason(text: str) -> str:
    # Invisible marks alone would tell the unit a blank reason.
    return typed.line(
        text, typed.NOTE_MAX, shortest=REASON_MIN, refused=ErrorCode.ORDER_REASON_INVALID
    )


async def send_back(
    session: AsyncSession,
    actor: Actor,
    dialogue: Dialogue,
    text: str,
    now: dt.datetime,
    settings: Settings,
) -> RectificationOrder:
    """退回: the reply is not accepted; the unit hears why and replies again, with at least
    the category's time to do so (a reply sent back near or after its deadline is not
    escalated at the next tick as if the unit had never replied)."""
    require_inspector(actor)
    reason = clean_reason(text)
    order = await get(session, int(dialogue.data["order_id"]), to_change=True)
    # A reason typed while the unit replied again would send back a reply it does not answer.
    check_reply(order, int(dialogue.data.get("reply", reply_mark(order))))
    order.status = OrderStatus.RETURNED
    order.updated_at = now
    previous = order.deadline_at
    fresh = now + dt.timedelta(hours=settings.order_hours(order.category.value))
    extended = previous < fresh
    if extended:
        order.deadline_at = fresh
    returns = await count_actions(session, order.id, RETURN_ACTION)
    record(
        session,
        member_id(actor),
        RETURN_ACTION,
        order,
        now,
        reason=reason,
        before={"deadline": previous.isoformat()} if extended else None,
        after={"deadline": fresh.isoformat()} if extended else None,
    )
    await dialogues.end(session, actor.telegram_id)
    await tell_unit(
        session,
        order,
        now,
        settings,
        event=f"returned:{returns}",
        header_key="oversight.order.returned",
        reason=reason,
    )
    return order


async def set_follow_up(
    session: AsyncSession, actor: Actor, order_id: int, days: int, now: dt.datetime
) -> tuple[RectificationOrder, bool]:
    """回头看 in `days` (0: none) after this acceptance; False (nothing changed) when one is
    already set for it, as a second press of the same question finds."""
    require_inspector(actor)
    order = await get(session, order_id, to_change=True)
    if order.status is not OrderStatus.ACCEPTED:
        raise wrong_state(order.status)
    if days not in (0, *FOLLOW_UP_CHOICES):
        raise DomainError(ErrorCode.ORDER_NO_FOLLOW_UP)
    if order.follow_up_at is not None and order.follow_up_done_at is None:
        return order, False
    if days:
        order.follow_up_at = now + dt.timedelta(days=days)
        order.follow_up_done_at = None
        order.updated_at = now
        record(
            session,
            member_id(actor),
            "order.follow_up",
            order,
            now,
            after={"at": order.follow_up_at.isoformat()},
        )
    return order, True


async def _due_follow_up(
    session: AsyncSession, actor: Actor, order_id: int, now: dt.datetime
) -> RectificationOrder:
    """The order whose 回头看 is due; not one set but not yet due (pressed on the notice of an
    earlier round's follow-up, before the order relapsed and was accepted again)."""
    require_inspector(actor)
    order = await get(session, order_id, to_change=True)
    if (
        order.status is not OrderStatus.ACCEPTED
        or order.follow_up_at is None
        or order.follow_up_at > now
        or order.follow_up_done_at is not None
    ):
        raise DomainError(ErrorCode.ORDER_NO_FOLLOW_UP)
    return order


async def follow_up_holds(
    session: AsyncSession, actor: Actor, order_id: int, now: dt.datetime
) -> RectificationOrder:
    order = await _due_follow_up(session, actor, order_id, now)
    order.follow_up_done_at = now
    order.updated_at = now
    record(session, member_id(actor), "order.follow_up_holds", order, now)
    return order


async def reopen(
    session: AsyncSession, actor: Actor, order_id: int, now: dt.datetime, settings: Settings
) -> RectificationOrder:
    """回头看 found the problem back: the order opens again with a fresh deadline; not for a
    unit archived since the acceptance, which takes no orders (the follow-up may still hold)."""
    order = await _due_follow_up(session, actor, order_id, now)
    # Held to the commit, as issuing holds it: archiving (which refuses open orders) waits for
    # this reopening, or this sees the unit archived.
    unit = await units.held(session, order.unit_id)
    if unit.archived:
        raise DomainError(ErrorCode.ORDER_UNIT_ARCHIVED, unit=unit.name)
    order.follow_up_done_at = now
    order.status = OrderStatus.ISSUED
    order.reopened += 1
    order.deadline_at = now + dt.timedelta(hours=settings.order_hours(order.category.value))
    order.visible_from = max(order.visible_from, now)
    order.acknowledged_at = None
    order.replied_at = None
    order.accepted_at = None
    order.accepted_by_id = None
    order.escalated_at = None
    order.updated_at = now
    record(
        session,
        member_id(actor),
        REOPEN_ACTION,
        order,
        now,
        after={"deadline": order.deadline_at.isoformat()},
    )
    await tell_unit(
        session, order, now, settings, event="reopened", header_key="oversight.order.reopened"
    )
    if order.report_id is not None:
        report = await reports.get(session, order.report_id)
        report.status = ReportStatus.ORDERED
        report.updated_at = now
        await reports.tell_reporters(
            session,
            report,
            f"reopened:{order.reopened}",
            lambda t, number: notices.message(t("oversight.report.told.reopened", id=number)),
            now,
            settings,
        )
    return order


def follow_up_buttons(
    t: Translator, order: RectificationOrder
) -> list[list[tuple[str, FollowUpHolds | FollowUpReopen]]]:
    return [
        [
            (t("oversight.button.follow_up_holds"), FollowUpHolds(order.id)),
            (t("oversight.button.follow_up_reopen"), FollowUpReopen(order.id)),
        ]
    ]
