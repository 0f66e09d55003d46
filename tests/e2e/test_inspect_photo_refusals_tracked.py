"""A photo /inspect does not take is answered as the check's other refusals are: a photo at
the people-seen step asks for the count again with the numbers, and a forwarded photo on the
checklist or at the photos step is refused with that step's buttons. Each answer is the
check's prompt: one message keeps live buttons, and /cancel leaves none."""

from __future__ import annotations

from bot.db.models import Dialogue, EvidencePhoto, Inspection
from bot.emulator import SentMessage, SimUser
from tests.e2e.oversight_fixtures import city, inspections, start_check
from tests.e2e.schedule import command, press_and_settle
from tests.harness import Harness

CANCEL = "✖️ 取消"
SUBMIT = "✅ 提交督查"
NEXT = "下一步：拍照 ▶️"


def _live(user: SimUser) -> list[SentMessage]:
    return [m for m in user.messages() if m.buttons()]


async def _step(harness: Harness, user: SimUser) -> str | None:
    async with harness.session() as session:
        found = await session.get(Dialogue, user.user_id)
        return found.step if found is not None else None


async def _to_seen(harness: Harness, inspector: SimUser) -> None:
    await start_check(harness, inspector)
    post_button = next(b for b in inspector.last().buttons() if "黄河路-人民路口" in b)
    await press_and_settle(harness, inspector, post_button)
    await press_and_settle(harness, inspector, "日查 · 明查")


async def _ends_clean(harness: Harness, inspector: SimUser) -> None:
    await command(harness, inspector, "cancel")
    assert _live(inspector) == []
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Inspection) == 0


async def test_a_photo_at_the_people_seen_step_asks_again_with_the_numbers(
    harness: Harness,
) -> None:
    inspector = (await city(harness)).inspector
    await _to_seen(harness, inspector)
    await inspector.send_photo()
    await harness.settle()
    again = inspector.last()
    assert again.text == "请点下面的数字，或直接输入看到的人数（0–999）。"
    assert again.buttons()[0] == "0" and again.buttons()[-1] == CANCEL
    assert _live(inspector) == [again]
    assert await _step(harness, inspector) == "seen"
    await press_and_settle(harness, inspector, "2")
    assert NEXT in inspector.last().buttons()
    await _ends_clean(harness, inspector)


async def test_a_forwarded_photo_on_the_checklist_keeps_the_checklist_at_hand(
    harness: Harness,
) -> None:
    inspector = (await city(harness)).inspector
    await _to_seen(harness, inspector)
    await press_and_settle(harness, inspector, "2")
    await inspector.send_photo(forwarded=True)
    await harness.settle()
    again = inspector.last()
    assert "这是转发的照片" in (again.text or "")
    assert NEXT in again.buttons() and again.buttons()[-1] == CANCEL
    assert _live(inspector) == [again]
    assert await _step(harness, inspector) == "items"
    await press_and_settle(harness, inspector, "⬜ 未穿马甲或制服 −5")
    assert "☑️ 未穿马甲或制服 −5" in inspector.last().buttons()
    assert await harness.count(EvidencePhoto) == 0
    await _ends_clean(harness, inspector)


async def test_a_forwarded_photo_at_the_photos_step_keeps_one_submit(harness: Harness) -> None:
    inspector = (await city(harness)).inspector
    await _to_seen(harness, inspector)
    await press_and_settle(harness, inspector, "2")
    await press_and_settle(harness, inspector, NEXT)
    await inspector.send_photo(forwarded=True)
    await harness.settle()
    assert "这是转发的照片" in (inspector.last().text or "")
    assert inspector.last().buttons() == [CANCEL]
    assert _live(inspector) == [inspector.last()]
    await inspector.send_photo()
    await harness.settle()
    await inspector.send_photo(forwarded=True)
    await harness.settle()
    assert "这是转发的照片" in (inspector.last().text or "")
    assert inspector.last().buttons() == [SUBMIT, CANCEL]
    assert _live(inspector) == [inspector.last()]
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, inspector.user_id)
        assert dialogue is not None and len(dialogue.data["photos"]) == 1
    await _ends_clean(harness, inspector)


async def test_an_album_refused_is_answered_once_as_the_prompt(harness: Harness) -> None:
    """An album at the people-seen step, and a forwarded one at the photos step: one answer
    each (not one per photo), and it is the one message with live buttons."""
    inspector = (await city(harness)).inspector
    await _to_seen(harness, inspector)
    sent_before = len(inspector.texts())
    await inspector.send_album(3)
    await harness.settle()
    assert inspector.texts()[sent_before:] == ["请点下面的数字，或直接输入看到的人数（0–999）。"]
    assert _live(inspector) == [inspector.last()]
    await press_and_settle(harness, inspector, "2")
    await press_and_settle(harness, inspector, NEXT)
    sent_before = len(inspector.texts())
    await inspector.send_album(3, forwarded=True)
    await harness.settle()
    [told] = inspector.texts()[sent_before:]
    assert "这是转发的照片" in told
    assert _live(inspector) == [inspector.last()]
    assert await harness.count(EvidencePhoto) == 0
    await _ends_clean(harness, inspector)


async def test_a_picture_sent_as_a_file_on_the_checklist_keeps_the_checklist(
    harness: Harness,
) -> None:
    inspector = (await city(harness)).inspector
    await _to_seen(harness, inspector)
    await press_and_settle(harness, inspector, "2")
    await inspector.send_document("photo.jpg", b"\xff\xd8", "image/jpeg")
    await harness.settle()
    again = inspector.last()
    assert "请直接发送照片" in (again.text or "")
    assert NEXT in again.buttons() and again.buttons()[-1] == CANCEL
    assert _live(inspector) == [again]
    await press_and_settle(harness, inspector, "⬜ 未穿马甲或制服 −5")
    assert "☑️ 未穿马甲或制服 −5" in inspector.last().buttons()
    await _ends_clean(harness, inspector)


async def test_a_note_before_any_photo_asks_for_the_photo_without_submit(
    harness: Harness,
) -> None:
    """A note typed at the photos step before a photo is kept, but the check needs a photo
    to be submitted: the answer asks for one and offers ✖️ only, not a Submit that would
    refuse; the photo then brings Submit, and the check keeps the note."""
    inspector = (await city(harness)).inspector
    await _to_seen(harness, inspector)
    await press_and_settle(harness, inspector, "2")
    await press_and_settle(harness, inspector, NEXT)
    await inspector.send_text("马甲脏了")
    await harness.settle()
    told = inspector.last()
    assert told.text == "📝 备注已记下。还要发至少一张现场照片，才能提交督查。"
    assert told.buttons() == [CANCEL]
    assert _live(inspector) == [told]
    await inspector.send_photo()
    await harness.settle()
    assert inspector.last().buttons() == [SUBMIT, CANCEL]
    await press_and_settle(harness, inspector, SUBMIT)
    [check] = await inspections(harness)
    assert check.note == "马甲脏了"
