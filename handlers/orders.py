"""Rectification orders in the chat: /orders (lists by state, open and overdue orders by unit,
the inspectors' queue of street reports), an order's card with its photos and history, the
inspector's 办结 or 退回 with a reason, and the follow-up (回头看). The draft and the issue are
handlers/order_drafts.py; the unit's side is handlers/order_replies.py."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.buttons import (
    FollowUpHolds,
    FollowUpReopen,
    OrderAccept,
    OrderCard,
    OrderFollowUp,
    OrderList,
    OrderReturn,
    OrderView,
    ReportCard,
)
from bot.db.models import Dialogue, RectificationOrder
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.oversight import (
    notices,
    order_lists,
    order_review,
    orders,
    report_decisions,
)
from bot.services.platform import dialogues
from handlers.evidence import send_photos
from handlers.keyboards import button, cancel_row, inline
from handlers.turn import Turn

VIEWS = (OrderView.OPEN, OrderView.OVERDUE, OrderView.REPLIED, OrderView.ACCEPTED)
UNITS_SHOWN = 20  # units /orders names with their open orders, most first


# -- /orders ----------------------------------------------------------------------------------


async def list_orders(turn: Turn) -> None:
    t = turn.t
    counts, lines_by_unit = await order_lists.summary(turn.session, turn.actor, turn.now)
    lines = [t("oversight.orders.header")]
    for line in lines_by_unit[:UNITS_SHOWN]:
        lines.append(
            t("oversight.orders.unit_line", unit=line.unit, count=line.open, overdue=line.overdue)
        )
    if len(lines_by_unit) > UNITS_SHOWN:
        # The rest are left out: said, so that the list is not read as every unit.
        lines.append(t("report.first_only", count=UNITS_SHOWN))
    if not lines_by_unit:
        lines.append(t("oversight.orders.none_open"))
    buttons = [
        button(t(f"oversight.orders.view.{view.value}", number=counts[view]), OrderList(view, 0))
        for view in VIEWS
    ]
    rows = [buttons[0:2], buttons[2:4]]
    if OrderView.REPORTS in counts:
        rows.append(
            [
                button(
                    t("oversight.orders.view.reports", number=counts[OrderView.REPORTS]),
                    OrderList(OrderView.REPORTS, 0),
                )
            ]
        )
    turn.reply("\n".join(lines), inline(rows))


def _order_line(t: Translator, order: RectificationOrder, turn: Turn) -> str:
    state = notices.order_state(t, order.status)
    if order.status.awaits_unit:
        state = notices.time_left(t, order.deadline_at, turn.now)
    return t(
        "oversight.orders.line",
        id=order.id,
        unit=order.unit.name,
        category=notices.category(t, order.category),
        state=state,
    )


async def show_list(turn: Turn, data: OrderList) -> None:
    t = turn.t
    if data.view is OrderView.REPORTS:
        await _show_reports(turn, data.offset)
        return
    page = await order_lists.listing(turn.session, turn.actor, data.view, data.offset, turn.now)
    title = t(f"oversight.orders.view.{data.view.value}", number=page.total)
    if not page.orders:
        turn.edit(t("oversight.orders.empty", view=title))
        return
    lines = [title]
    rows: list[list[InlineKeyboardButton]] = []
    for order in page.orders:
        lines.append(_order_line(t, order, turn))
        rows.append([button(t("oversight.button.open_order", id=order.id), OrderCard(order.id))])
    nav = _page_buttons(t, data.view, page.offset, order_lists.PAGE_SIZE, page.total)
    if nav:
        rows.append(nav)
    turn.edit("\n".join(lines), inline(rows))


def _page_buttons(
    t: Translator, view: OrderView, offset: int, size: int, total: int
) -> list[InlineKeyboardButton]:
    """◀️ and ▶️ between the pages of a list of /orders that holds `total`."""
    nav = []
    if offset > 0:
        nav.append(button(t("common.button.previous"), OrderList(view, max(0, offset - size))))
    if offset + size < total:
        nav.append(button(t("common.button.next"), OrderList(view, offset + size)))
    return nav


async def _show_reports(turn: Turn, offset: int) -> None:
    t = turn.t
    if not orders.is_inspector(turn.actor):
        turn.stale()
        return
    queue = await report_decisions.awaiting_decision(turn.session, offset)
    if not queue.reports:
        turn.edit(t("oversight.orders.no_reports"))
        return
    lines = [t("oversight.orders.reports_header")]
    size = report_decisions.QUEUE_PAGE
    if queue.total > size:
        lines.append(
            t(
                "oversight.orders.reports_page",
                first=queue.offset + 1,
                last=queue.offset + len(queue.reports),
                count=queue.total,
            )
        )
    rows = []
    for report in queue.reports:
        unit = report.unit.name if report.unit is not None else t("oversight.report.no_unit")
        lines.append(
            t(
                "oversight.orders.report_line",
                id=report.id,
                category=notices.category(t, report.category),
                unit=unit,
                time=t.datetime(report.created_at),
            )
        )
        rows.append(
            [button(t("oversight.button.open_report", id=report.id), ReportCard(report.id))]
        )
    nav = _page_buttons(t, OrderView.REPORTS, queue.offset, size, queue.total)
    if nav:
        rows.append(nav)
    turn.edit("\n".join(lines), inline(rows))


def _history_lines(t: Translator, steps: list[order_lists.Step]) -> list[str]:
    """Every step from the issue on (a long history goes out as several messages)."""
    lines = []
    for step in steps:
        action = step.entry.action.removeprefix("order.")
        line = t(
            "oversight.history.line",
            time=t.datetime(step.entry.created_at),
            action=t(f"oversight.history.{action}"),
            name=step.actor_name or t("oversight.history.system"),
        )
        if step.entry.reason:
            line += t("oversight.history.reason", reason=step.entry.reason)
        lines.append(line)
    return lines


def _card_buttons(turn: Turn, order: RectificationOrder) -> list[list[InlineKeyboardButton]]:
    t = turn.t
    rows: list[list[InlineKeyboardButton]] = []
    if orders.is_coordinator_of(turn.actor, order.unit_id):
        rows += [
            [button(text, value) for text, value in row] for row in orders.unit_buttons(t, order)
        ]
    if orders.is_inspector(turn.actor):
        rows += [
            [button(text, value) for text, value in row] for row in orders.issuer_buttons(t, order)
        ]
    return rows


async def show_card(turn: Turn, data: OrderCard) -> None:
    t = turn.t
    try:
        found = await order_lists.card(turn.session, turn.actor, data.order_id, turn.now)
    except DomainError as error:
        turn.refuse(error)
        return
    send_photos(turn, found.before, t("oversight.order.before_photos"))
    send_photos(turn, found.after, t("oversight.order.after_photos"))
    problem = await orders.problem_of(turn.session, found.order, turn.runtime.settings)
    lines = [
        notices.order_card(t, found.order, post_name=found.post_name, now=turn.now, problem=problem)
    ]
    if found.after_flagged:
        lines.append(t("oversight.order.reply_photos_flagged", count=found.after_flagged))
    history = _history_lines(t, found.history)
    if history:
        lines.append(t("oversight.history.header"))
        lines += history
    rows = _card_buttons(turn, found.order)
    turn.reply("\n".join(lines), inline(rows) if rows else None)


# -- the issuer (inspectors, admins) ----------------------------------------------------------


async def _refuse_review(turn: Turn, order_id: int, error: DomainError) -> None:
    turn.refuse(error)
    if error.code is ErrorCode.ORDER_NEWER_REPLY:
        # The reply the inspector has not seen, with buttons that act on it.
        await show_card(turn, OrderCard(order_id))


async def accept(turn: Turn, data: OrderAccept) -> None:
    t = turn.t
    try:
        order = await order_review.accept(
            turn.session, turn.actor, data.order_id, data.reply, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        await _refuse_review(turn, data.order_id, error)
        return
    follow = [
        button(t("oversight.button.follow_up_days", count=days), OrderFollowUp(order.id, days))
        for days in order_review.FOLLOW_UP_CHOICES
    ]
    follow.append(button(t("oversight.button.no_follow_up"), OrderFollowUp(order.id, 0)))
    turn.answer(t("oversight.order.accepted_toast"))
    turn.reply(
        t("oversight.order.accepted_you", id=order.id, unit=order.unit.name), inline([follow])
    )


async def ask_return(turn: Turn, data: OrderReturn) -> None:
    t = turn.t
    try:
        order = await order_review.begin_return(
            turn.session, turn.actor, data.order_id, data.reply, turn.now
        )
    except DomainError as error:
        await _refuse_review(turn, data.order_id, error)
        return
    turn.reply(t("oversight.order.ask_return_reason", id=order.id), inline([cancel_row(t)]))


async def on_reason(turn: Turn, dialogue: Dialogue) -> None:
    """The reason of a return (to the unit) or of a dismissed street report (to the reporter)."""
    t = turn.t
    message = turn.message
    assert message is not None
    if not message.text:
        turn.reply(t("oversight.need_reason"), inline([cancel_row(t)]))
        return
    settings = turn.runtime.settings
    try:
        if dialogue.step == orders.ReasonFor.DISMISS:
            report = await report_decisions.dismiss(
                turn.session,
                turn.actor,
                int(dialogue.data["report_id"]),
                message.text,
                turn.now,
                settings,
            )
            await dialogues.end(turn.session, turn.user_id)
            turn.reply(t("oversight.report.dismissed", id=report.id))
            return
        order = await order_review.send_back(
            turn.session, turn.actor, dialogue, message.text, turn.now, settings
        )
    except DomainError as error:
        if error.code is ErrorCode.ORDER_NEWER_REPLY:
            # The reason answers a reply the unit has since replaced: show the new one instead.
            await dialogues.end(turn.session, turn.user_id)
            await _refuse_review(turn, int(dialogue.data["order_id"]), error)
            return
        if error.code in (ErrorCode.ORDER_WRONG_STATE, ErrorCode.REPORT_CLOSED):
            # Decided meanwhile (accepted by another inspector, a report closed): no reason
            # is wanted any more, so the question ends with the answer.
            await dialogues.end(turn.session, turn.user_id)
        if error.code in (ErrorCode.ORDER_REASON_INVALID, ErrorCode.NOTE_SLASH):
            # Still asked for: Cancel stays at hand, as when something else than text came.
            turn.refuse(error, inline([cancel_row(t)]))
            return
        turn.refuse(error)
        return
    turn.reply(t("oversight.order.returned_you", id=order.id, unit=order.unit.name))


async def follow_up(turn: Turn, data: OrderFollowUp) -> None:
    t = turn.t
    try:
        order, _ = await order_review.set_follow_up(
            turn.session, turn.actor, data.order_id, data.days, turn.now
        )
    except DomainError as error:
        turn.refuse(error)
        return
    # A press after the follow-up was set (twice, quickly) shows the one set.
    if order.follow_up_at is not None and order.follow_up_done_at is None:
        turn.edit(t("oversight.order.follow_up_set", id=order.id, day=t.date(order.follow_up_at)))
    else:
        turn.edit(t("oversight.order.follow_up_none", id=order.id))


async def follow_up_holds(turn: Turn, data: FollowUpHolds) -> None:
    t = turn.t
    try:
        order = await order_review.follow_up_holds(
            turn.session, turn.actor, data.order_id, turn.now
        )
    except DomainError as error:
        turn.refuse(error)
        return
    turn.answer(t("oversight.order.follow_up_holds_toast"))
    turn.reply(t("oversight.order.follow_up_holds", id=order.id))


async def follow_up_reopen(turn: Turn, data: FollowUpReopen) -> None:
    t = turn.t
    try:
        order = await order_review.reopen(
            turn.session, turn.actor, data.order_id, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        turn.refuse(error)
        return
    turn.answer(t("oversight.order.reopened_toast"))
    turn.reply(
        t("oversight.order.reopened_you", id=order.id, deadline=t.datetime(order.deadline_at))
    )
