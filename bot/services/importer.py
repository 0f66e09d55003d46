"""The schedule spreadsheet: reading .xlsx/.csv rows, planning what they would create or change
(every bad row reported with its number), applying the plan all or nothing, and the template.

Used by /import and /template in chat and by ``dutybot import FILE``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Post, PostType, Role, Shift, ShiftStatus
from bot.errors import DomainError, ErrorCode
from bot.services import posts, shifts, timespec, units
from bot.services.access import Actor
from bot.settings import Settings

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_SHIFTS = 5000
COLUMNS = (
    "post",
    "type",
    "unit",
    "latitude",
    "longitude",
    "radius_m",
    "date",
    "weekdays",
    "from",
    "until",
    "start",
    "end",
    "capacity",
    "tag",
    "notes",
)
REQUIRED = ("post", "unit", "start", "end", "capacity")
# Headers people write in Chinese spreadsheets, read as the columns above.
ALIASES = {
    "岗位": "post",
    "岗位名称": "post",
    "类型": "type",
    "单位": "unit",
    "纬度": "latitude",
    "经度": "longitude",
    "半径": "radius_m",
    "签到范围": "radius_m",
    "日期": "date",
    "星期": "weekdays",
    "开始日期": "from",
    "结束日期": "until",
    "开始": "start",
    "开始时间": "start",
    "结束": "end",
    "结束时间": "end",
    "人数": "capacity",
    "标签": "tag",
    "备注": "notes",
}

Row = tuple[int, dict[str, str]]


@dataclass(frozen=True)
class RowError:
    """One thing wrong with one row; ``code`` names the message ``importer.row.<code>``."""

    row: int
    code: str
    params: dict[str, Any] = field(default_factory=dict)


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
class _PostPlan:
    row: int
    unit_id: int
    name: str
    post_type: PostType
    latitude: float | None
    longitude: float | None
    radius_m: int | None
    existing: Post | None


@dataclass
class _ShiftPlan:
    row: int
    post_key: tuple[int, str]
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    tag: str | None
    notes: str | None


# -- reading ---------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return f"{value:%Y-%m-%d}"
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(name: str) -> str:
    cleaned = name.strip().lower().replace(" ", "_")
    return ALIASES.get(name.strip(), cleaned)


def read_table(filename: str, data: bytes) -> list[Row]:
    """The rows of an .xlsx or .csv file as column -> text, numbered as the spreadsheet shows
    them (the header is row 1). Blank rows are skipped."""
    if len(data) > MAX_BYTES:
        raise DomainError(ErrorCode.IMPORT_TOO_LARGE, limit=MAX_BYTES // 1024 // 1024)
    lowered = filename.lower()
    if lowered.endswith(".xlsx"):
        raw = _read_xlsx(data)
    elif lowered.endswith(".csv"):
        raw = _read_csv(data)
    else:
        raise DomainError(ErrorCode.IMPORT_UNREADABLE)
    if not raw:
        raise DomainError(ErrorCode.IMPORT_EMPTY)
    header = [_header(_cell(value)) for value in raw[0]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise DomainError(ErrorCode.IMPORT_COLUMNS_MISSING, columns=", ".join(missing))
    rows: list[Row] = []
    for number, values in enumerate(raw[1:], start=2):
        cells = {
            name: _cell(value)
            for name, value in zip(header, values, strict=False)
            if name in COLUMNS
        }
        if any(cells.values()):
            rows.append((number, cells))
    if not rows:
        raise DomainError(ErrorCode.IMPORT_EMPTY)
    if len(rows) > MAX_ROWS:
        raise DomainError(ErrorCode.IMPORT_TOO_LARGE, limit=MAX_BYTES // 1024 // 1024)
    return rows


def _read_xlsx(data: bytes) -> Sequence[Sequence[Any]]:
    # A damaged or hostile file makes openpyxl raise all sorts of errors (a bad zip, a missing
    # part, XML that does not parse, a cell it cannot convert), some only while the rows are
    # read: whatever it raises, the file is not a readable spreadsheet.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise DomainError(ErrorCode.IMPORT_UNREADABLE) from exc
    try:
        sheet = workbook.worksheets[0]
        return list(itertools.islice(sheet.iter_rows(values_only=True), MAX_ROWS + 2))
    except Exception as exc:
        raise DomainError(ErrorCode.IMPORT_UNREADABLE) from exc
    finally:
        workbook.close()


def _read_csv(data: bytes) -> Sequence[Sequence[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError(ErrorCode.IMPORT_UNREADABLE)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel()  # type: ignore[assignment]
    return list(itertools.islice(csv.reader(io.StringIO(text), dialect), MAX_ROWS + 2))


# -- planning --------------------------------------------------------------------------------


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _int(text: str) -> int | None:
    cleaned = text.strip()
    return int(cleaned) if cleaned.isdigit() else None


class _Planner:
    def __init__(
        self, session: AsyncSession, actor: Actor, now: dt.datetime, settings: Settings
    ) -> None:
        self.session = session
        self.actor = actor
        self.now = now
        self.settings = settings
        self.today = now.astimezone(settings.zone).date()
        self.errors: list[RowError] = []
        self.posts: dict[tuple[int, str], _PostPlan] = {}
        self.shifts: dict[tuple[tuple[int, str], dt.datetime], _ShiftPlan] = {}
        self.unit_ids: dict[str, int | None] = {}

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
        unit_id = self.unit_ids[key]
        if unit_id is None:
            self.fail(row, "unit_unknown", unit=name)
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
        self.posts[key] = _PostPlan(
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
        unit_id = await self.unit_id(row, cells.get("unit", ""))
        if unit_id is None:
            return
        post_key = await self.post(row, cells, unit_id)
        days = self.days(row, cells)
        start = timespec.parse_time(cells.get("start", ""))
        end = timespec.parse_time(cells.get("end", ""))
        if start is None or end is None:
            self.fail(row, "time_invalid")
            return
        if end <= start:
            self.fail(row, "end_before_start")
            return
        capacity = _int(cells.get("capacity", ""))
        if capacity is None or not 1 <= capacity <= shifts.CAPACITY_MAX:
            self.fail(row, "capacity_invalid", value=cells.get("capacity", ""))
            return
        tag = cells.get("tag") or None
        if tag is not None and len(tag) > shifts.TAG_MAX:
            self.fail(row, "tag_invalid", limit=shifts.TAG_MAX)
            return
        if post_key is None or days is None:
            return
        for day in days:
            starts_at = timespec.local_instant(day, start, self.settings.zone)
            if starts_at <= self.now:
                self.fail(row, "date_past", day=day.isoformat())
                return
            key = (post_key, starts_at)
            if key in self.shifts:
                self.fail(row, "duplicate", other=self.shifts[key].row, day=day.isoformat())
                return
            self.shifts[key] = _ShiftPlan(
                row=row,
                post_key=post_key,
                starts_at=starts_at,
                ends_at=timespec.local_instant(day, end, self.settings.zone),
                capacity=capacity,
                tag=tag,
                notes=shifts.clean_notes(cells.get("notes")),
            )
        if len(self.shifts) > MAX_SHIFTS:
            self.fail(row, "too_many_shifts", limit=MAX_SHIFTS)

    async def existing_shift(self, plan: _ShiftPlan) -> Shift | None:
        post = self.posts[plan.post_key].existing
        if post is None:
            return None
        shift: Shift | None = await self.session.scalar(
            select(Shift).where(Shift.post_id == post.id, Shift.starts_at == plan.starts_at)
        )
        return shift

    async def summarize(self) -> Plan:
        plan = Plan(errors=self.errors)
        for post_plan in self.posts.values():
            existing = post_plan.existing
            if existing is None:
                plan.posts_created += 1
            elif _post_changes(post_plan, existing):
                plan.posts_changed += 1
        for shift_plan in self.shifts.values():
            existing_shift = await self.existing_shift(shift_plan)
            if existing_shift is None:
                plan.shifts_created += 1
                continue
            if existing_shift.status is ShiftStatus.CANCELLED:
                self.fail(shift_plan.row, "shift_cancelled", day=f"{shift_plan.starts_at:%Y-%m-%d}")
                continue
            if _shift_changes(shift_plan, existing_shift):
                taken = await shifts.seated_count(self.session, existing_shift.id)
                if shift_plan.capacity < taken:
                    self.fail(shift_plan.row, "capacity_below_signed", taken=taken)
                    continue
                plan.shifts_changed += 1
            else:
                plan.shifts_unchanged += 1
        plan.errors.sort(key=lambda error: error.row)
        return plan


def _post_changes(plan: _PostPlan, post: Post) -> bool:
    return (
        plan.post_type != post.type
        or (
            plan.latitude is not None
            and (plan.latitude, plan.longitude) != (post.latitude, post.longitude)
        )
        or (plan.radius_m is not None and plan.radius_m != post.radius_m)
    )


def _shift_changes(plan: _ShiftPlan, shift: Shift) -> bool:
    return plan.ends_at != shift.ends_at or plan.capacity != shift.capacity


async def _planner(
    session: AsyncSession,
    actor: Actor,
    rows: Sequence[Row],
    now: dt.datetime,
    settings: Settings,
) -> tuple[_Planner, Plan]:
    actor.require(Role.COORDINATOR)
    planner = _Planner(session, actor, now, settings)
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
    return (await _planner(session, actor, rows, now, settings))[1]


async def apply(
    session: AsyncSession,
    actor: Actor,
    rows: Sequence[Row],
    now: dt.datetime,
    settings: Settings,
) -> Plan:
    """Plan again (the database may have moved since the preview) and, if no row is bad, create
    and change everything in the caller's transaction. With any bad row nothing is written."""
    planner, plan = await _planner(session, actor, rows, now, settings)
    if not plan.ok:
        return plan
    created_posts: dict[tuple[int, str], Post] = {}
    for key, post_plan in planner.posts.items():
        existing = post_plan.existing
        if existing is None:
            assert post_plan.latitude is not None and post_plan.longitude is not None
            created_posts[key] = await posts.create(
                session,
                actor,
                unit_id=post_plan.unit_id,
                name=post_plan.name,
                post_type=post_plan.post_type,
                latitude=post_plan.latitude,
                longitude=post_plan.longitude,
                radius_m=post_plan.radius_m or settings.default_post_radius_m,
                now=now,
            )
        else:
            if _post_changes(post_plan, existing):
                await posts.update(
                    session,
                    actor,
                    existing.id,
                    now,
                    post_type=post_plan.post_type,
                    location=(
                        (post_plan.latitude, post_plan.longitude)
                        if post_plan.latitude is not None and post_plan.longitude is not None
                        else None
                    ),
                    radius_m=post_plan.radius_m,
                )
            created_posts[key] = existing
    series: dict[int, str] = {}
    for shift_plan in planner.shifts.values():
        post = created_posts[shift_plan.post_key]
        existing_shift = await planner.existing_shift(shift_plan)
        local_start = shift_plan.starts_at.astimezone(settings.zone)
        local_end = shift_plan.ends_at.astimezone(settings.zone)
        if existing_shift is not None:
            if _shift_changes(shift_plan, existing_shift):
                await shifts.edit(
                    session,
                    actor,
                    existing_shift.id,
                    now,
                    settings,
                    capacity=shift_plan.capacity,
                    times=(local_start.time(), local_end.time()),
                )
            continue
        created = await shifts.create(
            session,
            actor,
            post_id=post.id,
            days=[local_start.date()],
            start=local_start.time(),
            end=local_end.time(),
            capacity=shift_plan.capacity,
            required_tag=shift_plan.tag,
            notes=shift_plan.notes,
            now=now,
            settings=settings,
        )
        # Rows that recur share one series, as shifts made in chat do.
        series_id = series.setdefault(shift_plan.row, f"import-{now:%Y%m%d%H%M%S}-{shift_plan.row}")
        for shift in created:
            shift.series_id = series_id
    return plan


