"""Polling, faults, flood limits and the HTTP shape of answers."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from telegram import Bot, InputMediaPhoto, Update
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

from bot.emulator import BotApiEmulator, Fault, FloodLimits
from bot.emulator.limits import FloodGate
from tests.emulator.conftest import TOKEN
from tests.emulator.transport_fixtures import eventually


async def test_long_poll_returns_when_an_update_arrives(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(user_id=1001, first_name="Alice")
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await eventually(lambda: any(m == "getUpdates" for m, _ in emu.calls), "the poll to arrive")
    assert not poll.done()
    await alice.send_text("wake up")
    updates = await asyncio.wait_for(poll, 5)
    assert [u.message.text for u in updates if u.message] == ["wake up"]
    assert emu.pending_updates() == 1 and emu.delivered_update_ids == {updates[0].update_id}
    assert await bot.get_updates(offset=updates[0].update_id + 1) == ()
    assert emu.pending_updates() == 0


async def test_limit_caps_a_batch_and_the_rest_waits(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(user_id=1001, first_name="Alice")
    for text in ("one", "two", "three"):
        await alice.send_text(text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1, limit=2)
    assert [u.message.text for u in rest if u.message] == ["three"]


async def test_an_edited_text_arrives_as_an_edited_message(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(user_id=1001, first_name="Alice")
    sent = await alice.send_text("黄河路口")
    await alice.edit_text(sent["message_id"], "黄河路-人民路口")
    updates = await bot.get_updates()
    assert updates[0].message is not None and updates[0].message.text == "黄河路口"
    edited = updates[1].edited_message
    assert edited is not None and edited.message_id == sent["message_id"]
    assert edited.text == "黄河路-人民路口" and edited.edit_date is not None
    with pytest.raises(LookupError):
        await alice.edit_text(999, "x")


async def test_stop_answers_a_pending_long_poll(bot: Bot) -> None:
    emulator = BotApiEmulator(token=TOKEN)
    await emulator.start()
    async with Bot(
        TOKEN, base_url=emulator.base_url, base_file_url=emulator.base_file_url
    ) as client:
        poll = asyncio.create_task(client.get_updates(timeout=30))
        await eventually(
            lambda: any(m == "getUpdates" for m, _ in emulator.calls), "the poll to arrive"
        )
        await emulator.stop()
        assert await asyncio.wait_for(poll, 5) == ()


async def test_redelivery_keeps_the_update_id(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(user_id=1001, first_name="Alice")
    await alice.send_text("one")
    await alice.send_text("two")
    first = await bot.get_updates()
    assert len(first) == 2
    assert await bot.get_updates(offset=first[-1].update_id + 1) == ()
    assert emu.redeliver_last(chat_id=1001) == first[-1].update_id
    assert emu.pending_updates() == 1
    again = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.update_id for u in again] == [first[-1].update_id]
    assert await bot.get_updates(offset=again[-1].update_id + 1) == ()
    assert emu.pending_updates() == 0


# RetryAfter warns about its future timedelta type even when only printed.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_limit_answers_retry_after(bot: Bot) -> None:
    # A slow refill makes the outcome independent of how fast this machine is.
    limits = FloodLimits(private_burst=3, private_per_second=0.01)
    emulator = BotApiEmulator(token=TOKEN, flood_limits=limits)
    await emulator.start()
    try:
        async with Bot(TOKEN, base_url=emulator.base_url) as client:
            emulator.user(user_id=1001, first_name="Alice").started = True
            for _ in range(3):
                await client.send_message(1001, "ok")
            with pytest.raises(RetryAfter) as refused:
                await client.send_message(1001, "too fast")
            assert "Retry in 100 seconds" in str(refused.value)
            assert emulator.rejected_429 == 1 and emulator.sent_count() == 3
            # Edits do not count against the per-chat limit.
            sent = emulator.user(1001).last()
            await client.edit_message_text("edited", chat_id=1001, message_id=sent.message_id)
    finally:
        await emulator.stop()


def test_flood_limit_defaults_are_telegram() -> None:
    limits = FloodLimits.telegram()
    assert (limits.global_per_second, limits.global_window) == (30, 1.0)
    assert limits.private_per_second == 1.0
    assert limits.group_per_minute == 20
    assert not FloodLimits.disabled().enabled


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


GROUP = -100_123


def test_a_group_takes_at_most_20_messages_in_any_60_seconds() -> None:
    """Telegram's rule for a group is 20 messages a minute: a window of 60 seconds, not a
    bucket of 20 refilling on top (which would take 20 at once and one every 3 s after)."""
    clock = _Clock()
    gate = FloodGate(FloodLimits.telegram(), clock)
    assert [gate.admit(GROUP, is_group=True) for _ in range(20)] == [0] * 20
    assert gate.admit(GROUP, is_group=True) == 60
    clock.now += 3  # a bucket of 20 a minute would have a message's room again
    assert gate.admit(GROUP, is_group=True) == 57
    clock.now += 56.5
    assert gate.admit(GROUP, is_group=True) == 1  # retry_after is whole seconds, rounded up
    clock.now += 0.5  # the first 20 are 60 s old: out of the window
    assert [gate.admit(GROUP, is_group=True) for _ in range(20)] == [0] * 20
    assert gate.admit(GROUP, is_group=True) == 60
    # Another group, and a private chat, have windows and buckets of their own.
    assert gate.admit(GROUP - 1, is_group=True) == 0
    assert gate.admit(1001, is_group=False) == 0


def test_at_most_30_messages_leave_in_any_one_second_across_chats() -> None:
    """Telegram's overall rule is 30 messages within any one second: a window, like a
    group's, not a bucket of 30 refilling at 30 a second (which would take 30 at once and 15
    more half a second later, 45 within one second)."""
    clock = _Clock()
    gate = FloodGate(FloodLimits.telegram(), clock)
    # One message to each of 30 people: no chat's own limit is near.
    assert [gate.admit(2000 + n, is_group=False) for n in range(30)] == [0] * 30
    clock.now += 0.5
    assert gate.admit(3000, is_group=False) == 1
    clock.now += 0.4
    assert gate.admit(3000, is_group=False) == 1
    clock.now += 0.1  # the first 30 are one second old: out of the window
    assert [gate.admit(4000 + n, is_group=False) for n in range(30)] == [0] * 30
    assert gate.admit(3000, is_group=False) == 1
    # Paced evenly at nearly 30 a second, nothing is ever refused.
    clock.now += 1.0
    for n in range(300):
        assert gate.admit(5000 + n, is_group=False) == 0
        clock.now += 0.034


# RetryAfter warns about its future timedelta type even when only printed.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_an_albums_items_count_one_message_each_against_a_groups_limit(
    emu: BotApiEmulator, bot: Bot
) -> None:
    """Telegram sends an album's items as messages of their own, each under the flood limits:
    15 messages and a 5-photo album fill a group's 20 a minute; a second album must wait."""
    clock = _Clock()
    emu.clock = clock
    emu.flood_limits = FloodLimits.telegram()
    emu.group(GROUP, "城管局执勤群")
    for n in range(14):
        await bot.send_message(GROUP, f"第{n}条")
    clock.now += 10
    album = [InputMediaPhoto(bytes([n]) * 8) for n in range(5)]
    assert len(await bot.send_media_group(GROUP, album)) == 5
    clock.now += 1
    await bot.send_message(GROUP, "第20条")
    with pytest.raises(RetryAfter) as refused:
        await bot.send_media_group(GROUP, album[:2])
    # The first 14 leave the window 60 s after they were sent, 49 s from now.
    assert "Retry in 49 seconds" in str(refused.value)
    # A refused album sends none of its items and costs nothing.
    assert len(emu.messages(GROUP)) == 20 and emu.sent_count() == 16
    clock.now += 49
    assert len(await bot.send_media_group(GROUP, album[:2])) == 2


