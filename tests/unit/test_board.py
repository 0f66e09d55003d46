"""The board's pure parts: Telegram's initData check, wall-screen tokens, the GCJ-02 transform,
a post's state and the day's curve, the panel registry and the snapshot cache."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.board.auth import (
    Refused,
    check_init_data,
    check_screen_token,
    screen_token,
    sign_init_data,
)
from bot.board.coords import out_of_china, to_display, wgs84_to_gcj02
from bot.board.day import Day, DayPost, DayShift, Seat
from bot.board.open311 import mask_phones
from bot.board.panels import PanelContext, PanelData, PanelRegistry, View
from bot.board.server import STATIC_DIR, TEMPLATES_DIR, SnapshotCache, asset_build, board_path
from bot.board.standard import PostState, curve, post_state

TOKEN = "123456:TEST-TOKEN"
NOW = dt.datetime(2026, 12, 1, 7, 10, tzinfo=dt.UTC)


def _fields(user_id: int = 42, when: dt.datetime = NOW, **extra: str) -> dict[str, str]:
    user = {"id": user_id, "first_name": "李明", "language_code": "zh-hans"}
    return {
        "auth_date": str(int(when.timestamp())),
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, ensure_ascii=False),
        **extra,
    }


# -- initData -----------------------------------------------------------------------------------


def test_init_data_signed_with_the_bot_token_names_its_user() -> None:
    user = check_init_data(sign_init_data(_fields(), TOKEN), TOKEN, NOW)
    assert user.id == 42
    assert user.language_code == "zh-hans"
    assert user.auth_date == NOW


def test_init_data_check_follows_telegrams_published_algorithm() -> None:
    """hash = hex(HMAC_SHA256(data_check_string, key=HMAC_SHA256(bot_token, key="WebAppData"))),
    over every field but hash (signature included), sorted, joined by line feeds."""
    import hashlib
    import hmac

    fields = _fields(signature="c2lnbmF0dXJl")
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    assert check_init_data(urlencode({**fields, "hash": digest}), TOKEN, NOW).id == 42
    assert dict(parse_qsl(sign_init_data(fields, TOKEN)))["hash"] == digest


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda data: data.replace("%22id%22%3A+42", "%22id%22%3A+43"), "signature"),
        (lambda data: data + "&extra=1", "signature"),
        (lambda data: data.replace("hash=", "hash=0"), "signature"),
        (
            lambda data: "&".join(p for p in data.split("&") if not p.startswith("hash")),
            "signature",
        ),
        (lambda data: data + "&" + data.split("&")[0], "repeats"),
        (lambda data: "not a query string", "query string"),
        (lambda data: data.split("hash=")[0] + "hash=%C3%A9", "signature"),
        (lambda data: data.replace("hash=", "hash=\u00e9"), "ASCII"),
        (lambda data: data + "&x=\udcff", "ASCII"),  # an undecodable byte of the header
    ],
)
def test_forged_init_data_is_refused(mangle: Any, reason: str) -> None:
    with pytest.raises(Refused, match=reason):
        check_init_data(mangle(sign_init_data(_fields(), TOKEN)), TOKEN, NOW)


def test_init_data_of_another_bot_is_refused() -> None:
    with pytest.raises(Refused, match="signature"):
        check_init_data(sign_init_data(_fields(), "654321:OTHER"), TOKEN, NOW)


def test_init_data_older_than_a_day_is_refused() -> None:
    data = sign_init_data(_fields(when=NOW - dt.timedelta(days=1, seconds=1)), TOKEN)
    with pytest.raises(Refused, match="older than a day"):
        check_init_data(data, TOKEN, NOW)
    fresh_enough = sign_init_data(_fields(when=NOW - dt.timedelta(hours=23)), TOKEN)
    assert check_init_data(fresh_enough, TOKEN, NOW).id == 42


def test_init_data_from_the_future_is_refused() -> None:
    with pytest.raises(Refused, match="future"):
        check_init_data(
            sign_init_data(_fields(when=NOW + dt.timedelta(hours=1)), TOKEN), TOKEN, NOW
        )


def test_init_data_without_a_user_is_refused() -> None:
    fields = _fields()
    del fields["user"]
    with pytest.raises(Refused, match="user"):
        check_init_data(sign_init_data(fields, TOKEN), TOKEN, NOW)


# -- wall-screen tokens -------------------------------------------------------------------------


def test_screen_token_round_trip_names_its_scope() -> None:
    expires = NOW + dt.timedelta(days=30)
    city = check_screen_token(screen_token(7, None, expires, TOKEN), TOKEN, NOW)
    unit = check_screen_token(screen_token(8, 3, expires, TOKEN), TOKEN, NOW)
    assert (city.screen_id, city.unit_id) == (7, None)
    assert (unit.screen_id, unit.unit_id) == (8, 3)
    assert unit.expires_at == expires.replace(microsecond=0)


def test_screen_token_changed_or_expired_is_refused() -> None:
    expires = NOW + dt.timedelta(days=30)
    token = screen_token(8, 3, expires, TOKEN)
    with pytest.raises(Refused, match="signature"):
        check_screen_token(token.replace(".u3.", ".city."), TOKEN, NOW)
    with pytest.raises(Refused, match="signature"):
        check_screen_token(token, "654321:OTHER", NOW)
    with pytest.raises(Refused, match="malformed"):
        check_screen_token("8.u3", TOKEN, NOW)
    for signature in ("\u00e9", "\udcff"):
        with pytest.raises(Refused, match="malformed"):
            check_screen_token(token.rsplit(".", 1)[0] + "." + signature, TOKEN, NOW)
    with pytest.raises(Refused, match="expired"):
        check_screen_token(token, TOKEN, expires)


# -- Open311's phone masking --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("有事打我电话 13912345678", "有事打我电话 ***"),
        ("电话：139-1234-5678。", "电话：***。"),  # the full-width punctuation around stays
        ("电话 139－1234－5678", "电话 ***"),  # a Chinese keyboard's full-width hyphen
        ("电话 139—1234—5678 或 139–1234–5678", "电话 *** 或 ***"),  # em and en dashes
        ("电话 １３９１２３４５６７８", "电话 ***"),  # full-width digits
        ("座机 (028) 8765 4321", "座机 ***"),
        ("2026-12-01 07:30 发现乱停车", "2026-12-01 07:30 发现乱停车"),  # a date and a time
        ("2026/12/1 7:30—9:00 两辆车", "2026/12/1 7:30—9:00 两辆车"),
        ("2026－12－01 ０７：３０ 发现", "2026－12－01 ０７：３０ 发现"),  # typed full-width
        ("13912345678 2026-12-01 来过", "*** 2026-12-01 来过"),  # the date after is kept
        ("2026-12-011 13912345678", "***"),  # no date: too many digits for a day
        ("车牌 川A12345，停了 3 天", "车牌 川A12345，停了 3 天"),  # too few digits
    ],
)
def test_open311_masks_phone_numbers_however_typed_and_only_them(typed: str, shown: str) -> None:
    assert mask_phones(typed) == shown


# -- GCJ-02 -------------------------------------------------------------------------------------

# Published reference points: eviltransform's tests (WGS-84 lat, lng, GCJ-02 lat, lng) and
# coordtransform's README (wgs84togcj02(116.404, 39.915)).
KNOWN_POINTS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
    (39.915, 116.404, 39.91640428150164, 116.41024449916938),  # Beijing, Tiananmen
]


@pytest.mark.parametrize(("lat", "lng", "gcj_lat", "gcj_lng"), KNOWN_POINTS)
def test_wgs84_to_gcj02_matches_published_points(
    lat: float, lng: float, gcj_lat: float, gcj_lng: float
) -> None:
    converted = wgs84_to_gcj02(lat, lng)
    assert converted == pytest.approx((gcj_lat, gcj_lng), abs=1e-9)


def test_gcj02_shift_is_hundreds_of_metres_in_china_and_none_abroad() -> None:
    lat, lng = wgs84_to_gcj02(30.6586, 104.0648)  # Chengdu
    assert 0.0005 < abs(lat - 30.6586) + abs(lng - 104.0648) < 0.01
    assert out_of_china(48.8566, 2.3522)
    assert wgs84_to_gcj02(48.8566, 2.3522) == (48.8566, 2.3522)  # Paris is not shifted
    assert to_display(30.6586, 104.0648, "wgs84") == (30.6586, 104.0648)
    assert to_display(30.6586, 104.0648, "gcj02") == (lat, lng)


# -- a post's state and the day's curve ---------------------------------------------------------


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, 1, hour, minute, tzinfo=dt.UTC)


def ts(hour: int, minute: int = 0) -> float:
    return at(hour, minute).timestamp()


def seat(arrived: float, left: float | None = None) -> Seat:
    return Seat("x", arrived, left, 0, False)


def test_post_state_compares_people_on_post_with_the_seats_under_way() -> None:
    shift = DayShift(1, 1, ts(7), ts(9), 2, [seat(ts(6, 50)), seat(ts(7, 5), ts(8))])
    empty = DayShift(2, 1, ts(7), ts(9), 1)

    def state(shifts: list[DayShift], moment: float) -> tuple[PostState, int, int]:
        now = post_state(shifts, moment)
        return now.state, now.present, now.capacity

    assert state([shift], ts(6, 55)) == (PostState.IDLE, 0, 0)
    assert state([shift], ts(7, 2)) == (PostState.SHORT, 1, 2)
    assert state([shift], ts(7, 30)) == (PostState.STAFFED, 2, 2)
    assert state([shift], ts(8, 30)) == (PostState.SHORT, 1, 2)  # one checked out
    assert state([shift], ts(9)) == (PostState.IDLE, 0, 0)
    assert state([empty], ts(7, 10)) == (PostState.EMPTY, 0, 1)
    # Two shifts at once on one post count together.
    assert state([shift, empty], ts(7, 30)) == (PostState.SHORT, 2, 3)


def test_a_popup_lists_early_arrivals_of_every_shift_starting_next() -> None:
    """Two shifts of the post start at 09:00 (two sign-up lists): an early arrival of either
    is listed under one label counting both, which says the start alone since they end at
    different times; the 07:00 shift's people are those on post."""
    from types import SimpleNamespace
    from typing import cast
    from zoneinfo import ZoneInfo

    from bot.board.standard import MapPanel
    from bot.i18n import Translator
    from bot.settings import Settings

    def named(name: str, arrived: float) -> Seat:
        return Seat(name, arrived, None, 0, False)

    under_way = DayShift(1, 1, ts(7), ts(9), 1, [named("甲", ts(6, 55))])
    next_a = DayShift(2, 1, ts(9), ts(11), 1, [named("乙", ts(8, 40))])
    next_b = DayShift(3, 1, ts(9), ts(12), 1, [named("丙", ts(8, 45))])
    later = DayShift(4, 1, ts(11), ts(13), 1)
    post = DayPost(1, "人民路口", 1, "城管局", 30.0, 104.0)
    context = SimpleNamespace(
        t=Translator("zh_Hans", ZoneInfo("UTC")),
        settings=Settings(_env_file=None),  # type: ignore[call-arg]
        now=at(8, 50),
    )
    shifts = [under_way, next_a, next_b, later]
    markers = MapPanel._markers(
        cast(PanelContext, context), [(post, shifts, post_state(shifts, ts(8, 50)))]
    )["markers"]
    popup = markers[0]["popup"]
    assert popup["staffing"] == "在岗 1/1 人"
    assert [person["name"] for person in popup["people"]] == ["甲"]
    assert popup["early"]["label"] == "接下来的班次 09:00 已提前签到 2 人"
    assert [person["name"] for person in popup["early"]["people"]] == ["乙", "丙"]


