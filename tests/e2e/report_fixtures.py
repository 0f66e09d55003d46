"""A hand-built duty day, written straight into the database, whose every figure is known.

Tuesday 1 December 2026 (Asia/Shanghai), three units:

城管局 (A)
  黄河路-人民路口 (radius 150)  07:00-09:00 cap 3: 张伟 on time 120 min; 王芳 12 min late
                                108 min, with a live location that left the post at 07:40;
                                李娜 marked absent; 吴霞 cancelled (not counted)
                                18:00-20:00 cap 1: 周杰 2 min late (on time) 120 min, auto out
  解放路口 (radius 100)        10:00-12:00 cap 2: 刘强 on time but 400 m away 120 min;
                                陈静 3 min late (on time), left early at 11:00, 57 min;
                                郑浩 waitlisted (not counted)
                                15:00-17:00 cap 5: the shift is cancelled (not counted)
团结社区 (B)
  垃圾分类点 (radius 150)      08:00-10:00 cap 2: 杨磊 on time, photo flagged, 120 min;
                                赵敏 signed up, never came (absent once the shift ended)
  和平街 (radius 150)          14:00-16:00 cap 2: 黄勇 signed up, never came; one seat empty:
                                nobody checked in, so the post was uncovered
实验学校 (C): nothing scheduled.

Plus 张伟 on 黄河路-人民路口 on Monday 30 November (cap 2, one check-in: 50 % that day) for the
trend, and a shift on Wednesday 2 December that today's figures must not count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    CheckoutKind,
    Member,
    MemberRole,
    Post,
    PostType,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from tests.harness import Harness

ZONE = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 1)
LEADER_ID = 700_001
COORDINATOR_B_ID = 700_002
VOLUNTEER_ID = 700_003
LATE_AFTER_MIN = 5  # the default, which the check-ins below were judged by


def at(day: dt.date, clock: str) -> dt.datetime:
    hours, minutes = clock.split(":")
    return dt.datetime.combine(day, dt.time(int(hours), int(minutes)), tzinfo=ZONE)


@dataclass
class Day:
    units: dict[str, int] = field(default_factory=dict)
    posts: dict[str, int] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)


class _Builder:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.created = at(DAY, "00:00") - dt.timedelta(days=10)
        self.day = Day()
        self.next_telegram_id = 800_000
        self.radii: dict[int, int] = {}

    async def unit(self, name: str) -> Unit:
        unit = Unit(name=name, created_at=self.created, require_swap_approval=False)
        self.session.add(unit)
        await self.session.flush()
        self.day.units[name] = unit.id
        return unit

    async def member(
        self, name: str, unit: Unit, role: Role = Role.VOLUNTEER, telegram_id: int | None = None
    ) -> Member:
        if telegram_id is None:
            self.next_telegram_id += 1
            telegram_id = self.next_telegram_id
        member = Member(
            telegram_id=telegram_id,
            display_name=name,
            unit_id=unit.id,
            language="zh_Hans",
            registered_at=self.created,
            blocked_bot=False,
            active=True,
        )
        member.role_rows.append(MemberRole(role=role))
        self.session.add(member)
        await self.session.flush()
        self.day.members[name] = member.id
        return member

    async def post(self, name: str, unit: Unit, radius: int) -> Post:
        post = Post(
            unit_id=unit.id,
            name=name,
            type=PostType.TRAFFIC,
            latitude=30.6586,
            longitude=104.0648,
            radius_m=radius,
            archived=False,
            created_at=self.created,
        )
        self.session.add(post)
        await self.session.flush()
        self.day.posts[name] = post.id
        self.radii[post.id] = radius
        return post

    async def shift(
        self,
        post: Post,
        day: dt.date,
        start: str,
        end: str,
        capacity: int,
        status: ShiftStatus = ShiftStatus.SCHEDULED,
    ) -> Shift:
        shift = Shift(
            post_id=post.id,
            starts_at=at(day, start),
            ends_at=at(day, end),
            capacity=capacity,
            status=status,
            created_at=self.created,
        )
        self.session.add(shift)
        await self.session.flush()
        return shift

    async def seat(
        self,
        shift: Shift,
        member: Member,
        status: AssignmentStatus,
        *,
        late: int | None = None,
        distance: float = 20.0,
        flagged: bool = False,
        out: str | None = None,
        kind: CheckoutKind | None = None,
        minutes: int | None = None,
        left_post: str | None = None,
    ) -> Assignment:
        assignment = Assignment(
            shift_id=shift.id,
            member_id=member.id,
            status=status,
            created_at=self.created,
            updated_at=self.created,
        )
        self.session.add(assignment)
        await self.session.flush()
        if late is not None:
            checked_in_at = shift.starts_at + dt.timedelta(minutes=late)
            checked_out_at = None
            local_day = shift.starts_at.astimezone(ZONE).date()
            if out is not None:
                checked_out_at = at(local_day, out)
            self.session.add(
                CheckIn(
                    assignment_id=assignment.id,
                    checked_in_at=checked_in_at,
                    latitude=30.6586,
                    longitude=104.0648,
                    distance_m=distance,
                    accuracy_m=10.0,
                    live=left_post is not None,
                    photo_file_id=f"photo-{assignment.id}",
                    photo_file_unique_id=f"u{assignment.id}",
                    photo_flagged=flagged,
                    minutes_late=late,
                    # Judged when checked in, as the check-in service does (LATE_AFTER_MIN 5).
                    late=late > LATE_AFTER_MIN,
                    far=distance > self.radii[shift.post_id],
                    checked_out_at=checked_out_at,
                    checkout_kind=kind,
                    credited_minutes=minutes,
                    left_post_at=at(local_day, left_post) if left_post is not None else None,
                )
            )
            await self.session.flush()
        return assignment


async def build_day(session: AsyncSession) -> Day:
    b = _Builder(session)
    a = await b.unit("城管局")
    community = await b.unit("团结社区")
    school = await b.unit("实验学校")
    await b.member("李领导", a, Role.LEADER, telegram_id=LEADER_ID)
    await b.member("团结协调", community, Role.COORDINATOR, telegram_id=COORDINATOR_B_ID)
    await b.member("学校志愿者", school, Role.VOLUNTEER, telegram_id=VOLUNTEER_ID)
    names = ["张伟", "王芳", "李娜", "刘强", "陈静", "周杰", "吴霞", "郑浩"]
    people = {name: await b.member(name, a) for name in names}
    for name in ("杨磊", "赵敏", "黄勇"):
        people[name] = await b.member(name, community)

    crossing = await b.post("黄河路-人民路口", a, 150)
    liberation = await b.post("解放路口", a, 100)
    sorting = await b.post("垃圾分类点", community, 150)
    peace = await b.post("和平街", community, 150)

    done, absent, signed = (
        AssignmentStatus.CHECKED_OUT,
        AssignmentStatus.ABSENT,
        AssignmentStatus.SIGNED_UP,
    )
    normal, early, auto = CheckoutKind.NORMAL, CheckoutKind.EARLY, CheckoutKind.AUTO

    morning = await b.shift(crossing, DAY, "07:00", "09:00", 3)
    await b.seat(morning, people["张伟"], done, late=0, out="09:00", kind=normal, minutes=120)
    await b.seat(
        morning, people["王芳"], done, late=12, out="09:00", kind=normal, minutes=108,
        left_post="07:40",
    )  # fmt: skip
    await b.seat(morning, people["李娜"], absent)
    await b.seat(morning, people["吴霞"], AssignmentStatus.CANCELLED)
    evening = await b.shift(crossing, DAY, "18:00", "20:00", 1)
    await b.seat(evening, people["周杰"], done, late=2, out="20:00", kind=auto, minutes=120)

    late_morning = await b.shift(liberation, DAY, "10:00", "12:00", 2)
    await b.seat(
        late_morning,
        people["刘强"],
        done,
        late=0,
        distance=400,
        out="12:00",
        kind=normal,
        minutes=120,
    )
    await b.seat(late_morning, people["陈静"], done, late=3, out="11:00", kind=early, minutes=57)
    await b.seat(late_morning, people["郑浩"], AssignmentStatus.WAITLISTED)
    await b.shift(liberation, DAY, "15:00", "17:00", 5, status=ShiftStatus.CANCELLED)

    sorting_shift = await b.shift(sorting, DAY, "08:00", "10:00", 2)
    await b.seat(
        sorting_shift, people["杨磊"], done, late=0, flagged=True, out="10:00", kind=normal,
        minutes=120,
    )  # fmt: skip
    await b.seat(sorting_shift, people["赵敏"], signed)
    afternoon = await b.shift(peace, DAY, "14:00", "16:00", 2)
    await b.seat(afternoon, people["黄勇"], signed)

    yesterday = await b.shift(crossing, DAY - dt.timedelta(days=1), "07:00", "09:00", 2)
    await b.seat(yesterday, people["张伟"], done, late=0, out="09:00", kind=normal, minutes=120)
    tomorrow = await b.shift(crossing, DAY + dt.timedelta(days=1), "07:00", "09:00", 2)
    await b.seat(tomorrow, people["张伟"], signed)
    return b.day


async def seed_day(harness: Harness) -> Day:
    async with harness.session() as session:
        return await build_day(session)


def report_failures(kind: str) -> float:
    """How many times a scheduled report of this kind failed for a group (once per group and
    occasion), as /metrics shows it."""
    value = REGISTRY.get_sample_value("dutybot_scheduled_report_failures_total", {"kind": kind})
    return value or 0.0
