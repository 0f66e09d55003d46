"""Inspectors on a street corner: /inspect (location → the nearest posts with distances → kind
of check → people seen against the plan and the check-ins → one tap per checklist line →
photos and a note → the score and any discrepancy at once), and admins' /checklist."""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove

from bot.buttons import (
    ChecklistAdjust,
    ChecklistNew,
    ChecklistToggle,
    InspectItem,
    InspectItemsDone,
    InspectKind,
    InspectPost,
    InspectSeen,
    InspectSubmit,
    OrderFromCheck,
)
from bot.db.models import CheckKind, Dialogue, DialogueKind, Inspection
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.duty.checkin_text import distance
from bot.services.oversight import (
    check_reading,
    check_record,
    check_scoring,
    check_visibility,
    checklist,
    checks,
    evidence,
    notices,
)
from bot.services.platform import dialogues
from bot.settings import Settings
from handlers.checkin import location_keyboard
from handlers.evidence import album_answered, file_caption, photo_of, position_of
from handlers.keyboards import button, cancel_row, inline
from handlers.turn import Turn, error_text

# Buttons for the people seen: up to the plan (or the check-ins) and two more, at most this
# many, ten rows of five; a larger count is typed.
SEEN_BUTTONS_MAX = 49
CHECKLIST_DIALOGUE = DialogueKind.CHECKLIST_NEW


async def start(turn: Turn) -> None:
    """/inspect: where are you? Posts not checked this week first, for planning the round."""
    t = turn.t
    settings = turn.runtime.settings
    await checks.begin(turn.session, turn.actor, turn.now)
    lines = [t("oversight.inspect.ask_location", radius=distance(t, settings.inspect_near_m))]
    unchecked = await check_reading.unchecked_this_week(turn.session, turn.now, settings)
    if unchecked:
        lines.append(t("oversight.inspect.unchecked_header"))
        for number, (post, last) in enumerate(unchecked, start=1):
            when = (
                t("oversight.inspect.last_checked", date=t.date(last))
                if last is not None
                else t("oversight.inspect.never")
            )
            lines.append(
                t(
                    "oversight.inspect.unchecked_line",
                    n=number,
                    post=post.name,
                    unit=post.unit.name,
                    last=when,
                )
            )
    turn.reply("\n".join(lines), location_keyboard(t))


async def _current(turn: Turn, step: checks.Step | None = None) -> Dialogue | None:
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if dialogue is None or dialogue.kind != checks.DIALOGUE:
        return None
    if step is not None and dialogue.step != step:
        return None
    return dialogue


async def on_dialogue(turn: Turn, dialogue: Dialogue) -> None:
    """Messages during a check: the location, then photos and a note."""
    t = turn.t
    message = turn.message
    assert message is not None
    settings = turn.runtime.settings
    if dialogue.step == checks.Step.LOCATION:
        if message.location is None:
            turn.reply(t("oversight.inspect.need_location"), location_keyboard(t))
            return
        try:
            offer = await checks.receive_location(
                turn.session, turn.actor, dialogue, position_of(message), turn.now, settings
            )
        except DomainError as error:
            # The 📍 button folds away once used: it comes again for the next try.
            turn.refuse(error, location_keyboard(t))
            return
        turn.reply(t("oversight.inspect.location_received"), ReplyKeyboardRemove())
        # The check's prompt, edited step by step: /cancel takes its buttons off.
        turn.prompt(dialogue, t("oversight.inspect.pick_post"), _offer_markup(t, offer))
        return
    if dialogue.step in (checks.Step.ITEMS, checks.Step.PHOTOS):
        submit = InspectSubmit(dialogues.mark(dialogue))
        photo = photo_of(message)
        if photo is not None:
            markup = inline([[button(t("oversight.button.submit_check"), submit)], cancel_row(t)])
            try:
                taken = await checks.add_photo(
                    turn.session, dialogue, photo, message.media_group_id, turn.now, settings
                )
            except DomainError as error:
                # Refused, the check still goes on where it was: the refusal is its prompt,
                # with the step's buttons (Submit once full), on this answer only.
                await _ask_again(turn, dialogue, error_text(t, error), submit)
                return
            # A caption is the line written with the photo: the note, as if typed after it;
            # Submit then goes with the answer to the note, the last of this message's.
            _photo_taken(turn, dialogue, taken, None if message.caption else markup)
            if message.caption:
                _take_note(turn, dialogue, message.caption, submit)
            return
        if dialogue.step == checks.Step.PHOTOS and message.text:
            _take_note(turn, dialogue, message.text, submit)
            return
        caption = file_caption(message) if dialogue.step == checks.Step.PHOTOS else ""
        if caption and message.media_group_id is None:
            # A picture sent as a file is refused, its caption kept as the note, as a photo's.
            turn.reply(t("oversight.photo_as_file"))
            _take_note(turn, dialogue, caption, submit)
            return
        if caption:
            # A file of an album: its caption is kept without an answer of its own, so that
            # the album's files are answered once, alike (a caption refused is told).
            try:
                checks.set_note(dialogue, caption, turn.now)
            except DomainError as error:
                turn.refuse(error)
        # A picture sent as a file, on the checklist too (which takes photos already); with
        # photos taken, Submit stays at hand.
        if dialogue.step == checks.Step.PHOTOS or message.document:
            key = "oversight.photo_as_file" if message.document else "oversight.inspect.need_photo"
            await _ask_again(turn, dialogue, t(key), submit)
            return
    if dialogue.step == checks.Step.SEEN:
        # Anything but a count typed (a photo, say) is asked again as a wrong count is.
        await _typed_seen(turn, dialogue, message.text or "")
        return
    # The question above keeps its buttons (and its ✖️): they are the way on.
    turn.reply(t("oversight.use_buttons"))


