"""/hours' month ranking within the unit."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.db.engine import Database
from bot.db.models import Member
from bot.i18n import Translator
from bot.services.reports.hours_rank import month_rank
from bot.services.reports.report_text import hours_rank_line
from tests.conftest import make_settings
from tests.e2e.report_fixtures import DAY, at, build_day


async def test_month_ranking_within_the_unit(database: Database) -> None:
    settings = make_settings(database.url)
    t = Translator("zh_Hans", ZoneInfo("Asia/Shanghai"))
    async with database.session() as session:
        day = await build_day(session)
        now = at(DAY, "20:30")
        lines = {}
        for name in ("张伟", "王芳", "陈静", "李娜"):
            member = await session.get(Member, day.members[name])
            assert member is not None
            rank = await month_rank(session, member, now, settings)
            assert rank is not None
            lines[name] = hours_rank_line(t, rank)
    # 张伟, 刘强 and 周杰 share the first place with 2 hours each (30 Nov is last month).
    assert lines["张伟"] == "🏅 本月服务时长在「城管局」排第 1 名（共 5 人）。"
    assert lines["王芳"] == "🏅 本月服务时长在「城管局」排第 4 名（共 5 人）。"
    assert lines["陈静"] == "🏅 本月服务时长在「城管局」排第 5 名（共 5 人）。"
    assert lines["李娜"] == "本月在「城管局」还没有记入的服务时长。"
