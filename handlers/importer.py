"""Coordinators: the schedule spreadsheet. /template sends an .xlsx to fill in; /import takes an
.xlsx or .csv, shows what it would create or change (or every bad row), and applies it, all or
nothing, after Confirm."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from telegram.error import TelegramError

from bot import import_words
from bot.buttons import ImportConfirm
from bot.db.models import Dialogue, DialogueKind, Role
from bot.errors import DomainError, ErrorCode
from bot.moves import AFTER_MOVE
from bot.services.people import units
from bot.services.platform import dialogues
from bot.services.rostering import importing
from bot.services.schedule.importer import reading, template
from handlers.keyboards import button, cancel_row, inline
from handlers.turn import Turn

DIALOGUE = DialogueKind.IMPORT


class Step(StrEnum):
    """The steps of /import, as stored in its dialogue."""

    FILE = "file"
    CONFIRM = "confirm"


TEMPLATE_NAME = "dutybot-schedule.xlsx"
MAX_ERRORS_SHOWN = 200


async def send_template(turn: Turn) -> None:
    t = turn.t
    turn.actor.require(Role.COORDINATOR)
    visible = await units.visible_to(turn.session, turn.actor)
    unit_name = visible[0].name if visible else t("importer.template_example_unit")
    settings = turn.runtime.settings
    today = turn.today
    turn.reply_document(
        TEMPLATE_NAME,
        template.template_xlsx(t, unit_name, today, settings.default_post_radius_m),
        caption=t("importer.template_caption"),
    )


async def start(turn: Turn) -> None:
    turn.actor.require(Role.COORDINATOR)
    dialogue = await dialogues.begin(turn.session, turn.user_id, DIALOGUE, Step.FILE, turn.now)
    turn.prompt(dialogue, turn.t("importer.ask_file"), inline([cancel_row(turn.t)]))


def hint_stray_sheet(turn: Turn) -> bool:
    """A schedule spreadsheet sent outside any dialogue by someone who may /import: told to
    send /import first (True). Anyone else, and any other file, is left to the caller."""
    message = turn.message
    document = message.document if message is not None else None
    filename = document.file_name if document is not None else None
    if not filename or not filename.lower().endswith(reading.SUFFIXES):
        return False
    allowed = turn.registry.commands_for(turn.actor.roles)
    if not any(command.name == "import" for command in allowed):
        return False
    turn.reply(turn.t("importer.stray_file", name=filename))
    return True


async def on_dialogue(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    assert message is not None
    document = message.document
    if dialogue.step != Step.FILE:
        if document is None:
            turn.reply(t("importer.need_confirm_button"))
            return
        # Another file at the preview (a mistake seen in it, corrected): read in place of the
        # previewed one, whose ✅ 确认导入 goes with its preview; it no longer stands for this file.
        # A new mark: that button, pressed before it goes, imports neither file.
        dialogues.advance(dialogue, Step.FILE, turn.now, rows=[])
        dialogues.renew_mark(dialogue)
    if document is None:
        turn.prompt(dialogue, t("importer.need_file"), inline([cancel_row(t)]))
        return
    filename = document.file_name or ""
    if not filename.lower().endswith(reading.SUFFIXES):
        text = t("importer.wrong_type", name=filename or "?")
        turn.prompt(dialogue, text, inline([cancel_row(t)]))
        return
    if document.file_size is not None and document.file_size > reading.MAX_BYTES:
        raise DomainError(ErrorCode.IMPORT_TOO_LARGE, limit=reading.MAX_BYTES // 1024 // 1024)
    # Nothing is written before the file is fetched and read: other chats' updates are
    # recorded meanwhile (on SQLite they share one write connection).
    await turn.runtime.db.let_others_write(turn.session)
    try:
        telegram_file = await turn.context.bot.get_file(document.file_id)
        data = bytes(await telegram_file.download_as_bytearray())
    except TelegramError as error:
        # Telegram unreachable, the file gone or too big to fetch: nothing changed; try again.
        raise DomainError(ErrorCode.FILE_DOWNLOAD_FAILED) from error
    settings = turn.runtime.settings
    try:
        rows = await reading.read_table_off_loop(filename, data, today=turn.today)
    except DomainError as error:
        worded = import_words.refusal(t, error)
        if worded is error:
            raise
        raise worded from error
    plan = await importing.preview(turn.session, turn.actor, rows, turn.now, settings)
    if not plan.ok:
        lines = [t("importer.rejected", name=filename, count=len(plan.errors))]
        lines += import_words.row_lines(t, plan.errors, MAX_ERRORS_SHOWN)
        lines.append(t("importer.fix_and_resend"))
        turn.prompt(dialogue, "\n".join(lines), inline([cancel_row(t)]))
        return
    stored: list[list[Any]] = [[number, cells] for number, cells in rows]
    dialogues.advance(dialogue, Step.CONFIRM, turn.now, name=filename, rows=stored)
    confirm_button = ImportConfirm(dialogues.mark(dialogue))
    turn.prompt(
        dialogue,
        t("importer.preview", name=filename, count=len(rows))
        + "\n"
        + import_words.summary(t, plan, most=MAX_ERRORS_SHOWN),
        inline([[button(t("importer.button.confirm"), confirm_button)], cancel_row(t)]),
    )


async def confirm(turn: Turn, data: ImportConfirm) -> None:
    t = turn.t
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if dialogue is None or dialogue.kind != DIALOGUE or dialogue.step != Step.CONFIRM:
        turn.stale()
        return
    if not turn.belongs(dialogue, data.mark):
        return
    rows: list[reading.Row] = [
        (int(number), dict(cells)) for number, cells in dialogue.data["rows"]
    ]
    plan = await importing.apply(
        turn.session, turn.actor, rows, turn.now, turn.runtime.settings, after_move=AFTER_MOVE
    )
    if not plan.ok:
        # Something changed since the preview (a unit renamed, a shift taken): nothing written.
        dialogues.advance(dialogue, Step.FILE, turn.now, rows=[])
        lines = [
            t("importer.stale", count=len(plan.errors)),
            *import_words.row_lines(t, plan.errors, MAX_ERRORS_SHOWN),
        ]
        turn.edit(t("importer.stale_short"))
        turn.prompt(dialogue, "\n".join(lines), inline([cancel_row(t)]))
        return
    await dialogues.end(turn.session, turn.user_id)
    done = t("importer.done", name=dialogue.data.get("name", ""))
    turn.edit(done + "\n" + import_words.summary(t, plan, warnings=False))