def test_twin_shifts_of_one_window_read_as_one_in_a_popup() -> None:
    """Two sign-up lists of one post with the same hours (07:00-09:00 twice, 09:00-11:00
    twice): the popup names each window once, under way and early alike, and the early line
    speaks of one shift, as the viewer sees one window."""
    from types import SimpleNamespace
    from typing import cast
    from zoneinfo import ZoneInfo

    from bot.board.standard import MapPanel
    from bot.i18n import Translator
    from bot.settings import Settings

    def named(name: str, arrived: float) -> Seat:
        return Seat(name, arrived, None, 0, False)

    shifts = [
        DayShift(1, 1, ts(7), ts(9), 1, [named("甲", ts(6, 55))]),
        DayShift(2, 1, ts(7), ts(9), 1, [named("乙", ts(6, 58))]),
        DayShift(3, 1, ts(9), ts(11), 1, [named("丙", ts(8, 40))]),
        DayShift(4, 1, ts(9), ts(11), 1, [named("丁", ts(8, 45))]),
    ]
    post = DayPost(1, "人民路口", 1, "城管局", 30.0, 104.0)
    context = SimpleNamespace(
        t=Translator("zh_Hans", ZoneInfo("UTC")),
        settings=Settings(_env_file=None),  # type: ignore[call-arg]
        now=at(8, 50),
    )
    markers = MapPanel._markers(
        cast(PanelContext, context), [(post, shifts, post_state(shifts, ts(8, 50)))]
    )["markers"]
    popup = markers[0]["popup"]
    assert popup["shifts"] == ["07:00–09:00"]
    assert popup["staffing"] == "在岗 2/2 人"
    assert popup["early"]["label"] == "下一班次 09:00–11:00 已提前签到 2 人"
    # A shift ending at the midnight that ends its day reads 22:00–24:00, as the bot says it.
    night = [DayShift(5, 1, ts(22), (at(0) + dt.timedelta(days=1)).timestamp(), 1)]
    markers = MapPanel._markers(
        cast(PanelContext, context), [(post, night, post_state(night, ts(8, 50)))]
    )["markers"]
    assert markers[0]["popup"]["shifts"] == ["22:00–24:00"]


