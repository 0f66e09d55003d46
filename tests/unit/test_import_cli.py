"""`dutybot import FILE` runs the same importer as /import."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot import importcli
from bot.cli import main
from bot.db.engine import Database
from bot.db.models import Shift, Unit
from bot.i18n import Translator
from bot.services.people.members import Shown
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
    assert "第 2 行：人数「0」不是正整数" in capsys.readouterr().err
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
    assert importcli._problem(Translator("zh_Hans", ZoneInfo("Asia/Shanghai")), error) == (
        "第 3 行：人员：「张伟」对应 2 位成员：张伟（尾号 1234）、张伟（尾号 5678），"
        "请写完整的名字或手机号"
    )
