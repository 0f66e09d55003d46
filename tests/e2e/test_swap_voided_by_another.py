"""A swap that completes voids the other open offers of the seats it moved; whoever was waiting
on one of them is told, as when the scheduler calls one off, rather than left waiting for an
answer that will not come."""

from __future__ import annotations

from bot.db.models import AssignmentStatus, SwapOffer, SwapStatus
from tests.e2e.schedule import command, press_and_settle, shift, statuses
from tests.e2e.swap_fixtures import GIVE_AWAY, offers, seat, town
from tests.harness import Harness

EXCHANGE = "🔄 和别人互换班次"
LATER = "12月2日 周三 17:00–19:00 · 黄河路-人民路口"


async def test_an_exchange_asking_for_a_seat_given_away_meanwhile_is_told_off(
    harness: Harness,
) -> None:
    """张伟 asks 李明 to exchange: 张伟's 17:00 seat for 李明's 07:00 one. 李明 gives his 07:00
    seat away to the unit instead, and 王芳 takes it. 张伟 is told his exchange is off and his
    17:00 shift is still his; the exchange is void."""
    town_ = await town(harness)
    li, (wang, zhang) = town_.holder, town_.others
    later = await shift(harness, town_.post_id, start=17, end=19)
    await seat(harness, later, zhang.user_id)
    await command(harness, zhang, "my")
    await press_and_settle(harness, zhang, "🔁 换岗 1")
    await press_and_settle(harness, zhang, EXCHANGE)
    await press_and_settle(harness, zhang, "1")
    await harness.deliver()
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, GIVE_AWAY)
    await harness.deliver()
    await press_and_settle(harness, wang, "🙋 我来接")
    await harness.tick()
    await harness.deliver()

    exchange, give_away = await offers(harness)
    assert exchange.status is SwapStatus.VOID and give_away.status is SwapStatus.COMPLETED
    told = [text for text in zhang.texts() if text.startswith(f"🔁 换岗取消了（{LATER}）")]
    assert len(told) == 1 and "仍由您负责，请照常上岗" in told[0], zhang.texts()[-3:]
    assert await statuses(harness, later) == {zhang.user_id: AssignmentStatus.SIGNED_UP}
    assert await harness.count(SwapOffer) == 2


async def test_the_card_asking_to_approve_an_exchange_voided_by_another_swap_is_closed(
    harness: Harness,
) -> None:
    """With approval on, 李明 accepts 张伟's exchange for his 07:00 seat, then gives the same
    seat away and 王芳 takes it. The coordinator approves the give-away: the card asking to
    approve the exchange loses its buttons, saying it became void, and 张伟 and 李明 are told."""
    town_ = await town(harness, approval=True)
    li, (wang, zhang), coordinator = town_.holder, town_.others, town_.coordinator
    later = await shift(harness, town_.post_id, start=17, end=19)
    await seat(harness, later, zhang.user_id)
    await command(harness, zhang, "my")
    await press_and_settle(harness, zhang, "🔁 换岗 1")
    await press_and_settle(harness, zhang, EXCHANGE)
    await press_and_settle(harness, zhang, "1")
    await harness.deliver()
    await press_and_settle(harness, li, "✅ 接受")
    await harness.deliver()
    exchange_card = coordinator.last()
    assert exchange_card.buttons() == ["✅ 批准", "✖️ 驳回"]
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, GIVE_AWAY)
    await harness.deliver()
    await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()

    await press_and_settle(harness, coordinator, "✅ 批准")
    await harness.deliver()
    exchange, give_away = await offers(harness)
    assert exchange.status is SwapStatus.VOID and give_away.status is SwapStatus.COMPLETED
    card = next(m for m in coordinator.messages() if m.message_id == exchange_card.message_id)
    assert card.buttons() == [] and "系统：已失效" in (card.text or ""), card.text
    told = [text for text in zhang.texts() if text.startswith(f"🔁 换岗取消了（{LATER}）")]
    assert len(told) == 1 and "仍由您负责，请照常上岗" in told[0], zhang.texts()[-3:]
    assert await statuses(harness, town_.shift_id) == {
        li.user_id: AssignmentStatus.CANCELLED,
        wang.user_id: AssignmentStatus.SIGNED_UP,
    }
