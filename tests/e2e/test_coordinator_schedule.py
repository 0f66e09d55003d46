"""Coordinators create posts and shifts in chat, change and cancel them, and read the roster."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.buttons import NewShiftDay
from bot.db.models import (
    AssignmentStatus,
    Broadcast,
    Dialogue,
    Member,
    OutboxMessage,
    Post,
    PostType,
    Role,
    Shift,
    ShiftStatus,
)
from bot.emulator import SimUser
from tests.e2e.schedule import (
    at,
    command,
    outbox_to,
    person,
    post,
    press_and_settle,
    shift,
    statuses,
    unit,
)
from tests.harness import Harness


async def test_coordinator_creates_a_post_in_chat(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 8001, unit_id, "王协调", role=Role.COORDINATOR)
    assert "还没有岗位" in await command(harness, coordinator, "posts")
    assert "请输入岗位名称" in await command(harness, coordinator, "newpost")
    await coordinator.send_photo()
    await harness.settle()
    assert "请用文字输入岗位名称" in coordinator.last().text
    await coordinator.send_text("黄河路-人民路口")
    await harness.settle()
    await press_and_settle(harness, coordinator, "文明交通劝导岗")
    await coordinator.send_text("就在路口")
    await harness.settle()
    assert "这里需要一个位置" in coordinator.last().text
    await coordinator.send_location(30.6586, 104.0648)
    await harness.settle()
    assert "默认 150 米" in coordinator.last().buttons()
    for typed in ("很近", "②"):
        await coordinator.send_text(typed)
        await harness.settle()
        assert "请输入米数" in coordinator.last().text
    await coordinator.send_text("5")
    await harness.settle()
    assert "10 到 5000 米之间" in coordinator.last().text
    text = await press_and_settle(harness, coordinator, "默认 150 米")
    assert "已新建岗位「黄河路-人民路口」" in text and "签到范围：150 米" in text
    async with harness.session() as session:
        created = await session.scalar(select(Post))
        assert created is not None
        assert (created.unit_id, created.type, created.radius_m) == (
            unit_id,
            PostType.TRAFFIC,
            150,
        )
    assert await harness.count(Dialogue) == 0

    # The same name again is refused at once.
    await coordinator.send_command("newpost")
    await coordinator.send_text("黄河路-人民路口")
    await harness.settle()
    assert "已经有叫「黄河路-人民路口」的岗位了" in coordinator.last().text

    # Rename, move and archive from the card.
    await command(harness, coordinator, "cancel")
    await command(harness, coordinator, "posts")
    await press_and_settle(harness, coordinator, "黄河路-人民路口")
    await press_and_settle(harness, coordinator, "📏 范围")
    await press_and_settle(harness, coordinator, "300 米")
    assert "签到范围：300 米" in coordinator.last().text
    await press_and_settle(harness, coordinator, "📍 改位置")
    await coordinator.send_location(30.7, 104.1)
    await harness.settle()
    assert "30.70000, 104.10000" in coordinator.last().text
    await press_and_settle(harness, coordinator, "🗂 归档")
    assert "已归档（不再排班）" in coordinator.last().text
    assert "没有可以排班的岗位" in await command(harness, coordinator, "newshift")


async def test_coordinator_schedules_weekdays_and_single_days(harness: Harness) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    coordinator = await person(harness, 8101, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    assert "哪一天" in coordinator.last().text
    await coordinator.send_text("someday")
    await harness.settle()
    assert "没看懂日期" in coordinator.last().text
    # A past day is refused at once, not after the times and the number of people.
    await coordinator.send_text("2026-11-30")
    await harness.settle()
    assert coordinator.last().text == "2026-11-30 的班次时间已经过去了。"
    # So is yesterday's day button, from a message left in the chat.
    await coordinator.press_data(
        NewShiftDay(dt.date(2026, 11, 30)).pack(), coordinator.last().message_id
    )
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "2026-11-30 的班次时间已经过去了。"
    # A day without its year in the last month is that past day, refused as /unavailable and
    # /rotate refuse it, not next year's; one further back is next year's, and says its year.
    await coordinator.send_text("11-30")
    await harness.settle()
    assert coordinator.last().text == "2026-11-30 的班次时间已经过去了。"
    await coordinator.send_text("mon-fri 11-23 12-04")
    await harness.settle()
    assert coordinator.last().text == "2026-11-23 的班次时间已经过去了。"
    await coordinator.send_text("10-30")
    await harness.settle()
    assert "2027年10月30日" in coordinator.last().text
    await press_and_settle(harness, coordinator, "✖️ 取消")
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    # A range whose end comes before its start is refused, not read as ending next year.
    await coordinator.send_text("mon-fri 12-10 12-05")
    await harness.settle()
    assert coordinator.last().text == "日期范围不对：要至少包含一天，最多一年。"
    await coordinator.send_text("mon-fri 12-07 12-18")
    await harness.settle()
    assert "几点到几点" in coordinator.last().text
    await coordinator.send_text("9点")
    await harness.settle()
    assert "没看懂时间" in coordinator.last().text
    await coordinator.send_text("09:00-07:00")
    await harness.settle()
    assert "结束时间要晚于开始时间" in coordinator.last().text
    await press_and_settle(harness, coordinator, "07:00–09:00")
    await coordinator.send_text("0")
    await harness.settle()
    assert "1 到 500 之间" in coordinator.last().text
    await coordinator.send_text("③")
    await harness.settle()
    assert "请输入人数，例如 4。" in coordinator.last().text
    assert "将新建 10 个班次" in await press_and_settle(harness, coordinator, "4")
    await press_and_settle(harness, coordinator, "🏷 限定人员标签")
    await coordinator.send_text("党员")
    await harness.settle()
    await press_and_settle(harness, coordinator, "📝 备注")
    await coordinator.send_text("穿红马甲")
    await harness.settle()
    review = coordinator.last().text
    assert "🏷 仅限：党员" in review and "📝 备注：穿红马甲" in review
    await press_and_settle(harness, coordinator, "✅ 新建")
    assert "已新建 10 个班次" in coordinator.last().text
    async with harness.session() as session:
        created = list((await session.scalars(select(Shift).order_by(Shift.starts_at))).all())
    assert len(created) == 10
    assert {s.series_id for s in created} != {None} and len({s.series_id for s in created}) == 1
    assert created[0].starts_at == at(dt.date(2026, 12, 7), 7)
    assert created[-1].starts_at == at(dt.date(2026, 12, 18), 7)
    assert all(s.required_tag == "党员" and s.notes == "穿红马甲" for s in created)

    # A single day from the buttons; the same start again is a duplicate, said at the time.
    await press_and_settle(harness, coordinator, "➕ 再建一个")
    await press_and_settle(harness, coordinator, "12月2日 周三")
    await press_and_settle(harness, coordinator, "17:00–19:00")
    await press_and_settle(harness, coordinator, "2")
    # A tag given by mistake at the review is taken back with "-", as the prompt says.
    prompt = await press_and_settle(harness, coordinator, "🏷 限定人员标签")
    assert "发送「-」不限定" in prompt
    await coordinator.send_text("党员")
    await harness.settle()
    assert "🏷 仅限：党员" in (coordinator.last().text or "")
    await press_and_settle(harness, coordinator, "🏷 限定人员标签")
    await coordinator.send_text("-")
    await harness.settle()
    review = coordinator.last().text or ""
    assert "将新建 1 个班次" in review and "🏷" not in review.split("\n")[-1]
    assert "仅限" not in review
    await press_and_settle(harness, coordinator, "✅ 新建")
    async with harness.session() as session:
        newest = (await session.scalars(select(Shift).order_by(Shift.id.desc()))).first()
        assert newest is not None and newest.required_tag is None
    await press_and_settle(harness, coordinator, "➕ 再建一个")
    await press_and_settle(harness, coordinator, "12月2日 周三")
    await press_and_settle(harness, coordinator, "17:00–19:00")
    assert "已经有班次了" in coordinator.answered_callbacks[-1]["text"]
    assert await harness.count(Shift) == 11

    # Today 07:00 has passed: said when the time is picked.
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    await press_and_settle(harness, coordinator, "12月1日 周二")
    await press_and_settle(harness, coordinator, "07:00–09:00")
    assert "时间已经过去了" in coordinator.answered_callbacks[-1]["text"]
    assert await harness.count(Shift) == 11
    assert await harness.count(Post) == 1 and post_id


async def full_shift_with_waitlist(harness: Harness) -> tuple[int, SimUser, SimUser, SimUser]:
    """A one-seat shift tomorrow at 07:00 with 甲 (8202) signed up and 乙 (8203) waiting: the
    shift, its coordinator, 甲 and 乙."""
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id), capacity=1)
    coordinator = await person(harness, 8201, unit_id, role=Role.COORDINATOR)
    seated = await person(harness, 8202, unit_id, "甲")
    waiting = await person(harness, 8203, unit_id, "乙")
    await command(harness, seated, "shifts")
    await press_and_settle(harness, seated, "✋ 报名 1")
    await command(harness, waiting, "shifts")
    await press_and_settle(harness, waiting, "⏳ 候补 1")
    await press_and_settle(harness, waiting, "⏳ 加入候补")
    return shift_id, coordinator, seated, waiting


async def test_a_started_shift_tells_its_waitlist_and_the_roster_shows_it_never_seated(
    harness: Harness,
) -> None:
    shift_id, coordinator, seated, waiting = await full_shift_with_waitlist(harness)
    assert "   ⏳ 候补：乙" in await command(harness, coordinator, "roster", "12-02")
    harness.clock.set(at(dt.date(2026, 12, 2), 6, 59))
    await harness.tick()
    assert not [text for text in waiting.texts() if "候补未补上" in text]

    # At the start the one still waiting is told, once; the seated one is not.
    for minute in (0, 1):
        harness.clock.set(at(dt.date(2026, 12, 2), 7, minute))
        await harness.tick()
    lapsed = [text for text in waiting.texts() if "候补未补上" in text]
    assert lapsed == [
        "⏳ 班次已开始，候补未补上：\n12月2日 周三 07:00–09:00 · 黄河路-人民路口\n"
        "这次没有空出名额，感谢您报名！发送 /shifts 看看还缺人的班次。"
    ]
    assert not [text for text in seated.texts() if "候补未补上" in text]

    harness.clock.set(at(dt.date(2026, 12, 2), 7, 30))
    text = await command(harness, coordinator, "roster", "12-02")
    assert "   ⏳ 候补（未补上）：乙" in text and "⏳ 候补：乙" not in text
    assert (await statuses(harness, shift_id))[8203] is AssignmentStatus.WAITLISTED


async def test_a_waitlist_is_not_told_of_a_start_long_past(harness: Harness) -> None:
    *_, waiting = await full_shift_with_waitlist(harness)
    # The bot was down from before the start until well after it.
    harness.clock.set(at(dt.date(2026, 12, 2), 9, 30))
    await harness.tick()
    assert not [text for text in waiting.texts() if "候补未补上" in text]


async def test_changes_cancel_and_removal_reach_the_people_on_the_shift(harness: Harness) -> None:
    shift_id, coordinator, seated, _ = await full_shift_with_waitlist(harness)

    text = await command(harness, coordinator, "roster", "12-02")
    assert "📍 黄河路-人民路口（城管局）" in text
    assert "🕒 07:00–09:00 · 1/1 人 · 空缺 0" in text
    assert "1. 甲 — ⏳ 未到" in text and "候补：乙" in text
    await press_and_settle(harness, coordinator, "⚙️ 07:00 黄河路-人民路口")
    assert "👥 1/1 人" in coordinator.last().text
    await press_and_settle(harness, coordinator, "👥 人数")
    await coordinator.send_text("2")
    await harness.settle()
    assert await statuses(harness, shift_id) == {
        8202: AssignmentStatus.SIGNED_UP,
        8203: AssignmentStatus.SIGNED_UP,
    }
    assert "候补转正" in (await outbox_to(harness, 8203))[-1].payload["text"]
    changed = (await outbox_to(harness, 8202))[-1].payload["text"]
    assert "班次有变动" in changed and "需要人数：2" in changed

    await press_and_settle(harness, coordinator, "➖ 移出 乙")
    await press_and_settle(harness, coordinator, "是，移出")
    assert "协调员已将您从这个班次移出" in (await outbox_to(harness, 8203))[-1].payload["text"]
    assert (await statuses(harness, shift_id))[8203] is AssignmentStatus.REMOVED

    await press_and_settle(harness, coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, coordinator, "是，取消班次")
    assert "已通知 1 人" in coordinator.last().text
    assert "班次已取消" in (await outbox_to(harness, 8202))[-1].payload["text"]
    async with harness.session() as session:
        cancelled = await session.get(Shift, shift_id)
        assert cancelled is not None and cancelled.status is ShiftStatus.CANCELLED
    assert (await statuses(harness, shift_id))[8202] is AssignmentStatus.CANCELLED
    assert "您还没有报名任何班次" in await command(harness, seated, "my")


async def test_roster_refusals_and_other_units(harness: Harness) -> None:
    unit_id = await unit(harness)
    other = await unit(harness, "交警队")
    theirs = await shift(harness, await post(harness, other, "交警岗"))
    coordinator = await person(harness, 8301, unit_id, role=Role.COORDINATOR)
    assert "没看懂日期「明天」" in await command(harness, coordinator, "roster", "明天")
    assert "这一天没有班次" in await command(harness, coordinator, "roster")
    assert "这一天没有班次" in await command(harness, coordinator, "roster", "2026-12-02")
    await coordinator.press_data(f"sc:{theirs}", coordinator.last().message_id)
    await coordinator.press_data(f"sxy:{theirs}", coordinator.last().message_id)
    await harness.settle()
    assert [c["text"] for c in coordinator.answered_callbacks[-2:]] == [
        "抱歉，您没有权限执行这个操作。"
    ] * 2
    # The admin sees every unit.
    text = await command(harness, harness.admin, "roster", "12-02")
    assert "交警岗（交警队）" in text


async def test_coordinator_tags_a_member_for_a_tagged_shift(harness: Harness) -> None:
    unit_id = await unit(harness)
    other = await unit(harness, "交警队")
    party = await shift(harness, await post(harness, unit_id), required_tag="党员")
    coordinator = await person(harness, 8401, unit_id, role=Role.COORDINATOR)
    volunteer = await person(harness, 8402, unit_id, "李明")
    await person(harness, 8403, other, "外人", tags=("党员",))
    text = await command(harness, coordinator, "tag")
    assert "还没有成员有标签。" in text and "外人" not in text
    assert "找不到叫「外人」的成员" in await command(harness, coordinator, "tag", "外人 党员")
    # A refusal quoting a name too long for one message is cut at the limit, not lost.
    before = len(coordinator.messages())
    await command(harness, coordinator, "tag", "名" * 4080 + " 党员")
    answer = "".join(message.text or "" for message in coordinator.messages()[before:])
    assert answer.startswith("找不到叫「名名名") and "名" * 4080 in answer
    assert "李明 已加上标签「党员」" in await command(harness, coordinator, "tag", "李明 党员")
    assert "🏷 仅限：党员" in await command(harness, volunteer, "shifts")
    await press_and_settle(harness, volunteer, "✋ 报名 1")
    assert await statuses(harness, party) == {8402: AssignmentStatus.SIGNED_UP}
    assert "已去掉 李明 的标签「党员」" in await command(harness, coordinator, "tag", "李明 党员")
    member = await harness.member(8402)
    assert member is not None and member.tags == frozenset()
    assert "没有权限" in await command(harness, volunteer, "tag", "李明 党员")


async def test_typed_values_out_of_bounds_are_refused_and_change_nothing(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    await post(harness, unit_id)
    coordinator = await person(harness, 8501, unit_id, role=Role.COORDINATOR)
    await person(harness, 8502, unit_id)

    async def step() -> str | None:
        async with harness.session() as session:
            dialogue = await session.get(Dialogue, coordinator.user_id)
            return dialogue.step if dialogue is not None else None

    await command(harness, coordinator, "newpost")
    await coordinator.send_text("长" * 49)
    await harness.settle()
    assert coordinator.last().text == "岗位名称要有 1 到 48 个字，不能以 / 开头。"
    assert await step() == "name"
    await command(harness, coordinator, "cancel")
    await coordinator.press_data("po:999999", coordinator.last().message_id)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "找不到这个岗位。"

    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    # No Saturday in the range; more than a year of weekdays.
    for typed in ("sat 12-07 12-11", "mon-fri 12-07 2028-12-31"):
        await coordinator.send_text(typed)
        await harness.settle()
        assert coordinator.last().text == "日期范围不对：要至少包含一天，最多一年。"
    assert await step() == "day"
    await coordinator.send_text("12-03")
    await harness.settle()
    await press_and_settle(harness, coordinator, "07:00–09:00")
    await press_and_settle(harness, coordinator, "4")
    await press_and_settle(harness, coordinator, "🏷 限定人员标签")
    await coordinator.send_text("标" * 33)
    await harness.settle()
    assert coordinator.last().text == "标签最多 32 个字，不能以 / 开头。"
    assert await step() == "tag"
    await command(harness, coordinator, "cancel")

    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("通" * 2001)
    await harness.settle()
    assert coordinator.last().text == "通知内容要有 1 到 2000 个字。"
    assert await step() == "text"
    await command(harness, coordinator, "cancel")
    assert await harness.count(Post) == 1 and await harness.count(Shift) == 0
    assert await harness.count(Broadcast) == 0 and await harness.count(OutboxMessage) == 0


async def lapsed_keys(harness: Harness) -> list[str]:
    async with harness.session() as session:
        keys = (await session.scalars(select(OutboxMessage.idempotency_key))).all()
    return [key for key in keys if key.startswith("waitlist-lapsed:")]


async def test_no_waitlist_notice_for_an_archived_post(harness: Harness) -> None:
    shift_id, *_ = await full_shift_with_waitlist(harness)
    async with harness.session() as session:
        found = await session.get(Shift, shift_id)
        assert found is not None
        found.post.archived = True
    harness.clock.set(at(dt.date(2026, 12, 2), 7, 0))
    await harness.tick()
    assert await lapsed_keys(harness) == []


async def test_no_waitlist_notice_to_a_member_who_blocked_the_bot(harness: Harness) -> None:
    await full_shift_with_waitlist(harness)
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == 8203))
        assert member is not None
        member.blocked_bot = True
    harness.clock.set(at(dt.date(2026, 12, 2), 7, 0))
    await harness.tick()
    assert await lapsed_keys(harness) == []


async def test_a_time_already_past_today_is_refused_at_the_time_step(harness: Harness) -> None:
    """At 08:00, today's 07:00-09:00 is said to be past when the time is given, not after the
    capacity and the review, where Create was refused with no way to change the time."""
    unit_id = await unit(harness)
    await post(harness, unit_id)
    coordinator = await person(harness, 7701, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    await press_and_settle(harness, coordinator, "12月1日 周二")  # today

    await coordinator.press("07:00–09:00")
    await harness.settle()
    assert coordinator.answered_callbacks[-1].get("text") == "2026-12-01 的班次时间已经过去了。"
    assert "几点到几点" in (coordinator.last().text or "")  # still asking the time

    await coordinator.send_text("07:30-08:30")
    await harness.settle()
    assert coordinator.last().text == "2026-12-01 的班次时间已经过去了。"

    # A later time of the same day carries on.
    await coordinator.send_text("17:00-19:00")
    await harness.settle()
    assert "需要几名志愿者" in (coordinator.last().text or "")
    await press_and_settle(harness, coordinator, "4")
    await press_and_settle(harness, coordinator, "✅ 新建")
    assert await harness.count(Shift) == 1


async def test_a_start_the_post_already_has_is_refused_at_the_time_step(harness: Harness) -> None:
    """A shift at the same post and start is said when the time is given, so that another time
    can be given, rather than at Create."""
    unit_id = await unit(harness)
    await shift(harness, await post(harness, unit_id))  # tomorrow 07:00-09:00
    coordinator = await person(harness, 7702, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    await press_and_settle(harness, coordinator, "12月2日 周三")  # tomorrow

    await coordinator.press("07:00–09:00")
    await harness.settle()
    assert "已经有班次了" in (coordinator.answered_callbacks[-1].get("text") or "")
    assert "几点到几点" in (coordinator.last().text or "")

    await coordinator.send_text("07:00-08:00")
    await harness.settle()
    assert "已经有班次了" in (coordinator.last().text or "")

    await coordinator.send_text("08:00-09:00")
    await harness.settle()
    assert "需要几名志愿者" in (coordinator.last().text or "")


async def test_two_members_of_one_name_are_tagged_by_their_phone(harness: Harness) -> None:
    """Names repeat (two 王伟 in one unit) and a member cannot change theirs: the refusal lists
    them by the end of their phone number, which /tag then takes in place of the name."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 8501, unit_id, role=Role.COORDINATOR)
    await person(harness, 8502, unit_id, "王伟")
    await person(harness, 8503, unit_id, "王伟")
    async with harness.session() as session:
        second = await session.scalar(select(Member).where(Member.telegram_id == 8503))
        assert second is not None
        second.phone = "+8613900001234"
    text = await command(harness, coordinator, "tag", "王伟 党员")
    assert "有 2 个成员叫「王伟」" in text
    assert "尾号 0000" in text and "尾号 1234" in text
    assert "/tag 0000 党员" in text

    # Full-width digits (a Chinese keyboard's) and a number written (+86)139… are taken too.
    assert "王伟 已加上标签「党员」" in await command(harness, coordinator, "tag", "１２３４ 党员")
    assert "已去掉" in await command(harness, coordinator, "tag", "(+86)13900001234 党员")
    assert "王伟 已加上标签「党员」" in await command(harness, coordinator, "tag", "1234 党员")
    tagged = await harness.member(8503)
    untouched = await harness.member(8502)
    assert tagged is not None and tagged.tags == frozenset({"党员"})
    assert untouched is not None and untouched.tags == frozenset()
    # The whole number works too, spaces and all.
    assert "已去掉" in await command(harness, coordinator, "tag", "+86 139 0000 1234 党员")
    tagged = await harness.member(8503)
    assert tagged is not None and tagged.tags == frozenset()


