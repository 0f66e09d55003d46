"""A covert check made on the last evening of a week, after that day's tally: the weekly
report of the week, on Monday morning before the next daily tally, is what publishes it. The
check counts in that report, so the week's published ranking is the one the week keeps (it
does not change silently when the check surfaces at Monday's evening tally)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from bot.db.models import (
    Member,
    MemberRole,
    OutboxMessage,
    OutboxStatus,
    RectificationOrder,
    Role,
    Unit,
)
from tests.e2e.oversight_fixtures import (
    bind_headquarters,
    city,
    inspections,
    orders,
    submit_check,
    trail,
)
from tests.e2e.schedule import DAY, at, command, press_and_settle, shift
from tests.e2e.swap_fixtures import member
from tests.harness import Harness

SUNDAY = DAY + dt.timedelta(days=5)  # 12-06, the last day of the week 11-30 to 12-06
MONDAY = SUNDAY + dt.timedelta(days=1)


async def test_a_covert_check_of_sunday_night_is_published_with_the_week_s_report(
    harness: Harness,
) -> None:
    town = await city(harness)
    group = await bind_headquarters(harness)
    await shift(harness, town.post_id, day=SUNDAY, start=20, end=23, capacity=1)
    # After Sunday's 20:00 tally, nobody on post.
    harness.clock.set(at(SUNDAY, 21, 0))
    await submit_check(harness, town.inspector, "抽查 · 暗访", "0")
    assert "🕶 暗访：单位在 2026年12月7日 08:00 的周报或月报中才会看到这次督查" in (
        town.inspector.last().text or ""
    ), town.inspector.last().text
    [made] = await inspections(harness)
    assert made.visible_from == at(MONDAY, 8, 0)
    await press_and_settle(harness, town.inspector, "📝 下整改令")
    await press_and_settle(harness, town.inspector, "✅ 下发")
    [order] = await orders(harness)
    # The order reaches the unit with the report that publishes the check, and runs from then.
    assert order.visible_from == at(MONDAY, 8, 0)
    assert order.deadline_at == at(MONDAY, 8, 0) + dt.timedelta(hours=24)

    # Monday 08:00: the report of the week 11-30 to 12-06 counts the check.
    harness.clock.set(at(MONDAY, 8, 0))
    await harness.tick()
    await harness.deliver()
    weekly = "\n".join(group.texts())
    assert "督查 1 次（抽查 1）" in weekly, weekly
    await harness.deliver()
    assert "整改令" in (town.coordinator.last().caption or town.coordinator.last().text or "")


async def test_a_covert_check_s_order_names_the_unit_as_it_is_when_it_reaches_the_unit(
    harness: Harness,
) -> None:
    """The order waits for the check's publication; a unit renamed meanwhile is named by its new
    name in the order the coordinator reads (and the coordinator's language is that of then)."""
    town = await city(harness)
    await shift(harness, town.post_id, day=SUNDAY, start=20, end=23, capacity=1)
    harness.clock.set(at(SUNDAY, 21, 0))
    await submit_check(harness, town.inspector, "抽查 · 暗访", "0")
    await press_and_settle(harness, town.inspector, "📝 下整改令")
    await press_and_settle(harness, town.inspector, "✅ 下发")
    [order] = await orders(harness)
    assert order.visible_from == at(MONDAY, 8, 0)
    before = len(town.coordinator.messages())

    # Sunday 22:00: an admin renames the unit while the order waits for Monday.
    harness.clock.set(at(SUNDAY, 22, 0))
    await command(harness, harness.admin, "units")
    await press_and_settle(harness, harness.admin, "✏️ 改名：城管局")
    await harness.admin.send_text("城市管理局")
    await harness.settle()
    assert harness.admin.last().text == "单位已改名为「城市管理局」。"
    await harness.deliver()
    assert len(town.coordinator.messages()) == before  # still held

    harness.clock.set(at(MONDAY, 8, 0))
    await harness.tick()
    await harness.deliver()
    notice = town.coordinator.last()
    text = notice.caption or notice.text or ""
    assert "整改令" in text and "城市管理局" in text, text
    assert "城管局" not in text, text
    async with harness.session() as session:
        unit = await session.get(Unit, town.unit_id)
        assert unit is not None and unit.name == "城市管理局"
        held = await session.get(RectificationOrder, order.id)
        assert held is not None and held.unit_id == town.unit_id


async def test_a_covert_check_s_order_does_not_reach_who_stopped_coordinating_meanwhile(
    harness: Harness,
) -> None:
    town = await city(harness)
    await shift(harness, town.post_id, day=SUNDAY, start=20, end=23, capacity=1)
    harness.clock.set(at(SUNDAY, 21, 0))
    await submit_check(harness, town.inspector, "抽查 · 暗访", "0")
    await press_and_settle(harness, town.inspector, "📝 下整改令")
    await press_and_settle(harness, town.inspector, "✅ 下发")
    before = len(town.coordinator.messages())
    # Sunday night: 陈协调 is no longer the unit's coordinator.
    async with harness.session() as session:
        await session.execute(
            delete(MemberRole).where(
                MemberRole.member_id.in_(
                    select(Member.id).where(Member.telegram_id == town.coordinator.user_id)
                ),
                MemberRole.role == Role.COORDINATOR,
            )
        )
        await session.commit()

    harness.clock.set(at(MONDAY, 8, 0))
    await harness.tick()
    await harness.deliver()
    assert len(town.coordinator.messages()) == before
    async with harness.session() as session:
        # The unit is told at the publication, to its coordinators then: nothing to them.
        queued = await session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == town.coordinator.user_id,
                OutboxMessage.idempotency_key.startswith("order:"),
            )
        )
        assert queued is None