def test_early_arrivals_are_of_every_shift_whose_check_in_has_opened() -> None:
    """Check-in opens an hour before each start: at 06:45 the 07:00 and 07:30 shifts are both
    open, the 08:00 one not yet. Someone checked in for 07:30 is early though 07:00 starts
    first; from 07:00 (under way) the 07:30 shift's early arrival stays apart."""
    hour = 3600.0
    first = DayShift(1, 1, ts(7), ts(9), 1, opens=ts(7) - hour)
    second = DayShift(2, 1, ts(7, 30), ts(9), 1, [seat(ts(6, 40))], opens=ts(7, 30) - hour)
    third = DayShift(3, 1, ts(8), ts(9), 1, opens=ts(8) - hour)
    shifts = [first, second, third]

    now = post_state(shifts, ts(6, 45))
    assert (now.state, now.early, now.following) == (PostState.IDLE, 1, [first, second])
    now = post_state(shifts, ts(7))
    assert (now.state, now.present, now.early, now.following) == (
        PostState.EMPTY,
        0,
        1,
        [second, third],
    )
    # Opened at the very instant of its window (as /checkin takes it), not a moment later.
    assert post_state([third], ts(7)).following == [third]
    # A shift whose window is not known (opens=None) is early only as the next to start.
    assert post_state([DayShift(4, 1, ts(8), ts(9), 1)], ts(6)).following == [
        DayShift(4, 1, ts(8), ts(9), 1)
    ]


