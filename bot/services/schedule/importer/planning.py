"""Planning an import: each row checked against the rules of posts and shifts and against what
the database holds, every bad row reported with its number, and what the rows would create and
change counted. Nothing is written here."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Post, PostType, Role, Shift, ShiftStatus
from bot.errors import DomainError
from bot.services.people import units
from bot.services.people.access import Actor
from bot.services.people.tags import TAG_MAX, clean_tag
from bot.services.schedule import counts, posts, shifts, timespec
from bot.services.schedule.importer.reading import UNSAVED, Row
from bot.services.schedule.seats import seated_count
from bot.settings import Settings

MAX_SHIFTS = 5000


@dataclass(frozen=True)
class RowError:
    """One thing wrong with one row; ``code`` names the message ``importer.row.<code>``."""

    row: int
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A cell is quoted back so the coordinator can find it, and a few words do that; a
        # pasted paragraph quoted whole would bury the other rows' errors.
        clipped = {key: _clip(value) for key, value in self.params.items()}
        object.__setattr__(self, "params", clipped)


QUOTE_MAX = 40


def _clip(value: Any) -> Any:
    if isinstance(value, str) and len(value) > QUOTE_MAX:
        return value[: QUOTE_MAX - 1] + "…"
    return value


@dataclass
class Plan:
    posts_created: int = 0
    posts_changed: int = 0
    shifts_created: int = 0
    shifts_changed: int = 0
    shifts_unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class PostPlan:
    row: int
    unit_id: int
    name: str
    post_type: PostType
    latitude: float | None
    longitude: float | None
    radius_m: int | None
    existing: Post | None


@dataclass
class ShiftPlan:
    row: int
    post_key: tuple[int, str]
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    tag: str | None
    notes: str | None


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# More digits than any capacity or radius has; past 4,300 int() refuses to read them at all.
INT_DIGITS_MAX = 9


def _int(text: str) -> int | None:
    cleaned = text.strip()
    return int(cleaned) if cleaned.isdecimal() and len(cleaned) <= INT_DIGITS_MAX else None


class Planner:
    def __init__(
        self, session: AsyncSession, actor: Actor, now: dt.datetime, settings: Settings
    ) -> None:
        self.session = session
        self.actor = actor
        self.now = now
        self.settings = settings
        self.today = now.astimezone(settings.zone).date()
        self.errors: list[RowError] = []
        self.posts: dict[tuple[int, str], PostPlan] = {}
        self.shifts: dict[tuple[tuple[int, str], dt.datetime], ShiftPlan] = {}
        # Rows' shifts already begun that the post has as the row gives them: left alone.
        self.begun: dict[tuple[tuple[int, str], dt.datetime], ShiftPlan] = {}
        self.unit_ids: dict[str, int | None] = {}
        self.archived_units: set[int] = set()
        # More shifts than one import takes: the file is refused, said once.
        self.over_limit = False

    def fail(self, row: int, code: str, **params: Any) -> None:
        self.errors.append(RowError(row, code, params))

    async def unit_id(self, row: int, name: str) -> int | None:
        if not name:
            self.fail(row, "unit_missing")
            return None
        key = name.lower()
        if key not in self.unit_ids:
            unit = await units.by_name(self.session, name)
            self.unit_ids[key] = unit.id if unit is not None else None
            if unit is not None and unit.archived:
                self.archived_units.add(unit.id)
        unit_id = self.unit_ids[key]
        if unit_id is None:
            self.fail(row, "unit_unknown", unit=name)
            return None
        if unit_id in self.archived_units:
            self.fail(row, "unit_archived", unit=name)
            return None
        if not self.actor.is_admin and (
            Role.COORDINATOR not in self.actor.roles or self.actor.unit_id != unit_id
        ):
            self.fail(row, "unit_forbidden", unit=name)
            return None
        return unit_id

    async def post(self, row: int, cells: dict[str, str], unit_id: int) -> tuple[int, str] | None:
        raw_name = cells.get("post", "")
        try:
            name = posts.clean_name(raw_name)
        except DomainError:
            self.fail(row, "post_name_invalid", limit=posts.POST_NAME_MAX)
            return None
        key = (unit_id, name.lower())
        type_text = cells.get("type", "")
        post_type = posts.parse_type(type_text) if type_text else None
        if type_text and post_type is None:
            self.fail(row, "type_unknown", value=type_text)
            return None
        latitude = longitude = None
        if cells.get("latitude") or cells.get("longitude"):
            latitude, longitude = (
                _float(cells.get("latitude", "")),
                _float(cells.get("longitude", "")),
            )
            if (
                latitude is None
                or longitude is None
                or not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
            ):
                self.fail(row, "coordinates_invalid")
                return None
        radius: int | None = None
        if cells.get("radius_m"):
            radius = _int(cells["radius_m"])
            if radius is None or not posts.RADIUS_MIN_M <= radius <= posts.RADIUS_MAX_M:
                self.fail(row, "radius_invalid", low=posts.RADIUS_MIN_M, high=posts.RADIUS_MAX_M)
                return None
        planned = self.posts.get(key)
        if planned is not None:
            if (
                (post_type is not None and post_type != planned.post_type)
                or (
                    latitude is not None
                    and (latitude, longitude) != (planned.latitude, planned.longitude)
                )
                or (radius is not None and radius != planned.radius_m)
            ):
                self.fail(row, "post_mismatch", post=name, first=planned.row)
                return None
            return key
        existing = await posts.by_name(self.session, unit_id, name)
        if existing is None and (post_type is None or latitude is None):
            self.fail(row, "post_new_needs_place", post=name)
            return None
        if existing is not None and existing.archived:
            self.fail(row, "post_archived", post=name)
            return None
        self.posts[key] = PostPlan(
            row=row,
            unit_id=unit_id,
            name=existing.name if existing is not None else name,
            post_type=post_type or (existing.type if existing else PostType.OTHER),
            latitude=latitude,
            longitude=longitude,
            radius_m=radius,
            existing=existing,
        )
        return key

    def days(self, row: int, cells: dict[str, str]) -> list[dt.date] | None:
        date_text, weekdays_text = cells.get("date", ""), cells.get("weekdays", "")
        if date_text and not weekdays_text:
            day = timespec.parse_date(date_text, self.today)
            if day is None or not date_text[:4].isdigit():
                self.fail(row, "date_invalid", value=date_text)
                return None
            return [day]
        if weekdays_text:
            weekdays = timespec.parse_weekdays(weekdays_text)
            if weekdays is None:
                self.fail(row, "weekdays_invalid", value=weekdays_text)
                return None
            first = timespec.parse_date(cells.get("from", "") or date_text, self.today)
            last = timespec.parse_date(cells.get("until", ""), self.today)
            if first is None or last is None or last < first:
                self.fail(row, "range_invalid")
                return None
            days = timespec.days_between(weekdays, first, last)
            if not days or len(days) > shifts.SERIES_DAYS_MAX:
                self.fail(row, "range_invalid")
                return None
            return days
        self.fail(row, "date_missing")
        return None

    async def row(self, row: int, cells: dict[str, str]) -> None:
        if cells.get(UNSAVED):
            # A formula with no saved value read as empty: the row would lose it unseen.
            unsaved = tuple(cells[UNSAVED].split())
            self.fail(row, "formula_unsaved", cells=unsaved, count=len(unsaved))
            return
        unit_id = await self.unit_id(row, cells.get("unit", ""))
        if unit_id is None:
            return
        post_key = await self.post(row, cells, unit_id)
        days = self.days(row, cells)
        start = timespec.parse_time(cells.get("start", ""))
        # 24:00 ends the shift at the midnight after its day, as /newshift reads it.
        end = timespec.parse_end_time(cells.get("end", ""))
        if start is None or end is None:
            self.fail(row, "time_invalid")
            return
        if not timespec.ends_after(start, end) or (
            end == timespec.END_OF_DAY and timespec.same_midnight(start, cells.get("end", ""))
        ):
            self.fail(row, "end_before_start")
            return
        written = cells.get("capacity", "")
        capacity = _int(written)
        if counts.length_not_people(written):
            # A length (150m: a road section's, or a radius a column off) is no count of
            # people; read as one it would have asked for 150 volunteers.
            self.fail(row, "capacity_in_metres", value=written, high=shifts.CAPACITY_MAX)
            return
        if capacity is None or not 1 <= capacity <= shifts.CAPACITY_MAX:
            self.fail(row, "capacity_invalid", value=written, high=shifts.CAPACITY_MAX)
            return
        try:
            tag = clean_tag(cells.get("tag"))
        except DomainError:
            self.fail(row, "tag_invalid", limit=TAG_MAX)
            return
        try:
            # Measured as kept: a cell padded with invisible marks whose text fits is no error.
            notes = shifts.clean_notes(cells.get("notes"))
        except DomainError:
            self.fail(row, "notes_too_long", limit=shifts.NOTES_MAX)
            return
        if post_key is None or days is None or self.over_limit:
            # Past the limit the file is refused: no later row's days are spread and looked up.
            return
        for day in days:
            starts_at = timespec.local_instant(day, start, self.settings.zone)
            key = (post_key, starts_at)
            other = self.shifts.get(key) or self.begun.get(key)
            if other is not None:
                self.fail(row, "duplicate", other=other.row, day=day.isoformat())
                return
            planned = ShiftPlan(
                row=row,
                post_key=post_key,
                starts_at=starts_at,
                ends_at=timespec.end_instant(day, end, self.settings.zone),
                capacity=capacity,
                tag=tag,
                notes=notes,
            )
            if starts_at <= self.now:
                if await self.as_it_stands(planned):
                    # This week's file sent again: a shift already begun, left as it is.
                    self.begun[key] = planned
                    continue
                self.fail(row, "date_past", day=day.isoformat())
                return
            self.shifts[key] = planned
        if len(self.shifts) > MAX_SHIFTS:
            self.fail(row, "too_many_shifts", count=MAX_SHIFTS)
            self.over_limit = True

    async def as_it_stands(self, plan: ShiftPlan) -> bool:
        """Whether the post already has this shift, scheduled, as the row gives it: a row of a
        file imported before whose shift has begun since changes nothing and is no error."""
        shift = await self.existing_shift(plan)
        return (
            shift is not None
            and shift.status is ShiftStatus.SCHEDULED
            and (plan.tag is None or plan.tag == shift.required_tag)
            and not shift_changes(plan, shift)
        )

    def begun_rows_move(self, post_key: tuple[int, str]) -> None:
        """A post the file changes with no row of a shift still to come: its rows of shifts
        already begun would move it under them, and are refused as past."""
        if any(plan.post_key == post_key for plan in self.shifts.values()):
            return
        refused: set[int] = set()
        for plan in self.begun.values():
            if plan.post_key == post_key and plan.row not in refused:
                refused.add(plan.row)
                day = plan.starts_at.astimezone(self.settings.zone).date().isoformat()
                self.fail(plan.row, "date_past", day=day)

    async def existing_shift(self, plan: ShiftPlan) -> Shift | None:
        post = self.posts[plan.post_key].existing
        if post is None:
            return None
        shift: Shift | None = await self.session.scalar(
            select(Shift).where(Shift.post_id == post.id, Shift.starts_at == plan.starts_at)
        )
        return shift

    async def summarize(self) -> Plan:
        plan = Plan(errors=self.errors, shifts_unchanged=len(self.begun))
        if self.over_limit:
            # Refused whole: its shifts are not compared one by one with the database.
            plan.errors.sort(key=lambda error: error.row)
            return plan
        for key, post_plan in self.posts.items():
            existing = post_plan.existing
            if existing is None:
                plan.posts_created += 1
            elif post_changes(post_plan, existing):
                plan.posts_changed += 1
                self.begun_rows_move(key)
        for shift_plan in self.shifts.values():
            existing_shift = await self.existing_shift(shift_plan)
            if existing_shift is None:
                plan.shifts_created += 1
                continue
            day = shift_plan.starts_at.astimezone(self.settings.zone).date().isoformat()
            if existing_shift.status is ShiftStatus.CANCELLED:
                self.fail(shift_plan.row, "shift_cancelled", day=day)
                continue
            if shift_plan.tag is not None and shift_plan.tag != existing_shift.required_tag:
                # Who may be on the shift would change under the people already on it.
                self.fail(shift_plan.row, "tag_fixed", day=day)
                continue
            if shift_changes(shift_plan, existing_shift):
                taken = await seated_count(self.session, existing_shift.id)
                if shift_plan.capacity < taken:
                    self.fail(shift_plan.row, "capacity_below_signed", count=taken)
                    continue
                if shift_plan.ends_at != existing_shift.ends_at:
                    # As the shift card refuses that time: asked here, not at ✅ 确认导入.
                    busy = await shifts.busy_at(
                        self.session, existing_shift, shift_plan.starts_at, shift_plan.ends_at
                    )
                    if busy:
                        self.fail(
                            shift_plan.row, "people_busy", day=day, names=busy, count=len(busy)
                        )
                        continue
                plan.shifts_changed += 1
            else:
                plan.shifts_unchanged += 1
        plan.errors.sort(key=lambda error: error.row)
        return plan


def post_changes(plan: PostPlan, post: Post) -> bool:
    return (
        plan.post_type != post.type
        or (
            plan.latitude is not None
            and (plan.latitude, plan.longitude) != (post.latitude, post.longitude)
        )
        or (plan.radius_m is not None and plan.radius_m != post.radius_m)
    )


def notes_change(plan: ShiftPlan, shift: Shift) -> bool:
    """A row's notes replace the shift's when they differ; an empty cell leaves them."""
    return plan.notes is not None and plan.notes != shift.notes


def shift_changes(plan: ShiftPlan, shift: Shift) -> bool:
    return (
        plan.ends_at != shift.ends_at
        or plan.capacity != shift.capacity
        or notes_change(plan, shift)
    )


async def plan_rows(
    session: AsyncSession,
    actor: Actor,
    rows: Sequence[Row],
    now: dt.datetime,
    settings: Settings,
) -> tuple[Planner, Plan]:
    actor.require(Role.COORDINATOR)
    planner = Planner(session, actor, now, settings)
    for number, cells in rows:
        await planner.row(number, cells)
    return planner, await planner.summarize()


async def preview(
    session: AsyncSession,
    actor: Actor,
    rows: Sequence[Row],
    now: dt.datetime,
    settings: Settings,
) -> Plan:
    """What the rows would create and change, or every bad row; changes nothing."""
    return (await plan_rows(session, actor, rows, now, settings))[1]
