"""Writes of one row sent as one Core statement, the object left as a load would leave it.

The unit of work's flush costs several times the statement it sends: it walks the history of
every attribute of every object it holds, sorts their mappers and fetches defaults afterwards.
In a check-in burst the flushes of the four rows each check-in writes (the dialogue started,
the check-in, its assignment's status, the dialogue ended) cost more than the two reads
before them. These helpers send the statement at once, built once per table and column set,
and keep the session's object consistent with the row: persistent, with nothing pending.

Only for tables of one mapper whose rows no relationship cascades to; the caller's other
changes are flushed first, as before any statement the session executes. An inserted object
joins the session as if it had been loaded, so a rollback does not take it out again: the
session must end with its transaction, as `Database.session()` does (no savepoints).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar, cast

from sqlalchemy import (
    Column,
    ColumnDefault,
    ColumnElement,
    Delete,
    Insert,
    Table,
    Update,
    bindparam,
    delete,
    insert,
    update,
)
from sqlalchemy import inspect as inspect_mapper
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper, attributes, make_transient_to_detached

T = TypeVar("T")

_KEY_PREFIX = "pk_"


def _mapper(cls: type[Any]) -> Mapper[Any]:
    mapper: Mapper[Any] = inspect_mapper(cls)
    return mapper


def _table(mapper: Mapper[Any]) -> Table:
    return cast(Table, mapper.local_table)


_INSERTS: dict[tuple[type[Any], tuple[str, ...]], Insert] = {}
_UPDATES: dict[type[Any], Update] = {}
_DELETES: dict[type[Any], Delete] = {}
_CONDITIONAL_UPDATES: dict[
    tuple[type[Any], int], tuple[tuple[ColumnElement[bool], ...], Update]
] = {}


def _insert(cls: type[Any], returning: tuple[str, ...]) -> Insert:
    statement = _INSERTS.get((cls, returning))
    if statement is None:
        table = _table(_mapper(cls))
        statement = insert(table)
        if returning:
            statement = statement.returning(*(table.c[name] for name in returning))
        _INSERTS[cls, returning] = statement
    return statement


def _by_key(table: Table) -> list[Any]:
    return [column == bindparam(_KEY_PREFIX + column.name) for column in table.primary_key]


def _update(cls: type[Any]) -> Update:
    statement = _UPDATES.get(cls)
    if statement is None:
        table = _table(_mapper(cls))
        statement = _UPDATES[cls] = update(table).where(*_by_key(table))
    return statement


def _delete(cls: type[Any]) -> Delete:
    statement = _DELETES.get(cls)
    if statement is None:
        table = _table(_mapper(cls))
        statement = _DELETES[cls] = delete(table).where(*_by_key(table))
    return statement


@dataclass(frozen=True)
class _Column:
    attribute: str
    column: str
    # What a new row gets when the object has no value: a Python default (`factory` makes it),
    # the database's (read back with RETURNING), or NULL.
    factory: Callable[[], Any] | None
    from_database: bool


_PLANS: dict[type[Any], tuple[_Column, ...]] = {}


def _same(value: Any) -> Any:
    return value


def _plan(cls: type[Any]) -> tuple[_Column, ...]:
    """The columns of `cls` and their defaults, worked out once per class. A callable default
    is called without an execution context (one that reads the statement is not supported)."""
    plan = _PLANS.get(cls)
    if plan is None:
        columns = []
        for prop in _mapper(cls).column_attrs:
            column = cast(Column[Any], prop.columns[0])
            default = column.default
            factory: Callable[[], Any] | None = None
            if isinstance(default, ColumnDefault) and default.is_callable:
                factory = partial(default.arg, None)
            elif isinstance(default, ColumnDefault) and default.is_scalar:
                factory = partial(_same, default.arg)
            from_database = factory is None and (
                column.server_default is not None
                or (column.primary_key and column.autoincrement in (True, "auto"))
            )
            columns.append(_Column(prop.key, str(column.key), factory, from_database))
        plan = _PLANS[cls] = tuple(columns)
    return plan


def _key_params(mapper: Mapper[Any], obj: object) -> dict[str, Any]:
    identity = mapper.primary_key_from_instance(obj)
    if any(value is None for value in identity):
        raise ValueError(f"{type(obj).__name__} has no primary key to write by")
    return {
        _KEY_PREFIX + column.name: value
        for column, value in zip(mapper.primary_key, identity, strict=True)
    }


async def insert_row(session: AsyncSession, obj: T) -> T:
    """INSERT `obj` (a new object, not added to the session) and add it as persistent.

    Columns it has no value for get their Python default, else NULL; a primary key or server
    default left unset comes back with RETURNING. Relationships it should know must be set
    before: the others are left unloaded."""
    state = attributes.instance_state(obj)
    if state.key is not None or state.session_id is not None:
        raise ValueError(f"{type(obj).__name__} is not a new object")
    given = state.dict
    values: dict[str, Any] = {}
    # (attribute, column) of what the database fills in.
    returning: list[tuple[str, str]] = []
    for column in _plan(type(obj)):
        if column.attribute in given:
            values[column.column] = given[column.attribute]
        elif column.from_database:
            returning.append((column.attribute, column.column))
        else:
            value = column.factory() if column.factory is not None else None
            setattr(obj, column.attribute, value)
            values[column.column] = value
    result = await session.execute(
        _insert(type(obj), tuple(column for _, column in returning)), values
    )
    if returning:
        row = result.one()
        for (key, _), value in zip(returning, row, strict=True):
            setattr(obj, key, value)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


async def update_row(session: AsyncSession, obj: object, **values: Any) -> None:
    """UPDATE the row of persistent `obj` with `values` (attribute: value), and let `obj` hold
    them as loaded."""
    await update_row_if(session, obj, (), **values)


async def update_row_if(
    session: AsyncSession,
    obj: object,
    where: Sequence[ColumnElement[bool]],
    /,
    **values: Any,
) -> bool:
    """`update_row`, of a row that still meets `where` when written: the database judges it
    then, after any change another transaction made since the row was read. Whether it did."""
    mapper = _mapper(type(obj))
    statement = _update(type(obj)).where(*where) if where else _update(type(obj))
    if not await _execute(session, mapper, statement, _key_params(mapper, obj), values, where):
        return False
    for key, value in values.items():
        attributes.set_committed_value(obj, key, value)
    return True


async def update_by_key(
    session: AsyncSession, cls: type[Any], key: tuple[Any, ...], **values: Any
) -> None:
    """UPDATE the row of `cls` whose primary key is `key` with `values` (attribute: value),
    for a caller that read the row without the ORM; should the session hold the row's object,
    it holds the new values as loaded."""
    await update_by_key_if(session, cls, key, (), **values)


async def update_by_key_if(
    session: AsyncSession,
    cls: type[Any],
    key: tuple[Any, ...],
    where: Sequence[ColumnElement[bool]],
    /,
    **values: Any,
) -> bool:
    """`update_by_key`, of a row that still meets `where` when written (as `update_row_if`);
    whether it did."""
    statement = _update(cls).where(*where) if where else _update(cls)
    return await _update_by_key(session, cls, key, statement, {}, values, where)


async def update_where(
    session: AsyncSession,
    cls: type[Any],
    key: tuple[Any, ...],
    where: tuple[ColumnElement[bool], ...],
    bound: dict[str, Any],
    /,
    **values: Any,
) -> bool:
    """`update_by_key_if` with conditions built once (a module constant) whose own parameters,
    bound by name, come in `bound`: the statement is composed and compiled once per `where`,
    not on every call, for a hot path. Whether the row met them."""
    # By identity (clauses do not compare with ==), kept beside its statement so that another
    # tuple given the id of one no longer alive never finds the wrong one.
    cache_key = (cls, id(where))
    cached = _CONDITIONAL_UPDATES.get(cache_key)
    if cached is None or cached[0] is not where:
        cached = _CONDITIONAL_UPDATES[cache_key] = (where, _update(cls).where(*where))
    return await _update_by_key(session, cls, key, cached[1], bound, values, where)


async def _update_by_key(
    session: AsyncSession,
    cls: type[Any],
    key: tuple[Any, ...],
    statement: Update,
    bound: dict[str, Any],
    values: dict[str, Any],
    where: Sequence[ColumnElement[bool]],
) -> bool:
    """The row of `cls` by `key`, written with `statement`; the session's object of it, if it
    holds one, follows."""
    mapper = _mapper(cls)
    params = {
        _KEY_PREFIX + column.name: value
        for column, value in zip(mapper.primary_key, key, strict=True)
    } | bound
    if not await _execute(session, mapper, statement, params, values, where):
        return False
    held = session.sync_session.identity_map.get(mapper.identity_key_from_primary_key(key))
    if held is not None:
        for name, value in values.items():
            attributes.set_committed_value(held, name, value)
    return True


async def _execute(
    session: AsyncSession,
    mapper: Mapper[Any],
    statement: Update,
    params: dict[str, Any],
    values: dict[str, Any],
    where: Sequence[ColumnElement[bool]],
) -> bool:
    for key, value in values.items():
        params[mapper.column_attrs[key].columns[0].key] = value
    result = await session.execute(statement, params)
    # One row by its key: a count other than 1 means a condition left it alone.
    return not where or cast(CursorResult[Any], result).rowcount == 1


async def delete_row(session: AsyncSession, obj: object) -> None:
    """DELETE the row of persistent `obj` and take `obj` out of the session."""
    mapper = _mapper(type(obj))
    await session.execute(_delete(type(obj)), _key_params(mapper, obj))
    session.expunge(obj)
