"""Assigning in the schedule spreadsheet: the column 人员 (``people``) names who is on each
shift, by name or phone number, several separated by 、 , ; or new lines.

The schedule importer plans and applies posts and shifts; this module plans the people of each
planned shift beside it and applies them after, in the same transaction, so an import is still
all or nothing. Every name is checked with its row number: unknown, matching several members
(listed), not of the unit, over the shift's capacity, clashing with another of the person's
shifts (in the database or in the file), missing the shift's tag, paused for no-shows, or on
approved leave. As ➕ 安排人员 warns before 仍然安排, the preview also names (without refusing
the file) each person it would put on a shift they declared they cannot serve, or less than
MIN_REST_HOURS from another of their shifts (in the database or in the file); ✅ 确认导入
assigns them anyway. Re-importing changes only what differs: a shift's assigned people are compared
with the cell, those added are assigned (a rota of the import, told once with ✅ 收到 and 🙋
请假), those no longer listed are taken off and told, and nobody else hears anything. A file
without the column leaves every assignment as it is; seats people took themselves are never
touched.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, AssignmentStatus, Member, Shift, ShiftStatus
from bot.errors import DomainError, ErrorCode
from bot.i18n import ends_at_midnight
from bot.services.people.access import Actor
from bot.services.people.members import Shown
from bot.services.rostering import availability, import_seating, names
from bot.services.rostering.assign import on_leave_between
from bot.services.rostering.import_seating import Change
from bot.services.schedule import (
    eligibility,
    seats,
)
from bot.services.schedule.importer import applying, planning
from bot.services.schedule.importer.planning import Planner, RowError, ShiftPlan
from bot.services.schedule.importer.reading import Row
from bot.services.schedule.shifts import AfterMove
from bot.settings import Settings

COLUMN = "people"


@dataclass
class PeoplePlan:
    """What the column would do: seats to assign and to take away, people to tell."""

    present: bool = False  # the file has the column
    errors: list[RowError] = field(default_factory=list)
    # Assigned all the same, but said first: declared unavailable, too little rest.
    warnings: list[RowError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def assigned(self) -> int:
        return sum(len(change.add) for change in self.changes)

    @property
    def removed(self) -> int:
        return sum(len(change.remove) for change in self.changes)

    @property
    def told(self) -> int:
        people = {m.id for change in self.changes for m in change.add}
        people |= {a.member_id for change in self.changes for a in change.remove}
        return len(people)


@dataclass
class Imported:
    plan: planning.Plan
    people: PeoplePlan

    @property
    def ok(self) -> bool:
        return self.plan.ok and not self.people.errors

    @property
    def errors(self) -> list[RowError]:
        return sorted([*self.plan.errors, *self.people.errors], key=lambda error: error.row)


def _when(t_zone: dt.tzinfo, shift_start: dt.datetime, shift_end: dt.datetime) -> str:
    start, end = shift_start.astimezone(t_zone), shift_end.astimezone(t_zone)
    ends = "24:00" if ends_at_midnight(start, end) else f"{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{ends}"


async def _assigned_on(session: AsyncSession, shift_id: int) -> list[Assignment]:
    return list(
        (
            await session.scalars(
                select(Assignment).where(
                    Assignment.shift_id == shift_id,
                    Assignment.status.in_(seats.ATTACHED),
                )
            )
        ).unique()
    )


async def _begun_people_differ(
    session: AsyncSession,
    planner: Planner,
    cells: dict[int, str | None],
    settings: Settings,
) -> list[RowError]:
    """A row of a shift already begun is left alone only if its 人员 are the people on it: one
    that would put someone on it or take an assigned person off is refused as past, as a row
    that would change its times is, never counted unchanged while it is not applied."""
    everyone: list[Member] | None = None
    refused: dict[int, RowError] = {}
    for plan in planner.begun.values():
        text = cells.get(plan.row)
        shift = await planner.existing_shift(plan)
        if text is None or shift is None or plan.row in refused:
            continue
        if everyone is None:
            everyone = await names.active_members(session)
        found = names.resolve_in(everyone, plan.post_key[0], names.split(text))
        wanted = {m.id for m in found.found}
        on_it = [a for a in await _assigned_on(session, shift.id) if a.status in seats.SEATED]
        rota = {a.member_id for a in on_it if a.rota_id is not None}
        added = wanted - {a.member_id for a in on_it}
        if found.unknown or found.ambiguous or added or rota - wanted:
            day = plan.starts_at.astimezone(settings.zone).date().isoformat()
            refused[plan.row] = RowError(plan.row, "date_past", {"day": day})
    return list(refused.values())


async def _commitments(
    session: AsyncSession,
    member_ids: Sequence[int],
    replanned: set[int],
    first: dt.datetime,
    last: dt.datetime,
) -> dict[int, list[tuple[dt.datetime, dt.datetime, int]]]:
    """(start, end, shift) of the seats the members hold from `first` to `last`, but the rota
    seats on the shifts in `replanned` (the file's own, planned afresh): a seat someone took
    themselves on one of those stays theirs, and the import does not touch it."""
    found: dict[int, list[tuple[dt.datetime, dt.datetime, int]]] = defaultdict(list)
    if not member_ids:
        return found
    rows = await session.execute(
        select(Assignment.member_id, Assignment.rota_id, Shift.id, Shift.starts_at, Shift.ends_at)
        .join(Shift, Assignment.shift_id == Shift.id)
        .where(
            Assignment.member_id.in_(list(member_ids)),
            Assignment.status.in_(seats.COMMITTED),
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at < last,
            Shift.ends_at > first,
        )
    )
    for member_id, rota_id, shift_id, starts_at, ends_at in rows.all():
        if shift_id not in replanned or rota_id is None:
            found[int(member_id)].append((starts_at, ends_at, int(shift_id)))
    return found


async def plan_people(
    session: AsyncSession,
    planner: Planner,
    rows: Sequence[Row],
    settings: Settings,
) -> PeoplePlan:
    """Check the column against the planned shifts; nothing is written."""
    cells = {number: row.get(COLUMN) for number, row in rows}
    units_typed = {number: row.get("unit", "") for number, row in rows}
    people = PeoplePlan(present=any(value is not None for value in cells.values()))
    if people.present and planner.begun:
        people.errors += await _begun_people_differ(session, planner, cells, settings)
    if not people.present or not planner.shifts:
        return people
    everyone = await names.active_members(session)
    zone = settings.zone
    block_after = settings.no_show_block_after
    unit_of_row: dict[int, int] = {}
    for shift_plan in planner.shifts.values():
        unit_of_row.setdefault(shift_plan.row, shift_plan.post_key[0])
    # Each row's names, resolved once (a weekly row makes many shifts).
    resolved: dict[int, list[Member]] = {}
    for number, text in cells.items():
        typed = names.split(text or "")
        unit_id = unit_of_row.get(number)
        if unit_id is None:
            continue
        found = names.resolve_in(everyone, unit_id, typed)
        for name in found.unknown:
            people.errors.append(RowError(number, "people_unknown", {"name": name}))
        for ambiguous in found.ambiguous:
            matches = tuple(Shown.of(m) for m in ambiguous.matches[: names.SHOWN_MATCHES])
            people.errors.append(
                RowError(
                    number,
                    "people_ambiguous",
                    {"name": ambiguous.typed, "count": len(ambiguous.matches), "matches": matches},
                )
            )
        for member in found.found:
            if member.unit_id != unit_id:
                people.errors.append(
                    RowError(
                        number,
                        "people_other_unit",
                        {"name": member.display_name, "unit": units_typed.get(number, "")},
                    )
                )
        resolved[number] = [m for m in found.found if m.unit_id == unit_id]
    plans = sorted(planner.shifts.values(), key=lambda plan: (plan.starts_at, plan.row))
    existing: dict[int, Shift | None] = {}
    for index, plan in enumerate(plans):
        existing[index] = await planner.existing_shift(plan)
    skip = {shift.id for shift in existing.values() if shift is not None}
    member_ids = sorted({m.id for members in resolved.values() for m in members})
    first = min(plan.starts_at for plan in plans)
    last = max(plan.ends_at for plan in plans)
    declared = await availability.windows(
        session,
        member_ids,
        first.astimezone(zone).date() - dt.timedelta(days=1),
        last.astimezone(zone).date(),
    )
    rest = dt.timedelta(hours=settings.min_rest_hours)
    # The seats held around the file's shifts too: the rest before and after them.
    first, last = first - rest, last + rest
    cap = settings.weekly_shift_cap
    if cap > 0:
        # The weekly cap counts whole weeks: the seats held in the file's weeks.
        first = min(first, eligibility.week_bounds(first + rest, zone)[0])
        last = max(last, eligibility.week_bounds(last - rest, zone)[1])
    held = await _commitments(session, member_ids, skip, first, last)
    weekly: Counter[tuple[int, dt.datetime]] = Counter(
        (member_id, eligibility.week_bounds(starts_at, zone)[0])
        for member_id, seats_held in held.items()
        for starts_at, _, _ in seats_held
    )
    no_shows: dict[int, int] = {}
    if block_after > 0 and member_ids:
        for member_id in member_ids:
            no_shows[member_id] = await eligibility.no_shows(session, member_id)
    attached_on: dict[int, list[Assignment]] = {}
    for index, plan in enumerate(plans):
        shift = existing[index]
        attached_on[index] = await _assigned_on(session, shift.id) if shift is not None else []
        # A rota seat the file keeps counts toward its week from the start, as it will stay.
        kept = {m.id for m in resolved.get(plan.row, [])}
        for seat in attached_on[index]:
            if (
                seat.rota_id is not None
                and seat.status is AssignmentStatus.SIGNED_UP
                and seat.member_id in kept
            ):
                weekly[(seat.member_id, eligibility.week_bounds(plan.starts_at, zone)[0])] += 1
    in_file: dict[int, list[tuple[dt.datetime, dt.datetime, int]]] = defaultdict(list)
    for index, plan in enumerate(plans):
        wanted = resolved.get(plan.row)
        if wanted is None:
            continue
        shift = existing[index]
        shift_id = shift.id if shift is not None else None
        attached = attached_on[index]
        assigned_now = {
            a.member_id: a
            for a in attached
            if a.rota_id is not None and a.status is AssignmentStatus.SIGNED_UP
        }
        others = [a for a in attached if a.member_id not in assigned_now]
        own_seats = {a.member_id for a in others if a.status is not AssignmentStatus.WAITLISTED}
        tag = plan.tag or (shift.required_tag if shift is not None else None)
        seated_others = len(own_seats - {m.id for m in wanted})
        if len(wanted) + seated_others > plan.capacity:
            people.errors.append(
                RowError(
                    plan.row,
                    "people_over_capacity",
                    {
                        "count": len(wanted),
                        "capacity": plan.capacity,
                        "taken": seated_others,
                        "day": f"{plan.starts_at.astimezone(zone):%Y-%m-%d}",
                    },
                )
            )
            continue
        change = Change(plan)
        for member in wanted:
            window = (plan.starts_at, plan.ends_at)
            if tag and tag not in member.tags:
                people.errors.append(
                    RowError(plan.row, "people_tag", {"name": member.display_name, "tag": tag})
                )
                continue
            if block_after > 0 and no_shows.get(member.id, 0) >= block_after:
                people.errors.append(
                    RowError(
                        plan.row,
                        "people_blocked",
                        {"name": member.display_name, "count": no_shows[member.id]},
                    )
                )
                continue
            clash = next(
                (
                    (starts_at, ends_at)
                    for starts_at, ends_at, held_on in held.get(member.id, [])
                    if starts_at < window[1]
                    and window[0] < ends_at
                    and (shift is None or held_on != shift.id)
                ),
                None,
            )
            other_row = next(
                (r for a, b, r in in_file[member.id] if a < window[1] and window[0] < b), None
            )
            if other_row is not None:
                people.errors.append(
                    RowError(
                        plan.row,
                        "people_clash_row",
                        {
                            "name": member.display_name,
                            "when": _when(zone, *window),
                            "other": other_row,
                        },
                    )
                )
                continue
            if clash is not None:
                people.errors.append(
                    RowError(
                        plan.row,
                        "people_clash",
                        {"name": member.display_name, "when": _when(zone, *clash)},
                    )
                )
                continue
            in_file[member.id].append((plan.starts_at, plan.ends_at, plan.row))
            if member.id in assigned_now or member.id in own_seats:
                continue  # already on it: nothing changes for them
            # A new shift of the file too: leave from another shift at its hour counts.
            if await on_leave_between(session, member, plan.starts_at, plan.ends_at):
                people.errors.append(
                    RowError(plan.row, "people_on_leave", {"name": member.display_name})
                )
                continue
            week = eligibility.week_bounds(plan.starts_at, zone)[0]
            if cap > 0 and weekly[(member.id, week)] >= cap:
                people.errors.append(
                    RowError(
                        plan.row,
                        "people_weekly_cap",
                        {"name": member.display_name, "count": cap},
                    )
                )
                continue
            weekly[(member.id, week)] += 1
            change.add.append(member)
            people.warnings += _warnings(
                plan,
                member,
                declared.get(member.id, []),
                [(a, b) for a, b, held_on in held.get(member.id, []) if held_on != shift_id],
                [(a, b, r) for a, b, r in in_file[member.id][:-1]],
                rest,
                zone,
                planner.now.astimezone(zone).date(),
            )
        wanted_ids = {m.id for m in wanted}
        change.remove = [a for member_id, a in assigned_now.items() if member_id not in wanted_ids]
        if change.add or change.remove:
            people.changes.append(change)
    return people


def _warnings(
    plan: ShiftPlan,
    member: Member,
    declared: Sequence[availability.Spec],
    held: Sequence[tuple[dt.datetime, dt.datetime]],
    in_file: Sequence[tuple[dt.datetime, dt.datetime, int]],
    rest: dt.timedelta,
    zone: dt.tzinfo,
    today: dt.date,
) -> list[RowError]:
    """What ➕ 安排人员 would say before assigning the member to the row's shift: a window they
    declared covering it; another of their shifts (held, or earlier in the file) ending or
    starting less than `rest` from it. A shift at the same hour is a clash, refused before."""
    name = member.display_name
    found: list[RowError] = []
    window = next(
        (
            spec
            for spec in declared
            if availability.covers(spec, plan.starts_at, plan.ends_at, zone)
        ),
        None,
    )
    if window is not None:
        # Read on the day of the import: a day of another year says its year.
        read = availability.Read(window, today)
        found.append(RowError(plan.row, "people_unavailable", {"name": name, "window": read}))
    if rest <= dt.timedelta(0):
        return found
    hours = int(rest.total_seconds() // 3600)

    def near(starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        return starts_at - rest < plan.ends_at and plan.starts_at < ends_at + rest

    other = next(((a, b) for a, b in held if near(a, b)), None)
    if other is not None:
        when = _when(zone, *other)
        found.append(
            RowError(plan.row, "people_rest", {"name": name, "when": when, "count": hours})
        )
        return found
    row = next((r for a, b, r in in_file if near(a, b)), None)
    if row is not None:
        found.append(
            RowError(plan.row, "people_rest_row", {"name": name, "other": row, "count": hours})
        )
    return found


async def preview(
    session: AsyncSession, actor: Actor, rows: Sequence[Row], now: dt.datetime, settings: Settings
) -> Imported:
    """What the file would create, change and assign, or every bad row; changes nothing."""
    planner, plan = await planning.plan_rows(session, actor, rows, now, settings)
    return Imported(plan, await plan_people(session, planner, rows, settings))


async def apply(
    session: AsyncSession,
    actor: Actor,
    rows: Sequence[Row],
    now: dt.datetime,
    settings: Settings,
    *,
    after_move: Sequence[AfterMove],
) -> Imported:
    """Apply posts and shifts, then the people, all in the caller's transaction; with any bad
    row nothing is written (a bad row found only now raises, and the transaction rolls back).
    `after_move` (bot/moves.py) goes with every shift edited."""
    checked = await preview(session, actor, rows, now, settings)
    if not checked.ok:
        return checked
    # The people the file names take their seats first, as its preview counted them; the
    # waitlist then gets what is free (a larger capacity's seats, a seat the file took someone
    # off), as it gets any seat freed. Promoted in the edit, before the file's people, a seat
    # the preview gave the file would be gone at every confirmation.
    plan = await applying.apply(
        session, actor, rows, now, settings, after_move=after_move, promote=False
    )
    if not plan.ok:
        return Imported(plan, checked.people)
    # Plan the people again now that every shift of the file exists.
    planner, _ = await planning.plan_rows(session, actor, rows, now, settings)
    people = await plan_people(session, planner, rows, settings)
    if people.errors:
        raise DomainError(ErrorCode.IMPORT_PEOPLE_STALE)
    await import_seating.apply_people(session, actor, planner, people.changes, now, settings)
    await import_seating.promote_waitlists(session, planner, now, settings)
    return Imported(plan, people)
