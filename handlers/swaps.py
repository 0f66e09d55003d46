"""Shift swaps in the chat: /swap and the Swap button of /my (give away, hand over by name,
exchange), /swaps, the Take / Accept / Decline / Withdraw buttons of the notices, coordinators'
Approve / Reject, and /unitsettings. The rules live in ``bot/services/swaps/``."""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardButton

from bot.buttons import (
    SwapAccept,
    SwapApprove,
    SwapChoice,
    SwapDecline,
    SwapExchange,
    SwapKindPick,
    SwapPick,
    SwapReject,
    SwapTake,
    SwapWithdraw,
    UnitSwapApproval,
    UnitSwapPage,
)
from bot.db.models import Dialogue, DialogueKind, SwapKind, SwapOffer, Unit
from bot.errors import DomainError
from bot.i18n import Translator
from bot.services.platform import dialogues
from bot.services.rostering import my_seats
from bot.services.schedule.shift_text import shift_label
from bot.services.swaps import answers, lifecycle, notices, offers, queries
from bot.services.swaps import unit_settings as swap_settings
from handlers.keyboards import button, cancel_row, inline, offset_of, page
from handlers.turn import Turn, error_text

DIALOGUE = DialogueKind.SWAP


class Step(StrEnum):
    """The steps of /swap, as stored in its dialogue."""

    SHIFT = "shift"
    KIND = "kind"
    NAME = "name"
    PICK = "pick"


KINDS = {
    SwapChoice.GIVE_AWAY: SwapKind.GIVE_AWAY,
    SwapChoice.HAND_OVER: SwapKind.HAND_OVER,
    SwapChoice.EXCHANGE: SwapKind.EXCHANGE,
}


def swap_button(t: Translator, number: int, assignment_id: int) -> InlineKeyboardButton:
    """The Swap button of a seat in /my."""
    return button(t("swaps.button.swap", n=number), SwapPick(assignment_id))


def _withdraw_row(t: Translator, offer: SwapOffer) -> list[InlineKeyboardButton]:
    return [button(t("swaps.button.withdraw"), SwapWithdraw(offer.id))]


# -- offering --------------------------------------------------------------------------------


async def start(turn: Turn) -> None:
    """/swap: the member's seats, one button each."""
    t = turn.t
    member = turn.actor.require_member()
    mine = await my_seats.of(turn.session, member, turn.now, turn.runtime.settings)
    # Numbered as /my numbers them, so that seat 2 is 2 in both.
    seats = [
        (number, seat.assignment) for number, seat in enumerate(mine, start=1) if seat.may_swap
    ]
    if not seats:
        turn.reply(t("swaps.none_to_offer"))
        return
    lines = [t("swaps.pick_shift")]
    buttons: list[InlineKeyboardButton] = []
    for number, assignment in seats:
        lines.append(t("swaps.item", n=number, shift=shift_label(t, assignment.shift)))
        buttons.append(swap_button(t, number, assignment.id))
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append(cancel_row(t))
    # A dialogue from the first step, so Cancel and /cancel end it like every later step.
    dialogue = await dialogues.begin(turn.session, turn.user_id, DIALOGUE, Step.SHIFT, turn.now)
    turn.prompt(dialogue, "\n".join(lines), inline(rows))


async def pick(turn: Turn, data: SwapPick) -> None:
    """A seat was picked (from /swap or /my): how to swap it."""
    t = turn.t
    assignment = await queries.own_seat(
        turn.session, turn.actor, data.assignment_id, turn.now, turn.runtime.settings
    )
    dialogue = await dialogues.begin(
        turn.session, turn.user_id, DIALOGUE, Step.KIND, turn.now, {"assignment_id": assignment.id}
    )
    seat = assignment.id
    turn.show_prompt(
        dialogue,
        t("swaps.ask_kind", shift=shift_label(t, assignment.shift)),
        inline(
            [
                [button(t("swaps.button.give_away"), SwapKindPick(seat, SwapChoice.GIVE_AWAY))],
                [button(t("swaps.button.hand_over"), SwapKindPick(seat, SwapChoice.HAND_OVER))],
                [button(t("swaps.button.exchange"), SwapKindPick(seat, SwapChoice.EXCHANGE))],
                cancel_row(t),
            ]
        ),
    )


