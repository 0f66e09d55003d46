"""While on post: a live location's updates, the left-post question, the forgotten check-out,
and people who never came."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AssignmentStatus, CheckoutKind, LocationSample, OutboxMessage
from bot.services.duty import jobs as checkin_jobs
from tests.e2e.checkin_fixtures import (
    assignment,
    check_in,
    checkins,
    coordinator,
    duty,
    near,
    outbox_texts,
    run_due,
    team,
    today,
)
from tests.harness import Harness


async def test_live_location_leaving_and_returning_gives_presence_and_one_alert_per_absence(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))

    live = await fang.send_location(*near(north_m=20), live_period=8 * 3600)
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    assert "正在共享实时位置" in fang.last().text
    [record] = await checkins(harness)
    assert record.live and record.live_message_id == live["message_id"]

    async def move(hour: int, minute: int, north_m: float, east_m: float = 0.0) -> None:
        harness.clock.set(today(hour, minute))
        await fang.update_live_location(live["message_id"], *near(north_m, east_m))
        await harness.settle()

    sent_before = len(fang.messages())
    await move(8, 30, 0, 500)  # walks off 500 m east
    [record] = await checkins(harness)
    assert record.outside_since == today(8, 30)
    assert len(fang.messages()) == sent_before  # edits are recorded quietly

    harness.clock.set(today(8, 44))
    assert await run_due(harness, checkin_jobs.left_post_alerts) == 0
    [record] = await checkins(harness)
    assert record.left_post_at is None
    harness.clock.set(today(8, 45))
    assert await run_due(harness, checkin_jobs.left_post_alerts) == 1
    [record] = await checkins(harness)
    assert record.left_post_at == today(8, 30)  # she left her post: the tallies list it
    assert await run_due(harness, checkin_jobs.left_post_alerts) == 0  # asked once
    [alert] = await outbox_texts(harness, fang.user_id)
    assert "好像离开了「黄河路-人民路口」" in alert and "500 米" in alert and "15 分钟" in alert
    async with harness.session() as session:
        row = await session.scalar(select(OutboxMessage))
    assert row is not None and row.urgent
    assert [label for label, _ in row.payload["buttons"][0]] == ["🙋 我在岗", "🏁 签退"]
    # The sender delivers it; she answers with its button.
    await harness.deliver()
    assert fang.last().text == alert and fang.last().buttons() == ["🙋 我在岗", "🏁 签退"]
    await fang.press("🙋 我在岗")
    await harness.settle()
    assert "谢谢确认" in (fang.last().text or "")

    await move(9, 0, 10)  # back on post
    await move(9, 30, -400)  # off again, 400 m south
    await move(9, 40, 0)  # back before anyone asks
    harness.clock.set(today(9, 56))
    assert await run_due(harness, checkin_jobs.left_post_alerts) == 0

    harness.clock.set(today(10, 5))
    await fang.send_command("checkout")
    await harness.settle()
    # Inside 08:00-08:30, 09:00-09:30 and 09:40-10:00: 80 of 120 minutes.
    assert "在岗率：67%" in fang.last().text
    [record] = await checkins(harness)
    assert record.presence_ratio is not None and abs(record.presence_ratio - 80 / 120) < 0.001
    assert record.credited_minutes == 120
    assert await harness.count(LocationSample) == 5
    # The ten minutes away at 09:30 were too short to count as leaving; the first absence stays.
    assert record.left_post_at == today(8, 30)

    # After check-out the live location is no longer evidence of anything.
    await move(10, 10, 900)
    assert await harness.count(LocationSample) == 5
    # Nor is the track kept: the next tick forgets where she went; the check-in keeps its own
    # position, its presence and the time she left her post.
    await harness.tick()
    assert await harness.count(LocationSample) == 0
    [record] = await checkins(harness)
    assert abs((record.presence_ratio or 0) - 80 / 120) < 0.001
    assert record.left_post_at == today(8, 30) and record.latitude == near(north_m=20)[0]
    await fang.send_command("hours")
    await harness.settle()
    assert "本月：2 小时（1 班）" in (fang.last().text or "")


async def test_a_live_track_is_kept_while_on_post_and_forgotten_after_check_out(
    harness: Harness,
) -> None:
    crew = await team(harness, ("王芳", "李雷"))
    fang, lei = crew.volunteers
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, lei, crew.unit, today(8, 0), today(12, 0), post_name="人民路口")
    harness.clock.set(today(8, 0))
    shares = {}
    for person in (fang, lei):
        shares[person.user_id] = await person.send_location(*near(north_m=20), live_period=8 * 3600)
        await harness.settle()
        await person.send_photo()
        await harness.settle()
    for minute in (10, 20):
        harness.clock.set(today(8, minute))
        for person in (fang, lei):
            message_id = shares[person.user_id]["message_id"]
            await person.update_live_location(message_id, *near(north_m=minute))
            await harness.settle()
    assert await harness.count(LocationSample) == 6

    harness.clock.set(today(10, 5))
    await fang.send_command("checkout")
    await harness.settle()
    await harness.tick()
    async with harness.session() as session:
        kept = (await session.scalars(select(LocationSample.checkin_id))).all()
    fang_record, lei_record = await checkins(harness)
    # 李雷 is still on post: his track still judges his presence; 王芳's is gone.
    assert sorted(set(kept)) == [lei_record.id] and len(kept) == 3
    assert fang_record.presence_ratio == 1.0

    harness.clock.set(today(13, 0))
    await harness.tick()  # the automatic check-out closes his, and the next tick forgets it
    await harness.tick()
    assert await harness.count(LocationSample) == 0
    [_, lei_record] = await checkins(harness)
    assert lei_record.checkout_kind == CheckoutKind.AUTO and lei_record.presence_ratio == 1.0


async def test_leaving_the_post_shows_in_the_days_tally_even_when_back_before_the_question(
    harness: Harness,
) -> None:
    crew = await team(harness, ("王芳", "李雷"))
    fang, lei = crew.volunteers
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, lei, crew.unit, today(8, 0), today(10, 0), post_name="人民路口")
    boss = await coordinator(harness, "城管局", 5100, "张协调")
    live = await fang.send_location(*near(north_m=20), live_period=8 * 3600)
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    await check_in(harness, lei)

    harness.clock.set(today(8, 20))
    await fang.update_live_location(live["message_id"], *near(north_m=0, east_m=600))
    await harness.settle()
    # Back 20 minutes later; no tick ran in between, so nobody asked her.
    harness.clock.set(today(8, 40))
    await fang.update_live_location(live["message_id"], *near(north_m=10))
    await harness.settle()
    assert await outbox_texts(harness, fang.user_id) == []
    fang_record, lei_record = await checkins(harness)
    assert fang_record.left_post_at == today(8, 20) and fang_record.outside_since is None
    assert lei_record.left_post_at is None

    harness.clock.set(today(12, 0))
    assert await run_due(harness, checkin_jobs.auto_checkout) == 2
    await boss.send_command("today")
    await harness.settle()
    tally = boss.messages()[-2].text or ""
    assert "⚠️ 异常：签到位置超出范围 0，照片被标记 0，早退 0，离岗 1" in tally
    assert "· 08:20 王芳 离开了「黄河路-人民路口」（实时位置显示不在岗）" in tally
    # Leaving the post keeps her off the most reliable list; 李雷 stayed.
    top = tally.split("🏅")[1]
    assert "李雷" in top and "王芳" not in top


async def test_the_on_post_answer_is_acknowledged(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await check_in(harness, fang)
    [record] = await checkins(harness)

    await fang.press_data(f"ci.here:{record.id}", fang.last().message_id)
    await harness.settle()
    assert "谢谢确认" in fang.last().text
    await fang.press_data("ci.here:999", fang.last().message_id)
    await harness.settle()
    assert fang.answered_callbacks[-1]["text"] == "这个按钮已失效，请重新打开菜单。"


async def test_a_forgotten_check_out_is_closed_automatically_and_credited_to_the_end(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 10))
    await check_in(harness, fang)

    harness.clock.set(today(10, 59))
    assert await run_due(harness, checkin_jobs.auto_checkout) == 0
    harness.clock.set(today(11, 0))
    assert await run_due(harness, checkin_jobs.auto_checkout) == 1
    assert await run_due(harness, checkin_jobs.auto_checkout) == 0
    [record] = await checkins(harness)
    assert record.checkout_kind == CheckoutKind.AUTO and record.checked_out_at == today(10, 0)
    assert record.credited_minutes == 110
    assert (await assignment(harness, seat)).status == AssignmentStatus.CHECKED_OUT
    [notice] = await outbox_texts(harness, fang.user_id)
    assert "自动为您签退" in notice and "1 小时 50 分钟" in notice

    await fang.send_command("hours")
    await harness.settle()
    assert "本月：1 小时 50 分钟（1 班）" in fang.last().text


async def test_no_check_in_counts_as_absent_and_a_late_arrival_still_checks_in(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))

    harness.clock.set(today(8, 29))
    await run_due(harness, checkin_jobs.mark_absent)
    assert (await assignment(harness, seat)).status == AssignmentStatus.SIGNED_UP
    harness.clock.set(today(8, 30))
    await run_due(harness, checkin_jobs.mark_absent)
    assert (await assignment(harness, seat)).status == AssignmentStatus.ABSENT

    harness.clock.set(today(8, 40))
    await check_in(harness, fang)
    assert "迟到 40 分钟" in fang.last().text
    assert (await assignment(harness, seat)).status == AssignmentStatus.CHECKED_IN
    await run_due(harness, checkin_jobs.mark_absent)
    assert (await assignment(harness, seat)).status == AssignmentStatus.CHECKED_IN


async def test_a_live_location_shared_once_on_post_shows_whether_she_stays(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await check_in(harness, fang)  # 08:00, with a one-off location
    # As the README says, to show she stays she shares her live location, for 15 minutes.
    harness.clock.set(today(8, 10))
    first = await fang.send_location(*near(north_m=10), live_period=15 * 60)
    await harness.settle()
    assert fang.last().text == (
        "📡 已收到您的实时位置：签退前，它会显示您是否一直在「黄河路-人民路口」岗位上。"
        "离开时请发送 /checkout 签退。"
    )
    [record] = await checkins(harness)
    assert record.live and record.live_message_id == first["message_id"]
    assert record.outside_since is None
    # It ran out; she shares again, for longer, and the new one is followed instead.
    harness.clock.set(today(8, 30))
    second = await fang.send_location(*near(north_m=20), live_period=8 * 3600)
    await harness.settle()
    harness.clock.set(today(8, 40))
    await fang.update_live_location(second["message_id"], *near(east_m=800))
    await harness.settle()
    [record] = await checkins(harness)
    assert record.live_message_id == second["message_id"]
    assert record.outside_since == today(8, 40)
    harness.clock.set(today(8, 55))
    assert await run_due(harness, checkin_jobs.left_post_alerts) == 1
    [alert] = await outbox_texts(harness, fang.user_id)
    assert "好像离开了「黄河路-人民路口」" in alert and "800 米" in alert
    # On post from her check-in until 08:40, of the two hours.
    harness.clock.set(today(10, 5))
    await fang.send_command("checkout")
    await harness.settle()
    assert "在岗率：33%" in (fang.last().text or "")
    [record] = await checkins(harness)
    assert record.presence_ratio is not None and abs(record.presence_ratio - 40 / 120) < 0.001
    assert record.left_post_at == today(8, 40) and record.credited_minutes == 120


async def test_walking_off_after_an_early_check_out_is_no_leaving_of_the_post(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    live = await fang.send_location(*near(north_m=20), live_period=8 * 3600)
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    # 09:00 she sends /checkout and is asked why; she walks off with her share still on and
    # types the reason once home.
    harness.clock.set(today(9, 0))
    await fang.send_command("checkout")
    await harness.settle()
    harness.clock.set(today(9, 5))
    await fang.update_live_location(live["message_id"], *near(east_m=600))
    await harness.settle()
    harness.clock.set(today(9, 25))
    await harness.tick()
    # Nobody asks whether she is still on post, nor counts her as having left it: she left.
    assert not any("好像离开了" in text for text in fang.texts())
    assert await outbox_texts(harness, fang.user_id) == []
    await fang.send_text("孩子发烧")
    await harness.settle()
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 0) and record.checkout_kind is CheckoutKind.EARLY
    assert record.left_post_at is None and record.presence_ratio == 1.0


async def test_away_before_the_shift_starts_is_no_leaving_of_the_post(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    # Checked in early, at 07:35, sharing her live location; off for breakfast at 07:40.
    harness.clock.set(today(7, 35))
    live = await fang.send_location(*near(north_m=20), live_period=8 * 3600)
    await harness.settle()
    await fang.send_photo()
    await harness.settle()

    async def move(hour: int, minute: int, east_m: float) -> None:
        harness.clock.set(today(hour, minute))
        await fang.update_live_location(live["message_id"], *near(east_m=east_m))
        await harness.settle()

    await move(7, 40, 500)
    # The shift has not started: nobody asks whether she is still on post.
    harness.clock.set(today(7, 59))
    assert await run_due(harness, checkin_jobs.left_post_alerts) == 0
    # Back at 08:10, ten minutes into the shift: too short to count as leaving it.
    await move(8, 10, 0)
    [record] = await checkins(harness)
    assert record.left_post_at is None and record.outside_since is None
    # Off again at 09:00; asked 15 minutes later, with the minutes she has been away.
    await move(9, 0, 500)
    harness.clock.set(today(9, 15))
    assert await run_due(harness, checkin_jobs.left_post_alerts) == 1
    [alert] = await outbox_texts(harness, fang.user_id)
    assert "15 分钟" in alert
    [record] = await checkins(harness)
    assert record.left_post_at == today(9, 0)
