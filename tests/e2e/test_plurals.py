"""English speakers read "1 shift", "1 seat left", "1 minute": every message that shows a count
takes the plural form of its number (one form in Chinese, two in English)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.models import Role, Shift, ShiftStatus
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import Team, check_in, duty, team, today
from tests.e2e.schedule import DAY, at, command, person, post, press_and_settle, shift, unit
from tests.e2e.swap_fixtures import member, seat
from tests.harness import ADMIN_ID, Harness

TOMORROW = DAY + dt.timedelta(days=1)


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {
        "late_after_min": 1,
        "signup_open_days": 1,
        "cancel_cutoff_hours": 1,
        "swap_expiry_before_start_min": 10,
        "understaffed_alert_hours": 0,
    }


async def english_volunteer(harness: Harness) -> tuple[Team, SimUser]:
    """A unit and a volunteer who joined through the bot and switched to English."""
    crew = await team(harness, ("Bob",))
    bob = crew.volunteers[0]
    await command(harness, bob, "lang")
    await press_and_settle(harness, bob, "English（英文）")
    return crew, bob


async def test_a_volunteer_reads_singulars(harness: Harness) -> None:
    unit_id = await unit(harness)
    place = await post(harness, unit_id)
    await shift(harness, place, TOMORROW, 6, 7, capacity=1)
    await shift(harness, place, TOMORROW, 7, 9, capacity=2)
    bob = await person(harness, 6101, unit_id, "Bob", language="en")

    listing = await command(harness, bob, "shifts")
    assert "1 of 1 seat left" in listing and "2 of 2 seats left" in listing
    text = await press_and_settle(harness, bob, "✋ Sign up 2")
    assert "\n1 seat left." in text and "1 seats" not in text
    assert "You can cancel it in /my until 2 Dec 2026 06:00." in text

    await command(harness, bob, "my")
    await press_and_settle(harness, bob, "📅 Calendar file")
    assert bob.last().caption == ("1 shift. Open this file with your phone's calendar to add it.")

    # Once they have started, nothing is open: sign-up opens 1 day ahead.
    harness.clock.set(at(TOMORROW, 18, 0))
    assert "(sign-up opens 1 day ahead)" in await command(harness, bob, "shifts")


async def test_within_the_hour_of_the_cut_off(harness: Harness) -> None:
    unit_id = await unit(harness)
    place = await post(harness, unit_id)
    async with harness.session() as session:
        start = at(DAY, 8, 30)
        session.add(
            Shift(
                post_id=place,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                capacity=3,
                status=ShiftStatus.SCHEDULED,
                created_at=harness.clock.now(),
            )
        )
    bob = await person(harness, 6103, unit_id, "Bob", language="en")
    await command(harness, bob, "shifts")
    text = await press_and_settle(harness, bob, "✋ Sign up 1")
    assert "\n2 seats left. It starts within 1 hour, so it can no longer be cancelled" in text


async def test_a_late_volunteer_is_told_one_minute(harness: Harness) -> None:
    crew, bob = await english_volunteer(harness)
    await duty(harness, bob, crew.unit, today(9, 0), today(11, 0))
    harness.clock.set(today(9, 1))
    await harness.tick()
    assert "started 1 minute ago and you have not checked in" in (bob.last().text or "")


async def test_a_coordinator_reads_singulars(harness: Harness) -> None:
    unit_id = await unit(harness)
    place = await post(harness, unit_id)
    taken = await shift(harness, place, TOMORROW, 7, 9, capacity=1)
    coordinator = await member(
        harness, 6201, unit_id, "Carol", role=Role.COORDINATOR, language="en"
    )
    await member(harness, 6202, unit_id, "Dan", language="en")
    await seat(harness, taken, 6202)

    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    await press_and_settle(harness, coordinator, "Wed 2 Dec")
    await press_and_settle(harness, coordinator, "17:00–19:00")
    review = await press_and_settle(harness, coordinator, "1")
    assert "👥 1 person\n1 shift will be created." in review
    created = await press_and_settle(harness, coordinator, "✅ Create")
    assert created.startswith("✅ 1 shift created:\n")

    card = await command(harness, coordinator, "roster", "12-02")
    assert "07:00–09:00" in card
    card = await press_and_settle(harness, coordinator, "⚙️ 07:00 黄河路-人民路口")
    assert "👥 1/1 person" in card
    await press_and_settle(harness, coordinator, "❌ Cancel this shift")
    cancelled = await press_and_settle(harness, coordinator, "Yes, cancel the shift")
    assert cancelled.endswith("\n1 person was told.")

    # 18:00: tomorrow's 17:00 shift is open for sign-up (one day ahead), so it may be offered.
    harness.clock.set(at(DAY, 18))
    await command(harness, coordinator, "broadcast")
    preview = await press_and_settle(harness, coordinator, "📆 Next 7 days")
    assert ": 1 shift to 1 volunteer (" in preview
    await press_and_settle(harness, coordinator, "📤 Send")
    assert coordinator.texts()[-2].startswith("📤 Queued for 1 person.")
    progress = coordinator.last().message_id
    await harness.deliver()
    await harness.tick()
    final = next(m for m in coordinator.messages() if m.message_id == progress)
    assert (final.text or "").startswith("✅ Done (1 person): 1 delivered")


async def test_an_import_with_one_row_and_one_problem(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(
        harness, 6301, unit_id, "Carol", role=Role.COORDINATOR, language="en"
    )
    header = "post,type,unit,latitude,longitude,date,start,end,capacity"
    bad = f"{header}\n甲路口,traffic,城管局,30.6,104.0,2026-12-03,09:00,07:00,2\n"
    await command(harness, coordinator, "import")
    await coordinator.send_document("plan.csv", bad.encode(), mime_type="text/csv")
    await harness.settle()
    assert "was not imported: 1 problem. Nothing was changed." in coordinator.texts()[-1]
    good = f"{header}\n甲路口,traffic,城管局,30.6,104.0,2026-12-03,07:00,09:00,2\n"
    await coordinator.send_document("plan.csv", good.encode(), mime_type="text/csv")
    await harness.settle()
    assert "“plan.csv”: 1 row, all fine." in (coordinator.last().text or "")


async def test_admin_reads_one_member_and_a_link_for_one_person(harness: Harness) -> None:
    admin = harness.user(ADMIN_ID, "Admin", language_code="en")
    unit_id = await unit(harness)
    await person(harness, 6401, unit_id, "Bob", language="en")
    assert "• 城管局: 1 member" in await command(harness, admin, "units")
    await command(harness, admin, "invite")
    link = await press_and_settle(harness, admin, "coordinator")
    assert "Valid for 1 person until" in link


async def test_a_give_away_offered_to_one_member(harness: Harness) -> None:
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id), TOMORROW, 7, 9)
    holder = await member(harness, 6501, unit_id, "Bob", language="en")
    await member(harness, 6502, unit_id, "Eve", language="en")
    await seat(harness, shift_id, holder.user_id)
    await command(harness, holder, "my")
    await press_and_settle(harness, holder, "🔁 Swap 1")
    text = await press_and_settle(harness, holder, "📢 Give away (anyone in the unit)")
    assert "was offered to 1 eligible member of your unit" in text


async def test_hours_and_the_tally_of_one_shift(harness: Harness) -> None:
    crew, bob = await english_volunteer(harness)
    await duty(harness, bob, crew.unit, today(9, 0), today(10, 0))
    harness.clock.set(today(9, 0))
    await check_in(harness, bob)
    harness.clock.set(today(10, 0))
    await command(harness, bob, "checkout")
    hours = await command(harness, bob, "hours")
    assert "This month: 1 h (1 shift)" in hours
    assert "By hours served this month you rank 1 of 1 in “城管局”." in hours

    leader = await person(harness, 6699, crew.unit.id, "Lee", role=Role.LEADER, language="en")
    await command(harness, leader, "today")
    tally = "\n".join(leader.texts())
    assert "1 shift, 4 seats, 1 filled" in tally
    assert ", 1 hour served" in tally
