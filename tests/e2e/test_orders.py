"""Rectification orders: issued from a street report with the evidence, acknowledged,
replied with an "after" photo, sent back with a reason, replied again and accepted; a follow-up
(回头看) that reopens it; the card's whole history; and the rules about who may do what and
when an order is not issued."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update

from bot.buttons import OrderAccept, OrderAcknowledge, OrderCard, OrderReply, OrderReplySubmit
from bot.db.models import (
    AuditEntry,
    Dialogue,
    EvidenceKind,
    EvidencePhoto,
    OrderStatus,
    OutboxMessage,
    RectificationOrder,
    ReportStatus,
    RouteMethod,
    StreetReport,
    Unit,
)
from bot.services.platform import dialogues
from tests.e2e.order_fixtures import open_orders, ordered, reply
from tests.e2e.oversight_fixtures import city, near, orders, report, rows, street_reports, trail
from tests.e2e.schedule import DAY, at, press_and_settle, unit
from tests.harness import Harness


async def test_an_order_is_acknowledged_replied_sent_back_replied_again_and_accepted(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector, coordinator, wang = town.inspector, town.coordinator, town.volunteers[0]
    order = await ordered(harness, town)
    assert order.status is OrderStatus.ISSUED
    assert order.deadline_at == harness.clock.now() + dt.timedelta(hours=24)
    card = coordinator.last()
    assert card.kind == "photo", "the report's photo comes with the order"
    caption = card.caption or ""
    assert "您单位收到一件整改令" in caption and f"整改令 #{order.id} · 乱扔垃圾" in caption
    assert "问题：垃圾桶满溢" in caption and "期限：2026年12月2日 08:00" in caption
    assert card.buttons() == ["✍️ 签收", "📤 回复整改"]
    assert "已向「城管局」下发整改令" in (wang.last().text or "")

    text = await press_and_settle(harness, coordinator, "✍️ 签收")
    assert f"已签收整改令 #{order.id}" in text
    await harness.deliver()
    assert f"「城管局」的 陈协调 已签收整改令 #{order.id}" in (inspector.last().text or "")

    harness.clock.advance(hours=3)
    text = await reply(harness, town, "已清运，垃圾桶已更换")
    assert f"整改令 #{order.id} 已回复，等待督查员验收" in text
    await harness.deliver()
    notice = inspector.last()
    assert "「城管局」回复了整改令" in (notice.caption or "")
    assert "回复：已清运，垃圾桶已更换" in (notice.caption or "")
    assert notice.buttons() == ["✅ 验收办结", "↩️ 退回"]

    await press_and_settle(harness, inspector, "↩️ 退回")
    await inspector.send_text("x")
    await harness.settle()
    assert "请写明原因（2 到 500 个字）" in (inspector.last().text or "")
    await inspector.send_text("路边还有散落垃圾")
    await harness.settle()
    assert f"整改令 #{order.id} 已退回「城管局」" in (inspector.last().text or "")
    await harness.deliver()
    assert "整改令被退回：路边还有散落垃圾" in (coordinator.last().caption or "")
    assert coordinator.last().buttons() == ["📤 回复整改"]

    harness.clock.advance(hours=1)
    await reply(harness, town, "散落垃圾已清扫")
    await harness.deliver()
    sent_back, newest = [
        p.file_id for p in await rows(harness, EvidencePhoto) if p.kind is EvidenceKind.AFTER
    ]
    # The first reply's notice still shows its buttons: they act on the reply it showed only.
    seen = len(inspector.messages())
    await inspector.press("✅ 验收办结", message_id=notice.message_id)
    await harness.settle()
    assert inspector.answered_callbacks[-1]["text"] == (
        f"整改令 #{order.id} 有一条更新的回复，您还没看过：下面是最新的回复，请看过再验收或退回。"
    )
    assert "回复：散落垃圾已清扫" in (inspector.last().text or "")
    # "After" is the newest reply's photo, not the one sent back with the earlier reply.
    shown = [m for m in inspector.messages()[seen:] if m.kind == "photo"]
    assert [m.file_id for m in shown if m.caption != "整改前"] == [newest], shown
    assert (await orders(harness))[0].status is OrderStatus.REPLIED
    await inspector.press("↩️ 退回", message_id=notice.message_id)
    await harness.settle()
    assert "有一条更新的回复" in inspector.answered_callbacks[-1]["text"]
    assert await harness.count(Dialogue) == 0
    # A notice sent before the buttons said which reply they were for: the newest is shown.
    await inspector.press_data(f"ov.ok:{order.id}", notice.message_id)
    await harness.settle()
    assert "有一条更新的回复" in inspector.answered_callbacks[-1]["text"]
    assert "回复：散落垃圾已清扫" in (inspector.last().text or "")
    assert (await orders(harness))[0].status is OrderStatus.REPLIED
    # A reason typed while the unit replied again (another inspector sent the reply back):
    # refused, the newest reply shown, and the reason's dialogue over.
    await press_and_settle(harness, inspector, "↩️ 退回")
    async with harness.session() as session:
        replied = await session.get(RectificationOrder, order.id)
        assert replied is not None and replied.replied_at is not None
        replied.replied_at += dt.timedelta(minutes=5)
        await session.commit()
    await inspector.send_text("路边还有散落垃圾")
    await harness.settle()
    said = [message.text or message.caption or "" for message in inspector.messages()[-6:]]
    assert any(text.startswith(f"整改令 #{order.id} 有一条更新的回复") for text in said), said
    assert "回复：散落垃圾已清扫" in said[-1]
    assert await harness.count(Dialogue) == 0
    assert (await orders(harness))[0].status is OrderStatus.REPLIED
    await press_and_settle(harness, inspector, "✅ 验收办结")
    assert "已办结。要不要约个时间回头看？" in (inspector.last().text or "")
    assert inspector.last().buttons() == ["7 天后回头看", "14 天后回头看", "不用"]
    text = await press_and_settle(harness, inspector, "不用")
    assert f"整改令 #{order.id} 不回头看" in text
    await harness.deliver()
    assert f"整改令 #{order.id} 已办结，谢谢「城管局」" in (coordinator.last().text or "")
    told = wang.last()
    assert "已由「城管局」整改完毕" in (told.caption or "") and told.kind == "photo"
    assert told.file_id == newest and sent_back != newest, "the fix accepted, not the one sent back"

    [done] = await orders(harness)
    assert done.status is OrderStatus.ACCEPTED
    assert done.first_replied_at == at(DAY, 11, 0) and done.acknowledged_at == at(DAY, 8, 0)
    assert await trail(harness, "order", order.id) == [
        "order.issue",
        "order.acknowledge",
        "order.reply",
        "order.return",
        "order.reply",
        "order.accept",
    ]
    [filed] = await street_reports(harness)
    assert filed.status is ReportStatus.FIXED
    after = [p for p in await rows(harness, EvidencePhoto) if p.kind is EvidenceKind.AFTER]
    assert len(after) == 2 and {p.order_id for p in after} == {order.id}
    assert await harness.count(Dialogue) == 0

    # The card shows the photos before and after and the whole history.
    await coordinator.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, coordinator, "✅ 已办结（1）")
    text = await press_and_settle(harness, coordinator, f"#{order.id}")
    assert "经过：" in text and "退回（赵督查）：路边还有散落垃圾" in text
    assert "回复（陈协调）：散落垃圾已清扫" in text


async def test_a_follow_up_that_finds_a_relapse_reopens_the_order(harness: Harness) -> None:
    town = await city(harness)
    inspector, coordinator = town.inspector, town.coordinator
    order = await ordered(harness, town)
    await reply(harness, town, "已清理")
    await harness.deliver()
    await press_and_settle(harness, inspector, "✅ 验收办结")
    # Pressed twice quickly (and 不用 after it): the follow-up is set once, and the presses
    # after the first are answered with it.
    await inspector.press("7 天后回头看")
    await inspector.press("7 天后回头看")
    await inspector.press("不用")
    await harness.settle()
    text = inspector.last().text or ""
    assert text.startswith(f"🔁 整改令 #{order.id}：") and "12月8日 提醒您回头看" in text, text
    assert (await trail(harness, "order", order.id)).count("order.follow_up") == 1
    [accepted] = await orders(harness)
    assert accepted.follow_up_at == harness.clock.now() + dt.timedelta(days=7)
    seen = len(inspector.messages())
    harness.clock.advance(days=6)
    await harness.tick()
    assert len(inspector.messages()) == seen
    harness.clock.advance(days=1)
    await harness.tick()
    notice = inspector.last()
    assert "回头看：整改令" in (notice.caption or "") and notice.kind == "photo"
    assert notice.buttons() == ["👍 仍然到位", "🔁 复发，重新交办"]
    await press_and_settle(harness, inspector, "🔁 复发，重新交办")
    assert f"整改令 #{order.id} 已重新交办" in (inspector.last().text or "")
    await harness.deliver()
    assert "回头看发现问题复发" in (coordinator.last().caption or "")
    assert coordinator.last().buttons() == ["✍️ 签收", "📤 回复整改"]
    assert "回头看发现问题复发，已重新交办" in (town.volunteers[0].last().text or "")
    [again] = await orders(harness)
    assert again.status is OrderStatus.ISSUED and again.reopened == 1
    assert again.deadline_at == harness.clock.now() + dt.timedelta(hours=24)
    # The same buttons again change nothing more.
    await inspector.press("🔁 复发，重新交办")
    await harness.settle()
    assert inspector.answered_callbacks[-1]["text"] == "这件整改令没有待做的回头看。"
    await harness.tick()
    assert (await orders(harness))[0].reopened == 1
    # Its round's reminder keeps the key a reopened order always had (a new one would remind
    # again a unit reminded before an upgrade).
    harness.clock.set(again.deadline_at - dt.timedelta(minutes=30))
    await harness.tick()
    async with harness.session() as session:
        keys = set(
            await session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.idempotency_key.like(f"order:{order.id}:remind-deadline:%")
                )
            )
        )
    assert keys and all(
        re.fullmatch(rf"order:{order.id}:remind-deadline:1:m\d+", key) for key in keys
    ), keys
    # Fixed again and accepted with a new follow-up: the first follow-up's 👍, pressed on its
    # old notice, does not close the new one before it is due (nor write anything).
    await reply(harness, town, "已再次清理")
    await harness.deliver()
    await press_and_settle(harness, inspector, "✅ 验收办结")
    await press_and_settle(harness, inspector, "7 天后回头看")
    await inspector.press("👍 仍然到位", notice.message_id)
    await harness.settle()
    assert inspector.answered_callbacks[-1]["text"] == "这件整改令没有待做的回头看。"
    [accepted] = await orders(harness)
    assert accepted.status is OrderStatus.ACCEPTED and accepted.follow_up_done_at is None
    assert "order.follow_up_holds" not in await trail(harness, "order", order.id)


async def test_who_may_answer_and_accept_and_the_rules_of_deadlines_and_units(
    harness: Harness,
) -> None:
    town = await city(harness)
    order = await ordered(harness, town)
    other, volunteer, inspector = town.other_coordinator, town.volunteers[1], town.inspector
    await other.send_text("hi")
    await harness.settle()
    anchor = other.last().message_id
    for data in (OrderAcknowledge(order.id), OrderReply(order.id)):
        await other.press_data(data.pack(), anchor)
        await harness.settle()
        assert other.answered_callbacks[-1]["text"] == (
            "只有「城管局」的协调员才能签收和回复这件整改令。"
        )
    await other.press_data(OrderCard(order.id).pack(), anchor)
    await harness.settle()
    assert other.answered_callbacks[-1]["text"] == (
        "只有「城管局」的协调员才能签收和回复这件整改令。"
    )
    await volunteer.send_text("hi")
    await harness.settle()
    await volunteer.press_data(OrderAcknowledge(order.id).pack(), volunteer.last().message_id)
    await harness.settle()
    assert "只有「城管局」的协调员" in volunteer.answered_callbacks[-1]["text"]

    # A line before any "after" photo: kept, and the photo asked for, with no Submit yet;
    # pressed anyway (as a modified client could), a reply without a photo is refused.
    await press_and_settle(harness, town.coordinator, "📤 回复整改")
    await town.coordinator.send_text("已整改")
    await harness.settle()
    assert town.coordinator.last().text == (
        "📝 说明已记下。还要发至少一张整改后的现场照片，才能提交回复。"
    )
    assert town.coordinator.last().buttons() == ["✖️ 取消"]
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, town.coordinator.user_id)
        assert dialogue is not None
        mark = dialogues.mark(dialogue)
    await town.coordinator.press_data(
        OrderReplySubmit(mark).pack(), town.coordinator.last().message_id
    )
    await harness.settle()
    assert town.coordinator.answered_callbacks[-1]["text"] == "请先发一张整改后的现场照片。"
    # A refused photo's caption is still the reply's line, as if typed: the photo is refused,
    # the line kept, and the photo still asked for.
    await town.coordinator.send_photo(caption="路面已清理干净", forwarded=True)
    await harness.settle()
    assert town.coordinator.texts()[-2:] == [
        "这是转发的照片。请现场拍一张发过来。",
        "📝 说明已记下。还要发至少一张整改后的现场照片，才能提交回复。",
    ]
    assert town.coordinator.last().buttons() == ["✖️ 取消"]
    await town.coordinator.send_photo()
    await harness.settle()
    await press_and_settle(harness, town.coordinator, "✅ 提交回复")
    assert (await orders(harness))[0].reply_note == "路面已清理干净"
    # Acceptance by a coordinator is refused; the inspector's counts.
    await town.coordinator.press_data(
        OrderAccept(order.id, 0).pack(), anchor := town.coordinator.last().message_id
    )
    await harness.settle()
    assert (
        town.coordinator.answered_callbacks[-1]["text"]
        == "只有督查员或管理员才能验收或退回整改令。"
    )
    assert (await orders(harness))[0].status is OrderStatus.REPLIED
    del anchor

    # A deadline in the past, and an order for an archived unit.
    await report(harness, volunteer, near(200), category="设施损坏")
    second = (await street_reports(harness))[-1]
    await inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, inspector, f"随手拍 #{second.id}")
    text = await press_and_settle(harness, inspector, "📝 下整改令")
    assert "剩 72 小时" in text
    await inspector.send_text("11-30 18:00")
    await harness.settle()
    assert "期限 2026年11月30日 18:00 已经过去了" in (inspector.last().text or "")
    await inspector.send_text("36")
    await harness.settle()
    assert "剩 36 小时" in (inspector.last().text or "")
    # A day named from today with a time is a deadline, not the problem.
    await inspector.send_text("明天18点")
    await harness.settle()
    drafted = inspector.last().text or ""
    assert "期限：2026年12月2日 18:00" in drafted and "问题：共享单车堆在盲道上" in drafted
    await inspector.send_text("路灯杆倾斜，有安全隐患")
    await harness.settle()
    assert "问题：路灯杆倾斜，有安全隐患" in (inspector.last().text or "")
    async with harness.session() as session:
        await session.execute(update(Unit).where(Unit.id == town.unit_id).values(archived=True))
    await inspector.press("✅ 下发")
    await harness.settle()
    assert inspector.answered_callbacks[-1]["text"] == "「城管局」已归档，不能再向它下发整改令。"
    assert len(await orders(harness)) == 1


async def test_a_return_reason_typed_after_another_inspector_accepted_ends_the_question(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector = town.inspector
    order = await ordered(harness, town)
    await reply(harness, town, "已清运")
    await harness.deliver()
    await press_and_settle(harness, inspector, "↩️ 退回")
    # Meanwhile another inspector accepts the reply.
    async with harness.session() as session:
        accepted = await session.get(RectificationOrder, order.id)
        assert accepted is not None
        accepted.status = OrderStatus.ACCEPTED
    await inspector.send_text("路边还有散落垃圾")
    await harness.settle()
    assert inspector.last().text == "这件整改令现在是「已办结」，不能这样操作。"
    assert await harness.count(Dialogue) == 0
    assert (await orders(harness))[0].status is OrderStatus.ACCEPTED


async def test_an_order_is_not_issued_for_a_report_decided_while_it_was_drafted(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector, admin, wang = town.inspector, harness.admin, town.volunteers[0]
    await report(harness, wang, near(60), category="乱扔垃圾", text="垃圾桶满溢")
    [filed] = await street_reports(harness)
    await inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, inspector, f"随手拍 #{filed.id}")
    assert "整改令（待下发）" in await press_and_settle(harness, inspector, "📝 下整改令")
    # Meanwhile an admin dismisses the report, and its reporter is told so.
    await admin.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, admin, "📷 待处理随手拍（1）")
    await press_and_settle(harness, admin, f"随手拍 #{filed.id}")
    await press_and_settle(harness, admin, "🚫 不予受理")
    await admin.send_text("不属于创文范围")
    await harness.settle()
    await harness.deliver()
    assert "不予受理：不属于创文范围" in (wang.last().text or "")
    told = len(wang.messages())
    drafted = inspector.last().message_id
    await press_and_settle(harness, inspector, "✅ 下发")
    assert inspector.answered_callbacks[-1]["text"] == "这条随手拍已经处理过了。"
    # The draft ended: its message keeps no buttons that would only be refused again.
    assert inspector.last().message_id == drafted
    assert (inspector.last().text, inspector.last().buttons()) == ("这条随手拍已经处理过了。", [])
    await harness.deliver()
    assert await orders(harness) == [] and len(wang.messages()) == told
    [still] = await street_reports(harness)
    assert still.status is ReportStatus.DISMISSED
    assert await harness.count(Dialogue) == 0


async def test_an_order_is_not_issued_to_the_unit_a_report_was_taken_from(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector = town.inspector
    await report(harness, town.volunteers[0], near(60), category="乱扔垃圾", text="垃圾桶满溢")
    [filed] = await street_reports(harness)
    await inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, inspector, f"随手拍 #{filed.id}")
    await press_and_settle(harness, inspector, "📝 下整改令")
    # Meanwhile the report is dispatched by hand to another unit.
    async with harness.session() as session:
        await session.execute(
            update(StreetReport)
            .where(StreetReport.id == filed.id)
            .values(unit_id=town.other_unit_id, route_method=RouteMethod.HAND)
        )
    await press_and_settle(harness, inspector, "✅ 下发")
    assert inspector.answered_callbacks[-1]["text"] == "这条随手拍已经处理过了。"
    assert inspector.last().buttons() == []
    assert await orders(harness) == []


async def test_an_order_card_shows_its_whole_history_however_long(harness: Harness) -> None:
    town = await city(harness)
    order = await ordered(harness, town)
    issued = at(DAY, 8)
    async with harness.session() as session:
        for round_ in range(1, 13):
            session.add(
                AuditEntry(
                    actor_id=None,
                    action="order.return",
                    object_type="order",
                    object_id=order.id,
                    reason=f"第{round_}次退回",
                    created_at=issued + dt.timedelta(hours=round_),
                )
            )
    inspector = town.inspector
    await inspector.press_data(OrderCard(order.id).pack(), inspector.last().message_id)
    await harness.settle()
    card = "\n".join(m.text or "" for m in inspector.messages()[-3:])
    assert "下发（赵督查）" in card, card
    assert all(f"第{round_}次退回" in card for round_ in range(1, 13)), card


async def test_order_lists_turned_after_orders_left_them_and_with_more_units_than_named(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector = town.inspector
    ids = await open_orders(harness, town, 9)
    await inspector.send_command("orders")
    await harness.settle()
    text = await press_and_settle(harness, inspector, "📋 未办结（9）")
    assert text.startswith("📋 未办结（9）") and f"#{ids[7]} 城管局" in text
    assert f"#{ids[8]} " not in text and inspector.last().buttons()[-1] == "下一页 ▶️"
    # The last order is accepted meanwhile: eight are open, one page of them.
    async with harness.session() as session:
        await session.execute(
            update(RectificationOrder)
            .where(RectificationOrder.id == ids[8])
            .values(status=OrderStatus.ACCEPTED, accepted_at=harness.clock.now())
        )
        await session.commit()
    text = await press_and_settle(harness, inspector, "下一页 ▶️")
    assert text.startswith("📋 未办结（8）") and "没有" not in text, text
    assert f"#{ids[0]} 城管局" in text and f"#{ids[7]} 城管局" in text
    assert inspector.last().buttons() == [f"#{order}" for order in ids[:8]]
    assert [o.status for o in await orders(harness)].count(OrderStatus.ISSUED) == 8

    # Open orders in more units than /orders lists by name: it says the list stops there.
    for number in range(1, 21):
        await open_orders(harness, town, 1, await unit(harness, f"社区{number:02d}"))
    await inspector.send_command("orders")
    await harness.settle()
    lines = (inspector.last().text or "").splitlines()
    assert lines[1] == "· 城管局：未办结 8 件，其中超期 0 件", lines
    assert len([line for line in lines if line.startswith("· ")]) == 20
    assert lines[-1] == "……只列出前 20 条", lines