def test_curve_samples_the_share_on_post_every_quarter_hour_up_to_now() -> None:
    shift = DayShift(1, 1, ts(7), ts(9), 2, [seat(ts(6, 50)), seat(ts(7, 20), ts(8, 10))])
    day = Day(posts=[DayPost(1, "p", 1, "u", 0.0, 0.0)], shifts_by_post={1: [shift]})
    points = curve(day, at(8, 20))
    assert [moment for moment, _ in points] == [
        at(7), at(7, 15), at(7, 30), at(7, 45), at(8), at(8, 15), at(8, 20)
    ]  # fmt: skip
    assert [rate for _, rate in points] == [0.5, 0.5, 1.0, 1.0, 1.0, 0.5, 0.5]
    after = curve(day, at(12))
    assert after[-1] == (at(9), None)  # no shift under way at its end
    assert curve(Day(posts=[], shifts_by_post={}), at(8)) == []


def test_a_night_shift_from_yesterday_draws_the_curve_from_midnight_only() -> None:
    """Today's on-post curve of a day whose first shift began last night (22:00-02:00, on the
    day's map since it runs into today): it starts at the day's midnight, not at 22:00 of the
    day before, which read as a curve of yesterday evening under "today on post"."""
    midnight = at(0)
    night = DayShift(1, 1, ts(0) - 7200, ts(2), 1, [seat(ts(0) - 7000)])
    morning = DayShift(2, 1, ts(7), ts(9), 1)
    day = Day(
        posts=[DayPost(1, "p", 1, "u", 0.0, 0.0)],
        shifts_by_post={1: [night, morning]},
        start=midnight.timestamp(),
    )
    points = curve(day, at(0, 40))
    assert [moment for moment, _ in points] == [at(0), at(0, 15), at(0, 30), at(0, 40)]
    assert [rate for _, rate in points] == [1.0, 1.0, 1.0, 1.0]


# -- panels and the cache -----------------------------------------------------------------------


class _Orders:
    key = "orders"
    title_key = "board.panel.ranking"
    view: View = "table"

    async def collect(self, context: PanelContext) -> PanelData:
        return {"columns": ["unit"], "rows": []}


