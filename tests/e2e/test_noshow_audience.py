"""Who hears of a no-show: the 🚨 alert and the volunteer's answer go to the unit's coordinators,
but not to the coordinator who is the one missing (they get the ⚠️ question instead), and to the
admins when nobody else in the unit can be told (no coordinator, or only the one missing), as a
unit's swaps and leave requests do."""

from __future__ import annotations

from tests.e2e.checkin_fixtures import (
    assign,
    coordinator,
    duty,
    make_coordinator,
    post,
    shift,
    team,
    today,
)
from tests.harness import Harness

COMING = "🚶 在路上，马上到"


async def test_a_unit_without_coordinator_has_its_no_show_told_to_the_admins(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    told = len(harness.admin.texts())
    harness.clock.set(today(8, 31))
    await harness.tick()
    alerts = [text for text in harness.admin.texts()[told:] if text.startswith("🚨")]
    assert len(alerts) == 1 and "王芳" in alerts[0], harness.admin.texts()[told:]
    alert = next(m for m in harness.admin.messages() if (m.text or "").startswith("🚨"))
    await harness.admin.press("📋 查看班次", alert.message_id)
    await harness.settle()
    assert "黄河路-人民路口" in harness.admin.texts()[-1], harness.admin.texts()[-1]

    question = fang.last().message_id
    await fang.press(COMING, question)
    await harness.settle()
    await harness.deliver()
    assert harness.admin.texts()[-1].startswith("🚶 王芳 回复：正在赶往"), harness.admin.texts()
    # Her answer says who was told: the admins, as there is no coordinator.
    answered = next(m for m in fang.messages() if m.message_id == question)
    assert (answered.text or "").startswith("好的，已告知管理员您在路上"), answered.text


async def test_a_coordinator_missing_from_their_own_shift_is_asked_not_alerted(
    harness: Harness,
) -> None:
    crew = await team(harness, ("赵队长",))
    (zhao,) = crew.volunteers
    await make_coordinator(harness, zhao)
    qian = await coordinator(harness, "城管局", 7002, "钱主任")
    await duty(harness, zhao, crew.unit, today(8, 0), today(10, 0))
    seen = {person.user_id: len(person.texts()) for person in (zhao, qian, harness.admin)}
    harness.clock.set(today(8, 31))
    await harness.tick()
    to_zhao = zhao.texts()[seen[zhao.user_id] :]
    assert [text[:2] for text in to_zhao] == ["⚠️"], to_zhao
    to_qian = qian.texts()[seen[qian.user_id] :]
    assert len(to_qian) == 1 and to_qian[0].startswith("🚨") and "赵队长" in to_qian[0]
    assert harness.admin.texts()[seen[harness.admin.user_id] :] == []

    await zhao.press(COMING, question := zhao.last().message_id)
    await harness.settle()
    await harness.deliver()
    assert not any(text.startswith("🚶 赵队长 回复") for text in zhao.texts()), zhao.texts()
    assert qian.texts()[-1].startswith("🚶 赵队长 回复：正在赶往")
    answered = next(m for m in zhao.messages() if m.message_id == question)
    assert (answered.text or "").startswith("好的，已告知协调员您在路上"), answered.text


async def test_the_only_coordinator_missing_has_the_admins_alerted(harness: Harness) -> None:
    crew = await team(harness, ("赵队长",))
    (zhao,) = crew.volunteers
    await make_coordinator(harness, zhao)
    await duty(harness, zhao, crew.unit, today(8, 0), today(10, 0))
    told = len(harness.admin.texts())
    harness.clock.set(today(8, 31))
    await harness.tick()
    assert not any(text.startswith("🚨") for text in zhao.texts()), zhao.texts()
    alerts = [text for text in harness.admin.texts()[told:] if text.startswith("🚨")]
    assert len(alerts) == 1 and "赵队长" in alerts[0], harness.admin.texts()[told:]


async def test_an_answer_goes_where_the_alert_went_when_the_only_coordinator_is_missing_too(
    harness: Harness,
) -> None:
    # 赵队长, the unit's only coordinator, and 王芳 are both missing from one shift: the admins
    # got the 🚨 naming both, so they, not 赵队长, hear that 王芳 is on her way.
    crew = await team(harness, ("赵队长", "王芳"))
    zhao, fang = crew.volunteers
    await make_coordinator(harness, zhao)
    on_post = await shift(harness, await post(harness, crew.unit), today(8, 0), today(10, 0))
    await assign(harness, on_post, zhao)
    await assign(harness, on_post, fang)
    await harness.deliver()
    told = len(harness.admin.texts())
    harness.clock.set(today(8, 31))
    await harness.tick()
    alerts = [text for text in harness.admin.texts()[told:] if text.startswith("🚨")]
    assert len(alerts) == 1 and "赵队长" in alerts[0] and "王芳" in alerts[0], alerts

    await fang.press("🙅 今天来不了", question := fang.last().message_id)
    await harness.settle()
    await harness.deliver()
    assert harness.admin.texts()[-1].startswith("🙅 王芳 回复：今天来不了"), harness.admin.texts()
    assert not any(text.startswith("🙅 王芳 回复") for text in zhao.texts()), zhao.texts()
    # And her answer says so: the admins were told, not 赵队长.
    answered = next(m for m in fang.messages() if m.message_id == question)
    assert (answered.text or "").startswith("已告知管理员：您今天来不了"), answered.text
