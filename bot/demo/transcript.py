"""What the demo prints: each person's turn and what the bot answered them, edits included."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.emulator import SimUser
from bot.localbot import LocalBot


@dataclass
class Transcript:
    """Prints each person's turn and what the bot answered them, edits included."""

    bot: LocalBot
    shown: dict[tuple[int, int], str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)
        print(line)

    async def step(self, person: SimUser, label: str, action: Callable[[], Awaitable[Any]]) -> None:
        self.say(f"\n👤 {person.first_name}: {label}")
        await action()
        await self.bot.settle()
        self.show_replies(person)

    def _unseen(self, person: SimUser) -> list[tuple[bool, str]]:
        """What the bot sent or edited in this chat since the last look: (edited, rendering)."""
        unseen = []
        for message in person.messages():
            body = message.text or message.caption or f"[{message.kind}]"
            rendered = "\n   ".join(body.splitlines())
            buttons = message.buttons()
            if buttons:
                rendered += "\n   " + " ".join(f"[{text}]" for text in buttons)
            key = (person.user_id, message.message_id)
            before = self.shown.get(key)
            if before == rendered:
                continue
            self.shown[key] = rendered
            unseen.append((before is not None, rendered))
        return unseen

    def show_replies(self, person: SimUser, *, quiet: bool = False) -> None:
        """Print what the bot sent or edited since the last look (quiet: only take note)."""
        for edited, rendered in self._unseen(person):
            if not quiet:
                self.say(("🤖✏️ " if edited else "🤖 ") + rendered)

    def show_news(self, people: Sequence[SimUser]) -> None:
        """Print what reached each person without them asking (the outbox at work)."""
        for person in people:
            unseen = self._unseen(person)
            if unseen:
                self.say(f"📨 → {person.first_name}")
            for edited, rendered in unseen:
                self.say(("   🤖✏️ " if edited else "   🤖 ") + rendered)
