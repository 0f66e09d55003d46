"""A coordinator assigning someone who already holds a shift at that hour reads that shift
dated in the coordinator's own language, not in the language of the person refused."""

from __future__ import annotations

import pytest

from bot.db.models import Role
from tests.e2e.rostering_fixtures import ASSIGN_SETTINGS, TOMORROW, open_assign, town
from tests.e2e.schedule import post, shift, statuses
from tests.e2e.swap_fixtures import member, seat
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(ASSIGN_SETTINGS)


async def test_an_english_coordinator_reads_the_clash_of_a_chinese_member_in_english(
    harness: Harness,
) -> None:
    """李明, who reads Chinese, holds 08:00–10:00 at another post. Morgan, a coordinator who
    reads English, types his name on ➕ Assign for the 07:00 shift: the refusal dates his
    clashing shift as English reads; nobody is given a seat."""
    town_ = await town(harness)
    li = town_.people[0]
    morgan = await member(
        harness, 7901, town_.unit_id, "Morgan", role=Role.COORDINATOR, language="en"
    )
    elsewhere = await post(harness, town_.unit_id, "人民路-解放路口")
    await seat(harness, await shift(harness, elsewhere, day=TOMORROW, start=8, end=10), li.user_id)
    before = await statuses(harness, town_.shift_id)

    await open_assign(harness, morgan, town_.shift_id)
    await morgan.send_text("李明")
    await harness.settle()

    text = morgan.last().text or ""
    assert "· 李明 already has a shift at that time: Wed 2 Dec 08:00–10:00 · 人民路-解放路口" in (
        text
    ), text
    assert await statuses(harness, town_.shift_id) == before
