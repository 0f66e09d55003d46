"""The small rules under the scheduler and the sender: when quiet hours end, which reminders
are urgent, how much the overall limit lets go at once, and when a stored message expires."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.db.models import Shift
from bot.pacing import Pacer, Rates
from bot.services.duty.reminders import is_urgent
from bot.services.platform import outbox
from bot.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


def test_quiet_hours_end_the_next_morning_and_not_outside_them() -> None:
    quiet = settings(quiet_hours="22:00-07:00")
    assert quiet.quiet_until(local(1, 23, 30)) == local(2, 7)
    assert quiet.quiet_until(local(2, 3, 0)) == local(2, 7)
    assert quiet.quiet_until(local(2, 7, 0)) is None
    assert quiet.quiet_until(local(2, 21, 59)) is None
    assert settings(quiet_hours="12:00-14:00").quiet_until(local(2, 13)) == local(2, 14)
    assert settings(quiet_hours="").quiet_until(local(2, 3)) is None


def _shift(starts_at: dt.datetime) -> Shift:
    return Shift(starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2), capacity=1)


def test_a_reminder_is_urgent_within_the_hour_or_when_quiet_hours_would_hold_it_too_long() -> None:
    rules = settings(quiet_hours="22:00-07:00")
    assert is_urgent(_shift(local(2, 9)), local(2, 8, 0), rules)
    assert not is_urgent(_shift(local(2, 9)), local(2, 7, 59), rules)
    # 04:50, quiet until 07:00: a 06:50 start cannot wait, a 07:30 start can.
    assert is_urgent(_shift(local(2, 6, 50)), local(2, 4, 50), rules)
    assert not is_urgent(_shift(local(2, 7, 30)), local(2, 5, 30), rules)


def test_the_overall_limit_lets_a_burst_go_then_waits_for_a_batch() -> None:
    pacer = Pacer(Rates(global_per_second=30.0, global_burst=20.0))
    assert pacer.room(0.0) == 20
    for chat in range(20):
        pacer.take(1000 + chat, 0.0)
    assert pacer.room(0.0) == 0
    assert pacer.room_delay(0.0, 10) == 0.334  # ten messages' worth at 30 a second
    assert pacer.room(0.334) == 10
    # Asked for more than the burst, it waits for a full burst only.
    assert pacer.room_delay(0.334, 100) == pytest.approx(0.333, abs=0.001)


def test_one_chat_waits_after_its_burst_while_others_may_go() -> None:
    pacer = Pacer(Rates(private_per_second=1.0, private_burst=2.0))
    pacer.take(1, 0.0)
    pacer.take(1, 0.0)
    assert pacer.delay(1, 0.0) == 1.0
    assert pacer.delay(2, 0.0) == 0.0
    pacer.pause(2, 7.0)
    assert pacer.delay(2, 0.0) == 7.0


def test_a_stored_message_expires_at_its_moment() -> None:
    moment = local(2, 7)
    body = outbox.payload("x", expires_at=moment)
    assert not body.expired(moment - dt.timedelta(seconds=1))
    assert body.expired(moment)
    assert not outbox.payload("x").expired(moment)
