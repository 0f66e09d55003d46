"""Oversight rules without Telegram: zones (shapely), routing, the checklist's deductions and
score, typed deadlines, covert visibility, and the oversight settings."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database
from bot.db.models import (
    ChecklistGroup,
    ChecklistItem,
    Dialogue,
    DialogueKind,
    Post,
    PostType,
    RouteMethod,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.geo import offset
from bot.i18n import Translator
from bot.services.duty.geofence import Position
from bot.services.duty.photo_rules import Photo
from bot.services.oversight import (
    check_scoring,
    check_visibility,
    checklist,
    checks,
    evidence,
    order_drafts,
    routing,
    zones,
)
from bot.settings import SettingsError, load_settings
from tests.conftest import make_settings
from tests.e2e.oversight_fixtures import geojson, square

ZONE = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)  # 08:00 in Shanghai
CENTER = (30.6586, 104.0648)


async def _city(session: AsyncSession) -> tuple[Unit, Unit]:
    first = Unit(name="城管局", created_at=NOW, require_swap_approval=False)
    second = Unit(name="交通局", created_at=NOW, require_swap_approval=False)
    session.add_all([first, second])
    await session.flush()
    lat, lon = offset(*CENTER, 150, 0)
    session.add(
        Post(
            unit_id=second.id,
            name="人民路口",
            type=PostType.TRAFFIC,
            latitude=lat,
            longitude=lon,
            radius_m=100,
            archived=False,
            created_at=NOW,
        )
    )
    await session.flush()
    return first, second


async def test_a_point_goes_to_its_zone_else_the_nearest_post_else_nobody(
    database: Database,
) -> None:
    settings = make_settings(database.url)
    async with database.session() as session:
        first, second = await _city(session)
        imported = await zones.read(session, geojson(("城管局", "黄河路段", square(CENTER, 100))))
        assert imported.ok
        await zones.replace(session, _admin(), imported, NOW)
        inside = await routing.route(session, *CENTER, settings)
        assert (inside.unit_id, inside.method) == (first.id, RouteMethod.ZONE)
        # On the zone's edge still counts as inside.
        edge = offset(*CENTER, 100, 0)
        assert (await routing.route(session, *edge, settings)).unit_id == first.id
        near_post = await routing.route(session, *offset(*CENTER, 300, 0), settings)
        assert (near_post.unit_id, near_post.method) == (second.id, RouteMethod.NEAREST_POST)
        assert near_post.distance_m == pytest.approx(150, abs=1)
        nowhere = await routing.route(session, *offset(*CENTER, 3000, 0), settings)
        assert (nowhere.unit_id, nowhere.method) == (None, None)


def _admin():  # type: ignore[no-untyped-def]
    from bot.db.models import Role
    from bot.services.people.access import Actor

    return Actor(telegram_id=1, member=None, roles=frozenset({Role.ADMIN}))


async def test_zone_files_are_checked_feature_by_feature(database: Database) -> None:
    async with database.session() as session:
        await _city(session)
        bowtie = [[104.0, 30.0], [104.01, 30.01], [104.01, 30.0], [104.0, 30.01], [104.0, 30.0]]
        checked = await zones.read(
            session,
            geojson(
                ("城管局", "A", square(CENTER, 100)),
                ("交通局", "B", square(offset(*CENTER, 50, 50), 100)),
                ("城管局", "C", bowtie),
            ),
        )
        codes = [(p.code, p.feature) for p in checked.problems]
        assert ("invalid_crossing", 3) in codes and ("overlap", 1) in codes
        overlap = next(p for p in checked.problems if p.code == "overlap")
        assert overlap.params["other_feature"] == 2 and overlap.params["other_unit"] == "交通局"
        multi = await zones.read(
            session,
            geojson(
                ("城管局", "M", [[square(CENTER, 50)], [square(offset(*CENTER, 500, 0), 50)]]),
                kind="MultiPolygon",
            ),
        )
        assert multi.ok and len(multi.zones) == 1
        for data, code in (
            (b"\xff\xfe", "not_json"),
            (json.dumps({"type": "Polygon"}).encode(), "not_collection"),
            (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "empty"),
        ):
            assert [p.code for p in (await zones.read(session, data)).problems] == [code]
        point = {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "Point", "coordinates": [1, 2]},
        }
        found = await zones.read(session, json.dumps(point).encode())
        assert [(p.code, p.params) for p in found.problems] == [("not_polygon", {"kind": "Point"})]
        with pytest.raises(DomainError) as error:
            await zones.read(session, b" " * (zones.MAX_BYTES + 1))
        assert error.value.code is ErrorCode.ZONES_FILE_TOO_LARGE


def test_deductions_per_person_and_per_line_and_the_score() -> None:
    t = Translator("zh_Hans", ZONE)
    short = ChecklistItem(
        id=1, code="short_staffed", group=ChecklistGroup.STAFFING, deduction=10, per_person=True
    )
    vest = ChecklistItem(
        id=2, code="no_vest", group=ChecklistGroup.ATTIRE, deduction=5, per_person=False
    )
    applied = checklist.deductions(t, [short, vest], shortfall=3)
    assert [(a["code"], a["points"], a["times"]) for a in applied] == [
        ("short_staffed", 30, 3),
        ("no_vest", 5, 1),
    ]
    assert checklist.score_of(applied) == 65
    assert checklist.deductions(t, [short], shortfall=0) == []
    huge = ChecklistItem(
        id=3, label="严重", group=ChecklistGroup.CONDUCT, deduction=100, per_person=False
    )
    assert checklist.score_of(checklist.deductions(t, [huge, vest], 0)) == 0


def test_a_covert_check_is_seen_from_the_next_daily_tally() -> None:
    settings = make_settings("sqlite+aiosqlite:///x.db")
    morning = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)  # 09:00 local
    evening = dt.datetime(2026, 12, 1, 13, 30, tzinfo=dt.UTC)  # 21:30 local, after the tally
    assert check_visibility.visible_from(morning, False, settings) == morning
    assert check_visibility.visible_from(morning, True, settings) == dt.datetime(
        2026, 12, 1, 12, 0, tzinfo=dt.UTC
    )
    assert check_visibility.visible_from(evening, True, settings) == dt.datetime(
        2026, 12, 2, 12, 0, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    ("typed", "hours"),
    [
        ("36", 36),
        ("12h", 12),
        ("48 小时", 48),
        ("2天", 48),
        ("2026-12-03 08:00", 48),
        ("12-02 20:00", 36),
        # As a Chinese input method types them.
        ("12-02 20：00", 36),
        ("１２－０２ ２０：００", 36),
        ("12月3日 8点", 48),
        ("12月3日8:00", 48),
        # A time alone is the next such time; a day named relative to today, with a time.
        ("18:00", 10),
        ("下午6点", 10),
        ("7:00", 23),
        ("明天18点", 34),
        ("明天 下午6点", 34),
        ("後天 8:00", 48),
        ("今天20:00", 12),
        ("tomorrow 18:00", 34),
        # "By" a time, as people write a deadline.
        ("18点前", 10),
        ("明天18点前", 34),
        ("明天下午6点之前", 34),
        ("后天上午10点前", 50),
        ("tomorrow by 18:00", 34),
        ("tomorrow at 18:00", 34),
        # As typed in Traditional Chinese.
        ("明天18點為止", 34),
        ("明天下午6點以前", 34),
        ("明天18点为止", 34),
        # "By" a date's time, as by tomorrow's.
        ("12月3日18点前", 58),
        ("12-03 18:00前", 58),
        ("12月3日 下午6点之前", 58),
        ("by 12-03 18:00", 58),
        # Ended as a sentence is: the full stop is no part of the deadline.
        ("24小时内。", 24),
        ("明天18点前。", 34),
        ("in 2 days.", 48),
        # Tonight's or tomorrow evening's time on a clock, as 明晚6点 is.
        ("今晚10:00", 14),
        ("明晚6:00", 34),
        ("明晚18:00前", 34),
        ("明早8:00", 24),
    ],
)
def test_typed_deadlines(typed: str, hours: int) -> None:
    settings = make_settings("sqlite+aiosqlite:///x.db")
    assert order_drafts.parse_deadline(typed, NOW, settings) == NOW + dt.timedelta(hours=hours)


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        # 12 o'clock in the evening, with a date too, is the midnight that ends that day.
        ("12月3日晚上12点", 64 * 60),
        ("12-03 晚上12点", 64 * 60),
        ("12月3日 晚上12:00", 64 * 60),
        # And half past it is half an hour after that midnight, not half past noon.
        ("晚上12点半", 16 * 60 + 30),
        ("明晚12点半", 40 * 60 + 30),
        ("12月3日晚上12点半", 64 * 60 + 30),
        ("12月3日晚上12点前", 64 * 60),
        ("明晚12:00", 40 * 60),
        # 24:00 is the midnight ending the day named (or today), as is 12 o'clock at night.
        ("24点", 16 * 60),
        ("24:00", 16 * 60),
        ("今天24点前", 16 * 60),
        ("12月3日24:00", 64 * 60),
        ("12-03 24点", 64 * 60),
        ("晚上24点", 16 * 60),
        ("夜里12点", 16 * 60),
        ("半夜12点", 16 * 60),
        ("明天夜里12点", 40 * 60),
        # Noon stays noon.
        ("中午12点", 4 * 60),
        ("明天中午12点", 28 * 60),
    ],
)
def test_twelve_in_the_evening_is_after_midnight_on_every_path(typed: str, minutes: int) -> None:
    settings = make_settings("sqlite+aiosqlite:///x.db")
    found = order_drafts.parse_deadline(typed, NOW, settings)
    assert found == NOW + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        # Midnight and the small hours said of the evening or the night are after the midnight
        # that ends the day named (or today), never the afternoon's 12:00 or 13:00.
        ("晚上0点", 16 * 60),
        ("今晚0点", 16 * 60),
        ("今晚零点", 16 * 60),
        ("晚上0点半", 16 * 60 + 30),
        ("明天晚上0点", 40 * 60),
        ("今晚1点", 17 * 60),
        ("晚上1点", 17 * 60),
        ("夜里1点", 17 * 60),
        ("夜裡1點", 17 * 60),
        ("今天夜里1点", 17 * 60),
        ("明晚1点", 41 * 60),
        ("夜里11点", 15 * 60),
        # 凌晨 is the small hours of the day named.
        ("凌晨1点", 17 * 60),
        ("明天凌晨1点", 17 * 60),
        ("明天凌晨两点半", 18 * 60 + 30),
        # Hours written 时 with 内, and counts in Chinese numerals.
        ("24时内", 24 * 60),
        ("24時內", 24 * 60),
        ("12时以内", 12 * 60),
        ("24个小时内", 24 * 60),
        ("二十四小时内", 24 * 60),
        ("四十八小時內", 48 * 60),
        ("三天内", 72 * 60),
        ("三天以内", 72 * 60),
        ("两天内", 48 * 60),
        ("兩天後", 48 * 60),
        ("十天内", 240 * 60),
        ("3日内", 72 * 60),
        ("三日内", 72 * 60),
        ("一周内", 7 * 24 * 60),
        ("一个星期内", 7 * 24 * 60),
        ("半天内", 12 * 60),
        # Times in Chinese numerals.
        ("明天下午三点", 31 * 60),
        ("明天下午三点前", 31 * 60),
        ("明天下午三点半", 31 * 60 + 30),
        ("明天上午十点", 26 * 60),
        ("后天上午十点半", 50 * 60 + 30),
        ("今晚十点", 14 * 60),
        ("明晚六点", 34 * 60),
        ("下午三点", 7 * 60),
        ("晚上十二点", 16 * 60),
        ("十二月三日下午六点", 58 * 60),
        ("12月3日下午三点", 55 * 60),
        ("明天十五时", 31 * 60),
        # A day of the month and a time: the next such day.
        ("3日18点", 58 * 60),
        ("3号下午6点前", 58 * 60),
        ("三日十八点", 58 * 60),
        ("3日 18:00", 58 * 60),
        ("5日晚上12点", 112 * 60),
        # A day of the week and a time: the next such day (today's at 08:00 is past).
        ("周五18点", 82 * 60),
        ("星期五下午6点前", 82 * 60),
        ("周五下午三点半", 79 * 60 + 30),
        ("下周一 18:00", 154 * 60),
        ("周二8点", 168 * 60),
        ("friday 18:00", 82 * 60),
        ("by Friday 18:00", 82 * 60),
        ("friday at 18:00", 82 * 60),
        ("Fri 18:00", 82 * 60),
        ("this friday 18:00", 82 * 60),
        ("next monday 18:00", 154 * 60),
        ("by tomorrow 18:00", 34 * 60),
    ],
)
def test_deadlines_in_chinese_words_and_numerals(typed: str, minutes: int) -> None:
    settings = make_settings("sqlite+aiosqlite:///x.db")
    found = order_drafts.parse_deadline(typed, NOW, settings)
    assert found == NOW + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("typed", "count"),
    [
        *[("12", 12), ("６０人", 60), ("三人", 3), ("两个人", 2), ("十二人", 12), ("九十九", 99)],
        *[("二十 人", 20), ("兩個人", 2), ("零", 0), ("十", 10), ("5名", 5)],
    ],
)
def test_people_seen_typed_in_digits_or_chinese_numerals(typed: str, count: int) -> None:
    assert check_scoring.read_seen(typed) == count


def test_people_seen_that_is_no_number_is_asked_again() -> None:
    for typed in ("很多", "1000", "-1", "三四人", "", "人", "一千人", "3.5"):
        assert check_scoring.read_seen(typed) is None, typed


def test_a_day_of_the_month_past_at_its_time_today_is_the_next_month_s() -> None:
    """3日18点 typed on the 3rd after 18:00 is the next such day, next month's 3rd, as a time
    alone typed after it is tomorrow's; before 18:00 it is today's. A 31st goes to the next
    month that has one; a date with its month stays that date (refused as past), as does a day
    of this week (本周五); 周五18点 typed on Friday evening is next Friday's."""
    settings = make_settings("sqlite+aiosqlite:///x.db")
    evening = dt.datetime(2026, 12, 3, 11, 0, tzinfo=dt.UTC)  # 19:00 in Shanghai
    parse = order_drafts.parse_deadline
    assert parse("3日18点", evening, settings) == dt.datetime(2027, 1, 3, 10, 0, tzinfo=dt.UTC)
    assert parse("3号晚上12点", evening, settings) == dt.datetime(2026, 12, 3, 16, tzinfo=dt.UTC)
    assert parse("3日20点", evening, settings) == dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
    assert parse("18:00", evening, settings) == dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
    assert parse("12月3日18点", evening, settings) == dt.datetime(2026, 12, 3, 10, tzinfo=dt.UTC)
    friday = dt.datetime(2026, 12, 4, 11, 0, tzinfo=dt.UTC)  # Friday, 19:00 in Shanghai
    assert parse("周五18点", friday, settings) == dt.datetime(2026, 12, 11, 10, tzinfo=dt.UTC)
    assert parse("本周五18点", friday, settings) == dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC)
    january = dt.datetime(2027, 1, 31, 11, 0, tzinfo=dt.UTC)
    assert parse("31日18点", january, settings) == dt.datetime(2027, 3, 31, 10, 0, tzinfo=dt.UTC)
    # A covert check's order starts at the tally (20:00): typed at 10:00, today's 18:00 is still
    # that day's (and refused as before the unit sees it), not moved a month or a week on.
    morning, tally = dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC), friday + dt.timedelta(hours=1)
    for typed in ("4日18点", "周五18点"):
        found = parse(typed, tally, settings, typed_at=morning)
        assert found == dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC), typed


