"""The figures' queries: one row per scheduled shift with what became of its seats, summed by
unit, post or day; the names of units and posts; and the check-ins of a period.

Every figure is aggregated in the database (GROUP BY), never by looping over rows in Python: a
city has tens of thousands of volunteers. The definitions (README, "How the figures are counted"):

- shifts and seats: scheduled (not cancelled) shifts starting in the period, and their capacity;
- filled: seats held by an assignment (signed up, checked in, checked out or absent);
- checked in: held seats with a check-in; on time / late: not / flagged ``late`` (over
  ``LATE_AFTER_MIN``, judged when the check-in was made and kept with it);
- absent: marked absent, or the shift has ended with the seat held and no check-in;
- left early: checked out with kind ``early``;
- left post: the live location stayed outside the post's geofence for ``LEFT_POST_ALERT_MIN``
  (the volunteer was asked whether they were still on post);
- far: checked in farther from the post than its radius was then (the check-in's ``far``
  flag: resizing a post later rewrites no past figure); flagged: the photo was flagged;
- on-post rate: checked in / seats; punctuality: on time / checked in;
- hours: credited minutes / 60;
- uncovered: a shift nobody checked in to ``ABSENT_AFTER_MIN`` after its start;
- assigned: held seats a coordinator assigned (a rota); volunteered: the other held seats;
  acknowledged: assigned seats their holder acknowledged; acknowledgment rate: acknowledged /
  assigned; leaves: seats given up through approved leave. An unacknowledged no-show counts as
  absent like any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    CheckoutKind,
    LeaveRequest,
    LeaveStatus,
    Member,
    Post,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.services.reports.scoring import Counts
from bot.settings import Settings

# Parallel workers a report's query may take on PostgreSQL (see `one_server_process`).
REPORT_PARALLEL_WORKERS = 0

HELD = (
    AssignmentStatus.SIGNED_UP,
    AssignmentStatus.CHECKED_IN,
    AssignmentStatus.CHECKED_OUT,
    AssignmentStatus.ABSENT,
)


async def one_server_process(session: AsyncSession) -> None:
    """On PostgreSQL, keep the rest of this transaction's queries to the one server process
    that runs it. PostgreSQL gives a query over a city's month two parallel workers by default:
    three processes busy for seconds, on a small server every CPU it has, and every other
    chat's statements (a /help makes 17 round trips) wait behind them. With one, the longest
    wait of /help while a city's month was built fell from 69 to 45 ms (/month) and from 74 to
    49 ms (the scheduled report), medians of three runs on two CPUs; the report took 8.5 s
    instead of 5.4. Nothing to do on SQLite, whose queries run in a thread of the bot."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        await session.execute(
            text(f"SET LOCAL max_parallel_workers_per_gather = {int(REPORT_PARALLEL_WORKERS)}")
        )


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def shift_figures(
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    unit_id: int | None,
    day_edges: Sequence[dt.datetime] = (),
) -> Select[Any]:
    """One row per scheduled shift in [start, end): its seats, what became of them, and the
    index of its day (`day_edges` are the starts of the days after the first)."""
    whens: list[tuple[ColumnElement[bool], ColumnElement[Any]]] = [
        (Shift.starts_at < edge, literal_column(str(i))) for i, edge in enumerate(day_edges)
    ]
    bucket = case(*whens, else_=literal_column(str(len(whens)))) if whens else literal_column("0")
    held = Assignment.status.in_(HELD)
    checked = and_(held, CheckIn.id.is_not(None))
    absent = and_(
        held,
        or_(
            Assignment.status == AssignmentStatus.ABSENT,
            and_(
                Assignment.status == AssignmentStatus.SIGNED_UP,
                CheckIn.id.is_(None),
                Shift.ends_at <= now,
            ),
        ),
    )
    query = (
        select(
            Shift.id.label("shift_id"),
            Shift.post_id.label("post_id"),
            Post.unit_id.label("unit_id"),
            Shift.starts_at.label("starts_at"),
            Shift.ends_at.label("ends_at"),
            Shift.capacity.label("capacity"),
            bucket.label("bucket"),
            count_if(held).label("filled"),
            count_if(checked).label("checked_in"),
            count_if(and_(checked, CheckIn.late.is_(False))).label("on_time"),
            count_if(and_(checked, CheckIn.late.is_(True))).label("late"),
            count_if(absent).label("absent"),
            count_if(and_(checked, CheckIn.checkout_kind == CheckoutKind.EARLY)).label(
                "left_early"
            ),
            count_if(and_(checked, CheckIn.left_post_at.is_not(None))).label("left_post"),
            count_if(and_(checked, CheckIn.far.is_(True))).label("far"),
            count_if(and_(checked, CheckIn.photo_flagged.is_(True))).label("flagged"),
            count_if(and_(held, Assignment.rota_id.is_not(None))).label("assigned"),
            count_if(
                and_(
                    held,
                    Assignment.rota_id.is_not(None),
                    Assignment.acknowledged_at.is_not(None),
                )
            ).label("acknowledged"),
            count_if(
                exists().where(
                    LeaveRequest.assignment_id == Assignment.id,
                    LeaveRequest.status == LeaveStatus.APPROVED,
                )
            ).label("leaves"),
            func.coalesce(
                func.sum(case((checked, func.coalesce(CheckIn.credited_minutes, 0)), else_=0)), 0
            ).label("minutes"),
        )
        .select_from(Shift)
        .join(Post, Post.id == Shift.post_id)
        .outerjoin(Assignment, Assignment.shift_id == Shift.id)
        .outerjoin(CheckIn, CheckIn.assignment_id == Assignment.id)
        .where(
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at >= start,
            Shift.starts_at < end,
        )
        .group_by(
            Shift.id, Shift.post_id, Post.unit_id, Shift.starts_at, Shift.ends_at, Shift.capacity
        )
    )
    if unit_id is not None:
        query = query.where(Post.unit_id == unit_id)
    return query


