"""Wall-screen links for the board's tests, made as an admin makes them in /board."""

from __future__ import annotations

from bot.board import screens
from bot.db.models import BoardScreen
from bot.services.people.access import Actor
from tests.harness import ADMIN_ID, Harness


async def screen_link(
    harness: Harness, unit_id: int | None, language: str = "en"
) -> tuple[BoardScreen, str]:
    """A screen link of the unit (None: the city) and its token."""
    settings = harness.runtime.settings
    async with harness.session() as session:
        admin = Actor.of(ADMIN_ID, None, settings.admin_ids)
        screen = await screens.create(
            session, admin, unit_id=unit_id, language=language, now=harness.clock.now()
        )
    return screen, screens.token_of(screen, settings)
