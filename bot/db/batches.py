"""Long IN lists cut into statements of a safe size: SQLite builds before 3.32 allow at most 999
bound parameters in one statement, and a few are left for the rest of the query."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

IN_LIST_MAX = 900


def in_chunks(values: Sequence[int], size: int = IN_LIST_MAX) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
