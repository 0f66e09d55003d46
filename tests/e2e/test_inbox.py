"""The inbox seen from a chat: an update is handled once however often Telegram sends it, one
that cannot be read does not hold up the others, and every update ends done."""

from __future__ import annotations

import datetime as dt

from bot.db.models import InboxStatus
from bot.intake import Intake
from bot.services.platform import inbox
from tests.harness import Harness
from tests.unit.statement_fixtures import statements


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


async def test_the_sweep_deletes_nothing_until_a_done_row_can_be_due(harness: Harness) -> None:
    """The sweep runs every SWEEP_SECONDS; a done row goes inbox.KEEP after it was done. In
    between it sends no DELETE (nor the write transaction around it): it knows when the oldest
    done row is due."""
    intake = harness.bot.application.bot_data["intake"] if harness.bot.application else None
    assert isinstance(intake, Intake)
    stranger = harness.user(4244, "路人")
    await stranger.send_command("help")
    await harness.settle()
    done_at = harness.clock.now()
    async with statements(harness.database) as sent:
        await intake.sweep()
        harness.clock.set(done_at + inbox.KEEP - dt.timedelta(seconds=1))
        await intake.sweep()
    assert not [statement for statement in sent if statement.startswith("DELETE")], sent
    assert await inbox_counts(harness) == {InboxStatus.DONE: 1}
    harness.clock.set(done_at + inbox.KEEP + dt.timedelta(seconds=1))
    await intake.sweep()
    assert await inbox_counts(harness) == {}
