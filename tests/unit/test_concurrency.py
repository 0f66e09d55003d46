"""The update processor: concurrent across chats, strictly ordered within one."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.concurrency import ChatOrderedUpdateProcessor


def _update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "u", is_bot=False)
    chat = Chat(chat_id, Chat.PRIVATE)
    message = Message(update_id, date=None, chat=chat, from_user=user, text="x")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_one_chat_in_order_many_chats_at_once() -> None:
    done: list[int] = []
    processor = ChatOrderedUpdateProcessor(64, on_done=lambda u: done.append(u.update_id))  # type: ignore[attr-defined]
    log: list[tuple[int, int]] = []
    running = 0
    peak = 0
    gate = asyncio.Event()

    async def work(chat: int, index: int, hold: bool) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        if hold:
            await gate.wait()
        await asyncio.sleep(0)
        log.append((chat, index))
        running -= 1

    tasks = []
    update_id = 0
    for index in range(5):
        for chat in range(10):
            update_id += 1
            hold = index == 0
            tasks.append(
                asyncio.create_task(
                    processor.process_update(_update(update_id, chat), work(chat, index, hold))
                )
            )
    for _ in range(20):
        await asyncio.sleep(0)
    assert peak == 10  # the first update of every chat runs at once; later ones wait their turn
    gate.set()
    await asyncio.gather(*tasks)
    for chat in range(10):
        assert [index for c, index in log if c == chat] == [0, 1, 2, 3, 4]
    assert len(done) == 50
    assert processor._locks == {}
