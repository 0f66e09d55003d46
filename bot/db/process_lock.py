"""On SQLite one bot process is the rule (issue 5): two processes would both send the outbox,
since SQLite has no row locks to share it out. The process that runs the bot holds an exclusive
lock on a file beside the database; a second one finds it taken and refuses to start with a
clear message. On PostgreSQL several processes may run: the one holding an advisory lock sends
the outbox (bot/db/leadership.py), with row claims (SKIP LOCKED) as a second guard."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

from bot.settings import SettingsError, StartupError


def sqlite_path(database_url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory SQLite."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database))


def hold_single_process_lock(database_url: str) -> IO[str] | None:
    """Take the one-process lock of a SQLite database, for as long as the returned file stays
    open (the process's life). Raises SettingsError naming the holder when it is taken."""
    path = sqlite_path(database_url)
    if path is None:
        return None
    lock_path = path.with_name(path.name + ".lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_path.open("a+", encoding="utf-8")
    except OSError as error:
        raise StartupError(
            f"cannot write in {lock_path.parent} ({error.strerror}): the bot keeps its SQLite "
            "database and lock file there; make the folder writable for this user, or set "
            "DATABASE_URL to a file in a writable folder"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise SettingsError(
            f"another dutybot process (pid {holder}) is already running on {path}; on SQLite "
            "only one may run: stop it first, or use PostgreSQL (DATABASE_URL) to run several"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
