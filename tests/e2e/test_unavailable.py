"""/unavailable: a member declares weekdays and times until an end date, or dates; sees and
removes what they declared; is told which seats they already hold then; every unreadable,
past or too long window is refused and nothing is kept."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.buttons import RemoveUnavailable
from bot.db.models import Assignment, AssignmentStatus, Dialogue, Unavailability
from tests.e2e.rostering_fixtures import LABEL, alert, assigned_seat, press, town
from tests.e2e.schedule import DAY, command, press_and_settle, shift
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness

HOW = "发来不能值班的时间，例如："


async def test_declare_list_and_remove_windows(harness: Harness) -> None:
    town_ = await town(harness)
    li = town_.people[0]
    await seat(harness, town_.shift_id, li.user_id)

    text = await command(harness, li, "unavailable")
    assert "您还没有申报不能值班的时间。" in text and HOW in text
    assert li.last().buttons() == ["✖️ 取消"]
    for typed, expected in (
        ("明天有事", "没看懂这个时间。"),
        ("周一至周五 07:00-09:00", "按星期申报需要写结束日期"),
        ("2026-11-20", "这段时间已经过去了。"),
        # Without its year, 11-30 typed on 12-01 is yesterday, not next year's.
        ("11-30", "这段时间已经过去了。"),
        ("12-05 2028-01-01", "一次最多申报 366 天，请分开申报。"),
        ("12-07 12-05", "结束日期 2026年12月5日 早于开始日期 2026年12月7日：请先写开始日期。"),
        ("12-10 11-05", "结束日期 2026年11月5日 早于开始日期 2026年12月10日：请先写开始日期。"),
        # A window past midnight was understood: it is said what is wrong, and how to split it.
        (
            "12-05 22:00-06:00",
            "结束时间 06:00 早于开始时间 22:00：每段时间在一天之内，最晚到 24:00 结束。"
            "跨过午夜的请分两次申报：22:00-24:00 和 00:00-06:00。",
        ),
        ("12-05 9-7点", "结束时间 07:00 早于开始时间 09:00"),
        ("12-05 12点-12点", "没看懂这个时间。"),
    ):
        await li.send_text(typed)
        await harness.settle()
        assert expected in (li.last().text or ""), typed
        assert HOW in (li.last().text or "")
    await li.send_sticker()
    await harness.settle()
    assert li.last().text == "请用文字写不能值班的时间。"
    assert await harness.count(Unavailability) == 0

    await li.send_text("周一至周五 06:00-10:00 到 12-31")
    await harness.settle()
    saved = li.last().text or ""
    assert (
        "✅ 已记下：每周一、周二、周三、周四、周五 06:00–10:00（2026年12月1日 至 2026年12月31日）"
        in saved
    )
    # Signed up himself: cancelled or swapped in /my (leave is for assigned shifts).
    assert "您自己报名了 1 个班次；去不了的话，请在 /my 里取消或换岗" in saved
    assert f"1. {LABEL}" in saved
    assert await harness.count(Dialogue) == 0

    # A window that cannot be read leaves the dialogue open: the next message is another try.
    text = await command(harness, li, "unavailable", "12-05 to someday")
    assert "没看懂" in text and li.last().buttons() == ["✖️ 取消"]
    assert await harness.count(Dialogue) == 1
    await li.send_text("12-05至12-07")
    await harness.settle()
    assert "✅ 已记下：2026年12月5日 至 2026年12月7日 全天" in (li.last().text or "")
    assert "已经有" not in (li.last().text or "")
    assert await harness.count(Dialogue) == 0
    # The same window again is said to be there already, and kept once.
    text = await command(harness, li, "unavailable", "12-05 12-07")
    assert text == "这段时间之前已经申报过了：2026年12月5日 至 2026年12月7日 全天。不会重复记录。"
    assert await harness.count(Unavailability) == 2
    # So is the weekly window typed again a day later (it starts a day later, inside the first).
    harness.clock.advance(days=1)
    text = await command(harness, li, "unavailable", "周一至周五 06:00-10:00 到 12-31")
    assert text.startswith("这段时间之前已经申报过了：每周一、周二、周三、周四、周五 06:00–10:00")
    assert await harness.count(Unavailability) == 2
    harness.clock.advance(days=-1)

    text = await command(harness, li, "unavailable")
    assert "1. 每周一、周二、周三、周四、周五 06:00–10:00" in text
    assert "2. 2026年12月5日 至 2026年12月7日 全天" in text
    assert li.last().buttons() == ["🗑 删除 1", "🗑 删除 2", "✖️ 取消"]
    text = await press_and_settle(harness, li, "🗑 删除 2")
    assert "已删除：2026年12月5日 至 2026年12月7日 全天。" in text
    assert li.last().buttons() == ["🗑 删除 1", "✖️ 取消"]
    assert await harness.count(Unavailability) == 1

    # Someone else's window cannot be removed.
    wang = town_.people[1]
    [window] = await windows(harness)
    await command(harness, wang, "unavailable")
    await press(harness, wang, RemoveUnavailable(window.id))
    assert alert(wang) == "找不到这条申报，可能已经删除。"
    assert await harness.count(Unavailability) == 1


async def test_one_day_and_a_part_of_it(harness: Harness) -> None:
    town_ = await town(harness)
    wang = town_.people[1]
    text = await command(harness, wang, "unavailable", "12-09 17:00-19:00")
    assert "✅ 已记下：12月9日 周三 17:00–19:00" in text
    # A day of another year says its year (2027-12-03 is a Friday a year ahead).
    text = await command(harness, wang, "unavailable", "2027-12-03")
    assert "✅ 已记下：2027年12月3日 全天" in text, text
    text = await command(harness, wang, "unavailable")
    assert "2. 2027年12月3日 全天" in text, text
    text = await command(harness, wang, "unavailable", "sat,sun until 2027-01-31")
    assert "每周六、周日 全天（2026年12月1日 至 2027年1月31日）" in text
    # An evening to the midnight that ends it, as /newshift and the import read 24:00: it
    # covers his 21:00–23:00 seat that day, and is shown ending at 24:00, not at 00:00.
    late = await shift(harness, town_.post_id, day=DAY + dt.timedelta(days=8), start=21, end=23)
    await assigned_seat(harness, late, wang.user_id)
    text = await command(harness, wang, "unavailable", "12-09 22:00-24:00")
    assert "✅ 已记下：12月9日 周三 22:00–24:00" in text, text
    assert "您已经有 1 个班次，仍由您负责" in text, text
    rows = await windows(harness)
    assert [(row.first_day, row.last_day, row.weekdays) for row in rows] == [
        (dt.date(2026, 12, 9), dt.date(2026, 12, 9), 0b1111111),
        (dt.date(2027, 12, 3), dt.date(2027, 12, 3), 0b1111111),
        (dt.date(2026, 12, 1), dt.date(2027, 1, 31), 0b1100000),
        (dt.date(2026, 12, 9), dt.date(2026, 12, 9), 0b1111111),
    ]
    assert [(row.start_time, row.end_time) for row in rows] == [
        (dt.time(17, 0), dt.time(19, 0)),
        (None, None),
        (None, None),
        (dt.time(22, 0), dt.time(0, 0)),
    ]
    # 00:00 to 24:00 is the whole day in hours; the same midnight twice is no window.
    text = await command(harness, wang, "unavailable", "12-10 24:00-24:00")
    assert "没看懂这个时间。" in text, text
    await wang.send_text("12-10 00:00-00:00")
    await harness.settle()
    assert "没看懂这个时间。" in (wang.last().text or "")
    assert await harness.count(Unavailability) == 4


async def windows(harness: Harness) -> list[Unavailability]:
    async with harness.session() as session:
        found = await session.scalars(select(Unavailability).order_by(Unavailability.id))
        return list(found.all())


async def test_a_seat_one_took_oneself_in_the_window_points_to_my_not_to_leave(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li = town_.people[0]
    await seat(harness, town_.shift_id, li.user_id)  # signed up himself: no rota, no notice
    later = await shift(harness, town_.post_id, day=DAY + dt.timedelta(days=1), start=12, end=14)
    await assigned_seat(harness, later, li.user_id)
    text = await command(harness, li, "unavailable", "12-02")
    # The assigned seat is left by asking leave; his own is cancelled or swapped in /my.
    assert "您已经有 1 个班次，仍由您负责；去不了的话，请点排班通知上的「🙋 请假」" in text, text
    assert "您自己报名了 1 个班次；去不了的话，请在 /my 里取消或换岗" in text, text
    # A seat under way (today 07:00–09:00, it is 08:00) takes no leave, cancel or swap any
    # more: it is not listed among the seats to ask leave from or give up.
    today = await shift(harness, town_.post_id, day=DAY, start=7, end=9)
    await assigned_seat(harness, today, li.user_id)
    # Nor is one he checked in to ahead of its start (09:00): he is on post.
    early = await shift(harness, town_.post_id, day=DAY, start=9, end=11)
    checked_in = await assigned_seat(harness, early, li.user_id)
    async with harness.session() as session:
        await session.execute(
            update(Assignment)
            .where(Assignment.id == checked_in)
            .values(status=AssignmentStatus.CHECKED_IN)
        )
    text = await command(harness, li, "unavailable", "12-01 12-02")
    assert "您已经有 1 个班次，仍由您负责" in text, text
    assert "12月1日 周二 07:00–09:00" not in text and "09:00–11:00" not in text, text


async def test_a_range_of_days_is_read_as_broadcast_and_rotate_read_it(harness: Harness) -> None:
    """王芳 types her ranges as /broadcast and /rotate take them — 12-05 ~ 12-07, 12-08—12-10,
    12月14日 到 12月16日, with a weekly pattern or a time too — and each is kept as typed."""
    town_ = await town(harness)
    wang = town_.people[1]
    for typed, said in (
        ("12-05 ~ 12-07", "2026年12月5日 至 2026年12月7日"),
        ("12-08—12-10", "2026年12月8日 至 2026年12月10日"),
        ("12月14日 到 12月16日", "2026年12月14日 至 2026年12月16日"),
        ("周六、周日 12-19 ～ 12-27", "每周六、周日 全天（2026年12月19日 至 2026年12月27日）"),
        ("12-28–12-30 17:00-19:00", "17:00–19:00"),
        # Spaces around the dash or the 到 between two times, as /newshift reads them.
        ("12-31 07:00 —— 09:00", "12月31日 周四 07:00–09:00"),
        ("2027-01-02 7点 到 9点", "2027年1月2日 07:00–09:00"),
    ):
        text = await command(harness, wang, "unavailable", typed)
        assert "✅ 已记下" in text and said in text, (typed, text)
    rows = await windows(harness)
    assert [(row.first_day, row.last_day, row.weekdays) for row in rows] == [
        (dt.date(2026, 12, 5), dt.date(2026, 12, 7), 0b1111111),
        (dt.date(2026, 12, 8), dt.date(2026, 12, 10), 0b1111111),
        (dt.date(2026, 12, 14), dt.date(2026, 12, 16), 0b1111111),
        (dt.date(2026, 12, 19), dt.date(2026, 12, 27), 0b1100000),
        (dt.date(2026, 12, 28), dt.date(2026, 12, 30), 0b1111111),
        (dt.date(2026, 12, 31), dt.date(2026, 12, 31), 0b1111111),
        (dt.date(2027, 1, 2), dt.date(2027, 1, 2), 0b1111111),
    ]
    assert [(row.start_time, row.end_time) for row in rows[-3:]] == [
        (dt.time(17), dt.time(19)),
        (dt.time(7), dt.time(9)),
        (dt.time(7), dt.time(9)),
    ]
