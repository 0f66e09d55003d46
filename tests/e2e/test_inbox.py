"""The inbox seen from a chat: an update is handled once however often Telegram sends it, one
that cannot be read does not hold up the others, and every update ends done."""

from __future__ import annotations

from bot.db.models import InboxStatus
from bot.services.platform import inbox
from tests.harness import Harness


async def inbox_counts(harness: Harness) -> dict[InboxStatus, int]:
    async with harness.session() as session:
        return await inbox.counts(session)


async def test_every_update_ends_done_with_its_answer_sent(harness: Harness) -> None:
    stranger = harness.user(4241, "路人")
    await stranger.send_command("help")
    await stranger.send_sticker()
    await harness.settle()
    assert len(stranger.texts()) == 2
    assert await inbox_counts(harness) == {InboxStatus.DONE: 2}


async def test_an_update_sent_again_is_not_handled_again(harness: Harness) -> None:
    stranger = harness.user(4242, "路人")
    await stranger.send_command("help")
    await harness.settle()
    harness.redeliver_last(stranger.user_id)
    await harness.settle()
    assert len(stranger.texts()) == 1


async def test_an_update_that_cannot_be_read_is_set_aside_and_the_next_answered(
    harness: Harness,
) -> None:
    stranger = harness.user(4243, "路人")
    # A poll whose options lack a field this PTB requires: PTB cannot read the update.
    await stranger.send_raw(
        {
            "poll": {
                "id": "1",
                "question": "?",
                "options": [{"text": "a", "voter_count": 0}],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
            }
        }
    )
    await stranger.send_command("help")
    await harness.settle()
    assert len(stranger.texts()) == 1
    assert await inbox_counts(harness) == {InboxStatus.DONE: 2}