async def _ask_again(turn: Turn, dialogue: Dialogue, text: str, submit: InspectSubmit) -> None:
    """A picture the check did not keep (forwarded, used before, one too many, sent as a
    file): said with the buttons of the step it stays at, as its prompt: on the checklist, the
    checklist again (its lines still to tick); at the photos, Submit (once one is kept) and ✖️."""
    t = turn.t
    if dialogue.step == checks.Step.ITEMS:
        found = await check_scoring.current_checklist(turn.session, dialogue, turn.now)
        seen_count = int(dialogue.data.get("seen") or 0)
        asked = "\n".join([text, _items_text(t, seen_count, found)])
        turn.prompt(dialogue, asked, inline(_checklist_markup(t, found, dialogues.mark(dialogue))))
        return
    turn.prompt(dialogue, text, _photos_markup(t, dialogue, submit))


def _photo_taken(
    turn: Turn, dialogue: Dialogue, taken: evidence.Taken, markup: InlineKeyboardMarkup | None
) -> None:
    """The answer to a photo kept: the check's prompt, with Submit, unless `markup` is None (a
    note follows it, whose answer is the prompt)."""
    t = turn.t
    if album_answered(turn, taken, markup, dialogue):
        return
    if taken.album:
        text = t("oversight.inspect.album_added")
    else:
        text = t("oversight.inspect.photo_added", count=len(taken.photos))
    if markup is None:
        turn.reply(text)
    else:
        turn.prompt(dialogue, text, markup)


def _take_note(turn: Turn, dialogue: Dialogue, text: str, submit: InspectSubmit) -> None:
    """The check's note, typed or a photo's caption; a refused one changes nothing. Either
    answer is the check's prompt: Submit (once a photo is kept) and ✖️ on it alone."""
    t = turn.t
    try:
        checks.set_note(dialogue, text, turn.now)
    except DomainError as error:
        # The check goes on: Submit stays at hand, not only on an earlier message.
        turn.prompt(dialogue, error_text(t, error), _photos_markup(t, dialogue, submit))
        return
    # Before any photo, Submit would only refuse (a check needs one): the photo is asked for.
    key = (
        "oversight.inspect.note_added"
        if dialogue.data.get("photos")
        else "oversight.inspect.note_needs_photo"
    )
    turn.prompt(dialogue, t(key), _photos_markup(t, dialogue, submit))


def _photos_markup(
    t: Translator, dialogue: Dialogue, submit: InspectSubmit
) -> InlineKeyboardMarkup:
    """Submit and Cancel once the check holds a photo; Cancel alone before."""
    if not dialogue.data.get("photos"):
        return inline([cancel_row(t)])
    return inline([[button(t("oversight.button.submit_check"), submit)], cancel_row(t)])


