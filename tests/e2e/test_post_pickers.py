"""A unit with more posts than one keyboard holds (Telegram refuses more than 100 buttons):
/posts and the post step of /newshift come 20 posts a page, and the roster a few posts a page,
so that every post and every volunteer's buttons can be reached. Forged page buttons change
nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    Dialogue,
    Member,
    Post,
    PostType,
    Role,
    Shift,
    ShiftStatus,
)
from bot.emulator import SimUser
from tests.e2e.button_fixtures import (
    CANCEL,
    NEXT,
    PREVIOUS,
    STALE,
    forged_pages_change_nothing,
    turn_pages,
)
from tests.e2e.schedule import DAY, at, command, person, press_and_settle, unit
from tests.harness import Harness

POSTS = 130
NAMES = [f"岗{n:03d}路口" for n in range(1, POSTS + 1)]
DAY_ROSTER = "📋 当天花名册"


async def many_posts(
    harness: Harness, unit_id: int, names: list[str], archived: frozenset[str] = frozenset()
) -> dict[str, int]:
    """Posts straight in the database; their ids by name."""
    async with harness.session() as session:
        rows = [
            Post(
                unit_id=unit_id,
                name=name,
                type=PostType.TRAFFIC,
                latitude=30.6586,
                longitude=104.0648,
                radius_m=150,
                archived=name in archived,
                created_at=harness.clock.now(),
            )
            for name in names
        ]
        session.add_all(rows)
        await session.flush()
        return {row.name: row.id for row in rows}


def post_buttons(user: SimUser, suffix: str = "") -> list[str]:
    wanted = {name + suffix for name in NAMES}
    return [label for label in user.last().buttons() if label in wanted]


async def test_posts_come_a_page_at_a_time_and_a_post_of_the_last_page_opens(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    ids = await many_posts(harness, unit_id, NAMES, archived=frozenset({"岗001路口"}))
    coordinator = await person(harness, 7101, unit_id, "王协调", role=Role.COORDINATOR)
    # Active posts first, by name; the archived one comes last.
    order = [*NAMES[1:], NAMES[0]]

    text = await command(harness, coordinator, "posts")
    first = coordinator.last()
    assert text.startswith("📍 岗位（点击管理）：") and "岗位第 1–20 个，共 130 个" in text
    assert "• 岗002路口 · 文明交通劝导岗 · 城管局" in text and "岗022路口" not in text
    assert post_buttons(coordinator) == order[:20]
    assert first.button_rows()[-1] == [NEXT]
    assert len(first.buttons()) == 21

    text = await turn_pages(harness, coordinator, NEXT, 6)
    assert coordinator.last().message_id == first.message_id  # the same message, edited
    assert "岗位第 121–130 个，共 130 个" in text
    assert "• 岗001路口 · 文明交通劝导岗 · 城管局（已归档）" in text
    assert post_buttons(coordinator) == order[120:]
    assert coordinator.last().button_rows()[-1] == [PREVIOUS]
    text = await press_and_settle(harness, coordinator, PREVIOUS)
    assert "岗位第 101–120 个，共 130 个" in text
    assert coordinator.last().button_rows()[-1] == [PREVIOUS, NEXT]
    await press_and_settle(harness, coordinator, NEXT)

    await forged_pages_change_nothing(harness, coordinator, "po.p")
    # An offset past the end (posts removed since) lands on the last page.
    await coordinator.press_data("po.p:99999", first.message_id)
    await harness.settle()
    assert "岗位第 121–130 个，共 130 个" in (coordinator.last().text or "")

    text = await press_and_settle(harness, coordinator, "岗130路口")
    assert "岗130路口" in text and "城管局" in text
    assert "✏️ 改名" in coordinator.last().buttons()
    assert coordinator.last().message_id == first.message_id
    async with harness.session() as session:
        assert await session.get(Post, ids["岗130路口"]) is not None
    assert await harness.count(Post) == POSTS


async def test_a_volunteer_may_not_turn_the_pages_of_posts(harness: Harness) -> None:
    unit_id = await unit(harness)
    await many_posts(harness, unit_id, NAMES[:30])
    volunteer = await person(harness, 7201, unit_id, "甲")
    await command(harness, volunteer, "shifts")
    await volunteer.press_data("po.p:20", volunteer.last().message_id)
    await harness.settle()
    assert volunteer.answered_callbacks[-1]["text"] == "抱歉，您没有权限执行这个操作。"


async def test_newshift_on_a_post_of_the_last_page(harness: Harness) -> None:
    unit_id = await unit(harness)
    ids = await many_posts(harness, unit_id, NAMES)
    coordinator = await person(harness, 7301, unit_id, "王协调", role=Role.COORDINATOR)
    labels = [f"{name} · 城管局" for name in NAMES]

    text = await command(harness, coordinator, "newshift")
    first = coordinator.last()
    assert text.startswith("给哪个岗位排班？") and "岗位第 1–20 个，共 130 个" in text
    assert post_buttons(coordinator, " · 城管局") == labels[:20]
    assert first.buttons()[-2:] == [NEXT, CANCEL]

    text = await turn_pages(harness, coordinator, NEXT, 6)
    assert "岗位第 121–130 个，共 130 个" in text
    assert post_buttons(coordinator, " · 城管局") == labels[120:]
    assert coordinator.last().buttons()[-2:] == [PREVIOUS, CANCEL]
    await press_and_settle(harness, coordinator, PREVIOUS)
    assert post_buttons(coordinator, " · 城管局") == labels[100:120]
    await press_and_settle(harness, coordinator, NEXT)
    await forged_pages_change_nothing(harness, coordinator, "ns.pg")

    text = await press_and_settle(harness, coordinator, "岗130路口 · 城管局")
    assert "岗130路口" in text
    # The post step is over: an old page button is stale now.
    await coordinator.press_data("ns.pg:0", first.message_id)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == STALE
    assert "岗130路口" in (coordinator.last().text or "")

    await coordinator.send_text("12-03")
    await harness.settle()
    await press_and_settle(harness, coordinator, "07:00–09:00")
    await press_and_settle(harness, coordinator, "4")
    text = await press_and_settle(harness, coordinator, "✅ 新建")
    assert "已新建 1 个班次" in text and "12月3日 周四 07:00–09:00 · 岗130路口" in text
    async with harness.session() as session:
        created = await session.scalar(select(Shift))
        assert created is not None
        assert (created.post_id, created.capacity) == (ids["岗130路口"], 4)
        assert created.starts_at == at(dt.date(2026, 12, 3), 7)
    assert await harness.count(Dialogue) == 0


async def test_newshift_page_buttons_need_the_dialogue_at_its_post_step(harness: Harness) -> None:
    unit_id = await unit(harness)
    await many_posts(harness, unit_id, NAMES[:30])
    coordinator = await person(harness, 7401, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "posts")
    await coordinator.press_data("ns.pg:20", coordinator.last().message_id)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == STALE
    assert await harness.count(Dialogue) == 0


# -- the roster -------------------------------------------------------------------------------


async def busy_day(
    harness: Harness, unit_id: int, posts: int, people: int, first_id: int = 10_000
) -> dict[str, int]:
    """Today 07:00–09:00 on each post, ``people`` volunteers on each (nobody checked in, so
    each has a correction to offer at 08:00); assignment ids by volunteer name."""
    ids = await many_posts(harness, unit_id, NAMES[:posts])
    assignments: dict[str, int] = {}
    async with harness.session() as session:
        for n, name in enumerate(NAMES[:posts]):
            shift = Shift(
                post_id=ids[name],
                starts_at=at(DAY, 7),
                ends_at=at(DAY, 9),
                capacity=people,
                status=ShiftStatus.SCHEDULED,
                created_at=harness.clock.now(),
            )
            session.add(shift)
            members = [
                Member(
                    telegram_id=first_id + n * people + k,
                    display_name=f"{name[:4]}-{k + 1}",
                    phone="+8613800000000",
                    language="zh_Hans",
                    unit_id=unit_id,
                    registered_at=harness.clock.now(),
                    blocked_bot=False,
                    active=True,
                )
                for k in range(people)
            ]
            session.add_all(members)
            await session.flush()
            rows = [
                Assignment(
                    shift_id=shift.id,
                    member_id=member.id,
                    status=AssignmentStatus.SIGNED_UP,
                    created_at=harness.clock.now(),
                    updated_at=harness.clock.now(),
                )
                for member in members
            ]
            session.add_all(rows)
            await session.flush()
            assignments.update(
                {m.display_name: row.id for m, row in zip(members, rows, strict=True)}
            )
    return assignments


def fix_buttons(user: SimUser) -> list[str]:
    return [label for label in user.last().buttons() if label.startswith("✏️ 更正 · ")]


async def test_roster_pages_by_post_and_every_volunteer_can_be_corrected(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    assignments = await busy_day(harness, unit_id, posts=40, people=3)
    coordinator = await person(harness, 7501, unit_id, "王协调", role=Role.COORDINATOR)

    text = await command(harness, coordinator, "roster")
    first = coordinator.last()
    assert text.startswith("📋 花名册 · 12月1日 周二")
    assert "第 1/4 页 · 岗位第 1–10 个，共 40 个" in text
    assert "📍 岗001路口（城管局）" in text and "岗011路口" not in text
    assert "1. 岗001-1 — ❌ 缺勤" in text
    assert first.button_rows()[-1] == [NEXT]
    assert len(first.buttons()) == 10 * 4 + 1
    reachable = set(fix_buttons(coordinator))

    for page in (2, 3, 4):
        text = await press_and_settle(harness, coordinator, NEXT)
        assert coordinator.last().message_id == first.message_id  # edited, not a new message
        assert f"第 {page}/4 页 · 岗位第 {page * 10 - 9}–{page * 10} 个，共 40 个" in text
        assert len(text) <= 4096 and len(coordinator.last().buttons()) <= 100
        reachable |= set(fix_buttons(coordinator))
    assert coordinator.last().button_rows()[-1] == [PREVIOUS]
    assert reachable == {f"✏️ 更正 · {name}" for name in assignments}

    text = await press_and_settle(harness, coordinator, PREVIOUS)
    assert "第 3/4 页" in text
    await press_and_settle(harness, coordinator, NEXT)

    # Forged page buttons: the stale alert, and the page stays as it was.
    shown = coordinator.last()
    before = (shown.text, shown.button_rows())
    for data in ("ro:20261301:1", "ro:20261201:-1", "ro:20261201", "ro:x:1", "ro:20261201:1:2"):
        await coordinator.press_data(data, shown.message_id)
        await harness.settle()
        assert coordinator.answered_callbacks[-1]["text"] == STALE, data
    assert (coordinator.last().text, coordinator.last().button_rows()) == before
    # A page past the end (shifts gone since) lands on the last page.
    await coordinator.press_data("ro:20261201:99", shown.message_id)
    await harness.settle()
    assert "第 4/4 页" in (coordinator.last().text or "")

    # The last volunteer of the last page: the correction flow opens and records.
    text = await press_and_settle(harness, coordinator, "✏️ 更正 · 岗040-3")
    assert "岗040-3" in text and "岗040路口" in text
    await press_and_settle(harness, coordinator, "🙋 补录到岗（手机没电等）")
    await coordinator.send_text("手机没电，现场核实在岗")
    await harness.settle()
    assert "已更正：岗040-3 · 岗040路口，计入 1 小时" in (coordinator.last().text or "")
    async with harness.session() as session:
        [record] = list(await session.scalars(select(CheckIn)))
        assert record.assignment_id == assignments["岗040-3"] and record.manual


async def test_a_post_with_more_people_than_one_keyboard_goes_on_over_the_next_page(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    assignments = await busy_day(harness, unit_id, posts=1, people=120)
    coordinator = await person(harness, 7601, unit_id, "王协调", role=Role.COORDINATOR)

    text = await command(harness, coordinator, "roster")
    assert "第 1/2 页 · 岗位第 1–1 个，共 1 个" in text
    assert len(coordinator.last().buttons()) <= 100
    reachable = set(fix_buttons(coordinator))
    text = await press_and_settle(harness, coordinator, NEXT)
    assert "第 2/2 页 · 岗位第 1–1 个，共 1 个" in text
    # The post and shift lines come again above the people who go on.
    assert "📍 岗001路口（城管局）" in text and "🕒 07:00–09:00 · 120/120 人" in text
    assert "120. 岗001-120" in text
    reachable |= set(fix_buttons(coordinator))
    assert reachable == {f"✏️ 更正 · {name}" for name in assignments}
    assert "⚙️ 07:00 岗001路口" not in coordinator.last().buttons()


async def test_the_card_of_a_big_shift_pages_its_people(harness: Harness) -> None:
    unit_id = await unit(harness)
    assignments = await busy_day(harness, unit_id, posts=1, people=60)
    coordinator = await person(harness, 7701, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "roster")
    text = await press_and_settle(harness, coordinator, "⚙️ 07:00 岗001路口")
    card = coordinator.last()
    assert "👥 60/60 人" in text and "人员第 1–25 个，共 60 个" in text
    assert "25. 岗001-25" in text and "26. 岗001-26" not in text
    assert card.button_rows()[-2:] == [[NEXT], [DAY_ROSTER]] and len(card.buttons()) <= 100

    text = await turn_pages(harness, coordinator, NEXT, 2)
    assert "人员第 51–60 个，共 60 个" in text and "60. 岗001-60" in text
    assert coordinator.last().message_id == card.message_id
    assert coordinator.last().button_rows()[-2:] == [[PREVIOUS], [DAY_ROSTER]]
    shift_id = int((coordinator.last().button_data(PREVIOUS) or "").split(":")[1])
    for data in (f"sc:{shift_id}:x", f"sc:{shift_id}:-25", f"sc:{shift_id}:25:1"):
        await coordinator.press_data(data, card.message_id)
        await harness.settle()
        assert coordinator.answered_callbacks[-1]["text"] == STALE, data
    assert "人员第 51–60 个" in (coordinator.last().text or "")

    text = await press_and_settle(harness, coordinator, "✏️ 更正 · 岗001-60")
    assert "岗001-60" in text
    await press_and_settle(harness, coordinator, "🙋 补录到岗（手机没电等）")
    await coordinator.send_text("现场核实在岗")
    await harness.settle()
    assert "已更正：岗001-60 · 岗001路口" in (coordinator.last().text or "")
    async with harness.session() as session:
        [record] = list(await session.scalars(select(CheckIn)))
        assert record.assignment_id == assignments["岗001-60"] and record.manual
