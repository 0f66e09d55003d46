"""What a schedule import does and what is wrong with its rows, worded the same way in the chat
(/import) and on the command line (`dutybot import`), in the reader's language."""

from __future__ import annotations

from bot import wording
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.rostering import importing
from bot.services.schedule.importer import planning


def refusal(t: Translator, error: DomainError) -> DomainError:
    """A file refused whole, worded for the reader: missing columns named as their template
    names them (开始时间, not start)."""
    if error.code is not ErrorCode.IMPORT_COLUMNS_MISSING:
        return error
    names = [t(f"importer.column.{column}") for column in error.params.get("missing", ())]
    return DomainError(error.code, columns=t("common.list_separator").join(names))


def row_line(t: Translator, error: planning.RowError) -> str:
    problem = t(f"importer.row.{error.code}", **wording.params(t, error.params))
    return t("importer.row", row=error.row, problem=problem)


def row_lines(t: Translator, errors: list[planning.RowError], most: int | None = None) -> list[str]:
    """A line per row error; with `most`, that many and a line counting the rest (a chat
    message holds 4,096 characters, a terminal has no such limit)."""
    shown = errors if most is None else errors[:most]
    lines = [row_line(t, error) for error in shown]
    if len(errors) > len(shown):
        lines.append(t("importer.more_errors", count=len(errors) - len(shown)))
    return lines


def summary(
    t: Translator, result: importing.Imported, *, warnings: bool = True, most: int | None = None
) -> str:
    """What the file does; with `warnings`, the people to check first (assigned all the same,
    as ➕ 安排人员's 仍然安排 does)."""
    plan, people = result.plan, result.people
    text = t(
        "importer.summary",
        posts_created=plan.posts_created,
        posts_changed=plan.posts_changed,
        shifts_created=plan.shifts_created,
        shifts_changed=plan.shifts_changed,
        shifts_unchanged=plan.shifts_unchanged,
    )
    if people.present:
        text += "\n" + t(
            "rostering.import.summary",
            count=people.assigned,
            removed=people.removed,
            told=people.told,
        )
    if warnings and people.warnings:
        lines = row_lines(t, people.warnings, most)
        text += "\n" + "\n".join(
            [t("rostering.import.warnings", count=len(people.warnings)), *lines]
        )
    return text
