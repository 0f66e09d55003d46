"""What the board's tests build beside the prepared morning (board_fixtures.py): wall-screen
links as an admin makes them in /board, and a post with two shifts in a row whose volunteers
check in through the bot."""

from __future__ import annotations

from dataclasses import dataclass

from bot.board import screens
from bot.db.models import BoardScreen, Post, Shift, ShiftStatus
from bot.emulator import SimUser
from bot.services.people.access import Actor
from tests.e2e.board_fixtures import local
from tests.e2e.checkin_fixtures import assign, post, team
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


@dataclass
class ShiftsInARow:
    post: Post
    first: SimUser  # holds 07:00-09:00
    second: SimUser  # holds 09:00-11:00


async def shifts_in_a_row(harness: Harness) -> ShiftsInARow:
    """人民路口 with two shifts of one seat, 07:00-09:00 held by 王芳 and 09:00-11:00 by 李娜,
    who joined through the bot's invite journey; the clock at 06:00."""
    harness.clock.set(local(6, 0))
    crew = await team(harness, ["王芳", "李娜"])
    post_row = await post(harness, crew.unit, "人民路口")
    async with harness.session() as session:
        shifts = [
            Shift(
                post_id=post_row.id,
                starts_at=local(start),
                ends_at=local(start + 2),
                capacity=1,
                status=ShiftStatus.SCHEDULED,
                created_at=harness.clock.now(),
            )
            for start in (7, 9)
        ]
        session.add_all(shifts)
    for shift_row, person in zip(shifts, crew.volunteers, strict=True):
        await assign(harness, shift_row, person)
    first, second = crew.volunteers
    return ShiftsInARow(post_row, first, second)
