"""Scheduled tallies and reports: due once per group and occasion, late when the bot was down,
rendered in the group's language, chart written for the sender."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Assignment, BoundGroup, CheckIn, OutboxMessage
from bot.services.reports import jobs as report_jobs
from bot.settings import Settings
from tests.conftest import make_settings
from tests.e2e.report_fixtures import DAY, Day, at, build_day

HQ, UNIT = -100_111, -100_222


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return make_settings(database.url, reports_dir=str(tmp_path / "reports"))


async def _seed(database: Database, *, unit_language: str = "en") -> Day:
    async with database.session() as session:
        day = await build_day(session)
        bound_at = at(DAY, "09:00")
        session.add_all(
            [
                BoundGroup(
                    chat_id=HQ, title="HQ", unit_id=None, language="zh_Hans", bound_by=1,
                    bound_at=bound_at,
                ),
                BoundGroup(
                    chat_id=UNIT, title="A", unit_id=day.units["城管局"], language=unit_language,
                    bound_by=1, bound_at=bound_at,
                ),
            ]
        )  # fmt: skip
    return day


async def _outbox(database: Database) -> list[OutboxMessage]:
    async with database.session() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _assert_chart_file(chart: Path, settings: Settings) -> None:
    assert chart.parent == Path(settings.reports_dir).resolve()
    assert chart.read_bytes().startswith(b"\x89PNG")


async def test_daily_tally_is_queued_once_per_group_at_summary_time(
    database: Database, settings: Settings
) -> None:
    await _seed(database)
    assert await report_jobs.daily_tallies(database, at(DAY, "19:59"), settings) == 0
    assert await report_jobs.daily_tallies(database, at(DAY, "20:00"), settings) == 4
    assert await report_jobs.daily_tallies(database, at(DAY, "20:01"), settings) == 0

    rows = await _outbox(database)
    keys = [row.idempotency_key for row in rows]
    assert keys == [
        f"tally:{UNIT}:2026-12-01",
        f"tally:{UNIT}:2026-12-01:chart",
        f"tally:{HQ}:2026-12-01",
        f"tally:{HQ}:2026-12-01:chart",
    ]
    unit_text, _, hq_text, hq_chart = rows
    assert hq_text.payload["text"].startswith("📊 全部单位 · 执勤日报 · 12月1日 周二\n班次 5 个")
    assert "补发" not in hq_text.payload["text"]
    assert unit_text.payload["text"].startswith("📊 城管局 · daily tally · Tue 1 Dec")
    assert hq_chart.kind == "photo" and hq_chart.payload["text"].startswith("📊 全部单位 在岗率")
    _assert_chart_file(Path(hq_chart.payload["photo_path"]), settings)
    assert {row.batch for row in rows} == {f"tally:{HQ}:2026-12-01", f"tally:{UNIT}:2026-12-01"}


async def test_a_day_without_shifts_is_told_in_text_with_no_chart(
    database: Database, settings: Settings
) -> None:
    await _seed(database)
    next_day = DAY + dt.timedelta(days=3)  # a Friday with nothing scheduled
    assert await report_jobs.daily_tallies(database, at(next_day, "20:00"), settings) == 2
    rows = await _outbox(database)
    assert [row.idempotency_key for row in rows] == [
        f"tally:{UNIT}:2026-12-04",
        f"tally:{HQ}:2026-12-04",
    ]
    assert all(row.kind == "text" for row in rows)
    assert "这段时间没有排班。" in rows[1].payload["text"]
    assert not any(row.payload.get("photo_path") for row in rows)


async def test_a_tally_missed_while_down_is_sent_late_the_same_day_only(
    database: Database, settings: Settings
) -> None:
    await _seed(database)
    assert await report_jobs.daily_tallies(database, at(DAY, "23:10"), settings) == 4
    texts = [row.payload["text"] for row in await _outbox(database) if row.kind == "text"]
    assert texts[0].split("\n")[1] == "(sent late: the bot was not running at the scheduled time)"
    assert texts[1].split("\n")[1] == "（补发：机器人在定时发送时未运行）"

    # The next morning the old day is not sent again; tonight's comes at 20:00.
    next_morning = at(DAY + dt.timedelta(days=1), "08:00")
    assert await report_jobs.daily_tallies(database, next_morning, settings) == 0


async def test_a_group_bound_after_the_time_waits_for_tomorrow(
    database: Database, settings: Settings
) -> None:
    await _seed(database)
    async with database.session() as session:
        session.add(
            BoundGroup(
                chat_id=-100_333, title="new", unit_id=None, language="zh_Hans", bound_by=1,
                bound_at=at(DAY, "20:10"),
            )
        )  # fmt: skip
    assert await report_jobs.daily_tallies(database, at(DAY, "20:15"), settings) == 4
    assert all(row.chat_id != -100_333 for row in await _outbox(database))
    # Tomorrow's tally reaches it with the others.
    tomorrow = DAY + dt.timedelta(days=1)
    await report_jobs.daily_tallies(database, at(tomorrow, "20:00"), settings)
    keys = {row.idempotency_key for row in await _outbox(database)}
    assert "tally:-100333:2026-12-02" in keys and "tally:-100333:2026-12-01" not in keys


async def test_weekly_report_on_monday_and_monthly_on_the_first(
    database: Database, settings: Settings
) -> None:
    await _seed(database)
    monday = dt.date(2026, 12, 7)
    assert await report_jobs.weekly_reports(database, at(DAY, "08:00"), settings) == 0
    assert await report_jobs.weekly_reports(database, at(monday, "07:59"), settings) == 0
    assert await report_jobs.weekly_reports(database, at(monday, "08:00"), settings) == 4
    assert await report_jobs.monthly_reports(database, at(monday, "08:00"), settings) == 0
    first = dt.date(2027, 1, 1)
    assert await report_jobs.monthly_reports(database, at(first, "08:05"), settings) == 4
    rows = await _outbox(database)
    week = next(row for row in rows if row.idempotency_key == f"week:{HQ}:2026-11-30")
    assert week.payload["text"].startswith(
        "📈 全部单位 · 执勤周报 · 2026年11月30日 至 2026年12月6日\n"
        "班次 7 个，需 14 人次，已报名 11 人次\n"
        "到岗 7 人次：准时 6，迟到 1；缺勤 4，早退 1\n"
    )
    assert "较上期（2026年11月23日 至 2026年11月29日）" in week.payload["text"]
    month = next(row for row in rows if row.idempotency_key == f"month:{UNIT}:2026-12")
    assert month.payload["text"].startswith(
        "📅 城管局 · monthly report · 1 Dec 2026 to 31 Dec 2026"
    )
    assert "Against 1 Nov 2026 to 30 Nov 2026" in month.payload["text"]


async def test_photo_wall_adds_an_album_of_the_days_unflagged_photos(
    database: Database, tmp_path: Path
) -> None:
    settings = make_settings(
        database.url, reports_dir=str(tmp_path / "reports"), summary_photo_wall=True
    )
    await _seed(database)
    assert await report_jobs.daily_tallies(database, at(DAY, "20:00"), settings) == 6
    rows = {row.idempotency_key: row for row in await _outbox(database)}
    wall = rows[f"tally:{HQ}:2026-12-01:wall"]
    assert wall.kind == "media"
    # Five check-ins of the day with a photo nobody flagged (杨磊's was flagged).
    assert len(wall.payload["media"]) == 5
    assert len(set(wall.payload["media"])) == 5
    assert wall.id < rows[f"tally:{HQ}:2026-12-01:chart"].id


async def test_the_photo_wall_leaves_out_a_photo_the_coordinator_rejected(
    database: Database, tmp_path: Path
) -> None:
    """张伟's photo was rejected by a coordinator (not proof of being on post): the leaders'
    photo wall shows the four others, not it."""
    settings = make_settings(
        database.url, reports_dir=str(tmp_path / "reports"), summary_photo_wall=True
    )
    day = await _seed(database)
    async with database.session() as session:
        rejected = await session.scalar(
            select(CheckIn)
            .join(Assignment, Assignment.id == CheckIn.assignment_id)
            .where(
                Assignment.member_id == day.members["张伟"],
                CheckIn.checked_in_at >= at(DAY, "00:00"),
            )
        )
        assert rejected is not None and rejected.photo_file_id is not None
        rejected.photo_rejected = True
        rejected_photo = rejected.photo_file_id
    await report_jobs.daily_tallies(database, at(DAY, "20:00"), settings)
    rows = {row.idempotency_key: row for row in await _outbox(database)}
    media = rows[f"tally:{HQ}:2026-12-01:wall"].payload["media"]
    assert len(media) == 4 and rejected_photo not in str(media), (rejected_photo, media)