async def test_a_covert_check_s_order_reaches_a_coordinator_appointed_while_it_waited(
    harness: Harness,
) -> None:
    """The unit is told when the check is published: its coordinators of that moment, one
    appointed since the order was issued too, each once."""
    town = await city(harness)
    await shift(harness, town.post_id, day=SUNDAY, start=20, end=23, capacity=1)
    harness.clock.set(at(SUNDAY, 21, 0))
    await submit_check(harness, town.inspector, "抽查 · 暗访", "0")
    await press_and_settle(harness, town.inspector, "📝 下整改令")
    await press_and_settle(harness, town.inspector, "✅ 下发")
    [order] = await orders(harness)
    # Sunday 22:00: 吴协调 becomes a coordinator of the unit while the order waits.
    harness.clock.set(at(SUNDAY, 22, 0))
    appointed = await member(harness, 8005, town.unit_id, "吴协调", role=Role.COORDINATOR)
    await harness.deliver()
    assert not [m for m in appointed.messages() if "整改令" in (m.caption or m.text or "")]

    harness.clock.set(at(MONDAY, 8, 0))
    await harness.tick()
    await harness.deliver()
    for coordinator in (town.coordinator, appointed):
        told = [m for m in coordinator.messages() if "整改令" in (m.caption or m.text or "")]
        assert len(told) == 1, coordinator
        assert told[0].buttons() == ["✍️ 签收", "📤 回复整改"]
    await harness.tick()
    harness.clock.set(at(MONDAY, 9, 0))
    await harness.tick()
    await harness.deliver()
    assert len([m for m in appointed.messages() if "整改令" in (m.caption or m.text or "")]) == 1
    async with harness.session() as session:
        sent = list(
            await session.scalars(
                select(OutboxMessage.chat_id).where(
                    OutboxMessage.idempotency_key.startswith(f"order:{order.id}:issued:"),
                    OutboxMessage.status == OutboxStatus.SENT,
                )
            )
        )
        assert sorted(sent) == sorted([town.coordinator.user_id, appointed.user_id])
    assert (await trail(harness, "order", order.id)).count("order.deliver") == 1
