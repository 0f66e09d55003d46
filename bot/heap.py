"""The garbage collector and a long-running bot.

CPython's collector now and then makes a full pass over every object the process holds, and
holds the GIL while it does: every thread, the event loop among them, stops. After start-up the
bot holds a quarter of a million objects that live as long as it does (modules, classes,
functions, the tables of SQLAlchemy and PTB); a full pass over them took 100 ms on an idle
machine and 400 ms on a busy one, the longest wait an unrelated chat had while a report was
built. `freeze_start_up()` moves them out of the collector's sight once start-up is over, so
that a full pass looks only at what was made since.
"""

from __future__ import annotations

import gc


def freeze_start_up() -> int:
    """Collect what start-up left over, then exempt every object alive now from the
    collector's passes; returns how many that is. Call once, when start-up is over."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def thaw() -> None:
    """Give the frozen objects back to the collector (a process that keeps running after its
    bot stopped, such as a test session)."""
    gc.unfreeze()