# -- the template ----------------------------------------------------------------------------


def template_xlsx(unit_name: str, today: dt.date, instructions: Sequence[str]) -> bytes:
    """An .xlsx with the columns, a one-off and a recurring example row, and a sheet of
    instructions (in the coordinator's language)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "schedule"
    sheet.append(list(COLUMNS))
    tomorrow = today + dt.timedelta(days=1)
    monday = today + dt.timedelta(days=7 - today.weekday())
    sheet.append(
        [
            "黄河路-人民路口",
            "traffic",
            unit_name,
            30.6586,
            104.0648,
            150,
            tomorrow.isoformat(),
            "",
            "",
            "",
            "07:00",
            "09:00",
            4,
            "",
            "穿红马甲",
        ]
    )
    sheet.append(
        [
            "人民公园东门",
            "civility",
            unit_name,
            30.6612,
            104.0701,
            "",
            "",
            "mon-fri",
            monday.isoformat(),
            (monday + dt.timedelta(days=4)).isoformat(),
            "17:00",
            "19:00",
            2,
            "党员",
            "",
        ]
    )
    for column, width in zip(
        "ABCDEFGHIJKLMNO", (20, 10, 12, 10, 10, 9, 12, 10, 12, 12, 7, 7, 9, 8, 16), strict=True
    ):
        sheet.column_dimensions[column].width = width
    notes = workbook.create_sheet("help")
    for line in instructions:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