def test_an_album_counts_its_items_overall_and_empties_a_private_chats_burst() -> None:
    clock = _Clock()
    gate = FloodGate(FloodLimits.telegram(), clock)
    assert gate.admit(GROUP, is_group=True, count=10) == 0
    # Ten photos to one person go at once, and leave that chat no burst for a moment.
    assert gate.admit(1001, is_group=False, count=10) == 0
    assert gate.admit(1001, is_group=False) == 1
    # 20 of the second's 30 are taken: ten more messages fit, an eleventh does not.
    assert [gate.admit(2000 + n, is_group=False) for n in range(10)] == [0] * 10
    assert gate.admit(3000, is_group=False) == 1
    assert gate.admit(GROUP - 1, is_group=True, count=2) == 1


def test_setting_the_emulators_clock_back_blocks_no_chat() -> None:
    clock = _Clock()
    gate = FloodGate(FloodLimits.telegram(), clock)
    for _ in range(20):
        gate.admit(GROUP, is_group=True)
    for _ in range(3):
        gate.admit(1001, is_group=False)
    clock.now -= 86_400  # a test goes back to the night before
    assert gate.admit(GROUP, is_group=True) == 0
    clock.now += 1
    assert gate.admit(1001, is_group=False) == 0


def test_a_group_paced_evenly_at_20_a_minute_is_never_refused() -> None:
    clock = _Clock()
    gate = FloodGate(FloodLimits.telegram(), clock)
    for _ in range(100):
        assert gate.admit(GROUP, is_group=True) == 0
        clock.now += 3.0