def test_ambiguous_chinese_deadlines_are_refused_and_chinese_problems_stay_problems() -> None:
    settings = make_settings("sqlite+aiosqlite:///x.db")
    # Two hours at once, or an hour that is no small hour, is refused, never the problem.
    # 3日 alone is the 3rd or 3 days: a day without its time either way; working days skip
    # days the bot cannot know.
    refused = (
        "明天下午三四点",
        "凌晨8点",
        "明天凌晨八点",
        "今晚三十点",
        "3日",
        "三日前",
        "32日18点",
        "周五",
        "下周一上午",
        # A week without its day and time: meant as a deadline, not the problem.
        "本周内",
        "这周之内",
        "周末前",
        "下周前",
    )
    for typed in (*refused, "三个工作日内"):
        with pytest.raises(DomainError) as error:
            order_drafts.parse_deadline(typed, NOW, settings)
        assert error.value.code is ErrorCode.ORDER_DEADLINE_INVALID, typed
    problems = ("三号楼门口垃圾", "五一路口井盖破损", "十字路口占道", "两处垃圾", "一点垃圾")
    problems += ("周五市场门口垃圾", "每周五18点有人占道", "周五18点有人占道", "周五下午6点摆摊")
    problems += ("星期一8点半以后有人占道", "3号18点有人占道", "周末市场门口垃圾")
    for problem in (*problems, "3号楼2单元", "5号3栋", "3号 2处垃圾"):
        assert order_drafts.parse_deadline(problem, NOW, settings) is None, problem


