"""A live location's track is kept while the check-in is open and forgotten once it is closed,
however it was closed, a few hundred check-ins per tick."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    CheckoutKind,
    LocationSample,
    Member,
    Post,
    PostType,
    Shift,
    Unit,
)
from bot.services.duty import presence
from bot.settings import Settings

NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)


async def _checkins(database: Database, closed: list[CheckoutKind | None]) -> list[int]:
    """One check-in with a live location and three positions for each entry of `closed` (how
    it was closed, or None: still open); their ids."""
    async with database.session() as session:
        unit = Unit(name="城管局", created_at=NOW)
        post = Post(
            unit=unit,
            name="黄河路口",
            type=PostType.TRAFFIC,
            latitude=30.6586,
            longitude=104.0648,
            radius_m=150,
            created_at=NOW,
        )
        shift = Shift(
            post=post,
            starts_at=NOW - dt.timedelta(hours=3),
            ends_at=NOW - dt.timedelta(hours=1),
            capacity=len(closed),
            created_at=NOW,
        )
        rows = []
        for index, kind in enumerate(closed):
            member = Member(
                telegram_id=1000 + index,
                display_name=f"志愿者{index}",
                phone=f"+86138000000{index:02}",
                unit=unit,
                registered_at=NOW,
            )
            status = AssignmentStatus.CHECKED_IN if kind is None else AssignmentStatus.CHECKED_OUT
            seat = Assignment(
                shift=shift,
                member=member,
                status=status,
                created_at=NOW,
                updated_at=NOW,
            )
            checkin = CheckIn(
                assignment=seat,
                checked_in_at=shift.starts_at,
                latitude=30.6587,
                longitude=104.0648,
                distance_m=11.0,
                live=True,
                checked_out_at=None if kind is None else shift.ends_at,
                checkout_kind=kind,
                presence_ratio=1.0,
            )
            session.add(checkin)
            rows.append(checkin)
        await session.flush()
        for checkin in rows:
            for minute in (0, 30, 60):
                session.add(
                    LocationSample(
                        checkin_id=checkin.id,
                        recorded_at=shift.starts_at + dt.timedelta(minutes=minute),
                        latitude=30.6587 + minute / 1e5,
                        longitude=104.0648,
                        distance_m=11.0,
                        inside=True,
                    )
                )
        await session.commit()
        return [checkin.id for checkin in rows]


async def _kept(database: Database) -> list[int]:
    async with database.session() as session:
        return sorted(await session.scalars(select(LocationSample.checkin_id)))


async def test_closed_check_ins_lose_their_track_open_ones_keep_it(database: Database) -> None:
    kinds = [None, CheckoutKind.NORMAL, CheckoutKind.AUTO, CheckoutKind.EARLY, None]
    ids = await _checkins(database, kinds)
    async with database.session() as session:
        queued = await presence.forget_tracks(session, NOW, Settings())
        await session.commit()
    assert queued == 0
    assert await _kept(database) == [ids[0]] * 3 + [ids[4]] * 3
    async with database.session() as session:
        records = list(await session.scalars(select(CheckIn).order_by(CheckIn.id)))
    # The check-ins themselves are untouched: position, presence, check-out.
    assert [record.presence_ratio for record in records] == [1.0] * 5
    assert [record.checkout_kind for record in records] == kinds
    assert all(record.latitude == 30.6587 for record in records)


async def test_a_backlog_is_forgotten_a_batch_per_tick(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(presence, "FORGET_BATCH", 2)
    ids = await _checkins(database, [CheckoutKind.AUTO] * 5)
    remaining = []
    for _ in range(3):
        async with database.session() as session:
            await presence.forget_tracks(session, NOW, Settings())
            await session.commit()
        remaining.append(len(await _kept(database)))
    assert remaining == [9, 3, 0]
    assert ids
