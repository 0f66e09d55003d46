"""A notice the quiet hours hold overnight says at 07:00 what is true at 07:00: it is drawn again
from the database when it goes out (bot/redraw.py), not read as it was written the evening
before. The shift's new time, the seats still held, the leave asked meanwhile."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select

from bot.db.models import (
    AssignmentStatus,
    LeaveStatus,
    Member,
    MemberRole,
    OutboxMessage,
    OutboxStatus,
    Role,
    RotaSource,
    Shift,
)
from bot.emulator import SimUser
from bot.services.people.access import Actor
from bot.services.rostering import departure, rotas
from tests.e2e.rostering_fixtures import TOMORROW, assign_by_hand, leaves, town
from tests.e2e.schedule import (
    DAY,
    at,
    command,
    outbox_to,
    post,
    press_and_settle,
    shift,
    statuses,
)
from tests.e2e.swap_fixtures import require_approval, seat
from tests.e2e.test_leave import ask_leave
from tests.e2e.test_signup import _promoted_at_23_00
from tests.harness import ADMIN_ID, Harness

OLD, NEW = "12:00–14:00", "13:00–15:00"


async def test_a_promotion_held_until_07_00_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """乙 moved up at 23:00 to tomorrow's 12:00–14:00 seat; the word of it waits for 07:00. At
    23:30 the coordinator moves the shift to 13:00–15:00. At 07:00 乙 reads that the seat at
    13:00–15:00 is theirs, never the old time, and the outbox keeps what was sent."""
    _, coordinator, _, second = await _promoted_at_23_00(harness)
    harness.clock.set(at(DAY, 23, 30))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 12:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "🕒 时间")
    await coordinator.send_text("13:00-15:00")
    await harness.settle()
    assert "已更新" in "".join(coordinator.texts()[-3:]), coordinator.texts()[-3:]
    await harness.deliver()
    assert not any("候补转正" in text for text in second.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [told] = [text for text in second.texts() if "候补转正" in text]
    assert NEW in told and OLD not in told, told
    # The way out said as of 07:00: the cancel cut-off (01:00) has passed, a swap has not.
    assert told.endswith(
        "离开始已不到 12 小时，不能自行取消了；来不了请用 /swap 换岗，或告诉协调员。"
    )
    [row] = [
        row
        for row in await outbox_to(harness, second.user_id)
        if row.idempotency_key.startswith("waitlist-promoted:")
    ]
    assert row.status is OutboxStatus.SENT
    assert NEW in row.payload["text"] and OLD not in row.payload["text"]


async def test_a_rota_notice_held_until_07_00_names_only_the_seats_still_held(
    harness: Harness,
) -> None:
    """At 22:30 王芳 is put on two shifts of tomorrow by one rota: the notice naming both waits
    for 07:00. At 23:00 the 14:00 shift is cancelled (she is told at once). At 07:00 the notice
    names the one seat she still holds, with one 🙋 请假 for it."""
    town_ = await town(harness, capacity=1)
    wang = town_.people[1]
    morning = await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1)
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    harness.clock.set(at(DAY, 22, 30))
    settings = harness.runtime.settings
    async with harness.session() as session:
        chen = await session.scalar(
            select(Member).where(Member.telegram_id == town_.coordinator.user_id)
        )
        her = await session.scalar(select(Member).where(Member.telegram_id == wang.user_id))
        assert chen is not None and her is not None
        actor = Actor.of(chen.telegram_id, chen, settings.admin_ids)
        now = harness.clock.now()
        rota = await rotas.begin(
            session, actor, town_.unit_id, RotaSource.HAND, now, first=TOMORROW, last=TOMORROW
        )
        given = []
        for shift_id in (morning, afternoon):
            held = await session.get(Shift, shift_id)
            assert held is not None
            given.append(await rotas.give_seat(session, rota, her, held, now))
        await rotas.tell(session, rota, given, chen.display_name, now, settings)
    await harness.deliver()
    [row] = [
        r for r in await outbox_to(harness, wang.user_id) if r.idempotency_key.startswith("rota:")
    ]
    assert row.status is OutboxStatus.PENDING and "给您排了 2 个班次" in row.payload["text"]

    harness.clock.set(at(DAY, 23, 0))
    await command(harness, town_.coordinator, "roster", "12-02")
    await press_and_settle(harness, town_.coordinator, "⚙️ 14:00 黄河路-人民路口")
    await press_and_settle(harness, town_.coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, town_.coordinator, "是，取消班次")
    await harness.deliver()
    assert "班次已取消" in (wang.last().text or "")
    seen = len(wang.texts())

    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [notice] = [m for m in wang.messages()[seen:] if "给您排了" in (m.text or "")]
    text = notice.text or ""
    assert "给您排了 1 个班次" in text, text
    assert "10:00–12:00" in text and "14:00–16:00" not in text, text
    assert notice.buttons() == ["✅ 收到", "🙋 请假"]
    [row] = [
        r for r in await outbox_to(harness, wang.user_id) if r.idempotency_key.startswith("rota:")
    ]
    assert row.status is OutboxStatus.SENT
    assert "14:00–16:00" not in row.payload["text"]


async def test_a_reminder_held_until_07_00_says_the_leave_asked_since_awaits_the_coordinator(
    harness: Harness,
) -> None:
    """王芳's reminder of tomorrow's 10:00 shift is written at 22:00 and waits for 07:00, telling
    her how to ask leave. At 22:30 she asks leave. At 07:00 it says that her request awaits the
    coordinator, not to ask leave."""
    town_ = await town(harness, capacity=1)
    wang = town_.people[1]
    late = await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1)
    await assign_by_hand(harness, town_.coordinator, late, "王芳")
    harness.clock.set(at(DAY, 22, 0))
    await harness.tick()
    [row] = [
        r for r in await outbox_to(harness, wang.user_id) if r.idempotency_key.startswith("remind:")
    ]
    assert row.status is OutboxStatus.PENDING and "点「🙋 请假」" in row.payload["text"]
    harness.clock.set(at(DAY, 22, 30))
    await ask_leave(harness, wang, "发烧")
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [hers] = [text for text in wang.texts()[seen:] if "上岗提醒" in text]
    assert hers.endswith("\n您的请假申请正在等协调员处理；批准前这个班次仍由您负责。"), hers
    assert "点「🙋 请假」" not in hers
    [row] = [
        r for r in await outbox_to(harness, wang.user_id) if r.idempotency_key.startswith("remind:")
    ]
    assert row.status is OutboxStatus.SENT and "点「🙋 请假」" not in row.payload["text"]


async def _move(
    harness: Harness, coordinator: SimUser, card: str, window: str, day: str = "12-02"
) -> None:
    """The coordinator moves a shift on its card (opened from /roster of `day`) to `window`."""
    await command(harness, coordinator, "roster", day)
    await press_and_settle(harness, coordinator, card)
    await press_and_settle(harness, coordinator, "🕒 时间")
    await coordinator.send_text(window)
    await harness.settle()
    assert "已更新" in "".join(coordinator.texts()[-3:]), coordinator.texts()[-3:]


async def _rows(harness: Harness, chat_id: int, prefix: str) -> list[OutboxMessage]:
    return [r for r in await outbox_to(harness, chat_id) if r.idempotency_key.startswith(prefix)]


async def _leave_approved_at_22_30(harness: Harness) -> tuple[list[SimUser], SimUser, int]:
    """王芳 holds tomorrow's 10:00–12:00 seat (one seat), asks leave at 21:00, and the
    coordinator approves it at 22:30: the offer of the freed seat to 李明 and 张伟 waits for
    07:00. The people (李明, 王芳, 张伟), the coordinator and the shift."""
    town_ = await town(harness, capacity=1)
    wang = town_.people[1]
    late = await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1)
    await assign_by_hand(harness, town_.coordinator, late, "王芳")
    harness.clock.set(at(DAY, 21, 0))
    await ask_leave(harness, wang, "发烧")
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    await press_and_settle(harness, town_.coordinator, "✅ 批准")
    await harness.deliver()
    for taker in (town_.people[0], town_.people[2]):
        [row] = await _rows(harness, taker.user_id, "freed-seat:")
        assert row.status is OutboxStatus.PENDING and "10:00–12:00" in row.payload["text"]
    return town_.people, town_.coordinator, late


async def test_an_offer_of_a_freed_seat_held_until_07_00_is_dropped_once_the_seat_is_taken(
    harness: Harness,
) -> None:
    """The seat 王芳 was let off at 22:30 is offered to 李明 and 张伟, for 07:00. At 23:00 the
    coordinator gives it to 张伟 by hand. At 07:00 nobody reads 🙋 我来接 for a seat that is
    no longer free: both offers are dropped."""
    (li, _, zhang), coordinator, late = await _leave_approved_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await assign_by_hand(harness, coordinator, late, "张伟")
    seen = {user.user_id: len(user.texts()) for user in (li, zhang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    for taker in (li, zhang):
        assert not [t for t in taker.texts()[seen[taker.user_id] :] if "有人请假" in t]
        [row] = await _rows(harness, taker.user_id, "freed-seat:")
        assert row.status is OutboxStatus.DROPPED, row.last_error
    assert (await statuses(harness, late))[zhang.user_id] is AssignmentStatus.SIGNED_UP


async def test_an_offer_of_a_freed_seat_held_until_07_00_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """The freed seat of tomorrow's 10:00–12:00 shift waits for 07:00; at 23:00 the shift is
    moved to 13:00–15:00. At 07:00 李明 is offered the seat at 13:00–15:00 and takes it."""
    (li, _, _), coordinator, late = await _leave_approved_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await _move(harness, coordinator, "⚙️ 10:00 黄河路-人民路口", "13:00-15:00")
    seen = len(li.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [offer] = [m for m in li.messages()[seen:] if "有人请假" in (m.text or "")]
    assert "13:00–15:00" in (offer.text or "") and "10:00–12:00" not in (offer.text or "")
    assert offer.buttons() == ["🙋 我来接"]
    [row] = await _rows(harness, li.user_id, "freed-seat:")
    assert row.status is OutboxStatus.SENT and "13:00–15:00" in row.payload["text"]
    await press_and_settle(harness, li, "🙋 我来接")
    assert (await statuses(harness, late))[li.user_id] is AssignmentStatus.SIGNED_UP


async def test_an_offer_of_a_freed_seat_held_until_07_00_goes_only_to_who_may_still_take_it(
    harness: Harness,
) -> None:
    """The seat 王芳 was let off at 22:30 is offered to 李明 and 张伟 for 07:00. At 23:00 张伟
    is put on another post at the same hour: at 07:00 he is not offered a seat that 🙋 我来接
    would refuse him (as the give-away of a swap is not); 李明 still is."""
    (li, _, zhang), _, late = await _leave_approved_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    async with harness.session() as session:
        found = await session.get(Shift, late)
        assert found is not None
        unit_id = found.post.unit_id
    elsewhere = await post(harness, unit_id, "人民路-解放路口")
    await seat(harness, await shift(harness, elsewhere, TOMORROW, 10, 12), zhang.user_id)
    seen = {user.user_id: len(user.texts()) for user in (li, zhang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert [t for t in li.texts()[seen[li.user_id] :] if "有人请假" in t]
    assert not [t for t in zhang.texts()[seen[zhang.user_id] :] if "有人请假" in t]
    [row] = await _rows(harness, zhang.user_id, "freed-seat:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    [row] = await _rows(harness, li.user_id, "freed-seat:")
    assert row.status is OutboxStatus.SENT, row.last_error


async def _leave_asked_at_22_30(harness: Harness) -> tuple[SimUser, SimUser, int]:
    """王芳 holds tomorrow's 10:00–12:00 seat and asks leave at 22:30: the request to the
    coordinator waits for 07:00. 王芳, the coordinator and the shift."""
    town_ = await town(harness, capacity=1)
    wang = town_.people[1]
    late = await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1)
    await assign_by_hand(harness, town_.coordinator, late, "王芳")
    harness.clock.set(at(DAY, 22, 30))
    await ask_leave(harness, wang, "发烧")
    await harness.deliver()
    [row] = await _rows(harness, town_.coordinator.user_id, "leave-asked:")
    assert row.status is OutboxStatus.PENDING and "10:00–12:00" in row.payload["text"]
    return wang, town_.coordinator, late


async def test_a_leave_request_held_until_07_00_is_dropped_once_it_was_decided(
    harness: Harness,
) -> None:
    """王芳's request waits for 07:00; at 23:00 the coordinator finds it in /roster and approves
    it there. At 07:00 the coordinator is not asked again to decide it."""
    _, coordinator, _ = await _leave_asked_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, coordinator, "roster")
    await press_and_settle(harness, coordinator, "🙋 待批请假 1")
    await press_and_settle(harness, coordinator, "✅ 批准")
    assert [leave.status for leave in await leaves(harness)] == [LeaveStatus.APPROVED]
    seen = len(coordinator.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [t for t in coordinator.texts()[seen:] if "请假申请" in t]
    [row] = await _rows(harness, coordinator.user_id, "leave-asked:")
    assert row.status is OutboxStatus.DROPPED, row.last_error


async def test_a_leave_request_held_until_07_00_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """王芳's request waits for 07:00; at 23:00 the coordinator moves the shift to 13:00–15:00.
    At 07:00 the request names 13:00–15:00, with 批准 / 驳回, and approving it frees the seat."""
    wang, coordinator, late = await _leave_asked_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await _move(harness, coordinator, "⚙️ 10:00 黄河路-人民路口", "13:00-15:00")
    seen = len(coordinator.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [request] = [m for m in coordinator.messages()[seen:] if "请假申请" in (m.text or "")]
    text = request.text or ""
    assert "13:00–15:00" in text and "10:00–12:00" not in text, text
    assert request.buttons() == ["✅ 批准", "✖️ 驳回"]
    [row] = await _rows(harness, coordinator.user_id, "leave-asked:")
    assert row.status is OutboxStatus.SENT and "13:00–15:00" in row.payload["text"]
    await press_and_settle(harness, coordinator, "✅ 批准")
    assert (await statuses(harness, late))[wang.user_id] is AssignmentStatus.CANCELLED


async def test_a_leave_request_held_until_07_00_is_dropped_for_a_coordinator_no_longer_one(
    harness: Harness,
) -> None:
    """王芳's request waits for 07:00; at 23:00 the admin takes 陈协调's coordinator role (he
    stays a volunteer of the unit). At 07:00 he is not asked to decide it: his 批准 would be
    refused. The admin, the unit left without a coordinator, is asked instead."""
    _, coordinator, _ = await _leave_asked_at_22_30(harness)
    admin_user = harness.admin
    admin_user.started = True  # the admin has written to the bot
    harness.clock.set(at(DAY, 23, 0))
    settings = harness.runtime.settings
    async with harness.session() as session:
        chen = await session.scalar(select(Member).where(Member.telegram_id == coordinator.user_id))
        assert chen is not None
        session.add(MemberRole(member_id=chen.id, role=Role.VOLUNTEER))
    async with harness.session() as session:
        admin = Actor.of(ADMIN_ID, None, settings.admin_ids)
        taken = await departure.take_role(
            session, admin, chen.id, Role.COORDINATOR, harness.clock.now(), settings
        )
        assert isinstance(taken, departure.RoleTaken)
    seen = len(coordinator.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [t for t in coordinator.texts()[seen:] if "请假申请" in t]
    [row] = await _rows(harness, coordinator.user_id, "leave-asked:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    assert [t for t in admin_user.texts() if "请假申请" in t]
    [row] = await _rows(harness, ADMIN_ID, "leave-asked:")
    assert row.status is OutboxStatus.SENT, row.last_error


async def test_a_shift_moved_twice_overnight_is_told_once_as_it_ends_up(harness: Harness) -> None:
    """李明 holds tomorrow's 12:00–14:00 seat. The coordinator moves the shift to 13:00–15:00
    at 22:30 and to 14:00–16:00 at 23:00: both notices wait for 07:00. At 07:00 李明 reads one
    notice, from the time he knew to the time it is now (12:00–14:00 → 14:00–16:00); the
    other is dropped."""
    town_ = await town(harness)
    li = town_.people[0]
    noon = await shift(harness, town_.post_id, TOMORROW, 12, 14)
    await seat(harness, noon, li.user_id)
    harness.clock.set(at(DAY, 22, 30))
    await _move(harness, town_.coordinator, "⚙️ 12:00 黄河路-人民路口", "13:00-15:00")
    harness.clock.set(at(DAY, 23, 0))
    await _move(harness, town_.coordinator, "⚙️ 13:00 黄河路-人民路口", "14:00-16:00")
    await harness.deliver()
    rows = await _rows(harness, li.user_id, "shift-changed:")
    assert [row.status for row in rows] == [OutboxStatus.PENDING] * 2
    seen = len(li.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [told] = [text for text in li.texts()[seen:] if "班次有变动" in text]
    assert "14:00–16:00" in told and "时间：12:00–14:00 → 14:00–16:00" in told, told
    assert "13:00" not in told, told
    rows = await _rows(harness, li.user_id, "shift-changed:")
    assert sorted(row.status for row in rows) == sorted([OutboxStatus.DROPPED, OutboxStatus.SENT])
    [sent] = [row for row in rows if row.status is OutboxStatus.SENT]
    assert sent.payload["text"] == told


async def test_a_shift_moved_once_told_then_moved_again_overnight_says_from_what_was_told(
    harness: Harness,
) -> None:
    """Moved at 21:30 (李明 is told at once: 12:00–14:00 → 13:00–15:00) and again at 23:00, to
    14:00–16:00: at 07:00 he reads 13:00–15:00 → 14:00–16:00, from the time he was told."""
    town_ = await town(harness)
    li = town_.people[0]
    noon = await shift(harness, town_.post_id, TOMORROW, 12, 14)
    await seat(harness, noon, li.user_id)
    harness.clock.set(at(DAY, 21, 30))
    await _move(harness, town_.coordinator, "⚙️ 12:00 黄河路-人民路口", "13:00-15:00")
    await harness.deliver()
    assert "时间：12:00–14:00 → 13:00–15:00" in (li.last().text or "")
    harness.clock.set(at(DAY, 23, 0))
    await _move(harness, town_.coordinator, "⚙️ 13:00 黄河路-人民路口", "14:00-16:00")
    seen = len(li.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [told] = [text for text in li.texts()[seen:] if "班次有变动" in text]
    assert "时间：13:00–15:00 → 14:00–16:00" in told, told


GIVE_AWAY, HAND_OVER = "📢 转让（单位里谁都可以接）", "👤 请指定的人代班"


async def _swap_offered_at_22_30(
    harness: Harness, kind: str, *, start: int = 10, name: str = ""
) -> tuple[list[SimUser], SimUser, int]:
    """李明 holds tomorrow's `start`:00 seat (one seat) and offers it at 22:30, given away to the
    unit or handed over to `name`: the notices wait for 07:00. The people (李明, 王芳, 张伟),
    the coordinator and the shift."""
    town_ = await town(harness, capacity=1)
    li = town_.people[0]
    late = await shift(harness, town_.post_id, TOMORROW, start, start + 2, capacity=1)
    await seat(harness, late, li.user_id)
    harness.clock.set(at(DAY, 22, 30))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, kind)
    if name:
        await li.send_text(name)
        await harness.settle()
    await harness.deliver()
    return town_.people, town_.coordinator, late


async def _withdraw(harness: Harness, people: list[SimUser], coordinator: SimUser) -> None:
    await command(harness, people[0], "swaps")
    assert "已撤回换岗" in await press_and_settle(harness, people[0], "↩️ 撤回 1")


async def _take(harness: Harness, people: list[SimUser], coordinator: SimUser) -> None:
    await command(harness, people[1], "swaps")
    assert "换岗完成" in await press_and_settle(harness, people[1], "🙋 接 1")


async def _move_it(harness: Harness, people: list[SimUser], coordinator: SimUser) -> None:
    await _move(harness, coordinator, "⚙️ 10:00 黄河路-人民路口", "13:00-15:00")


@pytest.mark.parametrize(
    "interlude", [_withdraw, _take, _move_it], ids=["withdrawn", "taken", "moved"]
)
async def test_a_swap_offer_held_until_07_00_is_dropped_once_the_offer_is_off(
    harness: Harness, interlude: Callable[[Harness, list[SimUser], SimUser], Awaitable[None]]
) -> None:
    """李明 gives tomorrow's 10:00–12:00 seat away at 22:30: 王芳 and 张伟 are offered it
    (🙋 我来接) at 07:00. At 23:00 李明 withdraws it, or 王芳 takes it from /swaps, or the
    coordinator moves the shift (which calls the offer off). At 07:00 nobody reads 🙋 我来接 for
    an offer that is off: both notices are dropped."""
    people, coordinator, _ = await _swap_offered_at_22_30(harness, GIVE_AWAY)
    takers = people[1:]
    for taker in takers:
        [row] = await _rows(harness, taker.user_id, "swap-offer:")
        assert row.status is OutboxStatus.PENDING and "10:00–12:00" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await interlude(harness, people, coordinator)
    await harness.deliver()
    seen = {taker.user_id: len(taker.texts()) for taker in takers}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    for taker in takers:
        assert not [t for t in taker.texts()[seen[taker.user_id] :] if "转让一个班次" in t]
        [row] = await _rows(harness, taker.user_id, "swap-offer:")
        assert row.status is OutboxStatus.DROPPED, row.last_error


async def test_a_swap_offer_held_until_07_00_goes_only_to_who_may_still_take_it(
    harness: Harness,
) -> None:
    """The give-away of 22:30 waits for 07:00; at 23:00 张伟 is put on another post at the same
    hour. At 07:00 王芳 is offered the seat, with 🙋 我来接, and takes it; 张伟 is not."""
    (_, wang, zhang), _, late = await _swap_offered_at_22_30(harness, GIVE_AWAY)
    harness.clock.set(at(DAY, 23, 0))
    async with harness.session() as session:
        found = await session.get(Shift, late)
        assert found is not None
        unit_id = found.post.unit_id
    elsewhere = await post(harness, unit_id, "人民路-解放路口")
    await seat(harness, await shift(harness, elsewhere, TOMORROW, 10, 12), zhang.user_id)
    seen = {user.user_id: len(user.texts()) for user in (wang, zhang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [t for t in zhang.texts()[seen[zhang.user_id] :] if "转让一个班次" in t]
    [row] = await _rows(harness, zhang.user_id, "swap-offer:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    [offer] = [m for m in wang.messages()[seen[wang.user_id] :] if "转让一个班次" in (m.text or "")]
    assert "李明 转让一个班次" in (offer.text or "") and "10:00–12:00" in (offer.text or "")
    assert offer.buttons() == ["🙋 我来接"]
    [row] = await _rows(harness, wang.user_id, "swap-offer:")
    assert row.status is OutboxStatus.SENT
    assert "换岗完成" in await press_and_settle(harness, wang, "🙋 我来接")
    assert (await statuses(harness, late))[wang.user_id] is AssignmentStatus.SIGNED_UP


async def test_a_hand_over_held_until_07_00_is_dropped_once_it_was_withdrawn(
    harness: Harness,
) -> None:
    """李明 asks 王芳 at 22:30 to take his seat; the question (接受 / 拒绝) waits for 07:00. At
    23:00 he withdraws it. At 07:00 王芳 is not asked."""
    people, coordinator, _ = await _swap_offered_at_22_30(harness, HAND_OVER, name="王芳")
    wang = people[1]
    [row] = await _rows(harness, wang.user_id, "swap-ask:")
    assert row.status is OutboxStatus.PENDING and "李明 请您代班" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await _withdraw(harness, people, coordinator)
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [t for t in wang.texts()[seen:] if "请您代班" in t]
    [row] = await _rows(harness, wang.user_id, "swap-ask:")
    assert row.status is OutboxStatus.DROPPED, row.last_error


async def test_word_that_an_offer_was_taken_held_until_07_00_is_dropped_once_it_was_decided(
    harness: Harness,
) -> None:
    """The unit asks for approval. 李明 gives tomorrow's 14:00–16:00 seat away; 王芳 takes it
    at 22:30: the word that she did, awaiting approval, waits for 07:00. At 23:00 the
    coordinator rejects the swap. At 07:00 李明 reads that it was not approved, not that it
    awaits approval."""
    town_ = await town(harness, capacity=1)
    li, wang, _ = town_.people
    await require_approval(harness, town_.unit_id)
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    await seat(harness, afternoon, li.user_id)
    harness.clock.set(at(DAY, 21, 0))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, GIVE_AWAY)
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    [row] = await _rows(harness, li.user_id, "swap-accepted:")
    assert row.status is OutboxStatus.PENDING and "王芳 接受了您的换岗" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await press_and_settle(harness, town_.coordinator, "✖️ 驳回")
    await harness.deliver()
    seen = len(li.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    told = li.texts()[seen:]
    assert not [t for t in told if "接受了您的换岗" in t], told
    assert [t for t in told if "协调员没有批准换岗" in t], told
    [row] = await _rows(harness, li.user_id, "swap-accepted:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    assert (await statuses(harness, afternoon))[li.user_id] is AssignmentStatus.SIGNED_UP


async def test_word_that_a_swap_is_complete_held_until_07_00_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """李明 gives tomorrow's 14:00–16:00 seat away at 21:00; 王芳 takes it at 22:30: the word
    that it is hers now waits for 07:00. At 23:00 the coordinator moves the shift to
    15:00–17:00. At 07:00 李明 reads that 王芳 took the shift at 15:00–17:00."""
    town_ = await town(harness, capacity=1)
    li, wang, _ = town_.people
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    await seat(harness, afternoon, li.user_id)
    harness.clock.set(at(DAY, 21, 0))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, GIVE_AWAY)
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    assert "换岗完成" in await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    [row] = await _rows(harness, li.user_id, "swap-completed:")
    assert row.status is OutboxStatus.PENDING and "14:00–16:00" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await _move(harness, town_.coordinator, "⚙️ 14:00 黄河路-人民路口", "15:00-17:00")
    seen = len(li.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [told] = [text for text in li.texts()[seen:] if "换岗完成" in text]
    assert (
        told
        == "✅ 换岗完成：12月2日 周三 15:00–17:00 · 黄河路-人民路口 已由 王芳 接班，您不用再去了。"
    )
    [row] = await _rows(harness, li.user_id, "swap-completed:")
    assert row.status is OutboxStatus.SENT and row.payload["text"] == told


async def test_word_that_a_swap_is_complete_held_until_07_00_is_dropped_once_the_seat_is_gone(
    harness: Harness,
) -> None:
    """The unit asks for approval. 王芳 took 李明's 14:00–16:00 seat and the coordinator
    approves at 22:30: the word that the seat is hers waits for 07:00. At 23:00 the shift is
    cancelled (she is told at once). At 07:00 she is not told the seat is hers."""
    town_ = await town(harness, capacity=1)
    li, wang, _ = town_.people
    await require_approval(harness, town_.unit_id)
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    await seat(harness, afternoon, li.user_id)
    harness.clock.set(at(DAY, 21, 0))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, GIVE_AWAY)
    await harness.deliver()
    await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    await press_and_settle(harness, town_.coordinator, "✅ 批准")
    await harness.deliver()
    [row] = await _rows(harness, wang.user_id, "swap-completed:")
    assert row.status is OutboxStatus.PENDING and "现在由您负责" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, town_.coordinator, "roster", "12-02")
    await press_and_settle(harness, town_.coordinator, "⚙️ 14:00 黄河路-人民路口")
    await press_and_settle(harness, town_.coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, town_.coordinator, "是，取消班次")
    await harness.deliver()
    assert "班次已取消" in (wang.last().text or "")
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [text for text in wang.texts()[seen:] if "换岗完成" in text]
    [row] = await _rows(harness, wang.user_id, "swap-completed:")
    assert row.status is OutboxStatus.DROPPED, row.last_error


@pytest.mark.parametrize(
    ("window", "told"), [("02:00-04:00", False), ("06:00-08:00", True)], ids=["over", "under-way"]
)
async def test_word_that_a_swap_is_complete_held_until_07_00_is_dropped_once_the_shift_is_over(
    harness: Harness, window: str, told: bool
) -> None:
    """The unit asks for approval. 王芳 took 李明's 14:00–16:00 seat and the coordinator
    approves at 22:30: the word that the seat is hers waits for 07:00. At 23:00 the shift is
    moved to the small hours. At 07:00 she is not told of a seat whose shift is over (02:00–04:00),
    but is of one whose shift is under way (06:00–08:00): she is expected there."""
    town_ = await town(harness, capacity=1)
    li, wang, _ = town_.people
    await require_approval(harness, town_.unit_id)
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    await seat(harness, afternoon, li.user_id)
    harness.clock.set(at(DAY, 21, 0))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, GIVE_AWAY)
    await harness.deliver()
    await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    await press_and_settle(harness, town_.coordinator, "✅ 批准")
    await harness.deliver()
    [row] = await _rows(harness, wang.user_id, "swap-completed:")
    assert row.status is OutboxStatus.PENDING and "现在由您负责" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await _move(harness, town_.coordinator, "⚙️ 14:00 黄河路-人民路口", window)
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    got = [text for text in wang.texts()[seen:] if "现在由您负责" in text]
    [row] = await _rows(harness, wang.user_id, "swap-completed:")
    if told:
        [text] = got
        assert window.replace("-", "–") in text, text
        assert row.status is OutboxStatus.SENT, row.last_error
    else:
        assert not got
        assert row.status is OutboxStatus.DROPPED, row.last_error
    assert wang.user_id in await statuses(harness, afternoon)  # the seat is still hers


async def test_an_exchange_held_until_07_00_is_dropped_once_the_seat_asked_for_is_gone(
    harness: Harness,
) -> None:
    """李明 (tomorrow 10:00–12:00) asks 王芳 at 22:30 to exchange for her 14:00–16:00 seat; the
    question waits for 07:00. At 23:00 her shift is cancelled (she is told at once). At 07:00
    she is not asked to exchange a seat she no longer has."""
    town_ = await town(harness, capacity=1)
    li, wang, _ = town_.people
    await seat(
        harness, await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1), li.user_id
    )
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    await seat(harness, afternoon, wang.user_id)
    harness.clock.set(at(DAY, 22, 30))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, "🔄 和别人互换班次")
    assert "已向 王芳 提出互换" in await press_and_settle(harness, li, "1")
    await harness.deliver()
    [row] = await _rows(harness, wang.user_id, "swap-ask:")
    assert row.status is OutboxStatus.PENDING and "李明 想和您互换班次" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, town_.coordinator, "roster", "12-02")
    await press_and_settle(harness, town_.coordinator, "⚙️ 14:00 黄河路-人民路口")
    await press_and_settle(harness, town_.coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, town_.coordinator, "是，取消班次")
    await harness.deliver()
    assert "班次已取消" in (wang.last().text or "")
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [text for text in wang.texts()[seen:] if "互换班次" in text]
    [row] = await _rows(harness, wang.user_id, "swap-ask:")
    assert row.status is OutboxStatus.DROPPED, row.last_error


async def test_word_that_leave_was_approved_held_until_07_00_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """王芳's leave from tomorrow's 10:00–12:00 seat is approved at 22:30: the word of it waits
    for 07:00. At 23:00 the coordinator moves the shift to 13:00–15:00. At 07:00 she reads that
    her leave from the shift at 13:00–15:00 was approved, never the old time."""
    (_, wang, _), coordinator, _ = await _leave_approved_at_22_30(harness)
    [row] = await _rows(harness, wang.user_id, "leave-decided:")
    assert row.status is OutboxStatus.PENDING and "10:00–12:00" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await _move(harness, coordinator, "⚙️ 10:00 黄河路-人民路口", "13:00-15:00")
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [told] = [text for text in wang.texts()[seen:] if "批准了您的请假" in text]
    assert told == (
        "✅ 陈协调 批准了您的请假：12月2日 周三 13:00–15:00 · 黄河路-人民路口。"
        "这个班次不再由您负责。"
    ), told
    [row] = await _rows(harness, wang.user_id, "leave-decided:")
    assert row.status is OutboxStatus.SENT and row.payload["text"] == told


async def test_word_that_leave_was_approved_held_until_07_00_is_dropped_once_the_shift_is_cancelled(
    harness: Harness,
) -> None:
    """王芳's leave is approved at 22:30: the word of it waits for 07:00. At 23:00 the shift is
    cancelled (rain). At 07:00 she is not told about leave from a shift that will not be."""
    (_, wang, _), coordinator, _ = await _leave_approved_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, coordinator, "是，取消班次")
    await harness.deliver()
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [text for text in wang.texts()[seen:] if "批准了您的请假" in text]
    [row] = await _rows(harness, wang.user_id, "leave-decided:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    assert [leave.status for leave in await leaves(harness)] == [LeaveStatus.APPROVED]


async def test_word_that_leave_was_rejected_held_until_07_00_is_dropped_once_she_is_taken_off(
    harness: Harness,
) -> None:
    """王芳's leave is rejected at 22:30: the word that the shift is still hers waits for 07:00.
    At 23:00 the coordinator takes her off it after all (she is told at once). At 07:00 she is
    not told to turn up."""
    wang, coordinator, late = await _leave_asked_at_22_30(harness)
    await command(harness, coordinator, "roster")
    await press_and_settle(harness, coordinator, "🙋 待批请假 1")
    await press_and_settle(harness, coordinator, "✖️ 驳回")
    await harness.deliver()
    [row] = await _rows(harness, wang.user_id, "leave-decided:")
    assert row.status is OutboxStatus.PENDING and "没有批准您的请假" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "➖ 移出 王芳")
    await press_and_settle(harness, coordinator, "是，移出")
    await harness.deliver()
    assert "协调员已将您从这个班次移出" in (wang.last().text or "")
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [text for text in wang.texts()[seen:] if "没有批准您的请假" in text]
    [row] = await _rows(harness, wang.user_id, "leave-decided:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    assert (await statuses(harness, late))[wang.user_id] is AssignmentStatus.REMOVED


async def test_word_that_a_freed_seat_was_taken_held_until_07_00_is_dropped_once_it_is_given_up(
    harness: Harness,
) -> None:
    """王芳's leave from tomorrow's 14:00–16:00 seat is approved at 21:00 and the seat offered
    at once; 张伟 takes it at 22:30: the word to the coordinator waits for 07:00. At 23:00 张伟
    gives it up (15 hours ahead, he may). At 07:00 the coordinator is not told he took it."""
    town_ = await town(harness, capacity=1)
    wang, zhang = town_.people[1], town_.people[2]
    coordinator = town_.coordinator
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    await assign_by_hand(harness, coordinator, afternoon, "王芳")
    harness.clock.set(at(DAY, 20, 30))
    await ask_leave(harness, wang, "发烧")
    await harness.deliver()
    harness.clock.set(at(DAY, 21, 0))
    await press_and_settle(harness, coordinator, "✅ 批准")
    await harness.deliver()
    assert "有人请假" in (zhang.last().text or "")
    harness.clock.set(at(DAY, 22, 30))
    await press_and_settle(harness, zhang, "🙋 我来接")
    await harness.deliver()
    [row] = await _rows(harness, coordinator.user_id, "freed-taken:")
    assert row.status is OutboxStatus.PENDING and "张伟 接下了" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, zhang, "my")
    await press_and_settle(harness, zhang, "✖️ 取消 1")
    await press_and_settle(harness, zhang, "是，取消")
    assert (await statuses(harness, afternoon))[zhang.user_id] is AssignmentStatus.CANCELLED
    seen = len(coordinator.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [t for t in coordinator.texts()[seen:] if "接下了请假空出的班次" in t]
    [row] = await _rows(harness, coordinator.user_id, "freed-taken:")
    assert row.status is OutboxStatus.DROPPED, row.last_error


IMPORT_HEADER = "post,type,unit,latitude,longitude,date,start,end,capacity,tag,人员"
CROSSING = "黄河路-人民路口,traffic,城管局,30.6586,104.0648"


async def _import(harness: Harness, coordinator: SimUser, people: str) -> None:
    """The coordinator imports tomorrow's 12:00–14:00 shift (2 seats) with `people` on it."""
    row = f"{CROSSING},{TOMORROW.isoformat()},12:00,14:00,2,,{people}"
    await coordinator.send_command("import")
    await harness.settle()
    data = f"{IMPORT_HEADER}\n{row}\n".encode()
    await coordinator.send_document("schedule.csv", data, mime_type="text/csv")
    await harness.settle()
    await press_and_settle(harness, coordinator, "✅ 确认导入")


