"""The small rules under the scheduler and the sender: when quiet hours end, which reminders
are urgent, how much the overall limit lets go at once, and when a stored message expires."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.db.models import Shift
from bot.emulator.limits import FloodGate, FloodLimits
from bot.pacing import Pacer, Rates
from bot.sender import START_PAUSE_SECONDS
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


def test_the_overall_limit_lets_a_seconds_worth_go_then_waits_for_the_oldest_to_age() -> None:
    pacer = Pacer(Rates(global_per_second=30))
    assert pacer.room(1.0) == 30
    for chat in range(20):
        pacer.take(1000 + chat, 1.0)
    for chat in range(10):
        pacer.take(2000 + chat, 1.5)
    assert pacer.room(1.9) == 0
    # The first twenty leave the window a second after they went, the other ten later.
    assert pacer.room_delay(1.9, 10) == pytest.approx(0.1)
    assert pacer.room(2.0) == 20
    assert pacer.room_delay(2.0, 25) == pytest.approx(0.5)
    # Asked for more than a second's worth, it waits for a second's worth only.
    assert pacer.room_delay(2.0, 100) == pytest.approx(0.5)


def _busiest_second(moments: list[float]) -> int:
    """The most moments in any window [t, t + 1) (one starting at each moment is enough)."""
    moments = sorted(moments)
    return max(
        (
            sum(1 for other in moments[index:] if other < moment + 1.0)
            for index, moment in enumerate(moments)
        ),
        default=0,
    )


def _send_greedily(pacer: Pacer, start: float, seconds: float, chats: int) -> list[float]:
    """A sender that sends to many chats whenever the pacer lets it, on a clock of 1 ms steps
    with jitter, as a busy broadcast would."""
    sent: list[float] = []
    now, chat, step = start, 0, 0
    while now < start + seconds:
        target = 1 + chat % chats
        if pacer.delay(target, now) == 0.0:
            pacer.take(target, now)
            sent.append(now)
            chat += 1
        else:
            step += 1
            now += 0.001 + (step % 7) * 0.0003
    return sent


def test_no_second_ever_holds_more_than_thirty_messages() -> None:
    sent = _send_greedily(Pacer(), 0.0, 10.0, chats=5000)
    assert len(sent) >= 8 * 30  # it does send at the rate
    assert _busiest_second(sent) == 30


def test_a_restarted_process_stays_within_thirty_a_second_with_the_one_before() -> None:
    before = _send_greedily(Pacer(), 0.0, 3.0, chats=5000)
    # Killed right after its last message; the new process starts at once and, as its sender
    # loop does, waits before its first pass.
    restart = before[-1] + START_PAUSE_SECONDS
    after = _send_greedily(Pacer(), restart, 3.0, chats=5000)
    assert _busiest_second(before + after) == 30


def test_a_send_under_way_holds_its_place_until_a_second_after_its_answer() -> None:
    """Telegram counts a message when its request arrives, which may be long after it left
    (a request queued in the HTTP client): the window counts it until a second after its
    answer, so a straggler cannot arrive among the next second's thirty."""
    pacer = Pacer()
    straggler = pacer.start(1, 0.0)
    for chat in range(2, 31):
        pacer.answered(pacer.start(chat, 0.0), 0.05)
    assert pacer.room(0.9) == 0
    # A second later the 29 answered at once have left the window; the straggler has not.
    assert pacer.room(1.1) == 29
    assert pacer.room_delay(1.1, 30) == 1.0
    pacer.answered(straggler, 1.5)
    assert pacer.room(2.4) == 29
    assert pacer.room_delay(2.4, 30) == pytest.approx(0.1)
    assert pacer.room(2.5) == 30


def test_no_minute_ever_holds_more_than_eighteen_messages_to_one_group() -> None:
    """Telegram allows a group 20 messages a minute; the pacer keeps two below that (latency
    may move a send into the next minute) in every window of 60 s, not only on average."""
    pacer = Pacer()
    group = -100123
    sent: list[float] = []
    now = 0.0
    while now < 300.0:
        if pacer.delay(group, now) == 0.0:
            pacer.take(group, now)
            sent.append(now)
        now += 1 / 128  # exact in binary: the window's edges are compared without rounding
    busiest = max(sum(1 for other in sent if moment <= other < moment + 60.0) for moment in sent)
    assert busiest == 18
    assert len(sent) >= 18 * 5  # it does send at the rate
    # A pass asks `fits` for several at once: within the group's window only.
    fresh = Pacer()
    assert fresh.fits([group] * 20, 0.0) == [True] * 18 + [False] * 2


