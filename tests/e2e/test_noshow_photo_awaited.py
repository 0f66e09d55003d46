"""A volunteer who sent her location on post just before the no-show's time and is taking the
photo that completes her check-in is not marked absent meanwhile: no ⚠️ "are you coming?" to
her, no 🚨 to the coordinator about someone standing on post. Her location holds as long as it
says where she is (30 minutes); if the photo never comes, she is marked absent then."""

from __future__ import annotations

from bot.db.models import AssignmentStatus
from tests.e2e.checkin_fixtures import assignment, coordinator, duty, near, team, today
from tests.harness import Harness


async def test_a_check_in_awaiting_its_photo_is_not_called_absent(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    lead = await coordinator(harness, "城管局", 7001, "赵队长")
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 29))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()
    assert "照片" in (fang.last().text or ""), fang.last().text
    seen, told = len(fang.texts()), len(lead.texts())

    harness.clock.set(today(8, 31))
    await harness.tick()
    assert fang.texts()[seen:] == []
    assert lead.texts()[told:] == []
    assert (await assignment(harness, seat)).status is AssignmentStatus.SIGNED_UP

    await fang.send_photo()
    await harness.settle()
    assert (await assignment(harness, seat)).status is AssignmentStatus.CHECKED_IN
    harness.clock.set(today(8, 40))
    await harness.tick()
    assert lead.texts()[told:] == []


async def test_a_photo_that_never_comes_is_marked_absent_once_the_location_is_stale(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    lead = await coordinator(harness, "城管局", 7001, "赵队长")
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 29))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()
    told = len(lead.texts())
    harness.clock.set(today(8, 31))
    await harness.tick()
    assert (await assignment(harness, seat)).status is AssignmentStatus.SIGNED_UP

    harness.clock.set(today(9, 0))
    await harness.tick()
    assert (await assignment(harness, seat)).status is AssignmentStatus.ABSENT
    assert [text[:1] for text in lead.texts()[told:]] == ["🚨"], lead.texts()[told:]


async def test_a_live_location_shared_until_turned_off_spares_no_one_past_the_shift_end(
    harness: Harness,
) -> None:
    # Shared "until I turn it off" on post, and the photo never comes: the share keeps the
    # location fresh, but once the shift is over no photo can check her in any more, and the
    # seat is an absence (the no-show rule and the reports read it), told to nobody.
    crew = await team(harness)
    fang = crew.volunteers[0]
    lead = await coordinator(harness, "城管局", 7001, "赵队长")
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 29))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.send_location(*near(30), live_period=0x7FFFFFFF)
    await harness.settle()
    assert "照片" in (fang.last().text or ""), fang.last().text
    harness.clock.set(today(9, 30))
    await harness.tick()
    assert (await assignment(harness, seat)).status is AssignmentStatus.SIGNED_UP
    told = len(lead.texts())

    harness.clock.set(today(10, 1))
    await harness.tick()
    assert (await assignment(harness, seat)).status is AssignmentStatus.ABSENT
    assert lead.texts()[told:] == [], lead.texts()[told:]
