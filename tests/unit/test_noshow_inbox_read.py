"""The no-show's read of the inbox: whoever has an update stored and not yet handled is not
judged yet (her location and photo may be in it), and a stored payload the read cannot take
apart (not a JSON object, a part that is no object, a sender id that is no number) is passed
over, not a failure of the whole job at every tick. Runs on SQLite and, with
DUTYBOT_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select, text

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    InboxStatus,
    InboxUpdate,
    Member,
    MemberRole,
    Post,
    PostType,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.services.duty import jobs
from tests.conftest import make_settings

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)  # 08:00 in Shanghai
WAITING, MISSING, VOTER = 7001, 7002, 7003

# What a corrupt or foreign row may hold instead of a Telegram update.
ODD_PAYLOADS: list[Any] = [
    [{"message": {"from": {"id": MISSING}}}],
    "a string",
    42,
    {"update_id": 9, "note": "a part that is no object"},
    {"update_id": 10, "message": {"from": {"id": "not a number"}}},
    {"update_id": 11, "message": {"from": {"id": 1.5}}},
    {"update_id": 12, "message": {"from": "nobody"}},
]


async def _seats(database: Database) -> dict[int, int]:
    """A shift 07:20-10:00 at 黄河路 with three volunteers; their seat ids by Telegram id."""
    async with database.session() as session:
        unit = Unit(name="城管局", created_at=NOW, require_swap_approval=False)
        session.add(unit)
        await session.flush()
        post = Post(
            unit_id=unit.id,
            name="黄河路",
            type=PostType.TRAFFIC,
            latitude=30.0,
            longitude=104.0,
            radius_m=150,
            archived=False,
            created_at=NOW,
        )
        shift = Shift(
            post=post,
            starts_at=NOW - dt.timedelta(minutes=40),
            ends_at=NOW + dt.timedelta(hours=2),
            capacity=3,
            status=ShiftStatus.SCHEDULED,
            created_at=NOW,
        )
        session.add(shift)
        seats: dict[int, Assignment] = {}
        for telegram_id, name in ((WAITING, "王芳"), (MISSING, "李明"), (VOTER, "张伟")):
            member = Member(
                telegram_id=telegram_id,
                display_name=name,
                language="zh_Hans",
                unit_id=unit.id,
                registered_at=NOW,
                blocked_bot=False,
                active=True,
            )
            member.role_rows = [MemberRole(role=Role.VOLUNTEER)]
            seats[telegram_id] = Assignment(
                shift=shift,
                member=member,
                status=AssignmentStatus.SIGNED_UP,
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(seats[telegram_id])
        await session.flush()
        return {telegram_id: seat.id for telegram_id, seat in seats.items()}


async def _received(database: Database, rows: list[tuple[int, Any]]) -> None:
    """Stored and not handled, as the intake leaves an update between storing and handling."""
    async with database.session() as session:
        await session.execute(
            insert(InboxUpdate),
            [
                {
                    "update_id": update_id,
                    "status": InboxStatus.RECEIVED,
                    "payload": payload,
                    "received_at": NOW,
                    "worker": "test",
                }
                for update_id, payload in rows
            ],
        )


async def _statuses(database: Database) -> dict[int, AssignmentStatus]:
    async with database.session() as session:
        rows = await session.execute(
            select(Member.telegram_id, Assignment.status).join(
                Assignment, Assignment.member_id == Member.id
            )
        )
        return dict(rows.all())


async def test_odd_payloads_in_the_inbox_neither_stop_the_no_show_nor_spare_anyone(
    database: Database,
) -> None:
    """王芳's location is in the inbox, not yet handled; beside it rows that are no Telegram
    update (one even names 李明, in an array). At 08:00 the no-show still runs: 王芳 is not
    judged yet, 李明 and 张伟 (who sent nothing) are marked absent."""
    await _seats(database)
    location = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": WAITING, "type": "private"},
        "from": {"id": WAITING},
        "location": {"latitude": 30.0, "longitude": 104.0},
    }
    await _received(
        database,
        [(1, {"update_id": 1, "message": location})]
        + [(100 + number, payload) for number, payload in enumerate(ODD_PAYLOADS)],
    )
    if database.is_sqlite:
        # Not even JSON: SQLite stores whatever text it is given.
        await _received(database, [(200, {})])
        async with database.session() as session:
            await session.execute(text("UPDATE inbox SET payload = '{' WHERE update_id = 200"))

    async with database.session() as session:
        await jobs.mark_absent(session, NOW, make_settings(database.url))

    assert await _statuses(database) == {
        WAITING: AssignmentStatus.SIGNED_UP,
        MISSING: AssignmentStatus.ABSENT,
        VOTER: AssignmentStatus.ABSENT,
    }


async def test_the_senders_of_the_kinds_of_update_that_check_in_keep_their_seats(
    database: Database,
) -> None:
    """The updates that can carry check-in evidence (a message with a location or photo, a live
    location's edits, a button's press) name their sender in `from`, and each keeps its sender's
    seat. An answer to a poll names its voter in `user`: the bot takes no poll answer, so it
    cannot be a check-in and does not hold 张伟's seat."""
    await _seats(database)
    chat = {"id": WAITING, "type": "private"}
    await _received(
        database,
        [
            (1, {"update_id": 1, "edited_message": {"chat": chat, "from": {"id": WAITING}}}),
            (2, {"update_id": 2, "callback_query": {"id": "q", "from": {"id": MISSING}}}),
            (3, {"update_id": 3, "poll_answer": {"poll_id": "p", "user": {"id": VOTER}}}),
        ],
    )

    async with database.session() as session:
        await jobs.mark_absent(session, NOW, make_settings(database.url))

    assert await _statuses(database) == {
        WAITING: AssignmentStatus.SIGNED_UP,
        MISSING: AssignmentStatus.SIGNED_UP,
        VOTER: AssignmentStatus.ABSENT,
    }
