"""The inbox: updates are durable before they are acknowledged (DESIGN principle 6).

An update is stored here before Telegram is told it was received (the next getUpdates offset,
or the webhook's 200). It is marked handled in the transaction of the change it causes, with
the answer to send (the rows of `bot/answers.py`, opaque here); once the answer went out it is
marked done. So a process killed at any moment leaves rows that say exactly what is left: updates
to handle (`received`) and answers to send (`answering`). Done rows are kept for a while so a
late redelivery is recognised (Telegram keeps an unconfirmed update for 24 hours), then pruned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Select,
    String,
    Table,
    bindparam,
    case,
    column,
    delete,
    func,
    null,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from bot.db.models import InboxStatus, InboxUpdate
from bot.db.processes import connected_names

# Telegram keeps an update it could not deliver this long, then drops it.
TELEGRAM_KEEPS = dt.timedelta(hours=24)
# Done rows are kept this long: longer than Telegram keeps an update it may send again.
KEEP = dt.timedelta(days=2)
Answer = list[Any]


_INBOX = cast(Table, InboxUpdate.__table__)


# Built once per dialect: every received batch runs it.
_STORE = {
    name: insert(_INBOX)
    .on_conflict_do_nothing(index_elements=["update_id"])
    .returning(_INBOX.c.update_id)
    for name, insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))
}


# Built once, as a Core statement on the table: every update runs it, and building it anew
# cost more than running it (as did the ORM's bulk-update bookkeeping before that); no
# InboxUpdate object is loaded in a turn.
_HANDLED = (
    update(_INBOX)
    .where(_INBOX.c.update_id == bindparam("id"), _INBOX.c.status == InboxStatus.RECEIVED)
    .values(
        status=bindparam("to"),
        done_at=bindparam("at"),
        payload=None,
        answer=bindparam("answer_rows"),
    )
)


def _store_statement(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return _STORE["postgresql" if dialect == "postgresql" else "sqlite"]


async def store(
    session: AsyncSession,
    updates: Sequence[tuple[int, dict[str, Any]]],
    now: dt.datetime,
    worker: str,
) -> set[int]:
    """Store received updates (update_id, the update as Telegram sent it); returns the ids that
    are new. An id stored before (Telegram sent it again) is left as it is."""
    if not updates:
        return set()
    # One statement with a parameter list: SQLAlchemy's insertmanyvalues batches it into
    # multi-row INSERTs from one cached compilation, where `.values([...])` compiled a new
    # statement for every batch size (most of the cost of storing a burst).
    result = await session.execute(
        _store_statement(session),
        [
            {
                "update_id": update_id,
                "status": InboxStatus.RECEIVED,
                "payload": payload,
                "received_at": now,
                "worker": worker[:64],
            }
            for update_id, payload in updates
        ],
    )
    return set(result.scalars().all())


async def received_at(session: AsyncSession, update_id: int) -> dt.datetime | None:
    """When the update was stored, or None for one that did not pass the inbox. For an update
    Telegram puts no time on (a button press) it is the nearest time known to its sending: it
    leaves out the wait in the inbox (a crash, a backlog), not the wait in Telegram's queue."""
    stored: dt.datetime | None = await session.scalar(
        select(_INBOX.c.received_at).where(_INBOX.c.update_id == update_id)
    )
    return stored


async def handled(
    session: AsyncSession, update_id: int, now: dt.datetime, answer: Answer | None = None
) -> bool:
    """Mark a received update handled, with `answer` (what to tell the person, sent after the
    commit), in the caller's transaction: the one of the change the update caused, last thing
    before its commit, or one of its own when nothing changed (none took the update, or it was
    refused, or it failed and all it did was rolled back). False when it had been handled
    before: the caller must then roll back whatever it did. Recording at the end rather than
    claiming first saves a statement on every update; two processes that handle one update at
    once (a row left by a dead worker) both run the handler, and only the first commit counts,
    as the second one's conditional update finds the row taken (on PostgreSQL it waits for the
    first transaction to end, then finds the row changed)."""
    status = InboxStatus.ANSWERING if answer else InboxStatus.DONE
    result = await session.execute(
        _HANDLED,
        {"id": update_id, "to": status, "at": now, "answer_rows": answer or None},
    )
    if getattr(result, "rowcount", 0):
        return True
    known = await session.scalar(select(_INBOX.c.update_id).where(_INBOX.c.update_id == update_id))
    if known is not None:
        return False
    # An update handed to the Application without passing the inbox: recorded as it is handled.
    session.add(
        InboxUpdate(
            update_id=update_id, status=status, received_at=now, done_at=now, answer=answer or None
        )
    )
    try:
        await session.flush()
    except IntegrityError:
        # Another worker holds the same update and committed first; the caller aborts.
        return False
    return True


