"""A street report's refusals at the steps that have buttons are the report's prompt, as its
other re-asks there are: a forwarded photo when the photo is asked keeps the one ✖️ on the
refusal, and a line refused at the last step brings ✅ 提交 and ✖️ with it. One message
keeps live buttons; /cancel leaves none."""

from __future__ import annotations

from bot.db.models import Dialogue, StreetReport
from bot.emulator import SentMessage, SimUser
from tests.e2e.oversight_fixtures import city, near, report
from tests.e2e.schedule import command
from tests.harness import Harness

CANCEL = "✖️ 取消"
SUBMIT = "✅ 提交"


def _live(user: SimUser) -> list[SentMessage]:
    return [m for m in user.messages() if m.buttons()]


async def _ends_clean(harness: Harness, user: SimUser) -> None:
    await command(harness, user, "cancel")
    assert _live(user) == []
    assert await harness.count(Dialogue) == 0
    assert await harness.count(StreetReport) == 0


async def test_a_forwarded_photo_asked_again_keeps_one_cancel(harness: Harness) -> None:
    wang = (await city(harness)).volunteers[0]
    await command(harness, wang, "report")
    await wang.send_photo(forwarded=True)
    await harness.settle()
    again = wang.last()
    assert "这是转发的照片" in (again.text or "")
    assert again.buttons() == [CANCEL]
    assert _live(wang) == [again]
    await _ends_clean(harness, wang)


async def test_a_line_refused_at_the_last_step_keeps_submit_at_hand(harness: Harness) -> None:
    wang = (await city(harness)).volunteers[0]
    answer = await report(harness, wang, near(60), text=" /x 路口有垃圾")
    assert answer == "这句话不能以 / 开头（以 / 开头的是命令），请重新写一句。"
    assert wang.last().buttons() == [SUBMIT, CANCEL]
    assert _live(wang) == [wang.last()]
    await _ends_clean(harness, wang)
