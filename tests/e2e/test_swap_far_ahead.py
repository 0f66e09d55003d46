"""A seat on a shift further ahead than sign-up opens (SIGNUP_OPEN_DAYS, 14 days): a rota is
made weeks ahead, and the person assigned may already know they cannot go. Sign-up's window is
about opening a shift's seats to everyone; a swap moves a seat someone already holds, so the
unit's members may take it whatever the date."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.models import AssignmentStatus
from tests.e2e.rostering_fixtures import assign_by_hand, town
from tests.e2e.schedule import DAY, press_and_settle, shift, statuses
from tests.e2e.swap_fixtures import GIVE_AWAY, open_swap
from tests.harness import Harness

FAR = "12月21日 周一 07:00–09:00 · 黄河路-人民路口"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"signup_open_days": 14}


async def test_a_seat_three_weeks_ahead_is_offered_to_the_unit_and_taken(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li, wang, zhang = town_.people
    for volunteer in town_.people:
        volunteer.started = True
    far = await shift(harness, town_.post_id, day=DAY + dt.timedelta(days=20))
    await assign_by_hand(harness, town_.coordinator, far, "王芳")

    text = await open_swap(harness, wang, GIVE_AWAY)
    assert f"已把 {FAR} 转让给本单位 2 位符合条件的成员" in text
    await harness.deliver()
    assert FAR in (li.last().text or "") and li.last().buttons() == ["🙋 我来接"]
    assert FAR in (zhang.last().text or "")

    text = await press_and_settle(harness, li, "🙋 我来接")
    assert f"换岗完成：现在由您负责 {FAR}" in text
    assert await statuses(harness, far) == {
        wang.user_id: AssignmentStatus.CANCELLED,
        li.user_id: AssignmentStatus.SIGNED_UP,
    }