def test_a_panel_key_registers_once() -> None:
    registry = PanelRegistry([_Orders()])
    assert "orders" in registry and registry.keys() == ["orders"]
    with pytest.raises(ValueError, match="orders"):
        registry.register(_Orders())


def test_board_path_is_the_path_of_board_url() -> None:
    assert board_path("https://bot.example.org/board/") == "/board"
    assert board_path("https://bot.example.org/") == ""
    assert board_path("https://bot.example.org/city/board") == "/city/board"


def test_the_build_is_a_hash_of_the_pages_files_and_changes_with_any_of_them(
    tmp_path: Path,
) -> None:
    static, templates = tmp_path / "static", tmp_path / "templates"
    (static / "vendor").mkdir(parents=True)
    templates.mkdir()
    (static / "board.js").write_text("var a = 1;")
    (static / "vendor" / "leaflet.js").write_text("L")
    (templates / "board.html").write_text("<html>")
    first = asset_build(static, templates)
    assert re.fullmatch(r"[0-9a-f]{12}", first)
    assert asset_build(static, templates) == first  # the same files, the same build
    (static / "board.js").write_text("var a = 2;")
    changed = asset_build(static, templates)
    assert changed != first
    (templates / "board.html").write_text("<html lang>")
    assert asset_build(static, templates) not in (first, changed)
    # A file moved is another page, though its bytes are the same.
    before = asset_build(static, templates)
    (static / "vendor" / "leaflet.js").rename(static / "leaflet.js")
    assert asset_build(static, templates) != before
    # The board's own files make one (a missing directory or an unreadable file would raise).
    assert re.fullmatch(r"[0-9a-f]{12}", asset_build(STATIC_DIR, TEMPLATES_DIR))


async def test_snapshot_cache_reads_a_scope_once_for_requests_at_once() -> None:
    reads = 0
    gate = asyncio.Event()

    async def build() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        await gate.wait()
        return {"read": reads}

    cache = SnapshotCache(ttl=60)
    waiting = [asyncio.ensure_future(cache.get((None, "en"), build)) for _ in range(50)]
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*waiting)
    assert reads == 1 and all(result == {"read": 1} for result in results)
    assert await cache.get((None, "en"), build) == {"read": 1}  # within the ttl
    assert await cache.get((3, "en"), build) == {"read": 2}  # another scope


async def test_snapshot_cache_reads_again_after_a_failure_or_its_ttl() -> None:
    reads = 0

    async def build() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        if reads == 1:
            raise RuntimeError("database gone")
        return {"read": reads}

    cache = SnapshotCache(ttl=60)
    with pytest.raises(RuntimeError):
        await cache.get((None, "en"), build)
    assert await cache.get((None, "en"), build) == {"read": 2}  # a failure is not kept
    assert await cache.get((None, "en"), build) == {"read": 2}
    expiring = SnapshotCache(ttl=0)
    assert await expiring.get((None, "en"), build) == {"read": 3}
    assert await expiring.get((None, "en"), build) == {"read": 4}


def test_every_message_the_board_shows_exists_in_every_language() -> None:
    import re
    from pathlib import Path

    from bot.board.standard import standard_panels
    from bot.i18n import LANGUAGES, catalogs

    templates = Path(__file__).resolve().parents[2] / "bot" / "board" / "templates"
    keys = set()
    for template in templates.glob("*.html"):
        keys |= set(re.findall(r"t\('([a-z_.]+)'\)", template.read_text(encoding="utf-8")))
    keys |= {panel.title_key for panel in standard_panels()}
    keys |= {f"board.state.{state.value}" for state in PostState}
    assert "board.page.title" in keys
    for language in LANGUAGES:
        missing = sorted(keys - catalogs()[language].messages.keys())
        assert not missing, (language, missing)


def test_every_file_the_board_serves_is_package_data() -> None:
    """A non-editable install (the Docker image) carries the templates and static files only
    when pyproject.toml's package-data patterns name them."""
    import fnmatch
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    patterns = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]["bot.board"]
    package = root / "bot" / "board"
    served = [
        path.relative_to(package).as_posix()
        for folder in ("templates", "static")
        for path in (package / folder).rglob("*")
        if path.is_file()
    ]
    assert len(served) > 10
    missing = [
        name for name in served if not any(fnmatch.fnmatch(name, pattern) for pattern in patterns)
    ]
    assert not missing, missing