def _offer_markup(t: Translator, offer: checks.Offer) -> InlineKeyboardMarkup:
    """The posts near the inspector, one button each (⭐ for one not checked this week)."""
    rows = []
    for near in offer.near:
        mark = t("oversight.inspect.unchecked_mark") if near.post.id in offer.unchecked else ""
        label = t(
            "oversight.inspect.post_button",
            post=near.post.name,
            unit=near.post.unit.name,
            distance=distance(t, near.distance_m),
            mark=mark,
        )
        rows.append([button(label, InspectPost(near.post.id))])
    return inline([*rows, cancel_row(t)])


# A post archived (or its unit) since the list was shown: refused, and the list drawn again.
GONE_FROM_OFFER = (ErrorCode.INSPECT_POST_ARCHIVED, ErrorCode.INSPECT_UNIT_ARCHIVED)
# The same, found only when the check is submitted.
ARCHIVED_DURING = (ErrorCode.INSPECT_POST_ARCHIVED_DURING, ErrorCode.INSPECT_UNIT_ARCHIVED_DURING)


async def pick_post(turn: Turn, data: InspectPost) -> None:
    t = turn.t
    settings = turn.runtime.settings
    dialogue = await _current(turn, checks.Step.POST)
    if dialogue is None:
        turn.stale()
        return
    try:
        picked = await checks.pick_post(
            turn.session, turn.actor, dialogue, data.post_id, turn.now, settings
        )
    except DomainError as error:
        if error.code not in GONE_FROM_OFFER:
            raise
        turn.refuse(error)
        offer = await checks.offer_again(turn.session, dialogue, turn.now, settings)
        turn.edit(t("oversight.inspect.pick_post"), _offer_markup(t, offer))
        return
    rows = []
    for kind in CheckKind:
        name = t(f"oversight.kind.{kind.value}")
        rows.append(
            [
                button(t("oversight.button.overt", kind=name), InspectKind(kind, False)),
                button(t("oversight.button.covert", kind=name), InspectKind(kind, True)),
            ]
        )
    turn.edit(
        t(
            "oversight.inspect.ask_kind",
            post=picked.post.name,
            unit=picked.post.unit.name,
            distance=distance(t, picked.distance_m),
        ),
        inline([*rows, cancel_row(t)]),
    )


def _situation_lines(t: Translator, found: check_reading.Situation) -> list[str]:
    if found.planned == 0 and not found.checked_in:
        return [t("oversight.inspect.no_shift_now")]
    names = t("common.list_separator").join(
        t("oversight.inspect.checked_in_name", name=name, time=t.time(at))
        for name, at in found.checked_in
    )
    if found.planned == 0:
        plan = t("oversight.inspect.early", count=len(found.checked_in))
    else:
        plan = t(
            "oversight.inspect.plan",
            planned=found.planned,
            held=found.held,
            count=len(found.checked_in),
        )
    return [plan, t("oversight.inspect.checked_in_names", names=names or "-")]


async def pick_kind(turn: Turn, data: InspectKind) -> None:
    t = turn.t
    dialogue = await _current(turn, checks.Step.KIND)
    if dialogue is None:
        turn.stale()
        return
    checks.choose_kind(dialogue, data.kind, data.covert, turn.now)
    picked = await checks.current_post(turn.session, dialogue)
    found = picked.situation
    lines = [t("oversight.inspect.post_line", post=picked.post.name, unit=picked.post.unit.name)]
    lines += _situation_lines(t, found)
    lines.append(t("oversight.inspect.ask_seen"))
    turn.edit("\n".join(lines), _seen_markup(t, found))


def _seen_markup(t: Translator, found: check_reading.Situation) -> InlineKeyboardMarkup:
    """A number button for each count of people seen, up to the plan (or the check-ins) and
    two more, five a row, and ✖️."""
    top = min(SEEN_BUTTONS_MAX, max(found.planned, len(found.checked_in)) + 2)
    buttons = [button(str(n), InspectSeen(n)) for n in range(top + 1)]
    rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    return inline([*rows, cancel_row(t)])


def _checklist_markup(
    t: Translator, found: check_scoring.Checklist, dialogue_mark: int | None
) -> list[list[InlineKeyboardButton]]:
    rows = []
    for item in found.items:
        mark = "☑️" if item.id in found.chosen else "⬜"
        label = t(
            "oversight.inspect.item_button",
            mark=mark,
            item=checklist.label(t, item),
            points=item.deduction,
        )
        rows.append([button(label, InspectItem(item.id))])
    rows.append([button(t("oversight.button.items_done"), InspectItemsDone(dialogue_mark))])
    return [*rows, cancel_row(t)]


