"""A city with 130 units: every unit picker shows them 20 at a time, because Telegram refuses a
keyboard of more than 100 buttons. The admin turns the pages, picks the last unit and the
journey completes; a forged page button changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Dialogue, Invite, Post, PostType, Role, Unit
from bot.emulator import SimUser
from tests.e2e.button_fixtures import (
    CANCEL,
    NEXT,
    PREVIOUS,
    STALE,
    forged_pages_change_nothing,
    turn_pages,
)
from tests.e2e.schedule import command, outbox_to, person, press_and_settle
from tests.harness import Harness

UNITS = 130
NAMES = [f"第{n:03d}社区" for n in range(1, UNITS + 1)]


async def many_units(harness: Harness) -> dict[str, int]:
    """130 units straight in the database; their ids by name."""
    async with harness.session() as session:
        rows = [
            Unit(name=name, require_swap_approval=False, created_at=harness.clock.now())
            for name in NAMES
        ]
        session.add_all(rows)
        await session.flush()
        return {row.name: row.id for row in rows}


def unit_buttons(user: SimUser) -> list[str]:
    return [label for label in user.last().buttons() if label in NAMES]


async def test_units_list_pages_and_renames_a_unit_of_the_last_page(harness: Harness) -> None:
    ids = await many_units(harness)
    admin = harness.admin
    text = await command(harness, admin, "units")
    first = admin.last()
    assert "单位第 1–20 个，共 130 个" in text
    assert "• 第001社区：0 人" in text and "• 第020社区：0 人" in text
    assert "第021社区" not in text
    buttons = first.buttons()
    assert buttons[:4] == ["➕ 新建单位", "✏️ 改名：第001社区", "🔗 邀请", "🗂 归档"]
    assert buttons[-1] == NEXT and PREVIOUS not in buttons
    assert len(buttons) == 1 + 3 * 20 + 1
    assert first.button_rows()[-1] == [NEXT]

    text = await turn_pages(harness, admin, NEXT, 6)
    assert admin.last().message_id == first.message_id  # the same message, edited
    assert "单位第 121–130 个，共 130 个" in text
    assert "• 第121社区：0 人" in text and "• 第130社区：0 人" in text
    assert "第120社区" not in text
    assert admin.last().button_rows()[-1] == [PREVIOUS]
    text = await press_and_settle(harness, admin, PREVIOUS)
    assert "单位第 101–120 个，共 130 个" in text
    assert admin.last().button_rows()[-1] == [PREVIOUS, NEXT]
    await press_and_settle(harness, admin, NEXT)

    await forged_pages_change_nothing(harness, admin, "unit.p")
    # An offset past the end (units removed since) lands on the last page.
    await admin.press_data("unit.p:99999", first.message_id)
    await harness.settle()
    assert "单位第 121–130 个，共 130 个" in (admin.last().text or "")

    text = await press_and_settle(harness, admin, "✏️ 改名：第130社区")
    assert "请输入「第130社区」的新名称" in text
    await admin.send_text("幸福里社区")
    await harness.settle()
    assert "单位已改名为「幸福里社区」" in (admin.last().text or "")
    async with harness.session() as session:
        renamed = await session.get(Unit, ids["第130社区"])
        assert renamed is not None and renamed.name == "幸福里社区"
    assert await harness.count(Unit) == UNITS


async def test_admin_invites_to_a_unit_of_the_last_page(harness: Harness) -> None:
    ids = await many_units(harness)
    admin = harness.admin
    text = await command(harness, admin, "invite")
    first = admin.last()
    assert text.startswith("邀请加入哪个单位？") and "单位第 1–20 个，共 130 个" in text
    assert unit_buttons(admin) == NAMES[:20]
    assert first.buttons()[-2:] == [NEXT, CANCEL]

    text = await turn_pages(harness, admin, NEXT, 6)
    assert "单位第 121–130 个，共 130 个" in text
    assert unit_buttons(admin) == NAMES[120:]
    assert admin.last().buttons()[-2:] == [PREVIOUS, CANCEL]
    text = await press_and_settle(harness, admin, PREVIOUS)
    assert unit_buttons(admin) == NAMES[100:120] and "单位第 101–120 个" in text
    await press_and_settle(harness, admin, NEXT)

    await forged_pages_change_nothing(harness, admin, "inv.p")
    assert await harness.count(Invite) == 0

    text = await press_and_settle(harness, admin, "第130社区")
    assert "邀请加入「第130社区」的身份" in text
    text = await press_and_settle(harness, admin, "志愿者")
    assert "邀请链接（第130社区 · 志愿者）" in text
    async with harness.session() as session:
        invite = await session.scalar(select(Invite))
        assert invite is not None
        assert (invite.unit_id, invite.role) == (ids["第130社区"], Role.VOLUNTEER)
    assert admin.last().message_id == first.message_id


async def test_admin_broadcasts_to_a_unit_of_the_last_page(harness: Harness) -> None:
    ids = await many_units(harness)
    await person(harness, 9801, ids["第130社区"], "甲")
    await person(harness, 9802, ids["第001社区"], "乙")
    admin = harness.admin
    await command(harness, admin, "start")
    text = await command(harness, admin, "broadcast")
    first = admin.last()
    assert text.startswith("发给哪个单位的志愿者？") and "单位第 1–20 个，共 130 个" in text
    assert unit_buttons(admin) == NAMES[:20]
    assert first.buttons()[-3:] == [NEXT, "🌐 所有单位", CANCEL]

    text = await turn_pages(harness, admin, NEXT, 6)
    assert "单位第 121–130 个，共 130 个" in text
    assert unit_buttons(admin) == NAMES[120:]
    assert admin.last().buttons()[-3:] == [PREVIOUS, "🌐 所有单位", CANCEL]
    await press_and_settle(harness, admin, PREVIOUS)
    assert unit_buttons(admin) == NAMES[100:120]
    await press_and_settle(harness, admin, NEXT)
    await forged_pages_change_nothing(harness, admin, "bc.p")

    text = await press_and_settle(harness, admin, "第130社区")
    assert "发给「第130社区」的志愿者" in text
    # The unit step is over: an old page button is stale now.
    await admin.press_data("bc.p:0", first.message_id)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == STALE
    assert "发给「第130社区」的志愿者" in (admin.last().text or "")

    await press_and_settle(harness, admin, "📢 发一条通知")
    await admin.send_text("明早 7 点全员到岗。")
    await harness.settle()
    assert "将发给 1 名志愿者" in (admin.last().text or "")
    await press_and_settle(harness, admin, "📤 发送")
    rows = await outbox_to(harness, 9801)
    assert [row.payload["text"] for row in rows] == ["📢 Admin 通知：\n明早 7 点全员到岗。"]
    assert await outbox_to(harness, 9802) == []


async def test_admin_creates_a_post_in_a_unit_of_the_last_page(harness: Harness) -> None:
    ids = await many_units(harness)
    admin = harness.admin
    text = await command(harness, admin, "newpost")
    first = admin.last()
    assert text.startswith("新岗位属于哪个单位？") and "单位第 1–20 个，共 130 个" in text
    assert unit_buttons(admin) == NAMES[:20]
    assert first.buttons()[-2:] == [NEXT, CANCEL]

    text = await turn_pages(harness, admin, NEXT, 6)
    assert "单位第 121–130 个，共 130 个" in text
    assert unit_buttons(admin) == NAMES[120:]
    await press_and_settle(harness, admin, PREVIOUS)
    assert unit_buttons(admin) == NAMES[100:120]
    await press_and_settle(harness, admin, NEXT)
    await forged_pages_change_nothing(harness, admin, "np.p")

    text = await press_and_settle(harness, admin, "第130社区")
    assert "新建「第130社区」的岗位" in text
    await admin.send_text("幸福路口")
    await harness.settle()
    await press_and_settle(harness, admin, "文明交通劝导岗")
    await admin.send_location(30.6586, 104.0648)
    await harness.settle()
    text = await press_and_settle(harness, admin, "默认 150 米")
    assert "已新建岗位「幸福路口」" in text
    async with harness.session() as session:
        created = await session.scalar(select(Post))
        assert created is not None
        assert (created.unit_id, created.name, created.type) == (
            ids["第130社区"],
            "幸福路口",
            PostType.TRAFFIC,
        )
    assert await harness.count(Dialogue) == 0


async def test_admin_changes_the_setting_of_a_unit_of_the_last_page(harness: Harness) -> None:
    ids = await many_units(harness)
    admin = harness.admin
    text = await command(harness, admin, "unitsettings")
    first = admin.last()
    assert "单位第 1–20 个，共 130 个" in text
    assert "第001社区：换岗无需审批" in text and "第021社区" not in text
    assert first.buttons()[0] == "开启审批：第001社区"
    assert first.buttons()[-1] == NEXT and len(first.buttons()) == 21

    text = await turn_pages(harness, admin, NEXT, 6)
    assert "单位第 121–130 个，共 130 个" in text and "第130社区：换岗无需审批" in text
    assert admin.last().button_rows()[-1] == [PREVIOUS]
    text = await press_and_settle(harness, admin, PREVIOUS)
    assert "单位第 101–120 个，共 130 个" in text
    await press_and_settle(harness, admin, NEXT)
    await forged_pages_change_nothing(harness, admin, "usp")

    # The toggled unit's page stays in view.
    text = await press_and_settle(harness, admin, "开启审批：第130社区")
    assert "第130社区：换岗需要协调员审批" in text
    assert "单位第 121–130 个，共 130 个" in text
    assert admin.answered_callbacks[-1]["text"] == "换岗需要协调员审批"
    assert admin.last().message_id == first.message_id
    async with harness.session() as session:
        changed = await session.get(Unit, ids["第130社区"])
        assert changed is not None and changed.require_swap_approval
        others = await session.scalars(select(Unit).where(Unit.require_swap_approval.is_(True)))
        assert [unit.name for unit in others] == ["第130社区"]


async def test_a_coordinator_of_one_unit_sees_no_pages(harness: Harness) -> None:
    ids = await many_units(harness)
    coordinator = await person(harness, 9901, ids["第077社区"], "王协调", role=Role.COORDINATOR)
    text = await command(harness, coordinator, "unitsettings")
    assert "单位第" not in text
    assert coordinator.last().buttons() == ["开启审批：第077社区"]
    # A page button of another picker is stale for them: their /broadcast has no unit step.
    await command(harness, coordinator, "broadcast")
    await coordinator.press_data("bc.p:20", coordinator.last().message_id)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == STALE
