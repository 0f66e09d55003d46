"""Waiting, in a race test, until a second transaction waits for the first one's lock."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from tests.harness import Harness

# The statements a second transaction waits at, as PostgreSQL shows them in pg_stat_activity: the
# lock on a member's row (`tags._lock_tags`, `seats.lock_members`), or, for a tagging without
# it, the insert of the tag the first has inserted and not committed. Any other waiter (another
# test's, a job's) is not the race.
MEMBER_LOCK = "SELECT members.id%FROM members %WHERE members.id % FOR UPDATE%"


TAG_INSERT = "INSERT INTO member_tags %"

# The lock on a shift's row (`seats.lock`).
SHIFT_LOCK = "SELECT shifts.% FOR UPDATE OF shifts%"


async def until_another_waits_for_a_member_lock(harness: Harness, lock: str = MEMBER_LOCK) -> None:
    """On PostgreSQL, return once another transaction waits for a lock at `MEMBER_LOCK` or
    `TAG_INSERT` (the second of two racing writes, at its lock when fixed, at its insert when not);
    SQLite's writers already take turns on the one write connection, so the second has not
    begun and there is nothing to wait for."""
    if harness.database.is_sqlite:
        return
    async with harness.database.engine.connect() as watcher:
        # Real time, bounded: the second press is a few statements away (slower on a loaded
        # machine); the bound only turns a hang into a failure.
        for _ in range(3000):
            waiting = await watcher.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database()"
                    " AND (query LIKE :lock OR query LIKE :insert)"
                ),
                {"lock": lock, "insert": TAG_INSERT},
            )
            if waiting:
                return
            # PostgreSQL keeps one snapshot of pg_stat_activity per transaction: end it, or
            # every later read shows the moment of the first.
            await watcher.rollback()
            await asyncio.sleep(0.01)
        seen = (
            await watcher.execute(
                text(
                    "SELECT pid, datname, state, wait_event_type, wait_event, left(query, 80)"
                    " FROM pg_stat_activity WHERE backend_type = 'client backend'"
                )
            )
        ).all()
    raise AssertionError(f"the second press never waited for the first: {seen}")
