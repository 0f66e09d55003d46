"""What every handler and job needs: settings, database, clock, and the process's pacer. Built
once by the composition root (CLI, demo, test harness) and stored in ``Application.bot_data``."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.db.engine import Database
from bot.i18n import Translator
from bot.pacing import Pacer
from bot.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    bot_username: str = field(default="")
    # Telegram counts what the bot sends per token: the outbox sender and the direct answers
    # count in this one pacer, so that the sender leaves the room the answers took.
    pacer: Pacer = field(default_factory=Pacer)

    def translator(self, language: str | None) -> Translator:
        return Translator(language or self.settings.default_language, self.settings.zone)

    def deep_link(self, code: str) -> str:
        return f"https://t.me/{self.bot_username}?start={code}"
