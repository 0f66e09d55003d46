"""/unavailable: a member says when they cannot serve (weekdays and times until an end date, or
dates), sees what they declared and takes a window back. The rules are in
``bot/services/rostering/availability.py``."""

from __future__ import annotations

from enum import StrEnum

from bot.buttons import RemoveUnavailable
from bot.db.models import Dialogue, DialogueKind
from bot.errors import DomainError
from bot.services.platform import dialogues
from bot.services.rostering import availability
from bot.services.schedule.shift_text import shift_label
from bot.wording import window_text
from handlers.keyboards import button, cancel_row, inline
from handlers.turn import Turn, error_text

DIALOGUE = DialogueKind.UNAVAILABLE


class Step(StrEnum):
    WINDOW = "window"


async def _show(turn: Turn, note: str | None = None) -> None:
    t = turn.t
    member = turn.actor.require_member()
    today = turn.today
    declared = await availability.of_member(turn.session, member, today)
    lines = [note] if note else []
    rows = []
    if declared:
        lines.append(t("rostering.unavailable.list"))
        for number, row in enumerate(declared, start=1):
            spec = availability.spec_of(row)
            lines.append(t("rostering.item", n=number, shift=window_text(t, spec, today)))
            data = RemoveUnavailable(row.id)
            rows.append([button(t("rostering.button.remove_window", n=number), data)])
    else:
        lines.append(t("rostering.unavailable.none"))
    lines.append(t("rostering.unavailable.how"))
    dialogue = await dialogues.begin(turn.session, turn.user_id, DIALOGUE, Step.WINDOW, turn.now)
    turn.show_prompt(dialogue, "\n".join(lines), inline([*rows, cancel_row(t)]))


async def start(turn: Turn) -> None:
    """/unavailable: what the member declared and how to add; /unavailable <when> adds."""
    if turn.args:
        # Open before reading, so a window that cannot be read waits for another try.
        dialogue = await dialogues.begin(
            turn.session, turn.user_id, DIALOGUE, Step.WINDOW, turn.now
        )
        await _declare(turn, dialogue, " ".join(turn.args))
        return
    await _show(turn)


async def _declare(turn: Turn, dialogue: Dialogue, text: str) -> None:
    t = turn.t
    settings = turn.runtime.settings
    today = turn.today
    try:
        spec = availability.parse(text, today)
    except DomainError as error:
        # Nothing was written; the dialogue stays open for another try or Cancel, and this
        # question, now its prompt, has the only ✖️.
        turn.prompt(
            dialogue,
            "\n".join((error_text(t, error), t("rostering.unavailable.how"))),
            inline([cancel_row(t)]),
        )
        return
    declared = await availability.declare(turn.session, turn.actor, spec, turn.now, settings.zone)
    await dialogues.end(turn.session, turn.user_id)
    key = "rostering.unavailable.saved" if declared.new else "rostering.unavailable.saved_before"
    lines = [t(key, window=window_text(t, spec, today))]
    # Assigned seats are left by asking leave; seats one took oneself are cancelled or swapped.
    assigned = [seat for seat in declared.held if seat.assigned]
    own = [seat for seat in declared.held if not seat.assigned]
    for key, seats in (
        ("rostering.unavailable.held", assigned),
        ("rostering.unavailable.held_own", own),
    ):
        if seats:
            lines.append(t(key, count=len(seats)))
            lines += [
                t("rostering.item", n=number, shift=shift_label(t, seat.shift))
                for number, seat in enumerate(seats, start=1)
            ]
    turn.reply("\n".join(lines))


async def on_dialogue(turn: Turn, dialogue: Dialogue) -> None:
    message = turn.message
    assert message is not None
    text = (message.text or "").strip()
    if not text:
        turn.prompt(
            dialogue, turn.t("rostering.unavailable.need_text"), inline([cancel_row(turn.t)])
        )
        return
    await _declare(turn, dialogue, text)


async def remove(turn: Turn, data: RemoveUnavailable) -> None:
    row = await availability.remove(turn.session, turn.actor, data.window_id)
    await turn.session.flush()
    note = turn.t(
        "rostering.unavailable.removed",
        window=window_text(turn.t, availability.spec_of(row), turn.today),
    )
    await _show(turn, note)
