"""The scheduler tick: ask the database what is due and enqueue it (DESIGN principle 4).

Nothing is kept in memory between ticks: each job in bot/due.py looks at the clock and the
tables and writes outbox messages under keys unique to the occasion. A tick that runs twice,
a second process, or the first tick after downtime therefore neither repeats nor skips.
"""

from __future__ import annotations

import logging

from bot import metrics
from bot.due import DUE_JOBS, DueJob
from bot.runtime import Runtime

log = logging.getLogger(__name__)


@metrics.timed_tick
async def tick(
    runtime: Runtime, jobs: tuple[DueJob, ...] | None = None, *, backlog_received: bool = True
) -> int:
    """Run every due job once at the clock's now, each in its own transaction, so one job's
    failure neither rolls back nor stops the others. Returns the number of messages queued.

    Until the bot has received the updates that waited while it was down (`backlog_received`,
    bot/intake/), the jobs that judge from what people have not sent (the no-show) wait: a
    location sent on time may be among them. A later tick runs them."""
    now = runtime.clock.now()
    queued = 0
    for job in DUE_JOBS if jobs is None else jobs:
        if job.after_backlog and not backlog_received:
            log.info("scheduled job %s waits for the updates received while down", job.name)
            continue
        try:
            if job.run_with_db is not None:
                queued += await job.run_with_db(runtime.db, now, runtime.settings)
                continue
            assert job.run is not None
            async with runtime.db.session() as session:
                queued += await job.run(session, now, runtime.settings)
        except Exception:
            log.exception("scheduled job %s failed at %s", job.name, now.isoformat())
    return queued