async def seen(turn: Turn, data: InspectSeen) -> None:
    t = turn.t
    dialogue = await _current(turn, checks.Step.SEEN)
    if dialogue is None or not 0 <= data.seen <= check_scoring.SEEN_MAX:
        turn.stale()
        return
    found = await check_scoring.set_seen(turn.session, dialogue, data.seen, turn.now)
    markup = _checklist_markup(t, found, dialogues.mark(dialogue))
    turn.edit(_items_text(t, data.seen, found), inline(markup))


async def _typed_seen(turn: Turn, dialogue: Dialogue, text: str) -> None:
    """The number of people seen, typed (a post with more people than buttons)."""
    t = turn.t
    typed = check_scoring.read_seen(text)
    if typed is None:
        # Asked again with the number buttons: the question now, the one before loses its own.
        picked = await checks.current_post(turn.session, dialogue)
        need_seen = t("oversight.inspect.need_seen", limit=check_scoring.SEEN_MAX)
        turn.prompt(dialogue, need_seen, _seen_markup(t, picked.situation))
        return
    found = await check_scoring.set_seen(turn.session, dialogue, typed, turn.now)
    markup = _checklist_markup(t, found, dialogues.mark(dialogue))
    turn.prompt(dialogue, _items_text(t, typed, found), inline(markup))


def _items_text(t: Translator, seen_count: int, found: check_scoring.Checklist) -> str:
    lines = [t("oversight.inspect.ask_items", seen=seen_count)]
    if found.shortfall:
        lines.append(
            t("oversight.inspect.short", count=found.shortfall, points=found.shortfall_points)
        )
    return "\n".join(lines)


async def toggle_item(turn: Turn, data: InspectItem) -> None:
    dialogue = await _current(turn, checks.Step.ITEMS)
    if dialogue is None:
        turn.stale()
        return
    try:
        found = await check_scoring.toggle_item(turn.session, dialogue, data.item_id, turn.now)
    except DomainError as error:
        if error.code is not ErrorCode.INSPECT_ITEM_OFF:
            raise
        # The line was switched off since the checklist was shown: drawn again without it.
        turn.refuse(error)
        found = await check_scoring.current_checklist(turn.session, dialogue, turn.now)
    seen_count = int(dialogue.data.get("seen") or 0)
    markup = _checklist_markup(turn.t, found, dialogues.mark(dialogue))
    turn.edit(_items_text(turn.t, seen_count, found), inline(markup))


async def items_done(turn: Turn, data: InspectItemsDone) -> None:
    t = turn.t
    dialogue = await _current(turn, checks.Step.ITEMS)
    if dialogue is None:
        turn.stale()
        return
    if not turn.belongs(dialogue, data.mark):
        return
    checks.items_done(dialogue, turn.now)
    turn.edit(t("oversight.inspect.ask_photos"), inline([cancel_row(t)]))


def result_text(t: Translator, inspection: Inspection, now: dt.datetime, settings: Settings) -> str:
    lines = [
        t(
            "oversight.inspect.recorded",
            post=inspection.post.name,
            unit=inspection.post.unit.name,
            kind=notices.check_kind(t, inspection),
        )
    ]
    lost = round(100 - inspection.score)
    if inspection.deductions:
        parts = t("common.list_separator").join(
            t("oversight.inspect.deduction", item=entry["label"], points=entry["points"])
            for entry in inspection.deductions
        )
        lines.append(
            t("oversight.inspect.score_lost", score=round(inspection.score), lost=lost, items=parts)
        )
    else:
        lines.append(t("oversight.inspect.score_full", score=round(inspection.score)))
    lines.append(
        t(
            "oversight.inspect.people",
            planned=inspection.planned,
            checked_in=inspection.checked_in,
            count=inspection.seen,
        )
    )
    names = t("common.list_separator").join(inspection.checked_in_names) or "-"
    if inspection.checked_in > inspection.seen:
        lines.append(
            t(
                "oversight.inspect.discrepancy_not_seen",
                count=inspection.checked_in - inspection.seen,
                names=names,
            )
        )
    elif inspection.seen > inspection.checked_in:
        lines.append(
            t(
                "oversight.inspect.discrepancy_not_checked_in",
                count=inspection.seen - inspection.checked_in,
            )
        )
    if inspection.covert and inspection.visible_from > now:
        key = (
            "oversight.inspect.covert_until"
            if check_visibility.at_daily_tally(inspection.visible_from, settings)
            else "oversight.inspect.covert_until_report"
        )
        lines.append(t(key, time=t.datetime(inspection.visible_from)))
    elif inspection.covert:
        lines.append(t("oversight.inspect.covert_now"))
    return "\n".join(lines)


