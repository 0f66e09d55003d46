"""The bulk eligibility (``refusals``) and the one-pair check (``check_eligibility``) give the
same answer for every member and shift: every rule once, both ways."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Member,
    MemberRole,
    MemberTag,
    Post,
    PostType,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.services.schedule.eligibility import check_eligibility, clashes, refusals
from bot.settings import Settings

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)  # a Tuesday, 08:00 in Shanghai


def _at(days: float, hours: float = 0) -> dt.datetime:
    return NOW + dt.timedelta(days=days, hours=hours)


async def _city(database: Database) -> None:
    async with database.session() as session:
        home = Unit(name="城管局", require_swap_approval=False, created_at=NOW)
        away = Unit(name="交警队", require_swap_approval=False, created_at=NOW)
        session.add_all([home, away])
        await session.flush()
        posts = [
            Post(unit_id=unit.id, name=name, type=PostType.TRAFFIC, latitude=30.6,
                 longitude=104.0, radius_m=150, archived=archived, created_at=NOW)
            for unit, name, archived in ((home, "甲路口", False), (home, "旧路口", True),
                                         (away, "乙路口", False))
        ]  # fmt: skip
        session.add_all(posts)
        await session.flush()
        live, archived_post, other = posts

        def shift(post: Post, starts: dt.datetime, **extra: object) -> Shift:
            return Shift(post_id=post.id, starts_at=starts, ends_at=starts + dt.timedelta(hours=2),
                         capacity=3, status=extra.pop("status", ShiftStatus.SCHEDULED),
                         created_at=NOW, **extra)  # fmt: skip

        shifts = [
            shift(live, _at(1)),  # the plain one
            shift(live, _at(1, 1)),  # overlaps the first
            shift(live, _at(2), required_tag="党员"),
            shift(live, _at(20)),  # sign-up not open yet
            shift(live, _at(-1)),  # started
            shift(live, _at(3), status=ShiftStatus.CANCELLED),
            shift(archived_post, _at(3)),
            shift(other, _at(3)),
            shift(live, _at(4)),
            shift(live, _at(5)),
        ]
        session.add_all(shifts)
        await session.flush()
        people = []
        for n in range(9):
            member = Member(
                telegram_id=5000 + n, display_name=f"人{n}", language="zh_Hans",
                unit_id=away.id if n == 8 else home.id, registered_at=NOW, blocked_bot=False,
                active=n != 7,
            )  # fmt: skip
            member.role_rows = [MemberRole(role=Role.VOLUNTEER)]
            member.tag_rows = [MemberTag(tag="党员")] if n % 2 else []
            people.append(member)
        session.add_all(people)
        await session.flush()

        def seat(member: Member, on: Shift, status: AssignmentStatus) -> Assignment:
            return Assignment(shift_id=on.id, member_id=member.id, status=status,
                              created_at=NOW, updated_at=NOW)  # fmt: skip

        session.add_all(
            [
                seat(people[1], shifts[0], AssignmentStatus.SIGNED_UP),
                seat(people[2], shifts[0], AssignmentStatus.WAITLISTED),
                seat(people[3], shifts[1], AssignmentStatus.SIGNED_UP),  # clashes with 0
                seat(people[4], shifts[8], AssignmentStatus.SIGNED_UP),  # the weekly cap
                seat(people[4], shifts[9], AssignmentStatus.SIGNED_UP),
                seat(people[5], shifts[4], AssignmentStatus.ABSENT),  # two no-shows
                seat(people[5], shifts[6], AssignmentStatus.ABSENT),
                seat(people[6], shifts[1], AssignmentStatus.CANCELLED),  # no longer counts
            ]
        )


async def test_bulk_and_single_checks_agree_on_every_pair(database: Database) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, weekly_shift_cap=2, no_show_block_after=2
    )
    await _city(database)
    async with database.session() as session:
        members = list((await session.scalars(select(Member).order_by(Member.id))).unique())
        shifts = list((await session.scalars(select(Shift).order_by(Shift.id))).unique())
        pairs = [(member, shift) for member in members for shift in shifts]
        for flags in ({}, {"from_waitlist": True}, {"assigned": True}):
            bulk = await refusals(session, pairs, NOW, settings, **flags)  # type: ignore[arg-type]
            for member, shift in pairs:
                try:
                    await check_eligibility(session, member, shift, NOW, settings, **flags)  # type: ignore[arg-type]
                    single: ErrorCode | None = None
                except DomainError as error:
                    single = error.code
                found = bulk[(member.id, shift.id)]
                assert (found.code if found else None) == single, (member.id, shift.id, flags)
        codes = {r.code for r in bulk.values() if r is not None}
    # Every rule was met at least once.
    assert codes >= {
        ErrorCode.NOT_REGISTERED,
        ErrorCode.SHIFT_CANCELLED,
        ErrorCode.POST_ARCHIVED,
        ErrorCode.SHIFT_OTHER_UNIT,
        ErrorCode.SHIFT_STARTED,
        ErrorCode.TAG_REQUIRED,
        ErrorCode.ALREADY_SIGNED_UP,
        ErrorCode.SHIFT_CLASH,
        ErrorCode.WEEKLY_CAP_REACHED,
        ErrorCode.NO_SHOW_BLOCKED,
    }


async def test_the_one_pair_check_names_the_clash(database: Database) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    await _city(database)
    async with database.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == 5003))
        shift = await session.scalar(select(Shift).order_by(Shift.id).limit(1))
        assert member is not None and shift is not None
        try:
            await check_eligibility(session, member, shift, NOW, settings)
        except DomainError as error:
            assert error.code is ErrorCode.SHIFT_CLASH
            assert "09:00" in str(error.params.get("shift"))
        else:
            raise AssertionError("the clash was not found")


async def test_clashes_are_found_whatever_the_time_and_agree_with_the_rules(
    database: Database,
) -> None:
    """``clashes`` finds the same clashes as the rules before the start, and still finds them
    once the shift has started (the waitlist's word at the start asks it then)."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    await _city(database)
    async with database.session() as session:
        members = list((await session.scalars(select(Member).order_by(Member.id))).unique())
        shifts = list((await session.scalars(select(Shift).order_by(Shift.id))).unique())
        first, overlapping = shifts[0], shifts[1]
        pairs = [(member.id, shift) for member in members for shift in shifts]
        found = await clashes(session, pairs)
        assert found == {
            (members[1].id, overlapping.id): first.id,
            (members[3].id, first.id): overlapping.id,
        }
        bulk = await refusals(session, [(m, s) for m in members for s in shifts], NOW, settings)
        by_rules = {pair for pair, r in bulk.items() if r and r.code is ErrorCode.SHIFT_CLASH}
        assert by_rules <= set(found)
        later = first.starts_at + dt.timedelta(minutes=1)
        assert (await refusals(session, [(members[3], first)], later, settings))[
            (members[3].id, first.id)
        ].code is ErrorCode.SHIFT_STARTED  # type: ignore[union-attr]
        assert await clashes(session, [(members[3].id, first)]) == {
            (members[3].id, first.id): overlapping.id
        }