def test_text_that_is_no_deadline_and_impossible_dates() -> None:
    settings = make_settings("sqlite+aiosqlite:///x.db")
    problems = ("路灯不亮", "3-5 个井盖破损", "2 处垃圾", "8:00前清理", "2天前就有", "3天前")
    # A day word then text that is no time is the problem, not a deadline.
    problems += (
        "今天又发现3处垃圾",
        "明天8:00前清理干净",
        "明天上午还有2处",
        "today 2 bins overflowing",
        "sunday market 2 bins",
    )
    for problem in problems:
        assert order_drafts.parse_deadline(problem, NOW, settings) is None
    # A slip in what is shaped as a time after a day word is refused, never taken as the problem.
    slips = ("明天25点", "明天晚8点", "tomorrow 6pm", "today 5 pm", "friday 6pm", "周五 6pm")
    # A day and the part of it, without the time, is a deadline half typed: asked for again.
    slips += ("明天下午", "明天晚上前", "後天上午", "tomorrow evening", "friday evening")
    # So is a date, or a day of the month, and the part of the day.
    slips += ("3日下午", "3号晚上前", "12月3日下午", "12-03 上午")
    for typed in ("0", "02-30 08:00", "12-03 25:00", "0001-01-01 08:00", "0天", *slips):
        with pytest.raises(DomainError) as error:
            order_drafts.parse_deadline(typed, NOW, settings)
        assert error.value.code is ErrorCode.ORDER_DEADLINE_INVALID


