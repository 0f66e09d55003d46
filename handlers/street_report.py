"""Street reports (随手拍) in the chat: /report or a photo captioned 随手拍, then the place (one
button), the category (one tap) and an optional line of text; the reporter hears where it went
and every change after. Inspectors and admins open a report's card, dispatch an unrouted one to
a unit, or dismiss one with a reason."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove

from bot.buttons import (
    ReportCard,
    ReportCategoryPick,
    ReportDismiss,
    ReportDispatch,
    ReportDispatchPage,
    ReportSubmit,
)
from bot.db.models import Dialogue, ReportStatus, StreetReport, Unit
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.oversight import notices, orders, report_decisions, report_filing, reports
from bot.services.platform import dialogues
from handlers import common
from handlers.checkin import location_keyboard
from handlers.evidence import album_answered, file_caption, photo_of, position_of, send_photos
from handlers.keyboards import PAGE_SIZE, button, cancel_row, inline
from handlers.turn import Turn, error_text

# The caption that makes a photo sent on its own a street report.
CAPTION = re.compile(r"^\s*#?\s*(随手拍|隨手拍|street\s*report)", re.IGNORECASE)


def _mine_lines(t: Translator, mine: list[report_filing.Mine]) -> list[str]:
    if not mine:
        return []
    lines = [t("oversight.report.mine_header")]
    for item in mine:
        report, original = item.report, item.merged_into
        state = (
            t(
                "oversight.report.state.merged_into",
                id=original.id,
                state=notices.report_state(t, original.status),
            )
            if original is not None
            else notices.report_state(t, report.status)
        )
        lines.append(
            t(
                "oversight.report.mine_line",
                id=report.id,
                category=notices.category(t, report.category),
                day=t.weekday_date(report.created_at),
                state=state,
            )
        )
    return lines


async def start(turn: Turn) -> None:
    """/report: a photo first (the problem as it is). Routed through routing.in_a_unit: an
    admin in no unit has been told so before this runs."""
    t = turn.t
    member = turn.actor.require_member()
    await report_filing.begin(turn.session, turn.actor, turn.now, turn.runtime.settings)
    lines = [
        t("oversight.report.ask_photo"),
        *_mine_lines(t, await report_filing.mine(turn.session, member)),
    ]
    dialogue = await dialogues.current(turn.session, turn.user_id)
    assert dialogue is not None
    # The report's prompt: the category's question takes its ✖️ off, as /cancel does.
    turn.prompt(dialogue, "\n".join(lines), inline([cancel_row(t)]))


async def from_caption(turn: Turn) -> None:
    """A photo captioned 随手拍 outside any dialogue starts a report with it."""
    message = turn.message
    assert message is not None
    if await dialogues.current(turn.session, turn.user_id) is not None or not CAPTION.match(
        message.caption or ""
    ):
        await common.route_message(turn)
        return
    photo = photo_of(message)
    if photo is None:  # a picture sent as a file
        turn.reply(turn.t("oversight.photo_as_file"))
        return
    try:
        await report_filing.begin(
            turn.session,
            turn.actor,
            turn.now,
            turn.runtime.settings,
            photo,
            message.media_group_id,
        )
    except DomainError as error:
        turn.refuse(error)
        return
    turn.reply(turn.t("oversight.report.ask_location"), location_keyboard(turn.t))
    words = _after_caption(message.caption or "")
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if words and dialogue is not None:
        # The words after 随手拍 are the report's text, as any photo's caption is.
        try:
            report_filing.set_caption(dialogue, words, turn.now)
        except DomainError as error:
            turn.refuse(error, location_keyboard(turn.t))


def _after_caption(caption: str) -> str:
    """What is written after 随手拍 (and the colon or dash that may follow it); a caption
    without the word, whole."""
    match = CAPTION.match(caption)
    if match is None:
        return caption
    return caption[match.end() :].lstrip(" \t\n:：,，.。、;；-—–~")


def _category_markup(t: Translator) -> list[list[InlineKeyboardButton]]:
    buttons = [
        button(notices.category(t, category), ReportCategoryPick(category))
        for category in reports.CATEGORIES
    ]
    return [buttons[0:3], buttons[3:6], cancel_row(t)]


async def on_dialogue(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    assert message is not None
    settings = turn.runtime.settings
    step = dialogue.step
    photo = photo_of(message)
    if photo is not None and step in (report_filing.Step.PHOTO, report_filing.Step.LOCATION):
        album = message.media_group_id
        try:
            taken = await report_filing.add_photo(
                turn.session, dialogue, photo, album, turn.now, settings
            )
        except DomainError as error:
            if step == report_filing.Step.PHOTO:
                # Asked again, as a sticker here is: the refusal is the report's prompt.
                turn.prompt(dialogue, error_text(t, error), inline([cancel_row(t)]))
                return
            # Full of photos, the report still asks for its place.
            full = error.code is ErrorCode.EVIDENCE_PHOTOS_FULL
            turn.refuse(error, location_keyboard(t) if full else None)
            return
        if not album_answered(turn, taken, location_keyboard(t)):
            turn.reply(t("oversight.report.ask_location"), location_keyboard(t))
        # The word that would start a report is not its text (the photo sent after /report).
        words = _after_caption(message.caption) if message.caption else ""
        if words:
            try:
                report_filing.set_caption(dialogue, words, turn.now)
            except DomainError as error:
                turn.refuse(error, location_keyboard(t))
        return
    # A picture sent as a file is refused, but its caption is kept as a photo's would be.
    written = message.text or file_caption(message)
    words = _after_caption(written) if written else ""
    if step == report_filing.Step.PHOTO and words:
        # A line before the photo is the report's text, as a photo's caption would be (its
        # 随手拍 left out the same way; and as an order reply keeps its line-before-photo); the
        # photo is still asked for.
        try:
            report_filing.set_caption(dialogue, words, turn.now)
        except DomainError as error:
            turn.prompt(dialogue, error_text(t, error), inline([cancel_row(t)]))
            return
        if message.document and message.media_group_id is not None:
            # A file of an album: answered as each of its files is, so the album once.
            turn.prompt(dialogue, t("oversight.photo_as_file"), inline([cancel_row(t)]))
            return
        if message.document:
            turn.reply(t("oversight.photo_as_file"))
        turn.prompt(dialogue, t("oversight.report.text_needs_photo"), inline([cancel_row(t)]))
        return
    if step == report_filing.Step.PHOTO:
        key = "oversight.photo_as_file" if message.document else "oversight.report.need_photo"
        turn.prompt(dialogue, t(key), inline([cancel_row(t)]))
        return
    if step == report_filing.Step.LOCATION:
        if message.document:
            # More photos are taken here: a picture sent as a file is told so; its caption is
            # the report's text, as a photo's sent here is.
            turn.reply(t("oversight.photo_as_file"), location_keyboard(t))
            if words:
                try:
                    report_filing.set_caption(dialogue, words, turn.now)
                except DomainError as error:
                    turn.refuse(error, location_keyboard(t))
            return
        if message.location is None:
            turn.reply(t("oversight.report.need_location"), location_keyboard(t))
            return
        try:
            report_filing.set_location(dialogue, position_of(message), turn.now)
        except DomainError as error:
            turn.refuse(error)
            return
        turn.reply(t("oversight.report.location_received"), ReplyKeyboardRemove())
        # The report's prompt from here on: /cancel takes its buttons off.
        turn.prompt(dialogue, t("oversight.report.ask_category"), inline(_category_markup(t)))
        return
    if step == report_filing.Step.TEXT and message.text:
        await _submit(turn, dialogue, message.text)
        return
    if step == report_filing.Step.TEXT:
        turn.prompt(dialogue, t("oversight.report.need_text"), inline(_text_markup(t, dialogue)))
        return
    # The question above keeps its buttons (and its ✖️): they are the way on.
    turn.reply(t("oversight.use_buttons"))


def _text_markup(t: Translator, dialogue: Dialogue) -> list[list[InlineKeyboardButton]]:
    submit = ReportSubmit(dialogues.mark(dialogue))
    return [[button(t("oversight.button.report_submit"), submit)], cancel_row(t)]


async def pick_category(turn: Turn, data: ReportCategoryPick) -> None:
    t = turn.t
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if (
        dialogue is None
        or dialogue.kind != report_filing.DIALOGUE
        or dialogue.step != report_filing.Step.CATEGORY
    ):
        turn.stale()
        return
    try:
        report_filing.set_category(dialogue, data.category, turn.now)
    except DomainError as error:
        turn.refuse(error)
        return
    turn.show_prompt(
        dialogue,
        t("oversight.report.ask_text", category=notices.category(t, data.category)),
        inline(_text_markup(t, dialogue)),
    )


async def submit(turn: Turn, data: ReportSubmit) -> None:
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if (
        dialogue is None
        or dialogue.kind != report_filing.DIALOGUE
        or dialogue.step != report_filing.Step.TEXT
    ):
        turn.stale()
        return
    if turn.belongs(dialogue, data.mark):
        await _submit(turn, dialogue, None)


async def _submit(turn: Turn, dialogue: Dialogue, text: str | None) -> None:
    t = turn.t
    try:
        report = await report_filing.submit(
            turn.session, turn.actor, dialogue, text, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        if turn.update.callback_query is None and not error.for_good:
            # A line refused: typed again or sent without, Submit and ✖️ come with the answer.
            turn.prompt(dialogue, error_text(t, error), inline(_text_markup(t, dialogue)))
        else:
            turn.refuse(error)
        return
    category = notices.category(t, report.category)
    if report.status is ReportStatus.DUPLICATE:
        reply = t(
            "oversight.report.filed_duplicate",
            id=report.id,
            category=category,
            original=report.duplicate_of_id,
            distance=turn.runtime.settings.report_duplicate_m,
        )
    elif report.status is ReportStatus.ROUTED and report.unit is not None:
        reply = t(
            "oversight.report.filed_routed",
            id=report.id,
            category=category,
            unit=report.unit.name,
            how=notices.route_text(t, report),
        )
    else:
        reply = t("oversight.report.filed_unrouted", id=report.id, category=category)
    if turn.update.callback_query is not None:
        turn.answer(t("oversight.report.toast"))
    turn.reply(reply)


# -- inspectors and admins ---------------------------------------------------------------------


async def show_card(turn: Turn, data: ReportCard) -> None:
    t = turn.t
    try:
        report = await reports.visible(turn.session, turn.actor, data.report_id)
    except DomainError as error:
        turn.refuse(error)
        return
    send_photos(turn, await reports.photos_of(turn.session, report))
    inspects = orders.is_inspector(turn.actor)
    rows = reports.inspector_buttons(t, report) if inspects else []
    markup = inline([[button(text, value) for text, value in row] for row in rows])
    text = notices.report_card(t, report)
    flagged = await reports.photos_flagged(turn.session, report) if inspects else 0
    if flagged:
        # Those who decide on it are told its photos were used before (flag mode).
        text += "\n" + t("oversight.report.photos_flagged", count=flagged)
    turn.reply(text, markup if rows else None)


async def dispatch_page(turn: Turn, data: ReportDispatchPage) -> None:
    """The units to send a report to, a page at a time."""
    t = turn.t
    try:
        report = await report_decisions.undecided(turn.session, turn.actor, data.report_id)
    except DomainError as error:
        turn.refuse(error)
        return
    text, markup = _dispatch_view(
        t, report, await report_decisions.dispatch_units(turn.session), data.offset
    )
    turn.reply(text, markup)


def _dispatch_view(
    t: Translator, report: StreetReport, choices: list[Unit], offset: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The page of units at `offset` (the last one, past the end) to send the report to."""
    offset = max(0, min(offset, max(len(choices) - 1, 0) // PAGE_SIZE * PAGE_SIZE))
    shown = choices[offset : offset + PAGE_SIZE]
    rows = [[button(unit.name, ReportDispatch(report.id, unit.id))] for unit in shown]
    nav = []
    if offset > 0:
        nav.append(
            button(t("common.button.previous"), ReportDispatchPage(report.id, offset - PAGE_SIZE))
        )
    if offset + PAGE_SIZE < len(choices):
        nav.append(
            button(t("common.button.next"), ReportDispatchPage(report.id, offset + PAGE_SIZE))
        )
    if nav:
        rows.append(nav)
    lines = [t("oversight.report.pick_unit", id=report.id)]
    if len(choices) > PAGE_SIZE:
        lines.append(
            t("common.units_page", first=offset + 1, last=offset + len(shown), total=len(choices))
        )
    return "\n".join(lines), inline([*rows, cancel_row(t)])


async def dispatch(turn: Turn, data: ReportDispatch) -> None:
    t = turn.t
    try:
        report = await report_decisions.dispatch(
            turn.session, turn.actor, data.report_id, data.unit_id, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        turn.refuse(error)
        if error.code is ErrorCode.REPORT_UNIT_ARCHIVED:
            await _dispatch_again(turn, data)
        return
    assert report.unit is not None
    turn.answer(t("oversight.report.dispatched_toast"))
    turn.edit(t("oversight.report.dispatched", id=report.id, unit=report.unit.name))


async def _dispatch_again(turn: Turn, data: ReportDispatch) -> None:
    """A unit archived since the list was shown: the list drawn again as it stands, at the
    page where that unit was, so that its button is not tapped again."""
    try:
        report = await report_decisions.undecided(turn.session, turn.actor, data.report_id)
    except DomainError:
        return  # Decided meanwhile as well: the refusal said enough; its next tap says that.
    choices = await report_decisions.dispatch_units(turn.session)
    before = await report_decisions.dispatch_units_before(turn.session, data.unit_id)
    text, markup = _dispatch_view(turn.t, report, choices, before // PAGE_SIZE * PAGE_SIZE)
    turn.edit(text, markup)


async def ask_dismiss(turn: Turn, data: ReportDismiss) -> None:
    t = turn.t
    try:
        report = await report_decisions.undecided(turn.session, turn.actor, data.report_id)
    except DomainError as error:
        turn.refuse(error)
        return
    await dialogues.begin(
        turn.session,
        turn.user_id,
        orders.REASON,
        orders.ReasonFor.DISMISS.value,
        turn.now,
        {"report_id": report.id},
    )
    turn.reply(t("oversight.report.ask_dismiss_reason", id=report.id), inline([cancel_row(t)]))