async def _seat_step(turn: Turn, step: Step, assignment_id: int) -> bool:
    """Whether the open dialogue is this /swap's at `step`, about this seat; a button of a
    swap cancelled or replaced since is answered as stale (and ends no other dialogue)."""
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if (
        dialogue is None
        or dialogue.kind != DIALOGUE
        or dialogue.step != step
        or dialogue.data.get("assignment_id") != assignment_id
    ):
        turn.stale()
        return False
    return True


async def pick_kind(turn: Turn, data: SwapKindPick) -> None:
    t = turn.t
    assignment_id, kind = data.assignment_id, KINDS[data.choice]
    settings = turn.runtime.settings
    if not await _seat_step(turn, Step.KIND, assignment_id):
        return
    if kind is SwapKind.GIVE_AWAY:
        offered = await offers.give_away(
            turn.session, turn.actor, assignment_id, turn.now, settings
        )
        await dialogues.end(turn.session, turn.user_id)
        offer = offered.offer
        turn.edit(
            t(
                "swaps.offered.give_away",
                shift=shift_label(t, offer.from_assignment.shift),
                count=offered.told,
                until=t.datetime(offer.expires_at),
            ),
            inline([_withdraw_row(t, offer)]),
        )
        return
    if kind is SwapKind.HAND_OVER:
        assignment = await queries.own_seat(
            turn.session, turn.actor, assignment_id, turn.now, settings
        )
        dialogue = await dialogues.begin(
            turn.session,
            turn.user_id,
            DIALOGUE,
            Step.NAME,
            turn.now,
            {"assignment_id": assignment.id},
        )
        turn.show_prompt(
            dialogue,
            t("swaps.ask_name", shift=shift_label(t, assignment.shift)),
            inline([cancel_row(t)]),
        )
        return
    mine, choices = await queries.exchange_choices(
        turn.session, turn.actor, assignment_id, turn.now, settings
    )
    if not choices:
        turn.answer(t("swaps.no_exchange"), alert=True)
        return
    dialogue = await dialogues.begin(
        turn.session, turn.user_id, DIALOGUE, Step.PICK, turn.now, {"assignment_id": mine.id}
    )
    lines = [t("swaps.ask_exchange", shift=shift_label(t, mine.shift))]
    buttons: list[InlineKeyboardButton] = []
    for number, theirs in enumerate(choices, start=1):
        lines.append(
            t(
                "swaps.exchange_item",
                n=number,
                shift=shift_label(t, theirs.shift),
                name=theirs.member.display_name,
            )
        )
        buttons.append(button(str(number), SwapExchange(mine.id, theirs.id)))
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append(cancel_row(t))
    turn.show_prompt(dialogue, "\n".join(lines), inline(rows))


async def pick_exchange(turn: Turn, data: SwapExchange) -> None:
    t = turn.t
    mine_id, theirs_id = data.assignment_id, data.their_assignment_id
    if not await _seat_step(turn, Step.PICK, mine_id):
        return
    offered = await offers.exchange(
        turn.session, turn.actor, mine_id, theirs_id, turn.now, turn.runtime.settings
    )
    await dialogues.end(turn.session, turn.user_id)
    offer = offered.offer
    theirs = offer.target_assignment
    assert theirs is not None
    turn.edit(
        t(
            "swaps.offered.exchange",
            name=theirs.member.display_name,
            shift=shift_label(t, offer.from_assignment.shift),
            theirs=shift_label(t, theirs.shift),
            until=t.datetime(offer.expires_at),
        ),
        inline([_withdraw_row(t, offer)]),
    )


async def on_dialogue(turn: Turn, dialogue: Dialogue) -> None:
    """Typed messages during a swap: the name of the member to hand over to; anything else is
    answered with what is expected."""
    t = turn.t
    message = turn.message
    assert message is not None
    if dialogue.step != Step.NAME:
        # The question above keeps its buttons (and its ✖️): they are the way on.
        turn.reply(t("swaps.use_buttons"))
        return
    text = (message.text or "").strip()
    if not text:
        turn.prompt(dialogue, t("swaps.need_name"), inline([cancel_row(t)]))
        return
    try:
        offered = await offers.hand_over(
            turn.session,
            turn.actor,
            int(dialogue.data["assignment_id"]),
            text,
            turn.now,
            turn.runtime.settings,
        )
    except DomainError as error:
        # Nothing was written. A name refused waits for another try or Cancel; a seat that can
        # no longer be swapped would refuse every name.
        if error.for_good or error.code in queries.SEAT_ENDS:
            await turn.end_refused(error, dialogue)
            return
        turn.prompt(dialogue, error_text(t, error), inline([cancel_row(t)]))
        return
    await dialogues.end(turn.session, turn.user_id)
    offer = offered.offer
    target = offer.target_member
    assert target is not None
    turn.reply(
        t(
            "swaps.offered.hand_over",
            name=target.display_name,
            shift=shift_label(t, offer.from_assignment.shift),
            until=t.datetime(offer.expires_at),
        ),
        inline([_withdraw_row(t, offer)]),
    )