def test_an_album_takes_one_message_of_the_limits_per_photo() -> None:
    """Telegram counts each photo of an album as a message: a wall of 10 leaves a group 8 of
    its 18 a minute and the second 20 of its 30; to a person it empties the burst."""
    pacer = Pacer()
    group = -100123
    assert pacer.fits([group, group], 0.0, sizes=[10, 9]) == [True, False]
    assert pacer.delay(group, 0.0, messages=10) == 0.0
    pacer.take(group, 0.0, messages=10)
    assert pacer.room(0.0) == 20
    assert pacer.fits([group] * 9, 0.0) == [True] * 8 + [False]
    assert pacer.delay(group, 0.5, messages=9) == 59.5
    pacer.take(7, 0.0, messages=10)
    assert pacer.room(0.0) == 10
    # To a person it empties Telegram's burst of 3, one more than the pacer's 2.
    assert pacer.delay(7, 0.0) == 2.0
    # An album needs room for all its photos in the second, however long it must wait.
    assert pacer.fits([8, 9], 0.0, sizes=[10, 2]) == [True, False]
    assert pacer.room_delay(0.0, 11) == 1.0


def test_albums_to_a_person_paced_by_the_pacer_earn_no_429_from_the_emulator() -> None:
    """An album empties a person's burst at Telegram (the emulator's, 3), which is one more than
    the pacer's own (2): paced here, albums and texts to one person never meet a 429 there."""
    moment = [0.0]
    gate = FloodGate(FloodLimits(), clock=lambda: moment[0])
    pacer = Pacer()
    person = 7
    refused = []
    for step in range(40):
        at = step * 0.5
        moment[0] = at
        size = 10 if step % 3 else 1
        if pacer.delay(person, at, size) == 0.0:
            pacer.take(person, at, size)
            if gate.admit(person, False, size):
                refused.append((at, size))
    assert refused == []


def test_one_chat_waits_after_its_burst_while_others_may_go() -> None:
    pacer = Pacer(Rates(private_per_second=1.0, private_burst=2.0))
    pacer.take(1, 0.0)
    pacer.take(1, 0.0)
    assert pacer.delay(1, 0.0) == 1.0
    assert pacer.delay(2, 0.0) == 0.0
    pacer.pause(2, 7.0)
    assert pacer.delay(2, 0.0) == 7.0


def test_a_buttons_429_holds_that_persons_answers_and_chat_while_every_other_chat_goes() -> None:
    """Telegram limits a button's answers per person: the 429 holds that person's further
    answers and their private chat (the same id), and nothing else."""
    pacer = Pacer()
    pacer.pause_answers(5311, 3.0)
    assert pacer.paused(5311, 0.0) == 3.0
    assert pacer.delay(5311, 0.0) == 3.0
    assert pacer.paused(5312, 0.0) == 0.0 and pacer.delay(5312, 0.0) == 0.0
    assert pacer.paused(None, 0.0) == 0.0
    assert pacer.fits([5312, 5311, -100123], 0.0) == [True, False, True]
    assert pacer.paused(5311, 3.0) == 0.0
    pacer.forget_idle(3.0)
    assert pacer.paused(5311, 0.0) == 0.0


def test_a_429_that_names_no_one_still_holds_every_chat() -> None:
    pacer = Pacer()
    pacer.pause(None, 2.0)
    assert pacer.paused(None, 0.0) == 2.0
    assert pacer.delay(5312, 0.0) == 2.0 and pacer.delay(-100123, 0.0) == 2.0
    assert pacer.fits([5312, -100123], 0.0) == [False, False]


def test_what_fits_a_pass_is_each_chats_first_messages_within_the_overall_room() -> None:
    pacer = Pacer(Rates(global_per_second=5, private_per_second=1.0, private_burst=2.0))
    pacer.take(9, 0.0)  # the overall room is 4 now
    pacer.pause(3, 2.0)
    # Chat 1 may take two at once, not three; chat 3 waits out a 429; the room ends at chat 5.
    chats = [1, 1, 1, 2, 3, 1, 4, 5, 6]
    assert pacer.fits(chats, 0.0) == [True, True, False, True, False, False, True, False, False]
    assert pacer.room(0.0) == 4  # nothing taken
    assert pacer.delay(1, 0.0) == 0.0


def test_a_stored_message_expires_at_its_moment() -> None:
    moment = local(2, 7)
    body = outbox.payload("x", expires_at=moment)
    assert not body.expired(moment - dt.timedelta(seconds=1))
    assert body.expired(moment)
    assert not outbox.payload("x").expired(moment)


def test_a_clock_set_back_leaves_nothing_counted_later_holding_the_pacing_back() -> None:
    """A test's clock (or the system's) set back by more than a minute: what was counted at the
    later moment no longer holds the overall room nor a chat's pace, as on the emulator."""
    pacer = Pacer()
    for chat in range(30):
        pacer.take(chat, 3600.0)
    pacer.take(-100123, 3600.0, messages=18)
    assert pacer.room(3600.0) == 0 and pacer.delay(1, 3600.0) > 0
    # A moment read a little before the count (a pass that started earlier) still counts it.
    assert pacer.room(3599.5) == 0
    assert pacer.room(2400.0) == 30
    assert pacer.delay(1, 2400.0) == 0.0 and pacer.delay(-100123, 2400.0) == 0.0
