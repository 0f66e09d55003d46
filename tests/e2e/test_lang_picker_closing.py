"""/lang in the middle of a dialogue: closing the language picker with ✖️ closes the picker
only; the dialogue the person was in goes on, now or after they picked a language."""

from __future__ import annotations

from bot.db.models import Dialogue, Unavailability
from tests.e2e.rostering_fixtures import town
from tests.e2e.schedule import command, press_and_settle
from tests.harness import Harness


async def test_closing_the_language_picker_leaves_the_dialogue_open(harness: Harness) -> None:
    town_ = await town(harness)
    li = town_.people[0]
    await command(harness, li, "unavailable")
    async with harness.session() as session:
        assert await session.get(Dialogue, li.user_id) is not None

    await command(harness, li, "lang")
    assert "✖️ 取消" in li.last().buttons()
    text = await press_and_settle(harness, li, "✖️ 取消")
    assert text == "好的，语言不变，仍是简体中文。"
    assert li.last().buttons() == []
    async with harness.session() as session:
        assert await session.get(Dialogue, li.user_id) is not None
    member = await harness.member(li.user_id)
    assert member is not None and member.language == "zh_Hans"

    # The time the dialogue asked for is still taken.
    await li.send_text("12-05 12-07")
    await harness.settle()
    assert "✅ 已记下" in (li.last().text or "")
    assert await harness.count(Unavailability) == 1
    assert await harness.count(Dialogue) == 0


async def test_an_english_speaker_closes_the_picker_in_english(harness: Harness) -> None:
    town_ = await town(harness)
    li = town_.people[0]
    await command(harness, li, "lang")
    await press_and_settle(harness, li, "English（英文）")
    await command(harness, li, "unavailable")
    await command(harness, li, "lang")
    text = await press_and_settle(harness, li, "✖️ Cancel")
    assert text == "OK, the language stays English."
    async with harness.session() as session:
        assert await session.get(Dialogue, li.user_id) is not None


async def test_the_dialogue_s_cancel_goes_when_it_ends_after_a_language_change(
    harness: Harness,
) -> None:
    """Reported: /unavailable, /lang with a language picked, then the dates: the ✖️ of the
    /unavailable question stayed. Both languages a person may change to are tried."""
    people = (await town(harness)).people
    for li, picked in zip(people, ("English（英文）", "繁體中文（繁体中文）"), strict=False):
        await command(harness, li, "unavailable")
        assert li.last().buttons() == ["✖️ 取消"]
        await command(harness, li, "lang")
        await press_and_settle(harness, li, picked)
        await li.send_text("12-05 12-07")
        await harness.settle()
        assert "✅" in (li.last().text or "")
        async with harness.session() as session:
            assert await session.get(Dialogue, li.user_id) is None
        assert [m.text for m in li.messages() if m.buttons()] == []
    assert await harness.count(Unavailability) == 2