async def test_word_that_an_import_took_someone_off_is_dropped_once_they_are_back_before_it_goes(
    harness: Harness,
) -> None:
    """An import at 21:00 puts 李明 and 王芳 on tomorrow's noon shift. At 22:30 a corrected file
    lists only 李明: the word to 王芳 that she is off it is queued, and has not gone out yet
    (the sender is held back, a 429 say) when at 22:35 the file is corrected back and she is on
    the shift again. When the sender gets to it, she is not told to stay home."""
    town_ = await town(harness)
    li, wang, _ = town_.people
    coordinator = town_.coordinator
    harness.clock.set(at(DAY, 21, 0))
    await _import(harness, coordinator, "李明、王芳")
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    await _import(harness, coordinator, "李明")
    [row] = await _rows(harness, wang.user_id, "unassigned:")
    assert row.status is OutboxStatus.PENDING and "不再安排您" in row.payload["text"]
    harness.clock.set(at(DAY, 22, 35))
    await _import(harness, coordinator, "李明、王芳")
    seen = len(wang.texts())
    await harness.deliver()
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [text for text in wang.texts()[seen:] if "不再安排您" in text]
    [row] = await _rows(harness, wang.user_id, "unassigned:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    async with harness.session() as session:
        found = (await session.scalars(select(Shift))).unique()
        [noon] = [s for s in found if s.starts_at == at(TOMORROW, 12, 0)]
    assert (await statuses(harness, noon.id))[wang.user_id] is AssignmentStatus.SIGNED_UP
    assert li.user_id in await statuses(harness, noon.id)


async def _swap_rejected_at_22_30(harness: Harness) -> tuple[list[SimUser], SimUser, int]:
    """The unit asks for approval. 李明 gives tomorrow's 14:00–16:00 seat away at 21:00, 王芳
    takes it at 21:30, and the coordinator rejects the swap at 22:30: the word of it to both
    waits for 07:00. The people, the coordinator and the shift."""
    town_ = await town(harness, capacity=1)
    li, wang, _ = town_.people
    await require_approval(harness, town_.unit_id)
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    await seat(harness, afternoon, li.user_id)
    harness.clock.set(at(DAY, 21, 0))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, GIVE_AWAY)
    await harness.deliver()
    harness.clock.set(at(DAY, 21, 30))
    await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    await press_and_settle(harness, town_.coordinator, "✖️ 驳回")
    await harness.deliver()
    for person in (li, wang):
        [row] = await _rows(harness, person.user_id, "swap-rejected:")
        assert row.status is OutboxStatus.PENDING and "14:00–16:00" in row.payload["text"]
    return town_.people, town_.coordinator, afternoon


