"""What the unit and the inspector type about an order is kept only when it shows: a reply note
or a send-back reason of invisible marks alone (zero-width spaces, direction marks) is refused
as an empty one is, and marks inside a real one are dropped. What is sent into a reply whose
order a colleague has replied to meanwhile is refused at once, and that reply ends."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Dialogue, EvidencePhoto, OrderStatus, Role
from tests.e2e.order_fixtures import ordered
from tests.e2e.oversight_fixtures import city, orders
from tests.e2e.schedule import press_and_settle
from tests.e2e.swap_fixtures import member
from tests.harness import Harness

INVISIBLE = "\u200b\u2060\u200e \u200b\ufeff"


async def test_a_reply_note_or_send_back_reason_of_invisible_marks_is_refused(
    harness: Harness,
) -> None:
    town = await city(harness)
    coordinator, inspector = town.coordinator, town.inspector
    order = await ordered(harness, town)
    await press_and_settle(harness, coordinator, "📤 回复整改")
    await coordinator.send_photo()
    await harness.settle()
    await coordinator.send_text(INVISIBLE)
    await harness.settle()
    assert "文字请写 1 到 500 个字" in (coordinator.last().text or "")
    await coordinator.send_text("已清运\u200b完毕")
    await harness.settle()
    await press_and_settle(harness, coordinator, "✅ 提交回复")
    [replied] = await orders(harness)
    assert replied.status is OrderStatus.REPLIED and replied.reply_note == "已清运完毕"

    await harness.deliver()
    await press_and_settle(harness, inspector, "↩️ 退回")
    await inspector.send_text(INVISIBLE)
    await harness.settle()
    assert "请写明原因（2 到 500 个字）" in (inspector.last().text or "")
    [still] = await orders(harness)
    assert still.status is OrderStatus.REPLIED
    await inspector.send_text("路边\u200b还有垃圾")
    await harness.settle()
    await harness.deliver()
    assert "整改令被退回：路边还有垃圾" in (coordinator.last().caption or "")
    [returned] = await orders(harness)
    assert returned.id == order.id and returned.status is OrderStatus.RETURNED


async def test_a_reply_submitted_after_a_colleague_replied_ends_the_reply(
    harness: Harness,
) -> None:
    """Two coordinators of the unit reply at once: the second's submit is refused with the
    order's state, and that reply ends (its message keeps no Submit to be refused again, and
    what is sent next is not taken as part of it)."""
    town = await city(harness)
    first = town.coordinator
    second = await member(harness, 8005, town.unit_id, "吴协调", role=Role.COORDINATOR)
    order = await ordered(harness, town)
    await press_and_settle(harness, second, "📤 回复整改")
    await second.send_photo()
    await harness.settle()
    await press_and_settle(harness, first, "📤 回复整改")
    await first.send_photo()
    await harness.settle()
    await press_and_settle(harness, first, "✅ 提交回复")
    assert (await orders(harness))[0].status is OrderStatus.REPLIED

    asked = second.last().message_id
    await second.press("✅ 提交回复", message_id=asked)
    await harness.settle()
    assert (
        second.answered_callbacks[-1]["text"] == "这件整改令现在是「已回复待验收」，不能这样操作。"
    )
    assert second.last().message_id == asked and second.last().buttons() == []
    async with harness.session() as session:
        assert await session.get(Dialogue, second.user_id) is None
    [still] = await orders(harness)
    assert still.id == order.id and still.status is OrderStatus.REPLIED


async def test_a_photo_or_note_sent_after_a_colleague_replied_is_refused_at_once(
    harness: Harness,
) -> None:
    """The second coordinator's reply was begun before the first's went in: the next photo (or
    line) is refused with the order's state and ends the reply, rather than being gathered for a
    submit that can only be refused."""
    town = await city(harness)
    first = town.coordinator
    second = await member(harness, 8005, town.unit_id, "吴协调", role=Role.COORDINATOR)
    order = await ordered(harness, town)
    await press_and_settle(harness, second, "📤 回复整改")
    await press_and_settle(harness, first, "📤 回复整改")
    await first.send_photo()
    await harness.settle()
    await press_and_settle(harness, first, "✅ 提交回复")

    await second.send_photo()
    await harness.settle()
    assert second.last().text == "这件整改令现在是「已回复待验收」，不能这样操作。"
    assert second.last().buttons() == []
    async with harness.session() as session:
        assert await session.get(Dialogue, second.user_id) is None
        kept = await session.scalars(
            select(EvidencePhoto).where(EvidencePhoto.order_id == order.id)
        )
        assert len(list(kept)) == 1  # the first coordinator's only
    [still] = await orders(harness)
    assert still.status is OrderStatus.REPLIED and still.reply_note is None


async def test_a_note_sent_after_a_colleague_replied_is_refused_at_once(
    harness: Harness,
) -> None:
    town = await city(harness)
    first = town.coordinator
    second = await member(harness, 8005, town.unit_id, "吴协调", role=Role.COORDINATOR)
    await ordered(harness, town)
    await press_and_settle(harness, second, "📤 回复整改")
    await second.send_photo()
    await harness.settle()
    await press_and_settle(harness, first, "📤 回复整改")
    await first.send_photo()
    await harness.settle()
    await press_and_settle(harness, first, "✅ 提交回复")

    await second.send_text("已清理干净")
    await harness.settle()
    assert second.last().text == "这件整改令现在是「已回复待验收」，不能这样操作。"
    async with harness.session() as session:
        assert await session.get(Dialogue, second.user_id) is None
    [still] = await orders(harness)
    assert still.status is OrderStatus.REPLIED and still.reply_note is None


async def test_an_album_sent_after_a_colleague_replied_is_refused_once(
    harness: Harness,
) -> None:
    """The refusal answers the album's first photo; the rest of the album is not answered
    photo by photo (nor as a message not understood), and what comes next is refused as well
    and ends the reply."""
    town = await city(harness)
    first = town.coordinator
    second = await member(harness, 8005, town.unit_id, "吴协调", role=Role.COORDINATOR)
    order = await ordered(harness, town)
    await press_and_settle(harness, second, "📤 回复整改")
    await press_and_settle(harness, first, "📤 回复整改")
    await first.send_photo()
    await harness.settle()
    await press_and_settle(harness, first, "✅ 提交回复")

    before = len(second.texts())
    await second.send_album(3)
    await harness.settle()
    refusal = "这件整改令现在是「已回复待验收」，不能这样操作。"
    assert second.texts()[before:] == [refusal], second.texts()[before:]
    await second.send_text("已清理干净")
    await harness.settle()
    assert second.texts()[before:] == [refusal, refusal], second.texts()[before:]
    async with harness.session() as session:
        assert await session.get(Dialogue, second.user_id) is None
        kept = await session.scalars(
            select(EvidencePhoto).where(EvidencePhoto.order_id == order.id)
        )
        assert len(list(kept)) == 1  # the first coordinator's only
    [still] = await orders(harness)
    assert still.status is OrderStatus.REPLIED and still.reply_note is None


async def test_a_reply_note_before_any_photo_asks_for_the_photo_without_submit(
    harness: Harness,
) -> None:
    """A line typed into the reply before an "after" photo is kept, but the reply needs a photo
    to be submitted: the answer asks for one and offers ✖️ only, not a Submit that would refuse;
    the photo then brings Submit, and the reply keeps the line."""
    town = await city(harness)
    coordinator = town.coordinator
    order = await ordered(harness, town)
    await press_and_settle(harness, coordinator, "📤 回复整改")
    await coordinator.send_text("已清运完毕")
    await harness.settle()
    told = coordinator.last()
    assert told.text == "📝 说明已记下。还要发至少一张整改后的现场照片，才能提交回复。"
    assert told.buttons() == ["✖️ 取消"]
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, coordinator.user_id)
        assert dialogue is not None and dialogue.data["note"] == "已清运完毕"
    # A picture sent as a file is refused, but its caption is the line, as a photo's is.
    seen = len(coordinator.messages())
    await coordinator.send_document("IMG_0004.jpg", b"\xff\xd8\xff", "image/jpeg", "垃圾桶已复位")
    await harness.settle()
    answers = [m.text for m in coordinator.messages()[seen:]]
    assert answers == [
        "这是一个文件。请直接发送照片（不要选「以文件发送」）。",
        "📝 说明已记下。还要发至少一张整改后的现场照片，才能提交回复。",
    ], answers
    # Several sent at once, an album, are answered once: the caption is kept all the same.
    seen = len(coordinator.messages())
    for index, caption in enumerate(("垃圾桶已复位并清洗", None)):
        await coordinator.send_document(
            f"IMG_001{index}.jpg", b"\xff\xd8" + bytes([index]), "image/jpeg", caption, "files"
        )
    await harness.settle()
    assert [m.text for m in coordinator.messages()[seen:]] == [
        "这是一个文件。请直接发送照片（不要选「以文件发送」）。"
    ]
    await coordinator.send_photo()
    await harness.settle()
    assert coordinator.last().buttons() == ["✅ 提交回复", "✖️ 取消"]
    await press_and_settle(harness, coordinator, "✅ 提交回复")
    [replied] = await orders(harness)
    assert replied.id == order.id
    assert replied.status is OrderStatus.REPLIED and replied.reply_note == "垃圾桶已复位并清洗"
    assert await harness.count(EvidencePhoto) == 2  # the report's photo and the reply's