COUNT_COLUMNS = (
    *("filled", "checked_in", "on_time", "late", "absent", "left_early", "left_post", "far"),
    *("flagged", "minutes", "assigned", "acknowledged", "leaves"),
)


async def breakdown(
    session: AsyncSession,
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    settings: Settings,
    unit_id: int | None,
    by: str,
    day_edges: Sequence[dt.datetime] = (),
) -> dict[Any, Counts]:
    """Counts grouped by "unit", "post", "day" (index into `day_edges`, the starts of the days
    after the first) or "all" (key None)."""
    edges = day_edges if by == "day" else ()
    per_shift = shift_figures(start, end, now, unit_id, edges).subquery()
    uncovered_before = now - dt.timedelta(minutes=settings.absent_after_min)
    key = {"unit": per_shift.c.unit_id, "post": per_shift.c.post_id, "day": per_shift.c.bucket}[
        by if by != "all" else "day"
    ]
    query = select(
        key.label("key"),
        func.count().label("shifts"),
        func.coalesce(func.sum(per_shift.c.capacity), 0).label("seats"),
        *(func.coalesce(func.sum(per_shift.c[name]), 0).label(name) for name in COUNT_COLUMNS),
        count_if(
            and_(per_shift.c.checked_in == 0, per_shift.c.starts_at <= uncovered_before)
        ).label("uncovered"),
    ).group_by(key)
    result: dict[Any, Counts] = {}
    for row in (await session.execute(query)).mappings():
        values = {name: int(row[name]) for name in ("shifts", "seats", *COUNT_COLUMNS)}
        result[None if by == "all" else int(row["key"])] = Counts(
            uncovered=int(row["uncovered"]), **values
        )
    return result


async def names_of(
    session: AsyncSession, model: type[Unit] | type[Post], ids: Iterable[int]
) -> dict[int, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = await session.execute(select(model.id, model.name).where(model.id.in_(wanted)))
    return {int(key): str(name) for key, name in rows.all()}


def served(*columns: Any, start: dt.datetime, end: dt.datetime) -> Select[Any]:
    """`columns` of the check-ins of held seats on scheduled shifts starting in [start, end),
    joined check-in → assignment → shift → post → member: the one join every report of
    check-ins (figures, highlights, hours, the photo wall) stands on."""
    return (
        select(*columns)
        .select_from(CheckIn)
        .join(Assignment, Assignment.id == CheckIn.assignment_id)
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Post, Post.id == Shift.post_id)
        .join(Member, Member.id == Assignment.member_id)
        .where(
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at >= start,
            Shift.starts_at < end,
            Assignment.status.in_(HELD),
        )
    )


def seats(*columns: Any) -> Select[Any]:
    """`columns` of every seat, joined assignment → shift → post → member, with its check-in if
    any (the ledger's rows, whatever became of them)."""
    return (
        select(*columns)
        .select_from(Assignment)
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Post, Post.id == Shift.post_id)
        .join(Member, Member.id == Assignment.member_id)
        .outerjoin(CheckIn, CheckIn.assignment_id == Assignment.id)
    )


def checkins_in(
    start: dt.datetime, end: dt.datetime, unit_id: int | None
) -> Select[str, str, CheckIn]:
    query = served(Member.display_name, Post.name, CheckIn, start=start, end=end)
    if unit_id is not None:
        query = query.where(Post.unit_id == unit_id)
    return query
