"""`dutybot import FILE` runs the same importer as /import."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot import import_words
from bot.cli import main
from bot.db.engine import Database
from bot.db.models import Shift, Unit
from bot.i18n import Translator
from bot.services.people.members import Shown
from bot.services.rostering import availability, importing
from bot.services.rostering.availability import Spec
from bot.services.schedule.importer import planning

HEADER = "post,type,unit,latitude,longitude,date,start,end,capacity"


async def _unit(database: Database) -> None:
    async with database.session() as session:
        session.add(Unit(name="城管局", created_at=dt.datetime.now(dt.UTC)))


async def _shifts(database: Database) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Shift)) or 0)


async def test_import_command_reports_rows_then_imports(
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await _unit(database)
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.chdir(tmp_path)
    year = dt.date.today().year + 1
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{HEADER}\n甲路口,traffic,城管局,30.1,104.1,{year}-03-02,07:00,09:00,0\n", encoding="utf-8"
    )
    good = tmp_path / "good.csv"
    good.write_text(
        f"{HEADER}\n甲路口,traffic,城管局,30.1,104.1,{year}-03-02,07:00,09:00,3\n", encoding="utf-8"
    )
    # main() runs its own event loop, so it runs in a worker thread of this test's loop.
    assert await asyncio.to_thread(main, ["import", str(bad)]) == 1
    assert "第 2 行：人数「0」不是 1 到 500 之间的整数" in capsys.readouterr().err
    assert await asyncio.to_thread(main, ["import", "--dry-run", str(good)]) == 0
    assert "新建班次 1 个" in capsys.readouterr().out
    assert await _shifts(database) == 0
    assert await asyncio.to_thread(main, ["import", str(good)]) == 0
    assert "已导入" in capsys.readouterr().out
    assert await _shifts(database) == 1


def test_a_row_error_names_the_matches_in_words_not_as_values() -> None:
    error = planning.RowError(
        3,
        "people_ambiguous",
        {"name": "张伟", "count": 2, "matches": (Shown("张伟", "1234"), Shown("张伟", "5678"))},
    )
    assert import_words.row_line(Translator("zh_Hans", ZoneInfo("Asia/Shanghai")), error) == (
        "第 3 行：人员：「张伟」对应 2 位成员：张伟（尾号 1234）、张伟（尾号 5678），"
        "请写完整的名字或手机号"
    )


def test_the_cli_preview_words_the_people_it_warns_about() -> None:
    """`dutybot import --dry-run` says what /import's preview says before ✅ 确认导入: who
    declared the hour off (the window in words) and who would rest too little."""
    window = Spec(
        dt.date(2026, 12, 1), dt.date(2026, 12, 31), frozenset({2}), dt.time(6), dt.time(10)
    )
    people = importing.PeoplePlan(
        present=True,
        warnings=[
            planning.RowError(
                4,
                "people_unavailable",
                {"name": "王芳", "window": availability.Read(window, dt.date(2026, 12, 1))},
            ),
            planning.RowError(
                2, "people_rest", {"name": "李明", "when": "2026-12-02 07:00–09:00", "count": 8}
            ),
        ],
    )
    text = import_words.summary(
        Translator("zh_Hans", ZoneInfo("Asia/Shanghai")),
        importing.Imported(planning.Plan(), people),
    )
    assert "⚠️ 请核对 2 处提醒" in text
    assert (
        "第 4 行：人员：王芳 申报过这段时间不能值班：每周三 06:00–10:00"
        "（2026年12月1日 至 2026年12月31日）"
    ) in text
    assert "第 2 行：人员：李明 和 2026-12-02 07:00–09:00 的班次之间休息不到 8 小时" in text
