"""Admins: /zones shows the responsibility zones by unit and takes a GeoJSON file that replaces
them, all or nothing, with every problem listed (not a polygon, unknown unit, overlapping zones
named both ways)."""

from __future__ import annotations

from telegram.error import TelegramError

from bot.db.models import Dialogue, DialogueKind
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.oversight import zones
from bot.services.platform import dialogues
from handlers.keyboards import cancel_row, inline
from handlers.turn import Turn

DIALOGUE = DialogueKind.ZONES
SUFFIXES = (".geojson", ".json")
PROBLEMS_SHOWN = 50


async def start(turn: Turn) -> None:
    t = turn.t
    if not turn.actor.is_admin:
        raise DomainError(ErrorCode.FORBIDDEN)
    dialogue = await dialogues.begin(turn.session, turn.user_id, DIALOGUE, "file", turn.now)
    now_there = await zones.per_unit(turn.session)
    lines = [t("oversight.zones.header", count=sum(n for _, n in now_there))]
    lines += [t("oversight.zones.unit_line", unit=unit, count=n) for unit, n in now_there]
    lines.append(t("oversight.zones.ask_file"))
    turn.prompt(dialogue, "\n".join(lines), inline([cancel_row(t)]))


def hint_stray_file(turn: Turn) -> bool:
    """A .geojson file sent outside any dialogue by someone who may /zones: told to send /zones
    first (True). Anyone else, and any other file, is left to the caller."""
    message = turn.message
    document = message.document if message is not None else None
    filename = document.file_name if document is not None else None
    if not filename or not filename.lower().endswith(".geojson"):
        return False
    allowed = turn.registry.commands_for(turn.actor.roles)
    if not any(command.name == "zones" for command in allowed):
        return False
    turn.reply(turn.t("oversight.zones.stray_file", name=filename))
    return True


def problem_line(t: Translator, problem: zones.Problem) -> str:
    text = t(f"oversight.zones.problem.{problem.code}", **problem.params)
    if problem.feature:
        return t("oversight.zones.feature", n=problem.feature, problem=text)
    return text


async def on_dialogue(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    assert message is not None
    document = message.document
    if document is None:
        turn.prompt(dialogue, t("oversight.zones.need_file"), inline([cancel_row(t)]))
        return
    filename = document.file_name or ""
    if not filename.lower().endswith(SUFFIXES):
        text = t("oversight.zones.wrong_type", name=filename or "?")
        turn.prompt(dialogue, text, inline([cancel_row(t)]))
        return
    if document.file_size is not None and document.file_size > zones.MAX_BYTES:
        turn.refuse(DomainError(ErrorCode.ZONES_FILE_TOO_LARGE, limit=zones.MAX_BYTES // 2**20))
        return
    units = await zones.units_by_name(turn.session)
    # Nothing is written before the file is fetched and checked: other chats' updates are
    # recorded meanwhile (on SQLite they share one write connection).
    await turn.runtime.db.let_others_write(turn.session)
    try:
        telegram_file = await turn.context.bot.get_file(document.file_id)
        data = bytes(await telegram_file.download_as_bytearray())
    except TelegramError:
        # Telegram unreachable or the file gone: nothing changed, the dialogue waits for it again.
        turn.refuse(DomainError(ErrorCode.FILE_DOWNLOAD_FAILED))
        return
    try:
        imported = await zones.read_off_loop(data, units)
    except DomainError as error:
        turn.refuse(error)
        return
    if not imported.ok:
        lines = [t("oversight.zones.rejected", name=filename, count=len(imported.problems))]
        lines += [problem_line(t, problem) for problem in imported.problems[:PROBLEMS_SHOWN]]
        if len(imported.problems) > PROBLEMS_SHOWN:
            more = len(imported.problems) - PROBLEMS_SHOWN
            lines.append(t("oversight.zones.more_problems", count=more))
        lines.append(t("oversight.zones.fix_and_resend"))
        turn.prompt(dialogue, "\n".join(lines), inline([cancel_row(t)]))
        return
    count = await zones.replace(turn.session, turn.actor, imported, turn.now)
    await dialogues.end(turn.session, turn.user_id)
    by_unit: dict[str, int] = {}
    for draft in imported.zones:
        by_unit[draft.unit_name] = by_unit.get(draft.unit_name, 0) + 1
    lines = [t("oversight.zones.imported", name=filename, count=count)]
    lines += [
        t("oversight.zones.unit_line", unit=unit, count=n) for unit, n in sorted(by_unit.items())
    ]
    turn.reply("\n".join(lines))
