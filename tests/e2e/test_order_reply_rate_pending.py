"""The reply rate (回复整改率) counts an order once the unit could have answered it: replied, or
its deadline passed. An order issued late in a day or a week, still well inside its deadline,
is not "not replied" in that day's tally or that week's bulletin, nor does it pull down the
unit's order score and grade there."""

from __future__ import annotations

import datetime as dt

from tests.e2e.order_fixtures import ordered, reply
from tests.e2e.oversight_fixtures import bind_headquarters, checked_in, city
from tests.e2e.schedule import DAY, at, press_and_settle, shift
from tests.harness import Harness


async def test_an_order_inside_its_deadline_is_not_counted_unreplied_in_the_day_s_tally(
    harness: Harness,
) -> None:
    """12-01: two of two seats on time (attendance 100). At 19:00 an order is issued, due
    12-02 19:00. The 20:30 /today counts it issued, but neither replied nor not replied: no
    reply rate yet, and the unit keeps the score of its attendance, 100 (好)."""
    town = await city(harness)
    shift_id = await shift(harness, town.post_id, day=DAY, start=7, end=19, capacity=2)
    for volunteer in town.volunteers:
        await checked_in(harness, shift_id, volunteer, at(DAY, 7, 0))
    harness.clock.set(at(DAY, 19))
    await ordered(harness, town)
    harness.clock.set(at(DAY, 20, 30))
    admin = harness.admin
    await admin.send_command("today")
    await harness.settle()
    text = "\n".join(m.text or "" for m in admin.messages()[-3:])
    assert "整改令下发 1 件：回复 0 件（按期 0 件）" in text
    assert "回复整改率 —，按期办结率 —（到期 0 件）" in text
    assert "综合得分：100 分（好）" in text
    assert "1. 城管局：100 分（好）" in text


async def test_an_order_issued_on_sunday_evening_is_not_unreplied_in_monday_s_bulletin(
    harness: Harness,
) -> None:
    """An order issued Sunday 12-06 at 19:00, due Monday 19:00, is in the week's bulletin sent
    Monday at 08:00 as issued, not as an order the unit failed to reply to; a second order of
    that week, replied in time and accepted, makes both rates 100% and the order score 100."""
    town = await city(harness)
    group = await bind_headquarters(harness)
    await ordered(harness, town)
    harness.clock.set(at(DAY, 10))
    await reply(harness, town, "已清运")
    await harness.deliver()
    await press_and_settle(harness, town.inspector, "✅ 验收办结")
    await press_and_settle(harness, town.inspector, "不用")
    sunday = DAY + dt.timedelta(days=5)
    harness.clock.set(at(sunday, 19))
    await ordered(harness, town)
    harness.clock.set(at(sunday + dt.timedelta(days=1), 8))
    await harness.tick()
    await harness.deliver()
    text = "\n".join(group.texts())
    assert "整改令下发 2 件：回复 1 件（按期 1 件）" in text
    assert "回复整改率 100%，按期办结率 100%（到期 1 件）" in text, text
    assert "综合得分：100 分（好）" in text
    assert "得分构成：出勤 —，督查 —，整改 100" in text
