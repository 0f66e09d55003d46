"""Whether the updates that waited in Telegram's queue while the bot was down, or while it and
Telegram could not reach each other, are all stored in the inbox. Until then the no-show job
waits (bot/scheduler.py)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram.error import TelegramError

from bot.runtime import Runtime
from bot.services.platform import inbox

if TYPE_CHECKING:
    from telegram import Bot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeldBound:
    """Taken at a tick: no update Telegram held then had an update_id above `update_id`, and
    none created since the moment `at` (read before asking Telegram) has one at or below it."""

    update_id: int
    at: dt.datetime


class Backlog:
    """By long polling the poll loop keeps `received`: true after a batch short of full, false
    after a failed fetch. With the webhook `ask_telegram` keeps it."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        # The updates that waited while the bot was down are in the inbox (polling: a batch
        # short of full was stored, and no fetch failed since; webhook: Telegram had none
        # pending, and has not failed to deliver one since).
        self.received = False
        # Webhook: when Telegram was last seen delivering (an update stored, or none pending).
        self.delivered_at: dt.datetime | None = None
        # Webhook: every update_id up to this one is stored or no longer held by Telegram; at
        # start looked for once among the updates received longer ago than Telegram keeps one.
        self._received_through: int | None = None
        self._looked_back = False
        # Webhook: at a tick Telegram held updates; none of them had an id above this bound.
        self._held_bound: HeldBound | None = None

    async def ask_telegram(self, bot: Bot) -> bool:
        """With the webhook: Telegram is asked (once a tick). An update counts as pending until
        its POST was answered 200, after its commit: none pending, the backlog is in. Some
        pending is the ordinary traffic under way, unless Telegram reports a failed delivery
        since the last one seen to go through (it cannot reach the bot): then what volunteers
        send waits in its queue, and the backlog is not in. Compared to the second, a failure in
        the second of a delivery counts as after it: the no-show rather waits a tick than judges
        without what Telegram holds. While Telegram cannot be asked: False.

        The backlog is in again once none is pending, or, since traffic that never stops may
        never leave Telegram's queue empty at a tick, once every update Telegram held at an
        earlier tick is stored. Telegram says only how many it holds, not which; but it numbers
        updates one after another, so at a tick none it holds has an id above the highest one
        stored plus the number pending (`HeldBound`), and every id up to that bound stored
        means all of them are in. That is not enough while deliveries fail: an update that
        failed after the bound was taken may be newer and held still, waiting for Telegram to
        try it again. So it also takes that Telegram reports no failure since then (to the
        second). The ids are counted from one below which all are known to be in: the highest
        stored when Telegram last held none, or when such a bound was last reached, or, at
        start, the highest one received longer ago than Telegram keeps an update. An id that
        never comes (a gap in Telegram's numbering) leaves the old rule: none pending. Each
        tick takes a new bound, as the last one may count an update twice (one Telegram sends
        again) or one held below the highest stored: it is reached a tick later then."""
        asked_at = self.runtime.clock.now()
        async with self.runtime.db.read_session() as session:
            # Read before asking: if Telegram then holds nothing, every id up to it is in.
            highest = await inbox.highest_id(session)
            if self._received_through is None and not self._looked_back:
                self._looked_back = True
                self._received_through = await inbox.highest_id(
                    session, received_before=asked_at - inbox.TELEGRAM_KEEPS
                )
        try:
            info = await bot.get_webhook_info()
        except TelegramError as error:
            log.warning("cannot ask Telegram for the updates it holds (%s)", error)
            return False
        if info.pending_update_count == 0:
            self.received = True
            self.delivered_at = self.runtime.clock.now()
            if highest is not None:
                self._received_through = max(highest, self._received_through or highest)
            self._held_bound = None
            return True
        if await self._held_updates_received(info.last_error_date):
            if not self.received:
                log.info("the updates Telegram held are in, though it holds newer ones")
            self.received = True
        elif self.received and self._webhook_failing(info.last_error_date):
            log.warning(
                "Telegram holds %s updates and cannot deliver them (%s); no one is marked absent "
                "until they are in",
                info.pending_update_count,
                info.last_error_message,
            )
            self.received = False
        async with self.runtime.db.read_session() as session:
            # Read after asking: any update stored meanwhile only raises the bound.
            highest = await inbox.highest_id(session)
        if highest is not None:
            self._held_bound = HeldBound(highest + info.pending_update_count, asked_at)
        return self.received

    async def _held_updates_received(self, last_error: dt.datetime | None) -> bool:
        """Every update Telegram held when the last bound was taken is stored, and none failed
        since (then it may hold a newer one)."""
        bound, complete = self._held_bound, self._received_through
        if bound is None or complete is None:
            return False
        if last_error is not None and last_error + dt.timedelta(seconds=1) > bound.at:
            return False
        async with self.runtime.db.read_session() as session:
            if not await inbox.holds_every_id(session, complete, bound.update_id):
                return False
        self._received_through = max(complete, bound.update_id)
        return True

    def _webhook_failing(self, last_error: dt.datetime | None) -> bool:
        if last_error is None:
            return False
        if self.delivered_at is None:
            return True
        return last_error >= self.delivered_at.replace(microsecond=0)
