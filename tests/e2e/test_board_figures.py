"""What the board's data holds for the day: every post coloured by its state now, the popups,
today's figures and ranking as /today has them, archived units left out, and no phone number."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import Assignment, CheckIn, Member, Post, PostType, Shift, Unit
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    get,
    local,
    mini_app,
    panel,
    prepare_morning,
    running_board,
    state,
    states,
)
from tests.harness import ADMIN_ID, Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


async def test_admin_sees_every_post_of_the_city_coloured_by_its_state_now(
    harness: Harness,
) -> None:
    morning = await prepare_morning(harness)
    async with running_board(harness) as board:
        status, body = await state(board, mini_app(harness, ADMIN_ID))
    assert status == 200
    assert body["scope"] == "全部单位"
    assert states(body) == morning.expected
    legend = {item["state"]: item["count"] for item in panel(body, "map")["legend"]}
    assert legend == {"staffed": 1, "short": 1, "empty": 2, "idle": 1}
    popups = {m["popup"]["title"]: m["popup"] for m in panel(body, "map")["markers"]}
    assert popups["人民路口"]["staffing"] == "在岗 2/2 人"
    assert popups["人民路口"]["shifts"] == ["07:00–09:00"]
    assert [(p["name"], p["time"], p["note"]) for p in popups["人民路口"]["people"]] == [
        ("张伟", "06:50 签到", None),
        ("王芳", "07:08 签到", "迟到 8 分钟"),
    ]
    assert popups["和平街"]["shifts"] == ["14:00–16:00"]
    assert popups["和平街"]["staffing"] == "下一班次"


async def test_no_phone_number_ever_leaves_the_server(harness: Harness) -> None:
    await prepare_morning(harness)
    async with running_board(harness) as board:
        _, _, text = await get(board, f"{board.prefix}/api/state", mini_app(harness, ADMIN_ID))
    async with harness.session() as session:
        phones = set(await session.scalars(select(Member.phone).where(Member.phone.is_not(None))))
    assert phones == {"+8613800138000"}
    assert "13800138000" not in text


async def test_figures_of_the_morning_are_todays_tally(harness: Harness) -> None:
    await prepare_morning(harness)
    async with running_board(harness) as board:
        _, body = await state(board, mini_app(harness, ADMIN_ID))
    figures = {item["key"]: item["value"] for item in panel(body, "now")["figures"]}
    # 9 seats today (2+3+1+2+1), 3 checked in (one of them 8 minutes late), nobody absent
    # yet; on post now: 3 of the 7 seats under way.
    assert figures == {
        "seats": "9",
        "checked_in": "3",
        "late": "1",
        "absent": "0",
        "rate": "33%",
        "on_post": "3/7",
        "early": "0",
    }
    points = panel(body, "now")["curve"]["points"]
    assert points == [
        [int(local(7).timestamp()), 28.6],  # 张伟 and 李娜 were there at 07:00
        [int(local(7, 10).timestamp()), 42.9],  # and 王芳 since 07:08
    ]


async def test_the_ranking_leaves_out_an_archived_unit_as_today_does(harness: Harness) -> None:
    """An archived (merged) unit with nothing today is not in /today's ranking, nor in the
    board's, which is "the ranking of /today"."""
    await prepare_morning(harness)
    async with harness.session() as session:
        session.add(
            Unit(
                name="已撤并单位",
                require_swap_approval=False,
                created_at=harness.clock.now(),
                archived=True,
            )
        )
    async with running_board(harness) as board:
        _, body = await state(board, mini_app(harness, ADMIN_ID))
    board_units = [row["cells"][1] for row in panel(body, "ranking")["rows"]]
    assert board_units and "已撤并单位" not in board_units
    await harness.admin.send_command("today")
    await harness.settle()
    text = "\n".join(m.text or "" for m in harness.admin.messages()[-3:])
    assert "已撤并单位" not in text


