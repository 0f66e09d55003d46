"""Rows read with Core, held by the session as if the ORM had loaded them.

Loading through the ORM builds its row processors anew on every execution, one per mapper and
eager loader. For the member read at the start of every turn (the member with unit, roles, tags
and open dialogue) that cost about twice the statement itself. A caller that reads the columns
with one Core statement hands each row's values here and gets the objects a load would have
given: persistent, nothing pending, the relationships it names set as loaded. The session's
identity map is kept: an object it holds already is returned as it is, as a load returns it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Column, Table
from sqlalchemy import inspect as inspect_mapper
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper, attributes, make_transient_to_detached

T = TypeVar("T")


@dataclass(frozen=True)
class _Shape:
    mapper: Mapper[Any]
    columns: tuple[Column[Any], ...]
    attributes: tuple[str, ...]
    key_positions: tuple[int, ...]


_SHAPES: dict[type[Any], _Shape] = {}


def _shape(cls: type[Any]) -> _Shape:
    shape = _SHAPES.get(cls)
    if shape is None:
        mapper: Mapper[Any] = inspect_mapper(cls)
        table = cast(Table, mapper.local_table)
        columns = tuple(table.columns)
        shape = _Shape(
            mapper=mapper,
            columns=columns,
            attributes=tuple(mapper.get_property_by_column(column).key for column in columns),
            key_positions=tuple(columns.index(column) for column in mapper.primary_key),
        )
        _SHAPES[cls] = shape
    return shape


def columns(cls: type[Any]) -> tuple[Column[Any], ...]:
    """The columns to select for `cls`, in the order `adopt` takes their values."""
    return _shape(cls).columns


def adopt(session: AsyncSession, cls: type[T], values: Sequence[Any], **related: Any) -> T:
    """The object of `cls` whose columns hold `values` (in the order of `columns(cls)`), as the
    session holds it: the one it holds already, else a new persistent one without pending
    changes. `related` sets relationships (an object, None or a list of objects, each adopted
    or loaded before) as loaded, on a held object only those it has not loaded."""
    shape = _shape(cls)
    identity = shape.mapper.identity_key_from_primary_key(
        tuple(values[position] for position in shape.key_positions)
    )
    held = session.sync_session.identity_map.get(identity)
    if held is not None:
        # As a load does: what the held object has is kept, what it lacks is filled in.
        loaded = attributes.instance_state(held).dict
        for name, value in related.items():
            if name not in loaded:
                attributes.set_committed_value(held, name, value)
        return cast(T, held)
    obj = shape.mapper.class_manager.new_instance()
    # The state's dict, written without instrumentation: what a load does, no history.
    attributes.instance_state(obj).dict.update(zip(shape.attributes, values, strict=True))
    make_transient_to_detached(obj)
    for name, value in related.items():
        attributes.set_committed_value(obj, name, value)
    session.add(obj)
    return cast(T, obj)
