"""Rectification orders in the chat: /orders (lists by state, open and overdue orders by unit,
the inspectors' queue of street reports), an order's card with its photos and history, the
inspector's draft (deadline by a tap or typed) and issue, the inspector's 办结 or 退回 with a
reason, and the follow-up (回头看). The unit's side is handlers/order_replies.py."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.buttons import (
    FollowUpHolds,
    FollowUpReopen,
    OrderAccept,
    OrderCard,
    OrderDeadline,
    OrderDropDraft,
    OrderFollowUp,
    OrderFromCheck,
    OrderFromReport,
    OrderIssue,
    OrderIssueAnyway,
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
    order_drafts,
    order_lists,
    order_review,
    orders,
    report_decisions,
)
from bot.services.platform import dialogues
from handlers.evidence import send_photos
from handlers.keyboards import button, cancel_row, inline
from handlers.turn import Turn, error_text

VIEWS = (OrderView.OPEN, OrderView.OVERDUE, OrderView.REPLIED, OrderView.ACCEPTED)


# -- /orders ----------------------------------------------------------------------------------


async def list_orders(turn: Turn) -> None:
    t = turn.t
    counts, lines_by_unit = await order_lists.summary(turn.session, turn.actor, turn.now)
    lines = [t("oversight.orders.header")]
    for line in lines_by_unit[:20]:
        lines.append(
            t("oversight.orders.unit_line", unit=line.unit, count=line.open, overdue=line.overdue)
        )
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
    found, total = await order_lists.listing(
        turn.session, turn.actor, data.view, data.offset, turn.now
    )
    title = t(f"oversight.orders.view.{data.view.value}", number=total)
    if not found:
        turn.edit(t("oversight.orders.empty", view=title))
        return
    lines = [title]
    rows: list[list[InlineKeyboardButton]] = []
    for order in found:
        lines.append(_order_line(t, order, turn))
        rows.append([button(t("oversight.button.open_order", id=order.id), OrderCard(order.id))])
    nav = _page_buttons(t, data.view, data.offset, order_lists.PAGE_SIZE, total)
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
    history = _history_lines(t, found.history)
    if history:
        lines.append(t("oversight.history.header"))
        lines += history
    rows = _card_buttons(turn, found.order)
    turn.reply("\n".join(lines), inline(rows) if rows else None)


# -- drafting and issuing (inspectors, admins) --------------------------------------------------


def _draft_view(
    turn: Turn, draft: order_drafts.Draft, dialogue: Dialogue | None
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    t = turn.t
    text = t(
        "oversight.draft.card",
        unit=draft.unit.name,
        category=notices.category(t, draft.category),
        place=draft.post_name
        or (
            t("oversight.coordinates", lat=f"{draft.latitude:.5f}", lon=f"{draft.longitude:.5f}")
            if draft.latitude is not None and draft.longitude is not None
            else "-"
        ),
        problem=draft.problem(t) or "-",
        deadline=t.datetime(draft.deadline_at),
        left=notices.time_left(t, draft.deadline_at, turn.now),
    )
    hours = [
        button(t("oversight.button.hours", count=h), OrderDeadline(h))
        for h in order_drafts.DEADLINE_CHOICES
    ]
    issue = OrderIssue(dialogues.mark(dialogue) if dialogue is not None else None)
    rows = [hours, [button(t("oversight.button.issue"), issue)], cancel_row(t)]
    return text, rows


async def _confirm_view(
    turn: Turn, draft: order_drafts.Draft, dialogue: Dialogue | None
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """The post's open order, who issued it, when, its deadline and problem, and whether to
    issue another anyway."""
    t = turn.t
    found = draft.open_order
    assert found is not None
    problem = await orders.problem_of(turn.session, found, turn.runtime.settings)
    text = t(
        "oversight.draft.open_order",
        post=draft.post_name or "-",
        id=found.id,
        name=found.issued_by.display_name if found.issued_by is not None else "-",
        time=t.datetime(found.issued_at),
        deadline=t.datetime(found.deadline_at),
        state=notices.order_state(t, found.status),
        problem=problem(t) or "-",
    )
    mark = dialogues.mark(dialogue) if dialogue is not None else None
    rows = [
        [
            button(t("oversight.button.issue_anyway"), OrderIssueAnyway(mark)),
            button(t("oversight.button.drop_draft"), OrderDropDraft(mark)),
        ]
    ]
    return text, rows


async def _view(
    turn: Turn, draft: order_drafts.Draft, dialogue: Dialogue | None
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    if draft.open_order is not None:
        return await _confirm_view(turn, draft, dialogue)
    return _draft_view(turn, draft, dialogue)


async def from_check(turn: Turn, data: OrderFromCheck) -> None:
    await _begin(turn, order_drafts.Source.CHECK, data.inspection_id)


async def from_report(turn: Turn, data: OrderFromReport) -> None:
    await _begin(turn, order_drafts.Source.REPORT, data.report_id)


async def _begin(turn: Turn, source: order_drafts.Source, source_id: int) -> None:
    try:
        draft = await order_drafts.begin_draft(
            turn.session, turn.actor, source, source_id, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        turn.refuse(error)
        return
    text, rows = await _view(turn, draft, await _draft(turn))
    turn.reply(text, inline(rows))


async def _draft(turn: Turn) -> Dialogue | None:
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if dialogue is None or dialogue.kind != order_drafts.DRAFT:
        return None
    return dialogue


async def pick_deadline(turn: Turn, data: OrderDeadline) -> None:
    dialogue = await _draft(turn)
    if (
        dialogue is None
        or data.hours not in order_drafts.DEADLINE_CHOICES
        or order_drafts.awaits_confirmation(dialogue)
    ):
        turn.stale()
        return
    draft = await order_drafts.set_deadline_hours(turn.session, dialogue, data.hours, turn.now)
    text, rows = _draft_view(turn, draft, dialogue)
    turn.edit(text, inline(rows))


async def on_draft(turn: Turn, dialogue: Dialogue) -> None:
    """Typed during a draft: a deadline or the problem in the inspector's words."""
    t = turn.t
    message = turn.message
    assert message is not None
    if order_drafts.awaits_confirmation(dialogue):
        # The question about the post's open order comes first: asked again.
        text, rows = await _view(
            turn, await order_drafts.draft_of(turn.session, dialogue), dialogue
        )
        turn.reply(text, inline(rows))
        return
    if not message.text:
        turn.reply(t("oversight.draft.need_text"), inline([cancel_row(t)]))
        return
    try:
        draft = await order_drafts.type_into_draft(
            turn.session, dialogue, message.text, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        turn.refuse(error)
        return
    text, rows = _draft_view(turn, draft, dialogue)
    turn.reply(text, inline(rows))


async def issue(turn: Turn, data: OrderIssue) -> None:
    t = turn.t
    dialogue = await _draft(turn)
    if dialogue is None:
        turn.stale()
        return
    if not turn.belongs(dialogue, data.mark):
        return
    if order_drafts.awaits_confirmation(dialogue):
        turn.stale()
        return
    try:
        issued = await order_drafts.issue(
            turn.session, turn.actor, dialogue, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        turn.refuse(error)
        if await _draft(turn) is None:
            # The refusal ended the draft (its report decided meanwhile): the draft's buttons,
            # which would only be refused as stale, give way to the reason.
            turn.edit(error_text(t, error))
        return
    order = issued.order
    key = (
        "oversight.order.issued_later"
        if order.visible_from > turn.now
        else "oversight.order.issued"
    )
    text = t(
        key,
        id=order.id,
        unit=order.unit.name,
        deadline=t.datetime(order.deadline_at),
        time=t.datetime(order.visible_from),
    )
    if issued.unattended:
        text += "\n" + t("oversight.order.issued_no_coordinator", unit=order.unit.name)
    turn.answer(t("oversight.order.issued_toast"))
    turn.edit(text)


async def issue_anyway(turn: Turn, data: OrderIssueAnyway) -> None:
    dialogue = await _draft(turn)
    if dialogue is None:
        turn.stale()
        return
    if not turn.belongs(dialogue, data.mark):
        return
    draft = await order_drafts.issue_anyway(turn.session, dialogue, turn.now)
    text, rows = _draft_view(turn, draft, dialogue)
    turn.edit(text, inline(rows))


async def drop_draft(turn: Turn, data: OrderDropDraft) -> None:
    t = turn.t
    dialogue = await _draft(turn)
    if dialogue is None:
        turn.stale()
        return
    if not turn.belongs(dialogue, data.mark):
        return
    try:
        found = await order_drafts.drop(turn.session, turn.actor, dialogue)
    except DomainError as error:
        turn.refuse(error)
        return
    turn.edit(t("oversight.draft.dropped", id=found if found is not None else "-"))


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
        order = await order_review.set_follow_up(
            turn.session, turn.actor, data.order_id, data.days, turn.now
        )
    except DomainError as error:
        turn.refuse(error)
        return
    if order.follow_up_at is not None and data.days:
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