async def test_the_map_leaves_out_the_posts_of_an_archived_unit(harness: Harness) -> None:
    """A unit archived after leaving the campaign has no shift to come (archiving refuses it),
    so its posts could only ever show grey: the map and its legend leave them out, as the
    ranking leaves the unit out."""
    morning = await prepare_morning(harness)
    async with running_board(harness) as board:
        _, before = await state(board, mini_app(harness, ADMIN_ID))
    async with harness.session() as session:
        gone = Unit(
            name="已撤并单位",
            require_swap_approval=False,
            created_at=harness.clock.now(),
            archived=True,
        )
        session.add(gone)
        await session.flush()
        session.add(
            Post(
                unit_id=gone.id,
                name="撤并单位的岗",
                type=PostType.TRAFFIC,
                latitude=30.70,
                longitude=104.10,
                radius_m=150,
                archived=False,
                created_at=harness.clock.now(),
            )
        )
    async with running_board(harness) as board:
        _, body = await state(board, mini_app(harness, ADMIN_ID))
    assert set(states(body)) == set(morning.posts)
    assert panel(body, "map")["legend"] == panel(before, "map")["legend"]


async def test_a_popup_marks_late_by_the_flag_saved_at_check_in(harness: Harness) -> None:
    """Whether a check-in was late is judged once, when it is recorded (by LATE_AFTER_MIN of
    that moment, or a coordinator's correction), and /today counts that flag: the popup says
    the same, not what today's setting would make of the minutes."""
    morning = await prepare_morning(harness)
    async with harness.session() as session:
        rows = await session.execute(
            select(Member.display_name, CheckIn)
            .join(Assignment, Assignment.id == CheckIn.assignment_id)
            .join(Member, Member.id == Assignment.member_id)
        )
        check_ins = {row[0]: row[1] for row in rows}
        # 王芳, 8 minutes after the start, was let off (recorded on time); 张伟's check-in was
        # judged late under a stricter setting although only 3 minutes after the start.
        check_ins["王芳"].late = False
        check_ins["张伟"].checked_in_at = local(7, 3)
        check_ins["张伟"].minutes_late = 3
        check_ins["张伟"].late = True
    async with running_board(harness) as board:
        _, body = await state(board, mini_app(harness, ADMIN_ID))
    popups = {m["popup"]["title"]: m["popup"] for m in panel(body, "map")["markers"]}
    assert [(p["name"], p["note"]) for p in popups["人民路口"]["people"]] == [
        ("张伟", "迟到 3 分钟"),
        ("王芳", None),
    ]
    figures = {item["key"]: item["value"] for item in panel(body, "now")["figures"]}
    assert figures["late"] == "1"  # 张伟, as the popup says
    async with harness.session() as session:
        late = await session.scalars(
            select(CheckIn.late)
            .join(Assignment, Assignment.id == CheckIn.assignment_id)
            .join(Shift, Shift.id == Assignment.shift_id)
            .where(Shift.post_id == morning.posts["人民路口"])
            .order_by(CheckIn.checked_in_at)
        )
        assert list(late) == [True, False]


async def test_a_unit_newer_than_the_shared_read_is_still_named_on_its_board(
    harness: Harness,
) -> None:
    """The server makes every unit's board from one read of the city per interval (served up
    to two intervals old): a unit created since, whose leader opens the board at once, was
    named 全部单位 at the top of a board of one unit."""
    from bot.board import data, standard

    await prepare_morning(harness)
    settings = harness.runtime.settings
    async with harness.session() as session:
        scene = await data.read_scene(session, None, harness.clock.now(), settings)
        unit = Unit(name="新成立单位", require_swap_approval=False, created_at=harness.clock.now())
        session.add(unit)
        await session.flush()
        payload = await standard.snapshot(
            standard.standard_panels(),
            session,
            unit_id=unit.id,
            now=harness.clock.now(),
            settings=settings,
            t=harness.runtime.translator("zh_Hans"),
            scene=scene,
        )
        assert await session.scalar(select(Unit.name).where(Unit.id == unit.id)) == "新成立单位"
    assert payload["scope"] == "新成立单位"
    assert states(payload) == {}