async def test_snapshot_cache_serves_the_last_read_while_the_next_one_runs() -> None:
    moment = 0.0
    reads = 0
    gate = asyncio.Event()

    async def build() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        if reads > 1:
            await gate.wait()
        return {"read": reads}

    cache = SnapshotCache(10, stale_for=10, clock=lambda: moment)
    assert await cache.get("city", build) == {"read": 1}
    moment = 12.0  # past the interval: the last read at once, one new read behind it
    assert await cache.get("city", build) == {"read": 1}
    await asyncio.sleep(0)
    assert await cache.get("city", build) == {"read": 1}
    assert reads == 2  # one read behind, however many requests
    gate.set()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert await cache.get("city", build) == {"read": 2}
    moment = 40.0  # long unseen: too old to show, the request waits for a fresh read
    assert await cache.get("city", build) == {"read": 3}


def test_every_board_setting_is_in_the_readme_settings_table() -> None:
    from pathlib import Path

    from bot.settings import Settings

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") :]
    names = [
        name.upper()
        for name in Settings.model_fields
        if name.startswith(("board_", "map_", "open311_"))
    ]
    assert {"BOARD_REFRESH_SECONDS", "MAP_TILE_ATTRIBUTION", "OPEN311_API_KEYS"} <= set(names)
    for name in names:
        assert f"| `{name}`" in table or f", `{name}`" in table, name


def test_after_last_nights_shift_an_idle_post_says_it_has_no_shift_today() -> None:
    """A post whose only shift ran from 22:00 last night to 06:00: at 07:00 its popup says
    there is no shift today, not "no more shifts today", as if the day's shifts were done."""
    from types import SimpleNamespace
    from typing import cast
    from zoneinfo import ZoneInfo

    from bot.board.standard import MapPanel
    from bot.i18n import Translator
    from bot.settings import Settings

    night = DayShift(1, 1, ts(22) - 86400, ts(6), 2)
    post = DayPost(1, "人民路口", 1, "城管局", 30.0, 104.0)
    early = DayShift(2, 1, ts(6), ts(7), 1)
    for shifts, said in (([night], "今天没有班次"), ([night, early], None)):
        context = SimpleNamespace(
            t=Translator("zh_Hans", ZoneInfo("UTC")),
            settings=Settings(_env_file=None, timezone="UTC"),  # type: ignore[call-arg]
            now=at(7),
        )
        popup = MapPanel._markers(
            cast(PanelContext, context), [(post, shifts, post_state(shifts, ts(7)))]
        )["markers"][0]["popup"]
        # A shift of today that has ended: no more of them today.
        assert (popup["staffing"], popup["shifts"]) == (said or "今天没有更多班次", [])


def test_amap_tiles_get_their_own_subdomains_and_the_csp_lets_them_in() -> None:
    """AMap's hosts are webrd01 to webrd04, not Leaflet's a, b, c: `{switch:1,2,3,4}` in
    MAP_TILE_URL names them, and the page's CSP allows every one of them."""
    from bot.board.server import _tile_origin, tile_layer

    amap = "https://webrd0{switch:1,2,3,4}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}"
    template, subdomains = tile_layer(amap)
    assert template == "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}"
    assert subdomains == ["1", "2", "3", "4"]
    assert _tile_origin(template) == "https://*.is.autonavi.com"
    osm = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert tile_layer(osm) == (osm, ["a", "b", "c"])
    assert _tile_origin(osm) == "https://*.tile.openstreetmap.org"
    # An empty or broken list is left as written (Leaflet's defaults), never a blank name.
    assert tile_layer("https://t{switch:1,,2}.example.org/{z}/{x}/{y}.png")[1] == ["a", "b", "c"]
    # A host without a dot (a tile server on the intranet) has no domain to wildcard: each of
    # its hosts is let in by name, rather than the page failing.
    intranet = "http://tiles{switch:1,2}:8080/{z}/{x}/{y}.png"
    template, subdomains = tile_layer(intranet)
    assert _tile_origin(template, subdomains) == "http://tiles1:8080 http://tiles2:8080"
    assert _tile_origin("http://{s}/{z}/{x}/{y}.png") == "http://a http://b http://c"
    # {s} further in the host, or only in the path, is not a subdomain of what follows it.
    deeper = "https://tile.{s}.example.org/{z}/{x}/{y}.png"
    assert (
        _tile_origin(deeper, ["a", "b"]) == "https://tile.a.example.org https://tile.b.example.org"
    )
    assert _tile_origin("https://tiles.example.org/{s}/{z}/{x}/{y}.png") == (
        "https://tiles.example.org"
    )
