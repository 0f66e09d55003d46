"""Long polling's pieces: one getUpdates read an update at a time, and the growing pauses after
a failed one (the loop that uses them is `Intake.poll`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from typing import TYPE_CHECKING, Any

from telegram import Update

from bot.intake.received import Received

if TYPE_CHECKING:
    from telegram import Bot

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 30
# A long poll may take this much longer than its timeout to answer.
READ_TIMEOUT_SLACK_SECONDS = 5
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 30.0
# The most updates one getUpdates brings (Telegram's maximum).
FETCH_LIMIT = 100


def backoff(failures: int) -> float:
    return float(min(BACKOFF_FIRST_SECONDS * 2 ** max(failures - 1, 0), BACKOFF_CAP_SECONDS))


async def wait_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=max(seconds, 0.0))


async def fetch_updates(
    bot: Bot, offset: int | None, timeout: int, *, clear_webhook: bool = False
) -> tuple[list[Received], list[dict[str, Any]], int | None]:
    """One getUpdates: (the updates, those PTB cannot read, the last update_id). Read one by
    one, so that a single update this PTB cannot read (a newer Bot API field, say) is set
    aside instead of stopping every update behind it. `clear_webhook` first turns off
    webhook delivery (Telegram refuses getUpdates while a webhook is set): in the fetch, so
    that its failure is retried like the fetch's own rather than ending the polling."""
    if clear_webhook:
        await bot.delete_webhook(drop_pending_updates=False)
    with warnings.catch_warnings():
        # PTB would rather have get_updates(), which reads the whole batch or nothing.
        warnings.simplefilter("ignore")
        raw = await bot.do_api_request(
            "getUpdates",
            api_kwargs={
                "offset": offset,
                "limit": FETCH_LIMIT,
                "timeout": timeout,
                "allowed_updates": list(Update.ALL_TYPES),
            },
            read_timeout=timeout + READ_TIMEOUT_SLACK_SECONDS,
        )
    updates: list[Received] = []
    unreadable: list[dict[str, Any]] = []
    for data in raw or []:
        try:
            update = Update.de_json(data, bot)
        except Exception as error:
            log.error("update %s cannot be read (%s); set aside", data.get("update_id"), error)
            unreadable.append(data)
            continue
        if update is not None:
            updates.append(Received(update, data))
    last = max((int(data["update_id"]) for data in raw or []), default=None)
    return updates, unreadable, last
