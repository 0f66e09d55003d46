"""A post archived with shifts still planned on it: no new sign-ups, but the planned shifts take
place with the people on them (README, /posts). Those people are reminded and told when
check-in opens as on any post; the waitlist of such a shift is not told at its start that no
seat came free (it is not promoted on an archived post)."""

from __future__ import annotations

from bot.db.models import Post
from tests.e2e.rostering_fixtures import TOMORROW, town
from tests.e2e.schedule import DAY, at
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness


async def test_the_people_on_a_planned_shift_of_an_archived_post_are_reminded(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li = town_.people[0]
    li.started = True
    await seat(harness, town_.shift_id, li.user_id)
    async with harness.session() as session:
        post = await session.get(Post, town_.post_id)
        assert post is not None
        post.archived = True

    harness.clock.set(at(DAY, 19, 5))
    await harness.tick()
    await harness.deliver()
    assert (li.last().text or "").startswith("⏰ 上岗提醒：12月2日 周三 07:00–09:00")
    harness.clock.set(at(TOMORROW, 6, 35))
    await harness.tick()
    await harness.deliver()
    assert (li.last().text or "").startswith("📍 签到已开放：12月2日 周三 07:00–09:00")
    assert len(li.messages()) == 2
