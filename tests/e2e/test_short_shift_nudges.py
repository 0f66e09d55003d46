"""A shift shorter than the late nudge's delay: the nudge ("已开始 N 分钟，您还没有签到") would
come after it ended, when a check-in is refused as over; none is sent, and a check-in notice
does not outlive the shift it opens."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import OutboxMessage
from tests.e2e.checkin_fixtures import assign, post, shift, team
from tests.e2e.duty_day_fixtures import on, tick_at
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"late_after_min": 20, "absent_after_min": 40, "understaffed_alert_hours": 0}


async def test_no_late_nudge_after_a_short_shift_ended(harness: Harness) -> None:
    crew = await team(harness, ("王芳", "李强"))
    fang, qiang = crew.volunteers
    short = await shift(harness, await post(harness, crew.unit), on(8, 0), on(8, 15))
    long = await shift(harness, await post(harness, crew.unit, "解放路口"), on(8, 0), on(10, 0))
    fang_seat = await assign(harness, short, fang)
    qiang_seat = await assign(harness, long, qiang)
    await tick_at(harness, on(7, 45))
    fang_seen, qiang_seen = len(fang.texts()), len(qiang.texts())

    await tick_at(harness, on(8, 20))
    assert any("已开始 20 分钟" in text for text in qiang.texts()[qiang_seen:])
    assert not any("已开始" in text for text in fang.texts()[fang_seen:]), fang.texts()
    async with harness.session() as session:
        keys = set(await session.scalars(select(OutboxMessage.idempotency_key)))
        assert f"late:{qiang_seat}" in keys and f"late:{fang_seat}" not in keys
        # The check-in notice of the short shift was kept no longer than the shift.
        opened = await session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.idempotency_key == f"checkin-open:{fang_seat}"
            )
        )
        assert opened is not None
        assert dt.datetime.fromisoformat(opened.payload["expires_at"]) <= on(8, 15)
