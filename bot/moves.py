"""The one table of what follows a shift moved to another time, in the domains above the
schedule (bot/services/schedule/shifts.py cannot import them): each entry is a service function
`run(session, shift_id, now, settings) -> int` run by ``shifts.edit`` in the edit's transaction
when the shift's start changed (or, for a row `on_end`, its end alone), in the order of this
table. Every caller of the edit hands it this table, so none can move a shift and forget what
follows; features add one row each."""

from __future__ import annotations

from bot.services.duty import reminders
from bot.services.rostering import acknowledge
from bot.services.schedule.shifts import AfterMove
from bot.services.swaps import jobs as swap_jobs

AFTER_MOVE: tuple[AfterMove, ...] = (
    # the open swap offers of its seats: agreed to the old hours (its end moved too, a taker
    # would get hours they never agreed to), their expiry counted from its start
    AfterMove(swap_jobs.void_for_moved_shift, on_end=True),
    # its seats' reminders, check-in notice and late nudge: due again at the new start
    AfterMove(reminders.rearm),
    # its assigned seats' ✅ 收到: given for the old hours (its end moved too, the hours are
    # not those acknowledged), to be given again, with a reminder
    AfterMove(acknowledge.unacknowledge_moved, on_end=True),
)
