"""Assigning people by hand: ➕ 安排人员 on a shift's card lists the unit's members who may take it
(fewest hours this month first) and takes typed names or phone numbers; a person who declared
they cannot serve then is only assigned after 仍然安排. The assigned person's ✅ 收到 is here too.
The rules are in ``bot/services/rostering/assign.py``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from enum import StrEnum

from telegram import InlineKeyboardButton

from bot.buttons import (
    Acknowledge,
    AssignAnyway,
    AssignPage,
    AssignPick,
    AssignStart,
    ShiftCard,
)
from bot.db.models import Assignment, AssignmentStatus, Dialogue, DialogueKind
from bot.errors import DomainError
from bot.i18n import Translator
from bot.services.people.members import PHONE_TAIL
from bot.services.platform import dialogues
from bot.services.reports.report_text import number
from bot.services.rostering import acknowledge, assign, names
from bot.services.rostering.assign import Assigned, Choice, Choices, Ineligible, Warned
from bot.services.rostering.notices import leave_buttons, marked_seat_lines, unreached_line
from bot.services.schedule.shift_text import shift_label
from bot.wording import window_text
from handlers.keyboards import button, cancel_row, inline
from handlers.turn import Turn, error_text

DIALOGUE = DialogueKind.ASSIGN
PAGE_SIZE = 20
PER_ROW = 2


class Step(StrEnum):
    NAMES = "names"  # typing names, or picking from the list
    CONFIRM = "confirm"  # warned about unavailability, waiting for 仍然安排


def ack_mark(t: Translator, assignment: Assignment, leave_asked: bool) -> str:
    """After a person on the roster or a shift's card: assigned, and whether they have
    acknowledged it or asked leave from it (nothing for a seat they took themselves)."""
    if not assignment.assigned or assignment.status is not AssignmentStatus.SIGNED_UP:
        return ""
    if leave_asked:
        return t("rostering.mark.leave_asked")
    if assignment.acknowledged_at is None:
        return t("rostering.mark.unacknowledged")
    return t("rostering.mark.acknowledged")


def assign_row(t: Translator, shift_id: int) -> list[InlineKeyboardButton]:
    """➕ 安排人员, for a shift's card."""
    return [button(t("rostering.button.assign"), AssignStart(shift_id))]


def _hours(t: Translator, minutes: int) -> str:
    """Hours as the reports write them: 1.33, not 1.33333."""
    return number(t, minutes / 60)


def _tail(choice: Choice, repeated: Collection[str]) -> str:
    """The last digits of the phone of one whose name two of the list bear ("" for a name of
    one's own, or no phone on record: the name alone, as a typed name's refusal shows it)."""
    if _name_key(choice.name) not in repeated:
        return ""
    return (choice.phone or "")[-PHONE_TAIL:]


def _pick_label(t: Translator, choice: Choice, repeated: Collection[str] = ()) -> str:
    """A name to press, with its hours; a name two of the list bear also with the last digits
    of the phone (as a typed name matching several shows them), so as not to pick the wrong
    one."""
    hours = _hours(t, choice.month_minutes)
    name = choice.name
    tail = _tail(choice, repeated)
    if tail:
        # The name cut rather than the digits, should the label be cut to its 60 characters.
        name = t("rostering.assign.match", name=name[:40], phone=tail)
    if choice.waitlisted:
        return t("rostering.button.pick_waitlisted", name=name, hours=hours)
    return t("rostering.button.pick", name=name, hours=hours)


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _card_row(t: Translator, shift_id: int) -> list[InlineKeyboardButton]:
    return [button(t("rostering.button.open_card"), ShiftCard(shift_id))]


