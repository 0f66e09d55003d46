"""Leave (请假) in the chat: 🙋 请假 on an assigned seat asks the reason, the coordinators' 批准 /
驳回, and 🙋 我来接 on a seat that approved leave freed. The rules are in
``bot/services/rostering/leave.py`` (asking), ``leave_waiting.py`` (the requests still to
decide) and ``leave_decisions.py``."""

from __future__ import annotations

from enum import StrEnum

from bot.buttons import ApproveLeave, AskLeave, PendingLeaves, RejectLeave, TakeFreedSeat
from bot.db.models import Dialogue, DialogueKind
from bot.errors import DomainError, ErrorCode
from bot.services.platform import dialogues
from bot.services.rostering import leave, leave_copies, leave_decisions
from bot.services.schedule.shift_text import shift_label
from handlers.keyboards import cancel_row, inline
from handlers.turn import Turn, error_text

DIALOGUE = DialogueKind.LEAVE


class Step(StrEnum):
    REASON = "reason"


async def ask(turn: Turn, data: AskLeave) -> None:
    """🙋 请假: which seat, and what the reason is."""
    t = turn.t
    assignment = await leave.askable(turn.session, turn.actor, data.assignment_id, turn.now)
    dialogue = await dialogues.begin(
        turn.session,
        turn.user_id,
        DIALOGUE,
        Step.REASON,
        turn.now,
        {"assignment_id": assignment.id},
    )
    # A new message: the notice keeps its buttons for the other seats.
    turn.prompt(
        dialogue,
        t("rostering.leave.ask_reason", shift=shift_label(t, assignment.shift)),
        inline([cancel_row(t)]),
    )


async def on_dialogue(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    assert message is not None
    if not message.text:
        turn.prompt(dialogue, t("rostering.leave.need_reason"), inline([cancel_row(t)]))
        return
    try:
        asked = await leave.ask(
            turn.session,
            turn.actor,
            int(dialogue.data["assignment_id"]),
            message.text,
            turn.now,
            turn.runtime.settings,
        )
    except DomainError as error:
        # Nothing was written. A reason refused waits for another try or Cancel; a seat that
        # can no longer take leave (started, taken off, being swapped) would refuse every try.
        if error.code is ErrorCode.LEAVE_REASON_INVALID:
            turn.prompt(dialogue, error_text(t, error), inline([cancel_row(t)]))
            return
        await dialogues.end(turn.session, turn.user_id)
        turn.reply(error_text(t, error))
        return
    await dialogues.end(turn.session, turn.user_id)
    key = {
        leave.Told.COORDINATORS: "rostering.leave.asked",
        leave.Told.ADMINS: "rostering.leave.asked_admins",
        leave.Told.NOBODY: "rostering.leave.asked_nobody",
        leave.Told.ADMINS_NOT_OWN: "rostering.leave.asked_admins_not_own",
        leave.Told.NOBODY_NOT_OWN: "rostering.leave.asked_nobody_not_own",
    }[asked.told]
    turn.reply(t(key, shift=shift_label(t, asked.leave.assignment.shift)))


async def approve(turn: Turn, data: ApproveLeave) -> None:
    await _decide(turn, data.leave_id, approve=True)


async def reject(turn: Turn, data: RejectLeave) -> None:
    await _decide(turn, data.leave_id, approve=False)


async def _decide(turn: Turn, leave_id: int, *, approve: bool) -> None:
    t = turn.t
    pressed = turn.message
    decided = await leave_decisions.decide(
        turn.session,
        turn.actor,
        leave_id,
        approve,
        turn.now,
        turn.runtime.settings,
        spare=(turn.chat_id, pressed.message_id) if pressed is not None else None,
    )
    request = decided.leave
    shift = shift_label(t, request.assignment.shift)
    name = request.member.display_name
    if not approve:
        turn.edit(t("rostering.leave.rejected", name=name, shift=shift))
        return
    lines = [t("rostering.leave.approved", name=name, shift=shift)]
    if decided.promoted:
        who = t("common.list_separator").join(a.member.display_name for a in decided.promoted)
        lines.append(t("rostering.leave.promoted", names=who))
    if decided.open_seats > 0:
        if decided.offered:
            lines.append(t("rostering.leave.offered", count=decided.offered))
        else:
            lines.append(t("rostering.leave.nobody_to_offer"))
    turn.edit("\n".join(lines))


async def take(turn: Turn, data: TakeFreedSeat) -> None:
    """🙋 我来接 on a seat freed by leave: the first to tap gets it."""
    t = turn.t
    assignment = await leave_decisions.take_freed(
        turn.session, turn.actor, data.shift_id, turn.now, turn.runtime.settings
    )
    turn.answer(t("rostering.leave.taken_toast"))
    turn.edit(t("rostering.leave.taken", shift=shift_label(t, assignment.shift)))


async def pending(turn: Turn, data: PendingLeaves) -> None:
    """🙋 待批请假 under /roster: each request still waiting, as its notice said it, with 批准 /
    驳回 (pressed, they decide it as from the notice); the soonest first, up to a few. Sent as
    cards, closed in place once the request is decided or ends."""
    t = turn.t
    shown = await leave_copies.send_again(
        turn.session, turn.actor, turn.chat_id, t, turn.now, turn.runtime.settings
    )
    if not shown:
        turn.answer(t("rostering.leave.none_pending"), alert=True)
        return
    turn.answer()