async def test_a_shift_card_leads_back_to_its_days_roster(harness: Harness) -> None:
    """The card opens in place of the roster page: a button brings the day's roster back rather
    than leaving the coordinator to type /roster 12-02 again."""
    unit_id = await unit(harness)
    await shift(harness, await post(harness, unit_id))  # tomorrow 07:00-09:00
    coordinator = await person(harness, 7703, unit_id, "王协调", role=Role.COORDINATOR)
    roster_text = await command(harness, coordinator, "roster", "12-02")
    card = await press_and_settle(harness, coordinator, "⚙️ 07:00 黄河路-人民路口")
    assert "👥 0/4 人" in card
    assert await press_and_settle(harness, coordinator, "📋 当天花名册") == roster_text


async def test_one_passed_over_for_a_clash_is_not_told_that_no_seat_came_free(
    harness: Harness,
) -> None:
    """乙 waits for tomorrow's 07:00 shift on 黄河路 and meanwhile takes the 07:00 shift on
    人民路. When 甲 gives up the 黄河路 seat, it cannot go to 乙 (a clash): it stays open. At
    07:00 乙, on post on 人民路, is not told "no seat came free" (one did) but why their place
    on the waitlist ends without one."""
    shift_id, _, seated, waiting = await full_shift_with_waitlist(harness)
    async with harness.session() as session:
        found = await session.get(Shift, shift_id)
        assert found is not None
        unit_id = found.post.unit_id
    other = await shift(harness, await post(harness, unit_id, "人民路-长江路口"), capacity=1)
    await command(harness, waiting, "shifts")
    await press_and_settle(harness, waiting, "✋ 报名 1")
    assert (await statuses(harness, other))[8203] is AssignmentStatus.SIGNED_UP
    await command(harness, seated, "my")
    await press_and_settle(harness, seated, "✖️ 取消 1")
    await press_and_settle(harness, seated, "是，取消")
    assert (await statuses(harness, shift_id))[8203] is AssignmentStatus.WAITLISTED

    harness.clock.set(at(dt.date(2026, 12, 2), 7, 0))
    await harness.tick()
    texts = waiting.texts()
    assert not [text for text in texts if "候补未补上" in text]
    assert [text for text in texts if "候补结束" in text] == [
        "⏳ 班次已开始，候补结束：\n12月2日 周三 07:00–09:00 · 黄河路-人民路口\n"
        "您同一时间在另一个班次上岗（12月2日 周三 07:00–09:00 · 人民路-长江路口），"
        "所以空出的名额不会转给您。"
    ]