def test_oversight_settings_have_defaults_and_one_line_errors() -> None:
    settings = load_settings(_env_file=None)
    assert settings.order_hours("litter") == 24 and settings.order_hours("facility") == 72
    assert (settings.report_duplicate_m, settings.report_route_nearest_m) == (50, 300)
    assert settings.inspection_round_weights == []
    changed = load_settings(
        _env_file=None, order_deadline_hours="litter=12", inspection_round_weights="40,60"
    )
    assert changed.order_hours("litter") == 12 and changed.order_hours("vending") == 48
    assert changed.inspection_round_weights == [40, 60]
    for values, start in (
        (
            {"order_deadline_hours": "rubbish=3"},
            "ORDER_DEADLINE_HOURS is invalid: expected category=hours",
        ),
        (
            {"order_deadline_hours": "litter=0"},
            "ORDER_DEADLINE_HOURS is invalid: expected hours from 1 to 8784",
        ),
        ({"inspection_round_weights": "40,x"}, "INSPECTION_ROUND_WEIGHTS is invalid"),
        ({"order_ack_remind_hours": "0"}, "ORDER_ACK_REMIND_HOURS is invalid"),
        (
            {"score_weight_attendance": 0, "score_weight_inspections": 0, "score_weight_orders": 0},
            "SCORE_WEIGHT_ATTENDANCE is invalid",
        ),
    ):
        with pytest.raises(SettingsError) as error:
            load_settings(_env_file=None, **values)
        assert str(error.value).startswith(start), error.value
        assert "\n" not in str(error.value)


