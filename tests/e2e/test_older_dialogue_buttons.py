"""A dialogue left unfinished and replaced by a new one of the same kind keeps its messages on
screen; their finishing buttons (submit a check, send a broadcast, create shifts, issue an order,
submit a reply or a street report, confirm a rota) must not finish the dialogue open now, which
the person may not have reviewed. Each is answered, nothing is written, and the open dialogue's
own button still works."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.db.models import (
    Broadcast,
    Category,
    Dialogue,
    Inspection,
    OrderStatus,
    Post,
    RectificationOrder,
    Role,
    Shift,
    StreetReport,
)
from bot.emulator import SimUser
from tests.e2e.import_fixtures import csv_bytes
from tests.e2e.order_fixtures import ordered
from tests.e2e.oversight_fixtures import (
    city,
    inspections,
    near,
    orders,
    report,
    start_check,
    street_reports,
)
from tests.e2e.rostering_fixtures import (
    open_assign,
    rota_city,
    rotated_seats,
    seats,
    town,
    wang_unavailable_on_wednesday_mornings,
)
from tests.e2e.schedule import command, person, post, press_and_settle, unit
from tests.harness import Harness

OLDER = (
    "这个按钮属于您之前未做完的一次操作，已由之后开始的那次取代，没有生效。请在最新的消息里继续。"
)


@dataclass(frozen=True)
class Held:
    """A button of a message, as the chat showed it then: a dialogue replaced since takes the
    buttons off its last question, so a press on it is one a client still showing them sends
    (the edit not yet seen, or lost in a crash)."""

    message_id: int
    data: str


def holding(user: SimUser, label: str) -> Held:
    """The button labelled `label` of the newest message of the bot to `user` that has it."""
    sent = next(m for m in reversed(user.messages()) if label in m.buttons())
    data = sent.button_data(label)
    assert data is not None
    return Held(sent.message_id, data)


async def press_older(harness: Harness, user: SimUser, held: Held) -> None:
    await user.press_data(held.data, held.message_id)
    await harness.settle()
    answered = user.answered_callbacks[-1]
    assert (answered.get("text"), answered.get("show_alert")) == (OLDER, True), answered


async def dialogue_step(harness: Harness, user: SimUser) -> str | None:
    async with harness.session() as session:
        found = await session.get(Dialogue, user.user_id)
        return found.step if found is not None else None


async def test_an_older_checks_buttons_do_not_finish_the_check_open_now(harness: Harness) -> None:
    town = await city(harness)
    await post(harness, town.other_unit_id, "人民路-解放路口")
    inspector = town.inspector

    async def to_checklist(post_label: str) -> int:
        await start_check(harness, inspector)
        await press_and_settle(harness, inspector, post_label)
        await press_and_settle(harness, inspector, "日查 · 明查")
        await press_and_settle(harness, inspector, "0")
        return holding(inspector, "下一步：拍照 ▶️")

    first = await to_checklist("⭐ 黄河路-人民路口 · 城管局 · 30 米")
    second = await to_checklist("⭐ 黄河路-人民路口 · 城管局 · 30 米")
    assert first != second
    await press_older(harness, inspector, first)
    assert await dialogue_step(harness, inspector) == "items"
    await inspector.press("下一步：拍照 ▶️", second.message_id)
    await harness.settle()
    assert await dialogue_step(harness, inspector) == "photos"
    await inspector.send_photo()
    await harness.settle()
    unfinished = holding(inspector, "✅ 提交督查")

    # A third check, at the other post, replaces the second before it was submitted.
    await to_checklist("⭐ 人民路-解放路口 · 交通局 · 30 米")
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")
    await inspector.send_photo()
    await harness.settle()
    await press_older(harness, inspector, unfinished)
    assert await harness.count(Inspection) == 0
    assert await dialogue_step(harness, inspector) == "photos"

    text = await press_and_settle(harness, inspector, "✅ 提交督查")
    assert "✅ 督查已记录：人民路-解放路口（交通局）· 日查 · 明查" in text
    [check] = await inspections(harness)
    assert check.post_id != town.post_id


async def test_an_older_new_shift_review_does_not_create_the_one_open_now(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    await post(harness, unit_id)
    coordinator = await person(harness, 8101, unit_id, role=Role.COORDINATOR)

    async def review(capacity: str) -> int:
        await command(harness, coordinator, "newshift")
        await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
        await press_and_settle(harness, coordinator, "12月2日 周三")
        await press_and_settle(harness, coordinator, "07:00–09:00")
        await press_and_settle(harness, coordinator, capacity)
        return holding(coordinator, "✅ 新建")

    first = await review("2")
    await review("6")
    await press_older(harness, coordinator, first)
    assert await harness.count(Shift) == 0
    await press_and_settle(harness, coordinator, "✅ 新建")
    async with harness.session() as session:
        created = list((await session.scalars(select(Shift))).unique())
    assert [shift.capacity for shift in created] == [6]


async def test_an_older_broadcast_preview_does_not_send_the_one_open_now(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    await post(harness, unit_id)
    coordinator = await person(harness, 9501, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 9502, unit_id, "甲")

    async def preview(text: str) -> int:
        await command(harness, coordinator, "broadcast")
        await press_and_settle(harness, coordinator, "📢 发一条通知")
        await coordinator.send_text(text)
        await harness.settle()
        return holding(coordinator, "📤 发送")

    first = await preview("明早七点集合")
    await preview("明早八点集合")
    await press_older(harness, coordinator, first)
    assert await harness.count(Broadcast) == 0
    await press_and_settle(harness, coordinator, "📤 发送")
    assert await harness.count(Broadcast) == 1


async def test_an_older_street_report_does_not_file_the_one_open_now(harness: Harness) -> None:
    town = await city(harness)
    wang = town.volunteers[0]

    async def to_text(category: str) -> int:
        await wang.send_command("report")
        await harness.settle()
        await wang.send_photo()
        await harness.settle()
        await wang.send_location(*near(60))
        await harness.settle()
        await press_and_settle(harness, wang, category)
        return holding(wang, "✅ 提交")

    first = await to_text("乱停车")
    await to_text("乱扔垃圾")
    await press_older(harness, wang, first)
    assert await harness.count(StreetReport) == 0
    await press_and_settle(harness, wang, "✅ 提交")
    [filed] = await street_reports(harness)
    assert filed.category is Category.LITTER


async def test_an_older_order_draft_does_not_issue_the_one_open_now(harness: Harness) -> None:
    town = await city(harness)
    inspector = town.inspector
    await report(harness, town.volunteers[0], near(60), category="乱扔垃圾", text="垃圾桶满溢")
    [filed] = await street_reports(harness)
    await inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, inspector, f"随手拍 #{filed.id}")
    card = holding(inspector, "📝 下整改令")
    await press_and_settle(harness, inspector, "📝 下整改令")
    first = holding(inspector, "✅ 下发")
    older_hours = holding(inspector, "12 小时")
    await inspector.press("📝 下整改令", card.message_id)
    await harness.settle()
    await inspector.send_text("48")
    await harness.settle()
    await press_older(harness, inspector, first)
    assert await harness.count(RectificationOrder) == 0
    # Nor does the older draft's deadline button change the open draft's deadline.
    await press_older(harness, inspector, older_hours)
    await press_and_settle(harness, inspector, "✅ 下发")
    [order] = await orders(harness)
    assert (order.deadline_at - order.visible_from).total_seconds() == 48 * 3600


async def test_an_older_reply_does_not_submit_the_one_open_now(harness: Harness) -> None:
    town = await city(harness)
    coordinator = town.coordinator
    order = await ordered(harness, town)
    reply_button = holding(coordinator, "📤 回复整改")
    await press_and_settle(harness, coordinator, "📤 回复整改")
    await coordinator.send_photo()
    await harness.settle()
    first = holding(coordinator, "✅ 提交回复")
    await coordinator.press("📤 回复整改", reply_button.message_id)
    await harness.settle()
    await coordinator.send_photo()
    await harness.settle()
    await coordinator.send_text("已清理干净")
    await harness.settle()
    await press_older(harness, coordinator, first)
    async with harness.session() as session:
        unchanged = await session.get(RectificationOrder, order.id)
        assert unchanged is not None and unchanged.status is order.status
    await press_and_settle(harness, coordinator, "✅ 提交回复")
    [replied] = await orders(harness)
    assert replied.status is OrderStatus.REPLIED and replied.reply_note == "已清理干净"


async def test_an_older_rota_preview_does_not_confirm_the_one_open_now(harness: Harness) -> None:
    _, _, coordinator = await rota_city(harness, people=12)
    await command(harness, coordinator, "rotate", "12-07 12-08")
    await press_and_settle(harness, coordinator, "✅ 全部岗位（3 个）")
    first = holding(coordinator, "✅ 确认排班")
    await command(harness, coordinator, "rotate", "12-07 12-08")
    await press_and_settle(harness, coordinator, "✅ 全部岗位（3 个）")
    await press_older(harness, coordinator, first)
    assert await rotated_seats(harness) == []
    text = await press_and_settle(harness, coordinator, "✅ 确认排班")
    assert "✅ 已排班（12月7日 周一 至 12月8日 周二）：" in text
    assert await rotated_seats(harness)


async def test_an_older_import_preview_does_not_import_the_file_sent_since(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9101, unit_id, role=Role.COORDINATOR)

    async def preview(post_name: str) -> int:
        await command(harness, coordinator, "import")
        data = csv_bytes(f"{post_name},traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4")
        await coordinator.send_document("schedule.csv", data, mime_type="text/csv")
        await harness.settle()
        return holding(coordinator, "✅ 确认导入")

    first = await preview("甲路口")
    await preview("乙路口")
    await press_older(harness, coordinator, first)
    assert await harness.count(Shift) == 0
    await press_and_settle(harness, coordinator, "✅ 确认导入")
    async with harness.session() as session:
        names = list((await session.scalars(select(Post.name))).all())
    assert names == ["乙路口"]


async def test_an_older_new_post_radius_does_not_create_the_post_open_now(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9102, unit_id, role=Role.COORDINATOR)

    async def to_radius(name: str) -> int:
        await command(harness, coordinator, "newpost")
        await coordinator.send_text(name)
        await harness.settle()
        await press_and_settle(harness, coordinator, "文明交通劝导岗")
        await coordinator.send_location(30.6586, 104.0648)
        await harness.settle()
        return holding(coordinator, "300 米")

    first = await to_radius("甲路口")
    await to_radius("乙路口")
    await press_older(harness, coordinator, first)
    assert await harness.count(Post) == 0
    await press_and_settle(harness, coordinator, "300 米")
    async with harness.session() as session:
        created = list((await session.scalars(select(Post))).all())
    assert [(post.name, post.radius_m) for post in created] == [("乙路口", 300)]


async def test_an_older_warning_does_not_assign_the_names_typed_since(harness: Harness) -> None:
    town_ = await town(harness)
    wang = await wang_unavailable_on_wednesday_mornings(harness, town_)
    coordinator = town_.coordinator
    await open_assign(harness, coordinator, town_.shift_id)
    await coordinator.send_text("王芳")
    await harness.settle()
    first = holding(coordinator, "仍然安排")
    await open_assign(harness, coordinator, town_.shift_id)
    await coordinator.send_text("王芳")
    await harness.settle()
    await press_older(harness, coordinator, first)
    assert await seats(harness, town_.shift_id) == {}
    await press_and_settle(harness, coordinator, "仍然安排")
    assert wang.user_id in await seats(harness, town_.shift_id)


async def test_an_older_prompts_cancel_closes_it_and_leaves_the_dialogue_open_now(
    harness: Harness,
) -> None:
    town = await city(harness)
    wang = town.volunteers[0]
    await command(harness, wang, "unavailable")
    older = holding(wang, "✖️ 取消")
    await command(harness, wang, "report")
    newer = holding(wang, "✖️ 取消")

    # Replaced, the older question lost its ✖️; one still shown (the edit not yet seen) closes it.
    assert next(m for m in wang.messages() if m.message_id == older.message_id).buttons() == []
    await wang.press_data(older.data, older.message_id)
    await harness.settle()
    closed = next(m for m in wang.messages() if m.message_id == older.message_id)
    assert closed.text == "已取消。" and closed.buttons() == []
    assert await dialogue_step(harness, wang) == "photo"

    await wang.press("✖️ 取消", newer.message_id)
    await harness.settle()
    assert await dialogue_step(harness, wang) is None
    # A ✖️ made before the buttons were marked cancels whatever is open, as it did.
    await command(harness, wang, "report")
    await wang.press_data("cancel", wang.last().message_id)
    await harness.settle()
    assert await dialogue_step(harness, wang) is None