async def test_word_that_a_swap_was_rejected_held_until_07_00_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """The rejection of 22:30 waits for 07:00; at 23:00 the shift is moved to 15:00–17:00. At
    07:00 李明 and 王芳 read that the swap of the shift at 15:00–17:00 was not approved."""
    (li, wang, _), coordinator, afternoon = await _swap_rejected_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await _move(harness, coordinator, "⚙️ 14:00 黄河路-人民路口", "15:00-17:00")
    seen = {person.user_id: len(person.texts()) for person in (li, wang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    for person in (li, wang):
        [told] = [t for t in person.texts()[seen[person.user_id] :] if "没有批准换岗" in t]
        assert (
            told
            == "❌ 协调员没有批准换岗（12月2日 周三 15:00–17:00 · 黄河路-人民路口），班次保持不变。"
        )
        [row] = await _rows(harness, person.user_id, "swap-rejected:")
        assert row.status is OutboxStatus.SENT and row.payload["text"] == told
    assert (await statuses(harness, afternoon))[li.user_id] is AssignmentStatus.SIGNED_UP


async def test_word_that_a_swap_was_rejected_held_until_07_00_is_dropped_once_its_shift_is_off(
    harness: Harness,
) -> None:
    """The rejection of 22:30 waits for 07:00; at 23:00 the shift is cancelled (李明 is told at
    once). At 07:00 nobody reads that the shift stays as it was."""
    (li, wang, _), coordinator, _ = await _swap_rejected_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 14:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, coordinator, "是，取消班次")
    await harness.deliver()
    assert "班次已取消" in (li.last().text or "")
    seen = {person.user_id: len(person.texts()) for person in (li, wang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    for person in (li, wang):
        assert not [t for t in person.texts()[seen[person.user_id] :] if "没有批准换岗" in t]
        [row] = await _rows(harness, person.user_id, "swap-rejected:")
        assert row.status is OutboxStatus.DROPPED, row.last_error


async def test_word_that_a_swap_was_withdrawn_held_until_07_00_names_the_time_it_was_moved_to(
    harness: Harness,
) -> None:
    """The unit asks for approval. 王芳 takes 李明's 14:00–16:00 seat at 21:30; at 22:30 he
    withdraws the swap: the word to her waits for 07:00. At 23:00 the shift is moved to
    15:00–17:00. At 07:00 she reads that he withdrew the swap of the shift at 15:00–17:00."""
    town_ = await town(harness, capacity=1)
    li, wang, _ = town_.people
    await require_approval(harness, town_.unit_id)
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    await seat(harness, afternoon, li.user_id)
    harness.clock.set(at(DAY, 21, 0))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, GIVE_AWAY)
    await harness.deliver()
    harness.clock.set(at(DAY, 21, 30))
    await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    await _withdraw(harness, town_.people, town_.coordinator)
    await harness.deliver()
    [row] = await _rows(harness, wang.user_id, "swap-withdrawn:")
    assert row.status is OutboxStatus.PENDING and "14:00–16:00" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await _move(harness, town_.coordinator, "⚙️ 14:00 黄河路-人民路口", "15:00-17:00")
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [told] = [t for t in wang.texts()[seen:] if "撤回了换岗" in t]
    assert told == "李明 撤回了换岗（12月2日 周三 15:00–17:00 · 黄河路-人民路口）。"
    [row] = await _rows(harness, wang.user_id, "swap-withdrawn:")
    assert row.status is OutboxStatus.SENT and row.payload["text"] == told


async def test_an_offer_of_a_freed_seat_held_until_07_00_is_dropped_once_the_shift_is_cancelled(
    harness: Harness,
) -> None:
    """The seat 王芳 was let off at 22:30 is offered to 李明 and 张伟 for 07:00. At 23:00 the
    coordinator cancels the shift. At 07:00 neither reads 🙋 我来接 for a shift that is off."""
    (li, _, zhang), coordinator, late = await _leave_approved_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, coordinator, "是，取消班次")
    seen = {user.user_id: len(user.texts()) for user in (li, zhang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    for taker in (li, zhang):
        assert not [t for t in taker.texts()[seen[taker.user_id] :] if "有人请假" in t]
        [row] = await _rows(harness, taker.user_id, "freed-seat:")
        assert row.status is OutboxStatus.DROPPED, row.last_error
    assert not {li.user_id, zhang.user_id} & set(await statuses(harness, late))


async def test_a_sent_offer_of_a_freed_seat_pressed_once_the_seat_is_gone_says_so(
    harness: Harness,
) -> None:
    """The offers of the seat 王芳 was let off go out at 07:00. The coordinator gives the seat
    to 张伟 by hand: 李明's 🙋 我来接 says someone was quicker, and he is put on no waitlist.
    Then the coordinator cancels the shift: 张伟's 🙋 我来接 says it was cancelled."""
    (li, _, zhang), coordinator, late = await _leave_approved_at_22_30(harness)
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    for taker in (li, zhang):
        [row] = await _rows(harness, taker.user_id, "freed-seat:")
        assert row.status is OutboxStatus.SENT, row.last_error
    await assign_by_hand(harness, coordinator, late, "张伟")
    await li.press("🙋 我来接")
    await harness.settle()
    assert li.answered_callbacks[-1].get("text") == "来晚了，这个班次已经被别人接走了。"
    assert li.user_id not in await statuses(harness, late)

    harness.clock.set(at(TOMORROW, 7, 30))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, coordinator, "是，取消班次")
    await li.press("🙋 我来接")
    await harness.settle()
    assert li.answered_callbacks[-1].get("text") == "这个班次已取消。"
    assert li.user_id not in await statuses(harness, late)