# -- answering -------------------------------------------------------------------------------


def _accepted(turn: Turn, result: answers.Accepted) -> None:
    t = turn.t
    offer = result.offer
    shift = shift_label(t, offer.from_assignment.shift)
    if not result.completed:
        turn.answer(t("swaps.toast.awaiting"))
        turn.edit(t("swaps.taken.awaiting", shift=shift))
        return
    turn.answer(t("swaps.toast.done"))
    if offer.target_assignment is not None:
        gave = shift_label(t, offer.target_assignment.shift)
        turn.edit(t("swaps.taken.exchanged", shift=shift, gave=gave))
    else:
        turn.edit(t("swaps.taken.completed", shift=shift))


async def take(turn: Turn, data: SwapTake) -> None:
    _accepted(
        turn,
        await answers.take(
            turn.session, turn.actor, data.offer_id, turn.now, turn.runtime.settings
        ),
    )


async def accept(turn: Turn, data: SwapAccept) -> None:
    _accepted(
        turn,
        await answers.accept(
            turn.session, turn.actor, data.offer_id, turn.now, turn.runtime.settings
        ),
    )


async def decline(turn: Turn, data: SwapDecline) -> None:
    t = turn.t
    offer = await answers.decline(
        turn.session, turn.actor, data.offer_id, turn.now, turn.runtime.settings
    )
    turn.edit(t("swaps.declined", shift=shift_label(t, offer.from_assignment.shift)))


async def withdraw(turn: Turn, data: SwapWithdraw) -> None:
    t = turn.t
    offer = await answers.withdraw(
        turn.session, turn.actor, data.offer_id, turn.now, turn.runtime.settings
    )
    turn.edit(t("swaps.withdrawn", shift=shift_label(t, offer.from_assignment.shift)))


async def _decide(turn: Turn, offer_id: int, *, approve: bool) -> None:
    t = turn.t
    offer = await answers.decide(
        turn.session, turn.actor, offer_id, approve, turn.now, turn.runtime.settings
    )
    text = notices.approval_text(
        t,
        offer,
        await queries.records(turn.session, offer),
        await queries.history(turn.session, offer.id),
    )
    turn.answer(t("swaps.toast.approved" if approve else "swaps.toast.rejected"))
    turn.edit(text)


async def approve(turn: Turn, data: SwapApprove) -> None:
    await _decide(turn, data.offer_id, approve=True)


async def reject(turn: Turn, data: SwapReject) -> None:
    await _decide(turn, data.offer_id, approve=False)


# -- /swaps ----------------------------------------------------------------------------------


def _offer_line(t: Translator, number: int, offer: SwapOffer) -> str:
    shift = shift_label(t, offer.from_assignment.shift)
    if offer.kind is SwapKind.EXCHANGE and offer.target_assignment is not None:
        return t(
            "swaps.list.exchange",
            n=number,
            name=offer.offered_by.display_name,
            shift=shift,
            theirs=shift_label(t, offer.target_assignment.shift),
        )
    return t(
        f"swaps.list.{offer.kind.value}", n=number, name=offer.offered_by.display_name, shift=shift
    )