async def answered(session: AsyncSession, update_ids: Iterable[int]) -> None:
    """The answers of these updates went out."""
    ids = list(update_ids)
    if ids:
        await session.execute(
            update(_INBOX)
            .where(_INBOX.c.update_id.in_(ids), _INBOX.c.status == InboxStatus.ANSWERING)
            .values(status=InboxStatus.DONE, answer=None)
        )


async def keep_unsent(session: AsyncSession, update_id: int, rest: Answer) -> None:
    """Part of an answer went out; the rest waits for the next attempt."""
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id, InboxUpdate.status == InboxStatus.ANSWERING)
        .values(answer=rest)
    )


async def left_over(
    session: AsyncSession,
    status: InboxStatus,
    *,
    before: dt.datetime | None = None,
    limit: int = 500,
) -> list[InboxUpdate]:
    """Updates received but not handled, or handled with an answer not yet sent, oldest first;
    with `before`, only those received (handled) before then."""
    query = select(InboxUpdate).where(InboxUpdate.status == status)
    if before is not None:
        moment = InboxUpdate.received_at if status is InboxStatus.RECEIVED else InboxUpdate.done_at
        query = query.where(moment < before)
    rows = await session.scalars(query.order_by(InboxUpdate.update_id).limit(limit))
    return list(rows)


class _JsonObject(FunctionElement[Any]):
    """The stored JSON where it is an object, else NULL, which json_each takes as nothing:
    PostgreSQL's json_each raises on an array or a scalar, and SQLite's on text that is no
    JSON; one such row would fail the no-show at every tick. CASE, not a condition beside the
    call, since neither database promises which it evaluates first."""

    type = JSON()
    inherit_cache = True
    name = "json_object"


class _SenderId(FunctionElement[int]):
    """The integer ``from.id`` of an update's part (json_each's value, and on SQLite its type),
    else NULL: a part that is no object, or an id that is no integer, names nobody rather than
    failing the cast on PostgreSQL or the extraction on SQLite."""

    type = BigInteger()
    inherit_cache = True
    name = "sender_id"


def _arguments(element: FunctionElement[Any]) -> list[ColumnElement[Any]]:
    return list(element.clauses.clauses)


@compiles(_JsonObject)
def _sqlite_json_object(element: _JsonObject, compiler: SQLCompiler, **kw: Any) -> str:
    [value] = _arguments(element)
    checked = case(
        (func.json_valid(value) == 0, null()),
        (func.json_type(value) == "object", value),
    )
    return compiler.process(checked, **kw)


@compiles(_JsonObject, "postgresql")
def _postgresql_json_object(element: _JsonObject, compiler: SQLCompiler, **kw: Any) -> str:
    [value] = _arguments(element)
    return compiler.process(case((func.json_typeof(value) == "object", value)), **kw)


@compiles(_SenderId)
def _sqlite_sender_id(element: _SenderId, compiler: SQLCompiler, **kw: Any) -> str:
    value, kind = _arguments(element)
    # A part that is a string comes as bare text, which SQLite's JSON functions refuse.
    sender = case(
        (kind != "object", null()),
        (
            func.json_type(value, "$.from.id") == "integer",
            func.json_extract(value, "$.from.id").cast(BigInteger),
        ),
    )
    return compiler.process(sender, **kw)


@compiles(_SenderId, "postgresql")
def _postgresql_sender_id(element: _SenderId, compiler: SQLCompiler, **kw: Any) -> str:
    value, _ = _arguments(element)
    # The path gives NULL where the part or its `from` is no object; 1.5 or 1e30 would not cast.
    sender = value[("from", "id")]
    digits = sender.as_string()
    integer = (func.json_typeof(sender) == "number") & digits.regexp_match("^-?[0-9]{1,18}$")
    return compiler.process(case((integer, digits.cast(BigInteger))), **kw)