async def test_an_album_is_answered_at_its_first_photo_and_at_its_first_that_does_not_fit(
    database: Database,
) -> None:
    """evidence.take as a dialogue meets the twelve messages of an album (ten fit), one of them
    handled twice (an update delivered again after a crash), and then a photo alone."""
    settings = make_settings(database.url)
    dialogue = Dialogue(telegram_id=1, kind=DialogueKind.INSPECT, step="photos", data={})
    album = [Photo(f"file-{n}", f"unique-{n}") for n in range(12)]

    async def offer(photo: Photo, group: str | None) -> evidence.Taken:
        held = dialogue.data.get("photos") or []
        taken = await evidence.take(session, dialogue, photo, held, group, settings)
        dialogue.data = {**dialogue.data, "photos": taken.photos, **taken.marks}
        return taken

    async with database.session() as session:
        answers = [(await offer(photo, "A")).answer for photo in album[:11]]
        assert answers == [evidence.Answer.TAKEN] + [evidence.Answer.QUIET] * 9 + [
            evidence.Answer.FULL
        ]
        assert (await offer(album[3], "A")).answer is evidence.Answer.QUIET
        last = await offer(album[11], "A")
        assert (last.answer, last.album_kept) == (evidence.Answer.QUIET, 10)
        assert [item["file_unique_id"] for item in dialogue.data["photos"]] == [
            photo.file_unique_id for photo in album[:10]
        ]
        # Another album once full: told at its first photo that none of it was kept.
        other = await offer(Photo("file-x", "unique-x"), "B")
        assert (other.answer, other.album_kept) == (evidence.Answer.FULL, 0)
        # A photo alone is refused as ever.
        with pytest.raises(DomainError) as refused:
            await offer(Photo("file-y", "unique-y"), None)
        assert refused.value.code is ErrorCode.EVIDENCE_PHOTOS_FULL


