"""The last plain replies of /inspect and /checklist are the dialogue's prompt too: the re-ask
of the people seen, the answers at the photos step (a photo, a note, "send a photo") and the
question for a new checklist line each take the buttons off the question before them, and
/cancel takes them off the last one, so no ✖️ (or ✅ Submit) is left behind."""

from __future__ import annotations

from bot.db.models import ChecklistItem, Dialogue, Inspection
from bot.emulator import SimUser
from tests.e2e.oversight_fixtures import city, rows, start_check
from tests.e2e.schedule import command, press_and_settle
from tests.harness import Harness

CANCEL = "✖️ 取消"
SUBMIT = "✅ 提交督查"


def _with_buttons(user: SimUser) -> list[str]:
    """The first line of each message in the chat that still has buttons."""
    return [(m.text or "").split("\n")[0] for m in user.messages() if m.buttons()]


def _count(user: SimUser, label: str) -> int:
    return [b for m in user.messages() for b in m.buttons()].count(label)


async def _say(harness: Harness, user: SimUser, text: str) -> None:
    await user.send_text(text)
    await harness.settle()


async def _to_seen(harness: Harness, inspector: SimUser) -> None:
    await start_check(harness, inspector)
    post_button = next(b for b in inspector.last().buttons() if "黄河路-人民路口" in b)
    await press_and_settle(harness, inspector, post_button)
    await press_and_settle(harness, inspector, "日查 · 明查")


async def test_people_seen_reasked_keeps_one_set_of_buttons(harness: Harness) -> None:
    inspector = (await city(harness)).inspector
    await _to_seen(harness, inspector)
    seen_question = inspector.last().message_id
    await _say(harness, inspector, "很多")
    assert "请点下面的数字" in (inspector.last().text or "")
    # The re-ask is the question now: its number buttons and ✖️; the one before has none.
    assert inspector.last().buttons()[0] == "0" and inspector.last().buttons()[-1] == CANCEL
    [question] = [m for m in inspector.messages() if m.message_id == seen_question]
    assert question.buttons() == []
    await _say(harness, inspector, "好多人")
    assert len(_with_buttons(inspector)) == 1 and _count(inspector, CANCEL) == 1
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, inspector.user_id)
        assert dialogue is not None and dialogue.step == "seen"
    # Its buttons still work: the checklist comes in its place.
    await press_and_settle(harness, inspector, "2")
    assert "下一步：拍照 ▶️" in inspector.last().buttons()
    assert len(_with_buttons(inspector)) == 1
    await command(harness, inspector, "cancel")
    assert _with_buttons(inspector) == []
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Inspection) == 0


async def test_photos_step_answers_keep_one_submit(harness: Harness) -> None:
    inspector = (await city(harness)).inspector
    await _to_seen(harness, inspector)
    await press_and_settle(harness, inspector, "2")
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")
    await inspector.send_sticker()
    await harness.settle()
    assert inspector.last().buttons() == [CANCEL]
    assert len(_with_buttons(inspector)) == 1
    await inspector.send_photo()
    await harness.settle()
    assert inspector.last().buttons() == [SUBMIT, CANCEL]
    assert len(_with_buttons(inspector)) == 1
    await inspector.send_photo()
    await harness.settle()
    assert inspector.last().buttons() == [SUBMIT, CANCEL]
    assert len(_with_buttons(inspector)) == 1
    await _say(harness, inspector, "两人在树荫下休息")
    assert inspector.last().buttons() == [SUBMIT, CANCEL]
    assert _count(inspector, SUBMIT) == 1 and _count(inspector, CANCEL) == 1
    await inspector.send_sticker()
    await harness.settle()
    assert _count(inspector, SUBMIT) == 1 and _count(inspector, CANCEL) == 1
    # A photo with a caption: two answers, Submit on the second (the note's) only.
    await inspector.send_photo(caption="马甲脏了")
    await harness.settle()
    assert inspector.last().buttons() == [SUBMIT, CANCEL]
    assert _count(inspector, SUBMIT) == 1 and _count(inspector, CANCEL) == 1
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, inspector.user_id)
        assert dialogue is not None and len(dialogue.data["photos"]) == 3
        assert dialogue.data["note"] == "马甲脏了"
    await command(harness, inspector, "cancel")
    assert _with_buttons(inspector) == []
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Inspection) == 0


async def test_new_checklist_line_reasked_keeps_one_cancel(harness: Harness) -> None:
    await city(harness)
    admin = harness.admin
    await command(harness, admin, "checklist")
    before = len(await rows(harness, ChecklistItem))
    await press_and_settle(harness, admin, "➕ 新增检查项")
    assert admin.last().buttons() == [CANCEL]
    await _say(harness, admin, "小广告")
    assert "请按「名称 分值」输入" in (admin.last().text or "")
    assert admin.last().buttons() == [CANCEL]
    assert _count(admin, CANCEL) == 1
    await _say(harness, admin, "随意张贴小广告 500")
    assert _count(admin, CANCEL) == 1
    await command(harness, admin, "cancel")
    assert _count(admin, CANCEL) == 0
    assert await harness.count(Dialogue) == 0
    assert len(await rows(harness, ChecklistItem)) == before
