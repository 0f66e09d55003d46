"""Rectification orders (整改令): the work-order cycle of city hotlines in a chat.

    issued ──签收──▶ acknowledged ──回复──▶ replied ──办结──▶ accepted ──回头看: relapse──▶ issued
       └───────────────回复 (acknowledges too)──┘    └──退回──▶ returned ──回复──▶ replied

An inspector or admin issues an order to a unit from a check or a street report, with the
evidence and a deadline (order_drafts.py). The unit's
coordinators acknowledge it and reply with an "after" photo; the issuer accepts the fix or sends it
back with a reason (order_review.py). Reminders, escalation and the follow-up are the
scheduler's (order_jobs.py);
the lists and cards of /orders are order_lists.py.
Every step is in the audit trail; every notice goes through the outbox.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import (
    OrderAccept,
    OrderAcknowledge,
    OrderReply,
    OrderReturn,
)
from bot.db.models import (
    AuditEntry,
    Dialogue,
    DialogueKind,
    EvidenceKind,
    Inspection,
    Member,
    OrderStatus,
    Post,
    RectificationOrder,
    Role,
)
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.duty.photo_rules import Photo
from bot.services.oversight import evidence, notices, order_readers, reports, typed
from bot.services.people.access import Actor
from bot.services.people.reachability import coordinators_of
from bot.services.platform import audit, dialogues
from bot.services.platform.outbox import Message, Redraw
from bot.services.platform.redraw import Subject
from bot.settings import Settings

REPLY = DialogueKind.ORDER_REPLY
REASON = DialogueKind.ORDER_REASON
ISSUED = "order.issued"  # the kind of the new order's notice to the unit (bot/redraw.py)
# The trail's marks of a send-back and of a reopening (order_review.py); each starts a round
# (order_jobs.py reads them to tell one round's reminders from the next).
RETURN_ACTION = "order.return"
REOPEN_ACTION = "order.reopen"
# The trail's mark of an escalation (超期督办, order_jobs.py): kept when a reopening clears the
# round's escalated_at.
ESCALATE_ACTION = "order.escalate"


class ReasonFor(StrEnum):
    RETURN = "return"
    DISMISS = "dismiss"


def member_id(actor: Actor) -> int | None:
    return actor.member.id if actor.member is not None else None


def is_inspector(actor: Actor) -> bool:
    return actor.is_admin or Role.INSPECTOR in actor.roles


def _still_inspects(member: Member, settings: Settings) -> bool:
    """Whether the member may still accept or send back an order (is_inspector's rule)."""
    return Role.INSPECTOR in member.roles or member.telegram_id in settings.admin_ids


def require_inspector(actor: Actor) -> None:
    if not is_inspector(actor):
        raise DomainError(ErrorCode.ORDER_NOT_INSPECTOR)


def is_coordinator_of(actor: Actor, unit_id: int) -> bool:
    if actor.is_admin:
        return True
    return Role.COORDINATOR in actor.roles and actor.unit_id == unit_id


def record(
    session: AsyncSession,
    actor_id: int | None,
    action: str,
    order: RectificationOrder,
    now: dt.datetime,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        object_type="order",
        object_id=order.id,
        now=now,
        before=before,
        after=after,
        reason=reason,
    )


async def before_photos(session: AsyncSession, order: RectificationOrder) -> list[str]:
    if order.inspection_id is not None:
        return await evidence.file_ids(session, inspection_id=order.inspection_id)
    if order.report_id is not None:
        report = await reports.get(session, order.report_id)
        return list(await reports.photos_of(session, report))
    return []


async def _reply_round_start(
    session: AsyncSession, order: RectificationOrder, replied_at: dt.datetime
) -> dt.datetime | None:
    """The send-back or reopening before the reply of `replied_at` (None: there was none)."""
    return await session.scalar(
        select(func.max(AuditEntry.created_at)).where(
            AuditEntry.object_type == "order",
            AuditEntry.object_id == order.id,
            AuditEntry.action.in_((RETURN_ACTION, REOPEN_ACTION)),
            AuditEntry.created_at < replied_at,
        )
    )


async def after_photos(session: AsyncSession, order: RectificationOrder) -> list[str]:
    """The photos of the unit's reply the order holds now (the one to accept, accepted or sent
    back): not those of a reply sent back before it, nor of a fix the problem came back after
    (the photos kept after the send-back or reopening before that reply)."""
    if order.replied_at is None:
        return []
    start = await _reply_round_start(session, order, order.replied_at)
    return await evidence.file_ids(session, order_id=order.id, after=start)


async def after_flagged(session: AsyncSession, order: RectificationOrder) -> int:
    """How many of `after_photos` were used before and let in flagged."""
    if order.replied_at is None:
        return 0
    start = await _reply_round_start(session, order, order.replied_at)
    return await evidence.flagged(session, order_id=order.id, after=start)


async def post_name(session: AsyncSession, order: RectificationOrder) -> str | None:
    if order.post_id is None:
        return None
    post = await session.get(Post, order.post_id)
    return post.name if post is not None else None


async def problem_of(
    session: AsyncSession, order: RectificationOrder, settings: Settings
) -> notices.Problem:
    """The order's problem for each reader. One made from its check's lines is stored in
    DEFAULT_LANGUAGE (the record: the ledger, the Open311 feed) and worded anew in the reader's
    language; one typed by the inspector (or a street report's note) is shown as typed."""
    stored = order.description
    inspection = (
        await session.get(Inspection, order.inspection_id)
        if order.inspection_id is not None and stored
        else None
    )
    if inspection is None or stored != notices.check_problem(
        inspection, Translator(settings.default_language, settings.zone)
    ):
        return lambda t: stored
    return lambda t: notices.check_problem(inspection, t)


def unit_buttons(
    t: Translator, order: RectificationOrder
) -> list[list[tuple[str, OrderAcknowledge | OrderReply]]]:
    rows: list[list[tuple[str, OrderAcknowledge | OrderReply]]] = []
    if order.status is OrderStatus.ISSUED:
        rows.append([(t("oversight.button.acknowledge"), OrderAcknowledge(order.id))])
    if order.status.awaits_unit:
        rows.append([(t("oversight.button.reply"), OrderReply(order.id))])
    return rows


def reply_mark(order: RectificationOrder) -> int:
    """Which of the unit's replies the order holds now (a reply sent back is followed by
    another): the second it came in, carried by the buttons that accept or return it."""
    return int(order.replied_at.timestamp()) if order.replied_at is not None else 0


def check_reply(order: RectificationOrder, mark: int | None) -> None:
    """Accept or return only the reply the inspector was shown: an older notice's buttons would
    act on a later reply they have not seen."""
    if order.status is not OrderStatus.REPLIED:
        raise wrong_state(order.status)
    if mark != reply_mark(order):
        raise DomainError(ErrorCode.ORDER_NEWER_REPLY, id=order.id)


def issuer_buttons(
    t: Translator, order: RectificationOrder
) -> list[list[tuple[str, OrderAccept | OrderReturn]]]:
    if order.status is not OrderStatus.REPLIED:
        return []
    mark = reply_mark(order)
    return [
        [
            (t("oversight.button.accept"), OrderAccept(order.id, mark)),
            (t("oversight.button.return"), OrderReturn(order.id, mark)),
        ]
    ]


async def tell_unit(
    session: AsyncSession,
    order: RectificationOrder,
    now: dt.datetime,
    settings: Settings,
    *,
    event: str,
    header_key: str = "oversight.order.to_unit",
    **header: Any,
) -> int:
    """Queue the order to the unit's coordinators; returns how many messages were queued."""
    if order.visible_from > now:
        # Held for its covert check's publication: the scheduler tells the unit's coordinators
        # of that moment (order_jobs.publish_held), a coordinator appointed meanwhile too.
        return 0
    photos = await before_photos(session, order)
    where = await post_name(session, order)
    problem = await problem_of(session, order, settings)
    # Drawn again when it goes out (a 429, the quiet hours), it names the unit and the post as
    # they are then.
    redraw = Redraw(ISSUED, (order.id,)) if event == "issued" else None

    def render(t: Translator) -> Message:
        text = notices.order_card(
            t, order, post_name=where, now=None, header=t(header_key, **header), problem=problem
        )
        return dataclasses.replace(
            notices.message(text, photos, unit_buttons(t, order)), redraw=redraw
        )

    return await notices.send(
        session,
        notices.people(await coordinators_of(session, order.unit_id), settings),
        render,
        key=f"order:{order.id}:{event}:{order.reopened}",
        now=now,
        settings=settings,
    )


async def redraw_issued(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The new order to a unit's coordinator, drawn again when it goes out: the order, its unit
    and post as they are then, in the reader's language. None once it asks nothing of the unit
    (replied, or closed, meanwhile: found in /orders before the quiet hours ended), and to a
    reader who is no longer a coordinator of the order's unit."""
    drawn: list[Message | None] = []
    for reading in await order_readers.unit_readings(
        session, subjects, settings, lambda order, _: order.status.awaits_unit
    ):
        if reading is None:
            drawn.append(None)
            continue
        order, t = reading.order, reading.t
        problem = await problem_of(session, order, settings)
        text = notices.order_card(
            t,
            order,
            post_name=await post_name(session, order),
            now=None,
            header=t("oversight.order.to_unit"),
            problem=problem,
        )
        photos = await before_photos(session, order)
        drawn.append(
            dataclasses.replace(
                notices.message(text, photos, unit_buttons(t, order)),
                redraw=Redraw(ISSUED, (order.id,)),
            )
        )
    return drawn


async def tell_issuer(
    session: AsyncSession,
    order: RectificationOrder,
    render: notices.Render,
    *,
    event: str,
    now: dt.datetime,
    settings: Settings,
) -> int:
    """The inspector who issued the order; when they are gone, or are no longer an inspector
    (the role taken away), every inspector and admin."""
    issuer = await session.get(Member, order.issued_by_id) if order.issued_by_id else None
    if issuer is not None and issuer.active and _still_inspects(issuer, settings):
        recipients = notices.people([issuer], settings)
    else:
        recipients = await notices.inspectors(session, settings)
    return await notices.send(
        session, recipients, render, key=f"order:{order.id}:{event}", now=now, settings=settings
    )


# -- the unit's side ---------------------------------------------------------------------------


async def get(
    session: AsyncSession, order_id: int, *, to_change: bool = False
) -> RectificationOrder:
    """The order; `to_change` locks its row for this transaction and reads it afresh, so of two
    people deciding it at once (an accept and a send-back, a reply and a reopen) the second
    waits and then sees the first's decision (PostgreSQL; SQLite has one writer at a time)."""
    if to_change:
        order = await session.scalar(
            select(RectificationOrder)
            .where(RectificationOrder.id == order_id)
            # Of the order's row only: its unit is loaded by an outer join.
            .with_for_update(of=RectificationOrder)
            .execution_options(populate_existing=True)
        )
    else:
        order = await session.get(RectificationOrder, order_id)
    if order is None:
        raise DomainError(ErrorCode.ORDER_NOT_FOUND)
    return order


def may_see(actor: Actor, order: RectificationOrder, now: dt.datetime) -> bool:
    if is_inspector(actor):
        return True
    return is_coordinator_of(actor, order.unit_id) and order.visible_from <= now


async def visible(
    session: AsyncSession, actor: Actor, order_id: int, now: dt.datetime
) -> RectificationOrder:
    order = await get(session, order_id)
    if not may_see(actor, order, now):
        if Role.COORDINATOR in actor.roles and order.visible_from <= now:
            raise DomainError(ErrorCode.ORDER_NOT_COORDINATOR, unit=order.unit.name)
        raise DomainError(ErrorCode.ORDER_NOT_FOUND)
    return order


async def _for_unit(
    session: AsyncSession, actor: Actor, order_id: int, now: dt.datetime
) -> RectificationOrder:
    order = await get(session, order_id, to_change=True)
    if not is_coordinator_of(actor, order.unit_id) or order.visible_from > now:
        raise DomainError(ErrorCode.ORDER_NOT_COORDINATOR, unit=order.unit.name)
    return order


def wrong_state(t_state: OrderStatus) -> DomainError:
    return DomainError(ErrorCode.ORDER_WRONG_STATE, state=t_state)


async def acknowledge(
    session: AsyncSession, actor: Actor, order_id: int, now: dt.datetime, settings: Settings
) -> tuple[RectificationOrder, bool]:
    """签收; returns the order and whether this press acknowledged it."""
    order = await _for_unit(session, actor, order_id, now)
    if order.status is not OrderStatus.ISSUED:
        # Pressed again while the unit still owes the reply: the deadline, and Reply. Once
        # replied (or accepted), the order's state instead: it no longer waits for a reply.
        if order.acknowledged_at is not None and order.status.awaits_unit:
            return order, False
        raise wrong_state(order.status)
    order.status = OrderStatus.ACKNOWLEDGED
    order.acknowledged_at = now
    order.updated_at = now
    record(session, member_id(actor), "order.acknowledge", order, now)
    name = actor.member.display_name if actor.member is not None else "-"
    await tell_issuer(
        session,
        order,
        lambda t: notices.message(
            t("oversight.order.acknowledged", id=order.id, unit=order.unit.name, name=name)
        ),
        event=f"ack:{order.reopened}",
        now=now,
        settings=settings,
    )
    return order, True


async def begin_reply(
    session: AsyncSession, actor: Actor, order_id: int, now: dt.datetime
) -> RectificationOrder:
    order = await _for_unit(session, actor, order_id, now)
    if not order.status.awaits_unit:
        raise wrong_state(order.status)
    await dialogues.begin(
        session, actor.telegram_id, REPLY, "photos", now, {"order_id": order.id, "photos": []}
    )
    return order


async def check_reply_open(
    session: AsyncSession, actor: Actor, dialogue: Dialogue
) -> RectificationOrder:
    """The order of a reply under way, while it still awaits the unit and the actor is still
    one of its coordinators: replied by a colleague, closed, or the actor moved off the unit
    meanwhile, what is sent into the reply would only be gathered for a refused submit."""
    order = await get(session, int(dialogue.data["order_id"]))
    if not is_coordinator_of(actor, order.unit_id):
        raise DomainError(ErrorCode.ORDER_NOT_COORDINATOR, unit=order.unit.name)
    if not order.status.awaits_unit:
        raise wrong_state(order.status)
    return order


async def add_reply_photo(
    session: AsyncSession,
    dialogue: Dialogue,
    photo: Photo,
    album: str | None,
    now: dt.datetime,
    settings: Settings,
) -> evidence.Taken:
    """One more photo after the fix (of an `album`, see evidence.take)."""
    held = dialogue.data.get("photos") or []
    taken = await evidence.take(session, dialogue, photo, held, album, settings)
    dialogues.advance(dialogue, "photos", now, photos=taken.photos, **taken.marks)
    return taken


def set_reply_note(dialogue: Dialogue, text: str, now: dt.datetime) -> str:
    note = typed.line(text, typed.NOTE_MAX)
    dialogues.advance(dialogue, "photos", now, note=note)
    return note


async def submit_reply(
    session: AsyncSession, actor: Actor, dialogue: Dialogue, now: dt.datetime, settings: Settings
) -> RectificationOrder:
    order = await _for_unit(session, actor, int(dialogue.data["order_id"]), now)
    if not order.status.awaits_unit:
        raise wrong_state(order.status)
    photos = list(dialogue.data.get("photos") or [])
    if not photos:
        raise DomainError(ErrorCode.ORDER_NEED_AFTER_PHOTO)
    actor_id = member_id(actor)
    if order.acknowledged_at is None:
        order.acknowledged_at = now
        record(session, actor_id, "order.acknowledge", order, now)
    before = order.status
    order.status = OrderStatus.REPLIED
    order.replied_at = now
    if order.first_replied_at is None:
        order.first_replied_at = now
    order.reply_note = dialogue.data.get("note")
    order.updated_at = now
    evidence.keep(
        session, EvidenceKind.AFTER, photos, added_by_id=actor_id, now=now, order_id=order.id
    )
    replies = await count_actions(session, order.id, "order.reply")
    record(
        session,
        actor_id,
        "order.reply",
        order,
        now,
        before={"status": before.value},
        reason=order.reply_note,
    )
    await dialogues.end(session, actor.telegram_id)
    after = [str(item["file_id"]) for item in photos]
    # Let in though used before (CHECKIN_DUPLICATE_PHOTO=flag): the inspector who accepts the
    # fix is told, as coordinators are of a check-in's photo.
    flagged = sum(1 for item in photos if item.get("flagged"))
    where = await post_name(session, order)
    problem = await problem_of(session, order, settings)

    def render(t: Translator) -> Message:
        header = t("oversight.order.replied", id=order.id, unit=order.unit.name)
        if flagged:
            header += "\n" + t("oversight.order.reply_photos_flagged", count=flagged)
        text = notices.order_card(
            t, order, post_name=where, now=None, header=header, problem=problem
        )
        return notices.message(text, after, issuer_buttons(t, order))

    await tell_issuer(
        session,
        order,
        render,
        event=f"reply:{order.reopened}:{replies}",
        now=now,
        settings=settings,
    )
    return order


async def count_actions(session: AsyncSession, order_id: int, action: str) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.object_type == "order",
                AuditEntry.object_id == order_id,
                AuditEntry.action == action,
            )
        )
        or 0
    )
