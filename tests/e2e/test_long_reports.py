"""/today, /week and /month for a whole city arrive, however long: with 120 units the text is
several Telegram messages long, and each goes out within Telegram's 4,096 characters."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.models import AssignmentStatus, CheckoutKind, Role
from tests.e2e.report_fixtures import DAY, _Builder, at
from tests.harness import Harness

UNITS = 120
LEADER_OF_FIRST = 710_001


async def seed_city(harness: Harness) -> None:
    """120 units with a long name, a post each and a shift on each of the month's first days:
    one volunteer on time, one late, one absent, so every section of the report is full."""
    async with harness.session() as session:
        b = _Builder(session)
        for n in range(1, UNITS + 1):
            unit = await b.unit(f"第{n:03d}社区新时代文明实践志愿服务队")
            if n == 1:
                await b.member("领导", unit, Role.LEADER, telegram_id=LEADER_OF_FIRST)
            post = await b.post(f"第{n:03d}号文明劝导岗（人民路与解放路交叉口东北角）", unit, 150)
            people = [await b.member(f"志愿者{n:03d}-{k}", unit) for k in range(3)]
            for day in (DAY - dt.timedelta(days=1), DAY):
                shift = await b.shift(post, day, "07:00", "09:00", 3)
                await b.seat(
                    shift,
                    people[0],
                    AssignmentStatus.CHECKED_OUT,
                    late=0,
                    out="09:00",
                    kind=CheckoutKind.NORMAL,
                    minutes=120,
                )
                await b.seat(
                    shift,
                    people[1],
                    AssignmentStatus.CHECKED_OUT,
                    late=n % 40,
                    flagged=n % 3 == 0,
                    distance=400.0 if n % 5 == 0 else 20.0,
                    out="08:30",
                    kind=CheckoutKind.EARLY,
                    minutes=60,
                )
                await b.seat(shift, people[2], AssignmentStatus.ABSENT)
        await session.commit()


@pytest.mark.parametrize("command", ["today", "week", "month"])
async def test_a_city_report_asked_in_private_arrives_in_parts(
    harness: Harness, command: str
) -> None:
    await seed_city(harness)
    harness.clock.set(at(DAY, "19:00"))
    admin = harness.admin
    before = len(admin.messages())

    await admin.send_command(command)
    await harness.settle()

    *texts, chart = admin.messages()[before:]
    assert chart.kind == "photo"
    assert len(texts) >= 2, [len(part.text or "") for part in texts]
    assert all(0 < len(part.text or "") <= 4096 for part in texts)
    whole = "\n".join(part.text or "" for part in texts)
    assert "出了问题" not in whole
    # Every unit is ranked once, none cut in two between messages.
    for n in range(1, UNITS + 1):
        assert whole.count(f"第{n:03d}社区新时代文明实践志愿服务队：") == 1, n
    assert "🏅" in (texts[-1].text or "")
