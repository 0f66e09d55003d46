"""`dutybot export`: the ledger spreadsheet written to a file, without Telegram."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.clock import SystemClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.people import units
from bot.services.reports import ledger, periods
from bot.services.reports.ledger_xlsx import filename, workbook_bytes
from bot.settings import Settings, SettingsError, StartupError

# As /export reads a range (ledger.parse_range): a first date without its year is the nearest
# one, or the latest one up to today when that is more than a month ahead.
_UNREADABLE = (
    "expected --from [--until] as dates such as 2026-12-01, or 12-01 for the one closest to today"
)
_RANGE_REFUSALS = {
    ErrorCode.EXPORT_RANGE_BACKWARDS: "--until is before --from",
    ErrorCode.EXPORT_RANGE_TOO_LONG: "at most a year at a time",
    ErrorCode.EXPORT_RANGE_FUTURE: "--from is after today",
}


async def export_ledger(
    settings: Settings,
    *,
    first: str,
    last: str | None,
    unit_name: str | None,
    language: str | None,
    out: str | None,
    now: dt.datetime | None = None,
) -> tuple[Path, int]:
    """Write the ledger of [first, last] (one unit, or all) and return its path and row count."""
    now = now or SystemClock().now()
    today = periods.local_today(now, settings.zone)
    database = Database(settings.database_url)
    try:
        try:
            period = ledger.parse_range(" ".join([first, *([last] if last else [])]), today)
        except DomainError as error:
            raise SettingsError(_RANGE_REFUSALS.get(error.code, _UNREADABLE)) from None
        # As `run` and `import` do: a database never migrated (or one release behind) is
        # brought up to date rather than failing on a missing table.
        await upgrade(database)
        async with database.session() as session:
            unit_id = None
            if unit_name:
                unit = await units.by_name(session, unit_name)
                if unit is None:
                    raise SettingsError(f"no unit named {unit_name!r}")
                unit_id = unit.id
            book = await ledger.build(
                session, unit_id=unit_id, period=period, now=now, settings=settings
            )
    finally:
        await database.dispose()
    t = Translator(language or settings.default_language, settings.zone)
    path = Path(out) if out else Path(settings.reports_dir) / filename(book)
    content = workbook_bytes(t, book)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as error:
        # Not the database's fault: cli.main would otherwise explain any OSError as one.
        raise StartupError(
            f"cannot write {path} ({error.strerror}): give --out a file in a folder you can "
            "write in"
        ) from None
    return path, len(book.attendance)
