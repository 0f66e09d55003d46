"""`dutybot import FILE`: the schedule importer for operators, without Telegram. It runs as an
admin and prints the same preview and row errors the chat shows (in DEFAULT_LANGUAGE)."""

from __future__ import annotations

import sys
from pathlib import Path

from bot import import_words, wording
from bot.clock import SystemClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Role
from bot.errors import DomainError
from bot.i18n import Translator
from bot.moves import AFTER_MOVE
from bot.services.people.access import Actor
from bot.services.rostering import importing
from bot.services.schedule.importer import reading
from bot.settings import Settings

OPERATOR = Actor(telegram_id=0, member=None, roles=frozenset({Role.ADMIN}))


async def import_file(settings: Settings, file: str, *, dry_run: bool = False) -> int:
    t = Translator(settings.default_language, settings.zone)
    path = Path(file)
    try:
        data = path.read_bytes()  # noqa: ASYNC240 - a one-off read before any other work
    except OSError as exc:
        print(f"dutybot: cannot read {file}: {exc.strerror}", file=sys.stderr)
        return 2
    database = Database(settings.database_url)
    try:
        await upgrade(database)
        now = SystemClock().now()
        rows = reading.read_table(path.name, data, today=now.astimezone(settings.zone).date())
        async with database.session() as session:
            if dry_run:
                plan = await importing.preview(session, OPERATOR, rows, now, settings)
            else:
                plan = await importing.apply(
                    session, OPERATOR, rows, now, settings, after_move=AFTER_MOVE
                )
            if not plan.ok:
                # Leave the transaction without writing anything.
                await session.rollback()
    except DomainError as error:
        refusal = import_words.refusal(t, error)
        text = t(refusal.message_key, **wording.params(t, refusal.params))
        print(f"dutybot: {text}", file=sys.stderr)
        return 1
    finally:
        await database.dispose()
    if not plan.ok:
        print(t("importer.rejected", name=path.name, count=len(plan.errors)), file=sys.stderr)
        for row_error in plan.errors:
            print(import_words.row_line(t, row_error), file=sys.stderr)
        return 1
    heading = "importer.preview" if dry_run else "importer.done"
    print(t(heading, name=path.name, count=len(rows)))
    print(import_words.summary(t, plan))
    return 0