async def test_the_offer_drawn_again_leaves_out_posts_archived_since_and_keeps_its_order(
    database: Database,
) -> None:
    """After a refused tap the inspector's list is drawn again from the first offer: a post
    archived since, or one whose unit was, is left out; the others keep their distances."""
    settings = make_settings(database.url)
    async with database.session() as session:
        first, second = await _city(session)
        posts = [
            Post(
                unit_id=first.id,
                name=name,
                type=PostType.TRAFFIC,
                latitude=offset(*CENTER, north, 0)[0],
                longitude=offset(*CENTER, north, 0)[1],
                radius_m=100,
                archived=False,
                created_at=NOW,
            )
            for name, north in (("黄河路口", 40), ("长江路口", 80), ("解放路口", 120))
        ]
        session.add_all(posts)
        await session.flush()
        dialogue = Dialogue(telegram_id=1, kind=DialogueKind.INSPECT, step="post", data={})
        offer = await checks.receive_location(
            session, _admin(), dialogue, Position(*CENTER), NOW, settings
        )
        assert [near.post.name for near in offer.near] == [
            "黄河路口",
            "长江路口",
            "解放路口",
            "人民路口",
        ]
        posts[1].archived = True
        second.archived = True
        await session.flush()
        again = await checks.offer_again(session, dialogue, NOW, settings)
        assert [near.post.name for near in again.near] == ["黄河路口", "解放路口"]
        assert [near.distance_m for near in again.near] == pytest.approx([40, 120], abs=1)
        assert again.unchecked == {posts[0].id, posts[2].id}


def test_a_covert_check_is_seen_from_the_first_report_that_counts_it() -> None:
    settings = make_settings("sqlite+aiosqlite:///x.db")
    local = settings.zone

    def when(day: int, hour: int, month: int = 12) -> dt.datetime:
        return dt.datetime(2026, month, day, hour, 0, tzinfo=local).astimezone(dt.UTC)

    # Saturday night: Sunday's tally, before any weekly report.
    assert check_visibility.visible_from(when(5, 21), True, settings) == when(6, 20)
    # Sunday night, after its tally: Monday 08:00, the report of that week.
    assert check_visibility.visible_from(when(6, 21), True, settings) == when(7, 8)
    assert not check_visibility.at_daily_tally(when(7, 8), settings)
    assert check_visibility.at_daily_tally(when(6, 20), settings)
    # Wednesday 2026-12-30 night: Thursday's tally; Thursday the 31st at night: the monthly
    # report of the 1st.
    assert check_visibility.visible_from(when(30, 21), True, settings) == when(31, 20)
    assert check_visibility.visible_from(when(31, 21), True, settings) == dt.datetime(
        2027, 1, 1, 8, 0, tzinfo=local
    ).astimezone(dt.UTC)
    # Monday night: Tuesday's tally, not next Monday's report.
    assert check_visibility.visible_from(when(7, 21), True, settings) == when(8, 20)