def test_a_refused_message_costs_nothing() -> None:
    clock = _Clock()
    gate = FloodGate(FloodLimits.telegram(), clock)
    for _ in range(20):
        gate.admit(GROUP, is_group=True)
    for _ in range(50):
        assert gate.admit(GROUP, is_group=True) > 0
    clock.now += 60
    assert [gate.admit(GROUP, is_group=True) for _ in range(20)] == [0] * 20


# RetryAfter warns about its future timedelta type even when only printed.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_groups_flood_limit_runs_on_the_emulators_clock(
    emu: BotApiEmulator, bot: Bot
) -> None:
    clock = _Clock()
    emu.clock = clock
    emu.flood_limits = FloodLimits.telegram()
    emu.group(GROUP, "城管局执勤群")
    for n in range(20):
        await bot.send_message(GROUP, f"第{n}条")
    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(GROUP, "第21条")
    assert "Retry in 60 seconds" in str(refused.value)
    clock.now += 59
    with pytest.raises(RetryAfter):
        await bot.send_message(GROUP, "第21条")
    clock.now += 1
    await bot.send_message(GROUP, "第21条")
    assert emu.rejected_429 == 2 and emu.sent_count() == 21


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_injected_faults_map_to_ptb_errors(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(user_id=1001, first_name="Alice").started = True
    emu.inject_fault(Fault(kind="500", method="sendMessage"))
    with pytest.raises(NetworkError):
        await bot.send_message(1001, "a")
    emu.inject_fault(Fault(kind="502", count=2))
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(1001, "b")
    emu.inject_fault(Fault(kind="403_blocked", chat_id=1001))
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(1001, "c")
    emu.inject_fault(Fault(kind="403_deactivated", method="sendPhoto"))
    with pytest.raises(Forbidden, match="deactivated"):
        await bot.send_photo(1001, b"x")
    emu.inject_fault(Fault(kind="429", retry_after=7))
    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(1001, "d")
    assert "Retry in 7 seconds" in str(refused.value)
    emu.inject_fault(Fault(kind="400", description="Bad Request: nope"))
    with pytest.raises(BadRequest, match="Nope"):
        await bot.send_message(1001, "e")
    # Another chat's fault and spent faults leave calls alone.
    emu.inject_fault(Fault(kind="500", chat_id=5555))
    await bot.send_message(1001, "through")
    assert emu.user(1001).texts() == ["through"]

    emu.blocked_users.add(1001)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(1001, "f")
    emu.blocked_users.clear()
    assert emu.sent_count("sendMessage") == 1


async def test_timeout_fault_takes_effect_but_answers_late(emu: BotApiEmulator) -> None:
    """How tests use "timeout": give the bot a short read timeout and the emulator a longer
    delay; the message goes out, the bot sees TimedOut -- the ambiguous case to handle."""
    emu.user(user_id=1001, first_name="Alice").started = True
    emu.timeout_delay = 1.0
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(TOKEN, base_url=emu.base_url, request=request) as client:
        emu.inject_fault(Fault(kind="timeout", method="sendMessage"))
        with pytest.raises(TimedOut):
            await client.send_message(1001, "did it go?")
        assert emu.user(1001).texts() == ["did it go?"]
        emu.inject_fault(Fault(kind="timeout", method="sendMessage", effective=False))
        with pytest.raises(TimedOut):
            await client.send_message(1001, "lost")
        assert emu.user(1001).texts() == ["did it go?"]


async def test_latency_delays_every_call(emu: BotApiEmulator, bot: Bot) -> None:
    emu.latency = 0.3
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.3
    emu.latency = 0.0


async def test_webhook_makes_get_updates_conflict(emu: BotApiEmulator, bot: Bot) -> None:
    await bot.set_webhook("https://example.com/hook")
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_unknown_method_and_wrong_token(emu: BotApiEmulator, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    wrong = Bot("999:WRONG", base_url=emu.base_url)
    try:
        with pytest.raises(InvalidToken):
            await wrong.initialize()
    finally:
        await wrong.shutdown()


async def test_raw_answers_are_shaped_like_telegram(emu: BotApiEmulator) -> None:
    emu.user(user_id=1001, first_name="Alice").started = True
    root = f"http://127.0.0.1:{emu.port}/bot{TOKEN}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{root}/sendMessage", json={"chat_id": 1001, "text": "j"}) as r:
            assert r.status == 200
            body = await r.json()
            assert body["ok"] is True and body["result"]["text"] == "j"
        form = {"chat_id": "1001", "text": "f", "reply_markup": '{"inline_keyboard": []}'}
        async with http.post(f"{root}/sendmessage", data=form) as r:
            assert (await r.json())["result"]["text"] == "f"
        async with http.get(f"{root}/getMe") as r:
            assert (await r.json())["result"]["username"] == "emulated_bot" or r.status == 200
        async with http.post(f"{root}/nope") as r:
            assert r.status == 404
            assert await r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with http.post(f"http://127.0.0.1:{emu.port}/bot1:bad/getMe") as r:
            assert r.status == 401 and (await r.json())["error_code"] == 401
        async with http.post(f"{root}/sendMessage", json={"chat_id": 1, "text": "x"}) as r:
            assert r.status == 400
            assert await r.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: chat not found",
            }
    assert emu.calls[0] == ("sendMessage", {"chat_id": 1001, "text": "j"})
    assert emu.calls[1][1]["reply_markup"] == {"inline_keyboard": []}


async def test_application_polling_round_trip_and_quick_shutdown(emu: BotApiEmulator) -> None:
    alice = emu.user(user_id=1001, first_name="Alice")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=5)
    try:
        await alice.send_text("ping")
        await alice.send_text("pong")
        await eventually(lambda: len(alice.messages()) == 2, "two echoes")
        assert alice.texts() == ["echo: ping", "echo: pong"]
        await eventually(lambda: emu.pending_updates() == 0, "offsets to be confirmed")
    finally:
        started = time.monotonic()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert time.monotonic() - started < 3
    assert len(emu.delivered_update_ids) == 2