def _choices_view(
    t: Translator, choices: Choices, offset: int, head: Sequence[str] = ()
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    shift = choices.shift
    lines = [*head, t("rostering.assign.ask", count=choices.left, shift=shift_label(t, shift))]
    people = choices.people
    offset = max(0, min(offset, max(len(people) - 1, 0) // PAGE_SIZE * PAGE_SIZE))
    shown = people[offset : offset + PAGE_SIZE]
    if not people:
        lines.append(t("rostering.assign.nobody_free"))
    elif len(people) > PAGE_SIZE:
        lines.append(
            t(
                "rostering.assign.page",
                first=offset + 1,
                last=offset + len(shown),
                total=len(people),
            )
        )
    counted = Counter(_name_key(choice.name) for choice in people)
    repeated = {name for name, count in counted.items() if count > 1}
    rows: list[list[InlineKeyboardButton]] = []
    pair: list[InlineKeyboardButton] = []
    for choice in shown:
        pick = button(_pick_label(t, choice, repeated)[:60], AssignPick(shift.id, choice.member_id))
        if _tail(choice, repeated):
            # A row of its own: in half a phone's width Telegram would cut off the digits
            # that tell this name from the other. The list keeps its order.
            rows += [pair, [pick]] if pair else [[pick]]
            pair = []
            continue
        pair.append(pick)
        if len(pair) == PER_ROW:
            rows.append(pair)
            pair = []
    if pair:
        rows.append(pair)
    nav = []
    if offset > 0:
        nav.append(button(t("common.button.previous"), AssignPage(shift.id, offset - PAGE_SIZE)))
    if offset + PAGE_SIZE < len(people):
        nav.append(button(t("common.button.next"), AssignPage(shift.id, offset + PAGE_SIZE)))
    if nav:
        rows.append(nav)
    rows.append(cancel_row(t))
    return "\n".join(lines), rows


def _show(turn: Turn, text: str, rows: list[list[InlineKeyboardButton]]) -> None:
    if turn.update.callback_query is not None:
        turn.edit(text, inline(rows))
    else:
        turn.reply(text, inline(rows))


async def start(turn: Turn, data: AssignStart) -> None:
    """➕ 安排人员: who may take the shift, and an invitation to type names."""
    choices = await assign.choices(
        turn.session, turn.actor, data.shift_id, turn.now, turn.runtime.settings
    )
    dialogue = await dialogues.begin(
        turn.session, turn.user_id, DIALOGUE, Step.NAMES, turn.now, {"shift_id": data.shift_id}
    )
    text, rows = _choices_view(turn.t, choices, 0)
    # A new message: the card it was pressed on stays as it was.
    turn.prompt(dialogue, text, inline(rows))


async def page(turn: Turn, data: AssignPage) -> None:
    dialogue = await _dialogue_of(turn, data.shift_id)
    if dialogue is None:
        return
    try:
        choices = await assign.choices(
            turn.session, turn.actor, data.shift_id, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        if not _naming_ends(error):
            raise
        # As a pressed name: the list shows why instead of names nobody can be given.
        await turn.end_refused(error, dialogue)
        return
    text, rows = _choices_view(turn.t, choices, data.offset)
    turn.show_prompt(dialogue, text, inline(rows))


async def _dialogue_of(turn: Turn, shift_id: int) -> Dialogue | None:
    """The coordinator's open assignment dialogue for this shift; a button of another one (or
    of a dialogue that ended) is answered as stale."""
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if dialogue is None or dialogue.kind != DIALOGUE or dialogue.data.get("shift_id") != shift_id:
        turn.stale()
        return None
    return dialogue


async def pick(turn: Turn, data: AssignPick) -> None:
    dialogue = await _dialogue_of(turn, data.shift_id)
    if dialogue is None:
        return
    await _assign(turn, dialogue, data.shift_id, [data.member_id])


async def anyway(turn: Turn, data: AssignAnyway) -> None:
    dialogue = await _dialogue_of(turn, data.shift_id)
    if dialogue is None or dialogue.step != Step.CONFIRM:
        if dialogue is not None:
            turn.stale()
        return
    if not turn.belongs(dialogue, data.mark):
        return
    pending = [int(member_id) for member_id in dialogue.data.get("pending", [])]
    await _assign(turn, dialogue, data.shift_id, pending, despite_unavailable=True)


async def on_dialogue(turn: Turn, dialogue: Dialogue) -> None:
    """Typed names or phone numbers, several separated by 、 , ; or new lines."""
    t = turn.t
    message = turn.message
    assert message is not None
    shift_id = int(dialogue.data["shift_id"])
    try:
        shift, _ = await assign.assignable(turn.session, turn.actor, shift_id, turn.now)
    except DomainError as error:
        if _naming_ends(error):
            # The shift takes nobody more (or is no longer this coordinator's): no name would do.
            await turn.end_refused(error, dialogue)
        else:
            turn.prompt(dialogue, error_text(t, error), inline([cancel_row(t)]))
        return
    try:
        typed = names.typed(message.text or "")
    except DomainError as error:
        await _ask_again(turn, dialogue, shift_id, error_text(t, error))
        return
    resolved = await names.resolve(turn.session, shift.post.unit_id, typed)
    if not resolved.ok:
        lines = [t("rostering.assign.names_problem")]
        lines += [t("rostering.assign.unknown", name=name) for name in resolved.unknown]
        for ambiguous in resolved.ambiguous:
            matches = [
                t("rostering.assign.match", name=m.display_name, phone=(m.phone or "")[-4:])
                for m in ambiguous.matches[: names.SHOWN_MATCHES]
            ]
            lines.append(
                t(
                    "rostering.assign.ambiguous",
                    count=len(ambiguous.matches),
                    name=ambiguous.typed,
                    matches=t("common.list_separator").join(matches),
                )
            )
        await _ask_again(turn, dialogue, shift_id, "\n".join(lines))
        return
    await _assign(turn, dialogue, shift_id, [member.id for member in resolved.found])


async def _ask_again(turn: Turn, dialogue: Dialogue, shift_id: int, problem: str) -> None:
    """Typed names that assigned nobody: what was wrong, and the question again with its
    choices (it replaces the one before, whose buttons go)."""
    choices = await assign.choices(
        turn.session, turn.actor, shift_id, turn.now, turn.runtime.settings
    )
    text, rows = _choices_view(turn.t, choices, 0, head=[problem, ""])
    turn.prompt(dialogue, text, inline(rows))


def _naming_ends(error: DomainError) -> bool:
    """Whether a refusal ends the naming of people for the shift: no other name could undo it."""
    return error.for_good or error.code in assign.NAMING_ENDS


def refusal_lines(t: Translator, refused: Sequence[assign.Refusal]) -> list[str]:
    return [
        t(f"rostering.refusal.{refusal.key}", name=refusal.member.display_name, **refusal.params)
        for refusal in refused
    ]


async def _assign(
    turn: Turn,
    dialogue: Dialogue,
    shift_id: int,
    member_ids: list[int],
    *,
    despite_unavailable: bool = False,
) -> None:
    t = turn.t
    settings = turn.runtime.settings
    try:
        outcome = await assign.assign(
            turn.session,
            turn.actor,
            shift_id,
            member_ids,
            turn.now,
            settings,
            despite_unavailable=despite_unavailable,
        )
    except Ineligible as error:
        # Checked before anything was written: nothing changed, the dialogue stays open.
        text = "\n".join([t("rostering.assign.refused"), *refusal_lines(t, error.refusals)])
        if turn.update.callback_query is None:
            await _ask_again(turn, dialogue, shift_id, text)
            return
        if dialogue.step != Step.NAMES:
            turn.answer(text[:200], alert=True)
            return
        # A pressed name: the list is drawn again in its place, with why, so that it no longer
        # offers whom the rules now keep off the shift (or ends, the shift taking nobody more).
        try:
            choices = await assign.choices(turn.session, turn.actor, shift_id, turn.now, settings)
        except DomainError as ended:
            if not _naming_ends(ended):
                raise
            await turn.end_refused(ended, dialogue)
            return
        turn.answer(text[:200], alert=True)
        view, rows = _choices_view(t, choices, 0, head=[text, ""])
        turn.show_prompt(dialogue, view, inline(rows))
        return
    except DomainError as error:
        if not _naming_ends(error):
            raise
        # A pressed name's list (or 仍然安排's question) shows the refusal instead of its
        # buttons; typed names take the buttons off the last question asked.
        await turn.end_refused(error, dialogue)
        return
    if isinstance(outcome, Warned):
        _earlier_prompt_off(turn, dialogue)
        confirming = await dialogues.begin(
            turn.session,
            turn.user_id,
            DIALOGUE,
            Step.CONFIRM,
            turn.now,
            {"shift_id": shift_id, "pending": member_ids},
        )
        lines = [
            t(
                "rostering.assign.unavailable",
                name=w.member.display_name,
                window=window_text(t, w.window, turn.today),
            )
            for w in outcome.warnings
        ]
        lines.append(t("rostering.assign.ask_anyway", shift=shift_label(t, outcome.shift)))
        rows = [
            [
                button(
                    t("rostering.button.assign_anyway"),
                    AssignAnyway(shift_id, dialogues.mark(confirming)),
                )
            ],
            cancel_row(t),
        ]
        turn.show_prompt(confirming, "\n".join(lines), inline(rows))
        return
    if turn.update.callback_query is not None:
        turn.answer(t("rostering.assign.toast"))
    if outcome.left > 0:
        _earlier_prompt_off(turn, dialogue)
        naming = await dialogues.begin(
            turn.session, turn.user_id, DIALOGUE, Step.NAMES, turn.now, {"shift_id": shift_id}
        )
        choices = await assign.choices(turn.session, turn.actor, shift_id, turn.now, settings)
        text, rows = _choices_view(t, choices, 0, head=[_done_line(t, outcome), ""])
        turn.show_prompt(naming, text, inline(rows))
    else:
        await dialogues.end(turn.session, turn.user_id)
        lines = [_done_line(t, outcome), t("rostering.assign.full")]
        _show(turn, "\n".join(lines), [_card_row(t, shift_id)])


def _earlier_prompt_off(turn: Turn, dialogue: Dialogue) -> None:
    """Before the dialogue begins anew (a new mark, so that its earlier buttons act on nothing
    of it), and forgets its prompt: that prompt's buttons go, unless it is the pressed message,
    which shows the next question instead."""
    query = turn.update.callback_query
    pressed = query.message.message_id if query and query.message else None
    if dialogues.prompt_message(dialogue) != pressed:
        turn.prompt_buttons_off(dialogue)


def _done_line(t: Translator, outcome: Assigned) -> str:
    who = t("common.list_separator").join(seat.member.display_name for seat in outcome.seats)
    unreached = outcome.unreached
    line = t(
        "rostering.assign.done_unreached" if unreached else "rostering.assign.done",
        count=len(outcome.seats),
        names=who,
        shift=shift_label(t, outcome.shift),
    )
    return "\n".join((line, unreached_line(t, unreached))) if unreached else line


async def acknowledged(turn: Turn, data: Acknowledge) -> None:
    """✅ 收到 on the notice of a rota (or its reminder)."""
    t = turn.t
    seats, first = await acknowledge.acknowledge(turn.session, turn.actor, data.rota_id, turn.now)
    turn.answer(t("rostering.ack.toast" if first else "rostering.ack.again"))
    # A seat whose leave is asked says so; it, and one checked in ahead of its start, offer
    # no 🙋 请假 (as on the notice).
    asked = await acknowledge.leave_asked(turn.session, seats)
    lines = [t("rostering.ack.done", count=len(seats)), *marked_seat_lines(t, seats, asked)]
    rows = [[button(label, data) for label, data in row] for row in leave_buttons(t, seats, asked)]
    if rows:
        lines.append(t("rostering.ack.how_to_leave"))
    turn.edit("\n".join(lines), inline(rows) if rows else None)
