"""A unit archived after its board was opened: a wall-screen link of it says the unit is archived
(in the screen's language) and gives no data, the link not revoked, so it shows the board again
once the unit is restored; its leaders and coordinators are told so by /board and by the Mini
App, which gives them none of its data (an admin among them sees the city)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.board import screens
from bot.db.models import BoardScreen, Member, Unit
from bot.services.people.access import Actor
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    COORDINATOR_ID,
    LEADER_ID,
    get,
    mini_app,
    prepare_morning,
    running_board,
    state,
    states,
)
from tests.harness import ADMIN_ID, Harness

# What /board and the Mini App tell a leader or coordinator of an archived unit.
OWN_UNIT_ARCHIVED = {
    "zh_Hans": "您所在的单位「城管局」已归档（已退出创文），看板不再显示它",
    "en": "Your unit, “城管局”, has been archived (it has left the campaign)",
    "zh_Hant": "您所在的單位「城管局」已歸檔（已退出創文），看板不再顯示它",
}
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
            status, body = await state(board, f"screen {token}")
            assert (status, body["error"]) == (403, "archived")
            assert body["page"]["labels"]["archived"].startswith(text)  # the screen's language
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


async def test_the_leader_of_an_archived_unit_is_told_so_and_sees_none_of_its_data(
    harness: Harness,
) -> None:
    morning = await prepare_morning(harness)
    await _set_archived(harness, morning.units["城管局"], True)
    leader = harness.user(LEADER_ID, "李领导")
    for language, said in OWN_UNIT_ARCHIVED.items():
        async with harness.session() as session:
            await session.execute(
                update(Member).where(Member.telegram_id == LEADER_ID).values(language=language)
            )
        await leader.send_command("board")
        await harness.settle()
        reply = leader.last()
        assert (reply.text or "").startswith(said), reply.text
        assert reply.buttons() == []
    assert harness.emulator.menu_button(LEADER_ID) == {"type": "commands"}
    async with running_board(harness) as board:
        status, body, text = await get(
            board, f"{board.prefix}/api/state", mini_app(harness, LEADER_ID)
        )
        assert (status, body["error"]) == (403, "unit_archived")
        # The leader's language (zh_Hant since the last round), whatever the page's address.
        assert body["page"]["labels"]["unit_archived"].startswith("您所在的單位已歸檔")
        assert "人民路口" not in text and "城管局" not in text
        # The other unit's coordinator is not touched.
        status, body = await state(board, mini_app(harness, COORDINATOR_ID))
        assert status == 200 and states(body) == {"垃圾分类点": "empty"}
        # Restored, the unit has its board again.
        await _set_archived(harness, morning.units["城管局"], False)
        status, body = await state(board, mini_app(harness, LEADER_ID))
        assert status == 200 and body["scope"] == "城管局"
    await leader.send_command("board")
    await harness.settle()
    reply = leader.last()  # in the leader's language, zh_Hant since the last round
    assert (reply.text or "").startswith("🗺 掛圖作戰 · 城管局")
    assert reply.buttons() == ["🗺 打開掛圖作戰"]


async def test_an_admin_whose_unit_is_archived_still_sees_the_city(harness: Harness) -> None:
    morning = await prepare_morning(harness)
    await _set_archived(harness, morning.units["城管局"], True)
    settings = harness.runtime.settings
    harness.runtime.settings = settings.model_copy(
        update={"admin_ids": [*settings.admin_ids, LEADER_ID]}
    )
    leader = harness.user(LEADER_ID, "李领导")
    await leader.send_command("board")
    await harness.settle()
    assert (leader.last().text or "").startswith("🗺 挂图作战 · 全部单位")
    async with running_board(harness) as board:
        status, body = await state(board, mini_app(harness, LEADER_ID))
    assert status == 200 and body["scope"] == "全部单位"
    assert "垃圾分类点" in states(body)
