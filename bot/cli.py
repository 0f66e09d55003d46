"""The ``dutybot`` command: run, demo, migrate, import, export."""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.settings import Settings, SettingsError, StartupError, load_settings

log = logging.getLogger("dutybot")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dutybot",
        description=(
            "Telegram bot for the volunteer duty posts of a civility campaign. "
            "Settings come from the environment or a .env file (see README)."
        ),
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    # Also after the command (dutybot run -v), as people type it: SUPPRESS, so that a command
    # given without it keeps the -v given before it.
    verbose = argparse.ArgumentParser(add_help=False)
    verbose.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log debug details",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run the bot (long polling, or --webhook)", parents=[verbose]
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates on WEBHOOK_URL (HTTPS, secret-token header checked)",
    )

    demo = commands.add_parser(
        "demo",
        help="play a simulated day against a local Bot API emulator (no token needed)",
        parents=[verbose],
    )
    demo.add_argument(
        "--data-dir",
        default="data",
        help="where the demo writes its database (demo.db), check-in photos and the tally's "
        "chart (demo-tally.png) (default: %(default)s)",
    )
    demo.add_argument(
        "--database-url",
        help="database for the demo, recreated each time (default: DATA_DIR/demo.db)",
    )

    commands.add_parser(
        "migrate", help="apply database migrations (also done at start-up)", parents=[verbose]
    )

    schedule = commands.add_parser(
        "import",
        help="import a schedule spreadsheet (.xlsx or .csv), all or nothing",
        parents=[verbose],
    )
    schedule.add_argument("file", help="the spreadsheet, with the columns of /template")
    schedule.add_argument(
        "--dry-run", action="store_true", help="only report what would change, write nothing"
    )
    export = commands.add_parser(
        "export", help="write the duty ledger (.xlsx) of a date range", parents=[verbose]
    )
    export.add_argument(
        "--from", dest="first", required=True, help="first day, YYYY-MM-DD or MM-DD"
    )
    export.add_argument(
        "--until", dest="last", help="last day, YYYY-MM-DD or MM-DD (default: --from)"
    )
    export.add_argument("--unit", help="only this unit (default: every unit)")
    export.add_argument("--language", help="zh_Hans, en or zh_Hant (default: DEFAULT_LANGUAGE)")
    export.add_argument("--out", help="file to write (default: REPORTS_DIR/ledger-....xlsx)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # The demo prints a conversation; its log would only bury it.
    quiet = args.command == "demo" and not args.verbose
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING if quiet else logging.INFO,
        format=LOG_FORMAT,
    )
    for noisy in ("httpx", "apscheduler", "aiohttp.access", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.verbose:
        # Debug of the libraries below: every SQLite call twice, as a functools.partial with its
        # values (a member's phone among them), and nothing a reader of the bot needs.
        logging.getLogger("aiosqlite").setLevel(logging.INFO)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"dutybot: {exc}", file=sys.stderr)
        return 2
    keep_secrets_out_of_logs(settings)
    try:
        return _command(args, settings)
    except SettingsError as exc:
        print(f"dutybot: {exc}", file=sys.stderr)
        return 2
    except StartupError as exc:
        print(f"dutybot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from bot.db.failures import explain

        if isinstance(exc, OSError) and exc.filename is not None:
            # A file or folder the command was given (--data-dir, --out), not the database:
            # SQLite's own failures come wrapped by SQLAlchemy, PostgreSQL's name no file.
            print(
                f"dutybot: cannot use {exc.filename} ({exc.strerror}): check that the path "
                "exists and can be written, or give another",
                file=sys.stderr,
            )
            return 1
        line = explain(settings.database_url, exc)
        if line is None:
            raise
        print(f"dutybot: {line}", file=sys.stderr)
        return 1


# A phone number as PTB's debug lines and the stored update show it: phone_number='+86...',
# 'phone_number': '+86...' or "phone_number": "+86...".
_PHONE = re.compile(r"""(phone_number['"]?\s*[:=]\s*['"])[^'"]*""")


class _Redacting(logging.Formatter):
    """Every log line without the token (in every Bot API URL PTB logs at debug), the webhook
    secret (a parameter of setWebhook) or a phone number (in the updates PTB logs at debug)."""

    def __init__(self, fmt: str | None, secrets: Sequence[str]) -> None:
        super().__init__(fmt)
        self._secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _PHONE.sub(r"\1***", text)


def keep_secrets_out_of_logs(settings: Settings) -> None:
    secrets = [settings.bot_token.strip(), settings.webhook_secret]
    for handler in logging.getLogger().handlers:
        handler.setFormatter(_Redacting(LOG_FORMAT, secrets))


def _command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command != "demo":
        settings.require_database_file()
    elif args.database_url:  # the demo's own database: the same rules as DATABASE_URL's
        _demo_database(args.database_url)
    if args.command == "run":
        settings.require_token()
        from bot.runner import run_bot

        run_bot(settings, webhook=args.webhook)
    elif args.command == "migrate":
        asyncio.run(_migrate(settings))
    elif args.command == "import":
        from bot.importcli import import_file

        return asyncio.run(import_file(settings, args.file, dry_run=args.dry_run))
    elif args.command == "demo":
        from bot.demo import run_demo

        asyncio.run(run_demo(args.database_url, Path(args.data_dir)))
    elif args.command == "export":
        _export(settings, args)
    return 0


def _demo_database(url: str) -> None:
    try:
        load_settings(database_url=url).require_database_file()
    except SettingsError as error:
        raise SettingsError(str(error).replace("DATABASE_URL", "--database-url", 1)) from None


def _export(settings: Settings, args: argparse.Namespace) -> None:
    from bot.exportcli import export_ledger
    from bot.i18n import LANGUAGES

    if args.language is not None and args.language not in LANGUAGES:
        raise SettingsError(f"--language must be one of {', '.join(LANGUAGES)}")
    path, rows = asyncio.run(
        export_ledger(
            settings,
            first=args.first,
            last=args.last,
            unit_name=args.unit,
            language=args.language,
            out=args.out,
        )
    )
    print(wrote(rows, path))


def wrote(rows: int, path: object) -> str:
    """The export's last line, for an operator (in English, as the other command-line lines)."""
    noun = "attendance row" if rows == 1 else "attendance rows"
    return f"dutybot: wrote {rows} {noun} to {path}"


async def _migrate(settings: Settings) -> None:
    from bot.db.engine import Database
    from bot.db.migrate import upgrade

    database = Database(settings.database_url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()
    from bot.db.failures import where

    print(f"dutybot: database {where(settings.database_url)} is up to date")
