"""An inspector's rectification order in the chat: the draft from a check or a street report
(deadline by a tap or typed, the problem typed), the question when the post already has an open
order (issue another anyway, or not), and the issue."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.buttons import (
    OrderDeadline,
    OrderDropDraft,
    OrderFromCheck,
    OrderFromReport,
    OrderIssue,
    OrderIssueAnyway,
)
from bot.db.models import Dialogue
from bot.errors import DomainError, ErrorCode
from bot.services.oversight import notices, order_drafts, orders
from bot.services.platform import dialogues
from handlers.keyboards import button, cancel_row, inline
from handlers.turn import Turn, error_text

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
    mark = dialogues.mark(dialogue) if dialogue is not None else None
    hours = [
        button(t("oversight.button.hours", count=h), OrderDeadline(h, mark))
        for h in order_drafts.DEADLINE_CHOICES
    ]
    issue = OrderIssue(mark)
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
    if not turn.belongs(dialogue, data.mark):
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
        if error.code is ErrorCode.ORDER_POST_NEW_OPEN:
            # The post's order issued meanwhile, and the question about it.
            draft = await order_drafts.draft_of(turn.session, dialogue)
            text, rows = await _view(turn, draft, dialogue)
            turn.edit(text, inline(rows))
            return
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