async def list_swaps(turn: Turn) -> None:
    """/swaps: offers the member may take or must answer, and their own open offers."""
    t = turn.t
    member = turn.actor.require_member()
    found = await queries.listing(turn.session, member, turn.now, turn.runtime.settings)
    if not found.open and not found.mine:
        turn.reply(t("swaps.list.empty"))
        return
    lines: list[str] = []
    rows: list[list[InlineKeyboardButton]] = []
    if found.open:
        lines.append(t("swaps.list.open_header"))
        for number, offer in enumerate(found.open, start=1):
            lines.append(_offer_line(t, number, offer))
            if offer.kind is SwapKind.GIVE_AWAY:
                rows.append([button(t("swaps.button.take_n", n=number), SwapTake(offer.id))])
            else:
                rows.append(
                    [
                        button(t("swaps.button.accept_n", n=number), SwapAccept(offer.id)),
                        button(t("swaps.button.decline_n", n=number), SwapDecline(offer.id)),
                    ]
                )
    if found.mine:
        lines.append(t("swaps.list.mine_header"))
        for number, offer in enumerate(found.mine, start=len(found.open) + 1):
            state = t(f"swaps.status.{offer.status.value}")
            lines.append(
                t(
                    "swaps.list.mine",
                    n=number,
                    kind=t(f"swaps.kind.{offer.kind.value}"),
                    shift=shift_label(t, offer.from_assignment.shift),
                    state=state,
                )
            )
            if offer.offered_by_id == member.id:
                rows.append(
                    [button(t("swaps.button.withdraw_n", n=number), SwapWithdraw(offer.id))]
                )
    turn.reply("\n".join(lines), inline(rows) if rows else None)


# -- coordinators ----------------------------------------------------------------------------


async def shift_card_lines(turn: Turn, shift_id: int) -> list[str]:
    """The swaps of a shift with their audit trail, for the coordinator's shift card."""
    t = turn.t
    latest = await queries.of_shift(turn.session, shift_id)
    if not latest:
        return []
    lines = [t("swaps.card.header")]
    for offer in latest:
        other = lifecycle.counterpart(offer)
        lines.append(
            t(
                "swaps.card.offer",
                kind=t(f"swaps.kind.{offer.kind.value}"),
                name=offer.offered_by.display_name,
                other=other.display_name if other is not None else "-",
                state=t(f"swaps.status.{offer.status.value}"),
            )
        )
        lines += [
            "   " + line
            for line in notices.history_lines(t, await queries.history(turn.session, offer.id))
        ]
    return lines


def _settings_view(
    turn: Turn, units: list[Unit], offset: int
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    t = turn.t
    shown = page(t, units, offset, UnitSwapPage)
    lines = [t("swaps.unit.header")]
    rows: list[list[InlineKeyboardButton]] = []
    for unit in shown.items:
        state = t("swaps.unit.on" if unit.require_swap_approval else "swaps.unit.off")
        lines.append(t("swaps.unit.line", unit=unit.name, state=state))
        label = (
            "swaps.button.approval_off"
            if unit.require_swap_approval
            else "swaps.button.approval_on"
        )
        wanted = not unit.require_swap_approval
        rows.append([button(t(label, unit=unit.name), UnitSwapApproval(unit.id, wanted))])
    if shown.line is not None:
        lines.append(shown.line)
    rows += shown.nav_rows
    return "\n".join(lines), rows


async def unit_settings(turn: Turn) -> None:
    """/unitsettings: whether swaps in the unit wait for a coordinator's approval."""
    units = await swap_settings.managed_units(turn.session, turn.actor)
    if not units:
        turn.reply(turn.t("swaps.unit.none"))
        return
    text, rows = _settings_view(turn, units, 0)
    turn.reply(text, inline(rows))


async def unit_settings_page(turn: Turn, data: UnitSwapPage) -> None:
    """Another page of /unitsettings, for an admin who sees every unit."""
    units = await swap_settings.managed_units(turn.session, turn.actor)
    if not units:
        turn.stale()
        return
    text, rows = _settings_view(turn, units, data.offset)
    turn.edit(text, inline(rows))


async def toggle_unit_approval(turn: Turn, data: UnitSwapApproval) -> None:
    unit, changed = await swap_settings.set_approval(
        turn.session, turn.actor, data.unit_id, data.required, turn.now
    )
    t = turn.t
    state = t("swaps.unit.on" if unit.require_swap_approval else "swaps.unit.off")
    turn.answer(state if changed else t("swaps.unit.unchanged", unit=unit.name, state=state))
    units = await swap_settings.managed_units(turn.session, turn.actor)
    # Stay on the page of the unit just changed.
    index = next((i for i, each in enumerate(units) if each.id == unit.id), 0)
    text, rows = _settings_view(turn, units, offset_of(index))
    turn.edit(text, inline(rows))
