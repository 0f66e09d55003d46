"""A member's lock (`members.lock`, under every seat given) reads the rows again as they are
now, roles and tags with them, in one statement after the locking one: it is taken while the
shift's lock is held, so every sign-up of a burst on one shift waits for each round trip of the
ones before. (Why not in the locking statement itself: tests/e2e/test_member_roles_race.py, a
role taken as its member signs up, on PostgreSQL.)"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, update

from bot.db.engine import Database
from bot.db.models import Member, MemberRole, MemberTag, Role, Unit
from bot.services.people import members
from tests.unit.statement_fixtures import statements

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)


async def test_the_lock_reads_members_again_with_their_roles_and_tags_in_one_statement(
    database: Database,
) -> None:
    async with database.session() as session:
        unit = Unit(name="城管局", require_swap_approval=False, created_at=NOW)
        session.add(unit)
        await session.flush()
        people = [
            Member(
                telegram_id=1001 + n,
                display_name=name,
                language="zh_Hans",
                unit_id=unit.id,
                registered_at=NOW,
                blocked_bot=False,
                active=True,
            )
            for n, name in enumerate(("甲", "乙"))
        ]
        for member in people:
            member.role_rows = [MemberRole(role=Role.VOLUNTEER), MemberRole(role=Role.LEADER)]
            member.tag_rows = [MemberTag(tag="党员"), MemberTag(tag="交通")]
        session.add_all(people)
        await session.flush()
        jia, yi = people
        # Another writer, as this one waits for its lock: 甲's 志愿者 role and a tag taken, 乙
        # removed (written past this session's objects, which still show them as read).
        await session.execute(
            delete(MemberRole).where(
                MemberRole.member_id == jia.id, MemberRole.role == Role.VOLUNTEER
            ),
            execution_options={"synchronize_session": False},
        )
        await session.execute(
            delete(MemberTag).where(MemberTag.member_id == jia.id, MemberTag.tag == "交通"),
            execution_options={"synchronize_session": False},
        )
        await session.execute(
            update(Member).where(Member.id == yi.id).values(active=False),
            execution_options={"synchronize_session": False},
        )
        assert Role.VOLUNTEER in jia.roles and yi.active

        async with statements(database) as sent:
            await members.lock(session, [yi.id, jia.id])

        assert len(sent) == 2, sent
        assert jia.roles == {Role.LEADER}
        assert jia.tags == {"党员"}
        assert not yi.active
        assert yi.roles == {Role.VOLUNTEER, Role.LEADER}
