"""The same shift is not offered to the same person twice in a row (issue 15): right after an
import, the understaffed alert and a coordinator's broadcast would both ask everyone about the
new shifts. Whichever path offers a shift first, the other leaves it out for that person for
OFFER_REPEAT_HOURS."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.models import Role, Shift
from bot.emulator import SimUser
from tests.e2e.schedule import DAY, command, outbox_to, person, post, press_and_settle, shift, unit
from tests.harness import Harness

HEADER = "post,type,unit,latitude,longitude,radius_m,date,weekdays,from,until,start,end,capacity"
# Tomorrow 07:00, 23 hours from the harness's 08:00: inside the understaffed alert's window.
TOMORROW = (DAY + dt.timedelta(days=1)).isoformat()


async def _import_tomorrow(harness: Harness, coordinator: SimUser) -> int:
    await command(harness, coordinator, "import")
    data = f"{HEADER}\n甲路口,traffic,城管局,30.1,104.1,,{TOMORROW},,,,07:00,09:00,5\n".encode()
    await coordinator.send_document("schedule.csv", data, mime_type="text/csv")
    await harness.settle()
    assert "已导入" in await press_and_settle(harness, coordinator, "✅ 确认导入")
    async with harness.session() as session:
        imported = await session.scalar(select(Shift.id))
    assert imported is not None
    return imported


async def _broadcast_week(harness: Harness, coordinator: SimUser) -> str:
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📆 未来 7 天")
    return await press_and_settle(harness, coordinator, "📤 发送")


async def _offers(harness: Harness, user: SimUser, shift_id: int) -> list[str]:
    """The texts of every message queued to `user` with a Sign up button for the shift."""
    return [
        row.payload["text"]
        for row in await outbox_to(harness, user.user_id)
        if any(
            data == f"su:{shift_id}" for line in row.payload.get("buttons", []) for _, data in line
        )
    ]


async def test_a_broadcast_right_after_an_import_is_not_followed_by_the_alert(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9701, unit_id, "王协调", role=Role.COORDINATOR)
    first = await person(harness, 9702, unit_id, "甲")
    second = await person(harness, 9703, unit_id, "乙")
    for volunteer in (first, second):
        await command(harness, volunteer, "help")  # a chat the bot may write to
    imported = await _import_tomorrow(harness, coordinator)

    await _broadcast_week(harness, coordinator)
    await harness.tick()  # the alert is due at once: the shift is 5 people short

    for volunteer in (first, second):
        offers = await _offers(harness, volunteer, imported)
        assert len(offers) == 1, offers
        assert offers[0].startswith("📣 可报名的班次")
        assert not any("还差" in text for text in offers)
    # The coordinators are still told the shift is short, and that its seats went to nobody again.
    alerts = [row.payload["text"] for row in await outbox_to(harness, coordinator.user_id)]
    [alert] = [text for text in alerts if "人手不足" in text]
    assert alert.endswith("本单位可报名的 2 名志愿者最近已收到过这个班次的推送，这次没有再发。")

    # Someone who joins later was offered nothing yet: the alert does not reach them (it runs
    # once per shift), but a new broadcast does.
    harness.clock.advance(hours=1)
    third = await person(harness, 9704, unit_id, "丙")
    await command(harness, third, "help")
    await _broadcast_week(harness, coordinator)
    assert len(await _offers(harness, third, imported)) == 1


async def test_the_alert_right_after_an_import_leaves_the_shift_out_of_a_broadcast(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9711, unit_id, "王协调", role=Role.COORDINATOR)
    plain = await person(harness, 9712, unit_id, "甲")
    tagged = await person(harness, 9713, unit_id, "乙", tags=("党员",))
    for volunteer in (plain, tagged):
        await command(harness, volunteer, "help")  # a chat the bot may write to
    imported = await _import_tomorrow(harness, coordinator)
    # A later shift only members with the tag may take: outside the alert's window.
    later = await shift(
        harness,
        await post(harness, unit_id, "乙路口"),
        DAY + dt.timedelta(days=3),
        required_tag="党员",
    )

    await harness.tick()
    for volunteer in (plain, tagged):
        offers = await _offers(harness, volunteer, imported)
        assert len(offers) == 1 and "还差 5 人" in offers[0]

    await _broadcast_week(harness, coordinator)
    # 甲's only shift was offered a moment ago: no message. 乙 gets the later shift alone.
    assert "已排队发送给 1 人" in coordinator.texts()[-2]
    assert len(await _offers(harness, plain, imported)) == 1
    assert len(await _offers(harness, tagged, imported)) == 1
    listed = await _offers(harness, tagged, later)
    assert len(listed) == 1
    message = (await outbox_to(harness, tagged.user_id))[-1].payload
    assert [data for line in message["buttons"] for _, data in line] == [f"su:{later}"]
    assert "乙路口" in message["text"] and "甲路口" not in message["text"]
