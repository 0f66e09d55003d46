"""``seldom(condition)``: the condition, marked for SQLite's query planner as true for few rows.

A live bot's SQLite database has no statistics (nothing runs ANALYZE), and without them the
planner reads a window of start times through its index, as it should. With statistics, as
after an ANALYZE by hand or in the benchmarks, it cannot tell that such a window is narrow
(it knows no distribution, only averages) and drives from the partial index of every seat
still held instead: 17 ms a tick for each job around a shift's start, against 1 ms, on a city
with 25,000 upcoming seats. PostgreSQL knows the distribution; it gets the condition as it is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import operators
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.sqltypes import NullType

# SQLite's likelihood() takes a constant; a tenth of a percent: a window of hours in a year.
PROBABILITY = 0.001


class seldom(FunctionElement[Any]):
    # Not Boolean: SQLAlchemy would compare a Boolean function with 1 on SQLite (no native
    # booleans), and SQLite uses no index for `likelihood(...) = 1`.
    type = NullType()
    inherit_cache = True
    name = "seldom"


@compiles(seldom)
def _as_it_is(element: seldom, compiler: SQLCompiler, **kw: Any) -> str:
    # In brackets where it needs them, as it stands among others joined by AND.
    (condition,) = element.clauses.clauses
    return compiler.process(condition.self_group(against=operators.and_), **kw)


@compiles(seldom, "sqlite")
def _sqlite(element: seldom, compiler: SQLCompiler, **kw: Any) -> str:
    return f"likelihood({compiler.process(element.clauses, **kw)}, {PROBABILITY})"
