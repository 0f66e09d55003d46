"""A photo sent alone with the caption 随手拍 starts a street report; what is written after the
word is the report's text, judged by the same rules as a line typed at its last step."""

from __future__ import annotations

from bot.db.models import Dialogue, EvidencePhoto
from tests.e2e.oversight_fixtures import city, near, street_reports
from tests.e2e.schedule import command, press_and_settle
from tests.harness import Harness


async def test_the_words_after_suishoupai_on_a_photo_are_the_reports_text(
    harness: Harness,
) -> None:
    town = await city(harness)
    wang = town.volunteers[0]
    await wang.send_photo(caption="随手拍 共享单车\u200b堆在盲道上")
    await harness.settle()
    assert "问题在哪里？" in (wang.last().text or "")
    await wang.send_location(*near(60))
    await harness.settle()
    await press_and_settle(harness, wang, "乱停车")
    text = await press_and_settle(harness, wang, "✅ 提交")
    assert "已转交「城管局」" in text
    [filed] = await street_reports(harness)
    assert filed.description == "共享单车堆在盲道上"


async def test_words_after_suishoupai_that_break_the_rules_are_refused_and_the_photo_kept(
    harness: Harness,
) -> None:
    town = await city(harness)
    wang = town.volunteers[0]
    await wang.send_photo(caption="随手拍：" + "堵" * 301)
    await harness.settle()
    texts = [m.text or "" for m in wang.messages()[-2:]]
    assert "问题在哪里？" in texts[0] and "文字请写 1 到 300 个字" in texts[1], texts
    assert await harness.count(Dialogue) == 1
    await wang.send_location(*near(60))
    await harness.settle()
    await press_and_settle(harness, wang, "乱停车")
    await press_and_settle(harness, wang, "✅ 提交")
    [filed] = await street_reports(harness)
    assert filed.description is None
    assert await harness.count(EvidencePhoto) == 1


async def test_suishoupai_alone_or_with_punctuation_keeps_no_text(harness: Harness) -> None:
    town = await city(harness)
    wang = town.volunteers[0]
    await wang.send_photo(caption="#随手拍：")
    await harness.settle()
    assert "问题在哪里？" in (wang.last().text or "")
    await wang.send_location(*near(60))
    await harness.settle()
    await press_and_settle(harness, wang, "乱停车")
    await press_and_settle(harness, wang, "✅ 提交")
    [filed] = await street_reports(harness)
    assert filed.description is None


async def test_suishoupai_on_a_photo_sent_to_a_report_under_way_is_not_part_of_its_text(
    harness: Harness,
) -> None:
    """/report first, then the photo captioned as one that starts a report: the word that
    would have started it is not the report's text, the words after it are."""
    town = await city(harness)
    wang = town.volunteers[0]
    await command(harness, wang, "report")
    await wang.send_photo(caption="随手拍：共享单车堆在盲道上")
    await harness.settle()
    assert "问题在哪里？" in (wang.last().text or "")
    await wang.send_location(*near(60))
    await harness.settle()
    await press_and_settle(harness, wang, "乱停车")
    await press_and_settle(harness, wang, "✅ 提交")
    [filed] = await street_reports(harness)
    assert filed.description == "共享单车堆在盲道上"