def unhandled_senders() -> Select[int]:
    """The Telegram ids of whoever sent an update that is stored and not yet handled (by this
    process or another), as a subquery for the statement that asks: one statement, however
    many are waiting, not a bound parameter each (PostgreSQL takes at most 32,767). Such rows
    are few but after an outage or a crash (the index of open rows finds them); only they keep
    their update. A stored payload that is no Telegram update (not an object, a part that is
    no object, an id that is no integer) names nobody.

    The sender is the ``from`` of the update's part, read from the stored JSON by SQLite and
    PostgreSQL alike. Only what the bot's handlers take can be a check-in (bot/app.py): a
    message (a location, a photo), an edited message (a live location moving) and a button's
    press, each with its sender in ``from``, as has a change of the bot's membership in a chat.
    The kinds that name a user elsewhere (``poll_answer.user``, ``message_reaction.user``, a
    business connection's ``user``) reach no handler: they are marked done untouched, never
    evidence of a check-in, so they are not read."""
    part = func.json_each(_JsonObject(_INBOX.c.payload)).table_valued(
        column("value", JSON), column("type", String), name="part"
    )
    sender = _SenderId(part.c.value, part.c.type)
    return (
        select(sender)
        .select_from(_INBOX)
        .join(part, true())
        .where(_INBOX.c.status == InboxStatus.RECEIVED)
    )


async def highest_id(
    session: AsyncSession, *, received_before: dt.datetime | None = None
) -> int | None:
    """The highest update_id stored, in whatever state; with `received_before`, the highest
    of the last updates received before then.

    The latter is read from the index of (received_at, update_id) in one step: the highest id
    received before a moment (``max`` under a condition on the time) walks back through every
    update received since, or forward through every one before, and two days of a busy bot's
    updates are kept. Telegram numbers updates in order, so the two agree but where a lower
    id was received after a higher one (a delivery tried again): then this is the lower, and
    the caller, which counts the ids above it as still to come, only counts a few more."""
    if received_before is None:
        found = await session.scalar(select(func.max(_INBOX.c.update_id)))
    else:
        found = await session.scalar(
            select(_INBOX.c.update_id)
            .where(_INBOX.c.received_at < received_before)
            .order_by(_INBOX.c.received_at.desc(), _INBOX.c.update_id.desc())
            .limit(1)
        )
    return None if found is None else int(found)


async def holds_every_id(session: AsyncSession, after: int, through: int) -> bool:
    """Whether every update_id above `after` up to `through` is stored (in whatever state):
    Telegram numbers its updates one after another, so a missing one is one not received."""
    if through <= after:
        return True
    stored = await session.scalar(
        select(func.count())
        .select_from(_INBOX)
        .where(_INBOX.c.update_id > after, _INBOX.c.update_id <= through)
    )
    return stored == through - after


async def prune(session: AsyncSession, older_than: dt.datetime) -> int:
    """Forget updates done before `older_than`."""
    result = await session.execute(
        delete(InboxUpdate).where(
            InboxUpdate.status == InboxStatus.DONE, InboxUpdate.done_at < older_than
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass
class Pruning:
    """When the inbox next holds a done row old enough to prune: a row goes KEEP after it was
    done, so once the oldest done row is known, nothing can be due before it is (a row done
    later is due later). The sweep, every SWEEP_SECONDS, prunes only then, instead of sending
    an empty DELETE in a write transaction each time. Kept in the process: a restart asks once
    more; a row answered late (done_at set before it was done) waits at most a KEEP more."""

    next_at: dt.datetime | None = None

    def due(self, now: dt.datetime) -> bool:
        return self.next_at is None or now >= self.next_at

    async def prune(self, session: AsyncSession, now: dt.datetime) -> int:
        """Forget the updates done KEEP before `now`, and learn when the next can be due."""
        pruned = await prune(session, now - KEEP)
        oldest = await session.scalar(
            select(func.min(InboxUpdate.done_at)).where(InboxUpdate.status == InboxStatus.DONE)
        )
        # At the very moment done_at + KEEP the row is not yet due (pruned strictly before).
        self.next_at = max(oldest + KEEP, now + dt.timedelta(seconds=1)) if oldest else now + KEEP
        return pruned


async def counts(session: AsyncSession) -> dict[InboxStatus, int]:
    rows = await session.execute(
        select(InboxUpdate.status, func.count()).group_by(InboxUpdate.status)
    )
    return {InboxStatus(status): int(count) for status, count in rows.all()}


async def live_workers(session: AsyncSession) -> set[str]:
    """The workers connected to this database now, by the application_name each process gives
    its connections (bot/db/engine.py's process_name). A row another worker took up is left to
    it while it lives; one whose worker is gone is an orphan the sweep takes over. PostgreSQL
    only: on SQLite one process is the rule, so the caller does not ask."""
    return await connected_names(session)