async def submit(turn: Turn, data: InspectSubmit) -> None:
    t = turn.t
    dialogue = await _current(turn, checks.Step.PHOTOS)
    if dialogue is None:
        turn.stale()
        return
    if not turn.belongs(dialogue, data.mark):
        return
    try:
        inspection = await check_record.submit(
            turn.session, turn.actor, dialogue, t, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        turn.refuse(error)
        if error.code in ARCHIVED_DURING:
            # Nothing is left to submit: the check ends, its message without buttons.
            await dialogues.end(turn.session, turn.user_id)
            turn.edit(error_text(t, error))
        return
    rows = []
    if inspection.score < 100 or inspection.discrepancy:
        rows.append([button(t("oversight.button.order_from_check"), OrderFromCheck(inspection.id))])
    turn.answer(t("oversight.inspect.toast"))
    turn.reply(
        result_text(t, inspection, turn.now, turn.runtime.settings), inline(rows) if rows else None
    )


# -- /checklist (admins) -----------------------------------------------------------------------


async def _checklist_view(turn: Turn) -> tuple[str, list[list[InlineKeyboardButton]]]:
    t = turn.t
    items = await checklist.items(turn.session, turn.now, active_only=False)
    rows = []
    for item in items:
        state = "" if item.active else t("oversight.checklist.off_mark")
        rows.append(
            [
                button("➖", ChecklistAdjust(item.id, -1)),
                button(
                    t(
                        "oversight.checklist.item",
                        item=checklist.label(t, item),
                        points=item.deduction,
                        state=state,
                    ),
                    ChecklistToggle(item.id, not item.active),
                ),
                button("➕", ChecklistAdjust(item.id, 1)),
            ]
        )
    rows.append([button(t("oversight.button.checklist_new"), ChecklistNew())])
    return t("oversight.checklist.header"), rows


async def show_checklist(turn: Turn) -> None:
    text, rows = await _checklist_view(turn)
    turn.reply(text, inline(rows))


async def adjust_item(turn: Turn, data: ChecklistAdjust) -> None:
    if data.delta not in (-1, 1):
        turn.stale()
        return
    await checklist.adjust(turn.session, turn.actor, data.item_id, data.delta, turn.now)
    text, rows = await _checklist_view(turn)
    turn.edit(text, inline(rows))


async def toggle_checklist_item(turn: Turn, data: ChecklistToggle) -> None:
    await checklist.switch(turn.session, turn.actor, data.item_id, data.active, turn.now)
    text, rows = await _checklist_view(turn)
    turn.edit(text, inline(rows))


async def ask_new_item(turn: Turn, data: ChecklistNew) -> None:
    dialogue = await dialogues.begin(
        turn.session, turn.user_id, CHECKLIST_DIALOGUE, "label", turn.now
    )
    # A new message (the list stays as it is), the dialogue's prompt: /cancel takes its ✖️ off.
    turn.prompt(dialogue, turn.t("oversight.checklist.ask_new"), inline([cancel_row(turn.t)]))


async def on_new_item(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    assert message is not None
    try:
        item = await checklist.add(turn.session, turn.actor, message.text or "", turn.now)
    except DomainError as error:
        if error.for_good:
            await turn.end_refused(error, dialogue)
            return
        # Asked again: the re-ask is the prompt now, the question before loses its ✖️.
        turn.prompt(dialogue, error_text(t, error), inline([cancel_row(t)]))
        return
    await dialogues.end(turn.session, turn.user_id)
    text, rows = await _checklist_view(turn)
    turn.reply(t("oversight.checklist.added", item=checklist.label(t, item), points=item.deduction))
    turn.reply(text, inline(rows))
