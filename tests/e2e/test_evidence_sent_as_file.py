"""A picture sent as a file where the bot takes photos but asks for something else first: the
place of a street report (more photos are still taken there) and the checklist of a check
(photos are taken from it on). The answer says it is a file and to send it as a photo, as the
photo steps themselves answer; nothing is kept and the step stays."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Dialogue, EvidencePhoto, Inspection, StreetReport
from tests.e2e.oversight_fixtures import city, start_check
from tests.e2e.schedule import DAY, press_and_settle, shift
from tests.harness import Harness

AS_FILE = "这是一个文件。请直接发送照片（不要选「以文件发送」）。"


async def dialogue_of(harness: Harness, user_id: int) -> Dialogue:
    async with harness.session() as session:
        found = await session.scalar(select(Dialogue).where(Dialogue.telegram_id == user_id))
        assert found is not None
        return found


async def test_a_picture_sent_as_a_file_at_a_report_s_place_is_told_so(harness: Harness) -> None:
    town = await city(harness)
    wang = town.volunteers[0]
    await wang.send_command("report")
    await harness.settle()
    await wang.send_photo()
    await harness.settle()
    # Its caption is the report's text, as a photo's caption sent here is.
    await wang.send_document("IMG_0002.jpg", b"\xff\xd8\xff", "image/jpeg", "井盖破损")
    await harness.settle()
    assert wang.last().text == AS_FILE
    held = await dialogue_of(harness, wang.user_id)
    assert held.step == "location" and len(held.data["photos"]) == 1
    assert held.data["caption"] == "井盖破损"
    assert await harness.count(StreetReport) == 0


async def test_a_picture_sent_as_a_file_for_a_report_keeps_its_caption(harness: Harness) -> None:
    """At the report's photo: the file is refused and the photo asked for, its caption kept as
    the report's text (as a line typed before the photo is)."""
    town = await city(harness)
    wang = town.volunteers[0]
    await wang.send_command("report")
    await harness.settle()
    seen = len(wang.messages())
    await wang.send_document("IMG_0005.jpg", b"\xff\xd8\xff", "image/jpeg", "随手拍：井盖破损")
    await harness.settle()
    answers = [m.text for m in wang.messages()[seen:]]
    assert answers == [AS_FILE, "📝 说明已记下。请再发一张问题的照片。"], answers
    held = await dialogue_of(harness, wang.user_id)
    assert held.step == "photo" and held.data["caption"] == "井盖破损"
    # Several at once, an album, are answered once; the caption is kept all the same.
    seen = len(wang.messages())
    for index, caption in enumerate(("井盖破损两处", None)):
        await wang.send_document(
            f"IMG_001{index}.jpg", b"\xff\xd8" + bytes([index]), "image/jpeg", caption, "files"
        )
    await harness.settle()
    assert [m.text for m in wang.messages()[seen:]] == [AS_FILE]
    held = await dialogue_of(harness, wang.user_id)
    assert held.step == "photo" and held.data["caption"] == "井盖破损两处"


async def test_a_picture_sent_as_a_file_at_the_checklist_is_told_so(harness: Harness) -> None:
    town = await city(harness)
    inspector = town.inspector
    await shift(harness, town.post_id, day=DAY, start=7, end=10)
    await start_check(harness, inspector)
    await press_and_settle(harness, inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    await press_and_settle(harness, inspector, "日查 · 明查")
    await press_and_settle(harness, inspector, "0")
    await inspector.send_document("IMG_0003.jpg", b"\xff\xd8\xff", "image/jpeg")
    await harness.settle()
    # Told so, with the checklist again below: its lines are still to tick.
    assert (inspector.last().text or "").startswith(AS_FILE + "\n看到 0 人。")
    held = await dialogue_of(harness, inspector.user_id)
    assert held.step == "items" and not held.data.get("photos")
    assert await harness.count(Inspection) == 0
    assert await harness.count(EvidencePhoto) == 0
    # At the photos, a file's caption is the check's note, as a photo's caption or a line is.
    await inspector.send_photo()
    await harness.settle()
    seen = len(inspector.messages())
    await inspector.send_document("IMG_0006.jpg", b"\xff\xd8\xff", "image/jpeg", "两人未穿马甲")
    await harness.settle()
    answers = [m.text for m in inspector.messages()[seen:]]
    assert answers == [AS_FILE, "📝 备注已记下。好了点「提交督查」。"], answers
    held = await dialogue_of(harness, inspector.user_id)
    assert held.step == "photos" and held.data["note"] == "两人未穿马甲"
    assert len(held.data["photos"]) == 1
    # Several at once, an album, are answered once; the caption is kept all the same.
    seen = len(inspector.messages())
    for index, caption in enumerate(("一人玩手机", None)):
        await inspector.send_document(
            f"IMG_001{index}.jpg", b"\xff\xd8" + bytes([index]), "image/jpeg", caption, "files"
        )
    await harness.settle()
    assert [m.text for m in inspector.messages()[seen:]] == [AS_FILE]
    held = await dialogue_of(harness, inspector.user_id)
    assert held.data["note"] == "一人玩手机" and len(held.data["photos"]) == 1
