"""A wall-screen link of a unit archived after the link was made: the board says the unit is
archived (in the screen's language) and gives no data; the link is not revoked, so it shows the
board again once the unit is restored."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.board import screens
from bot.db.models import BoardScreen, Unit
from bot.services.people.access import Actor
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    get,
    prepare_morning,
    running_board,
    state,
    states,
)
from tests.harness import ADMIN_ID, Harness

ARCHIVED_PAGE = {
    "zh_Hans": "这个大屏链接所属的单位已归档",
    "en": "The unit this screen link shows has been archived",
    "zh_Hant": "這個大屏連結所屬的單位已歸檔",
}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


async def _set_archived(harness: Harness, unit_id: int, archived: bool) -> None:
    # Straight in the table: the morning's unit has shifts to come, which /units would refuse
    # to archive; what the board does with an archived unit is the same either way.
    async with harness.session() as session:
        await session.execute(update(Unit).where(Unit.id == unit_id).values(archived=archived))


async def test_a_screen_link_of_an_archived_unit_says_so_until_the_unit_is_restored(
    harness: Harness,
) -> None:
    morning = await prepare_morning(harness)
    unit_id = morning.units["团结社区"]
    admin = Actor.of(ADMIN_ID, None, harness.runtime.settings.admin_ids)
    tokens: dict[str, str] = {}
    async with harness.session() as session:
        for language in ARCHIVED_PAGE:
            screen = await screens.create(
                session, admin, unit_id=unit_id, language=language, now=harness.clock.now()
            )
            tokens[language] = screens.token_of(screen, harness.runtime.settings)
    async with running_board(harness) as board:
        assert (await state(board, f"screen {tokens['en']}"))[0] == 200
        await _set_archived(harness, unit_id, True)
        for language, text in ARCHIVED_PAGE.items():
            token = tokens[language]
            assert await state(board, f"screen {token}") == (403, {"error": "archived"})
            # The page speaks the screen's language, whatever the address says.
            page, _, html = await get(board, f"{board.prefix}/screen/{token}?lang=zh_Hans")
            assert page == 403 and text in html, (language, html)
            assert "团结社区" not in html

        await _set_archived(harness, unit_id, False)
        status, body = await state(board, f"screen {tokens['en']}")
        assert status == 200 and body["scope"] == "团结社区"
        assert states(body) == {"垃圾分类点": "empty"}
        assert (await get(board, f"{board.prefix}/screen/{tokens['zh_Hant']}"))[0] == 200
    async with harness.session() as session:
        revoked = await session.scalars(select(BoardScreen.revoked_at))
        assert list(revoked) == [None, None, None]  # archiving revoked no link
