"""The arithmetic of check-in: distances, directions, presence, credited minutes, typed hours."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import geo
from bot.db.models import Assignment, CheckIn, Post, PostType, Shift
from bot.errors import DomainError
from bot.services.duty.attendance import parse_hours
from bot.services.duty.checkout import credited_minutes
from bot.services.duty.geofence import judge
from bot.services.duty.photo_archive import safe_name
from bot.services.duty.presence import presence_share
from bot.services.duty.sent import SENT_BELIEVED_FOR, judged_at, placed_at
from bot.settings import Settings

UTC = dt.UTC
START = dt.datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


def at(minutes: int) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


def test_haversine_matches_known_distances() -> None:
    # One degree of latitude is about 111.2 km everywhere.
    assert geo.distance_m(30.0, 104.0, 31.0, 104.0) == pytest.approx(111_195, rel=1e-3)
    # Tian'anmen to the Shanghai Bund, about 1,067 km.
    assert geo.distance_m(39.9087, 116.3975, 31.2400, 121.4900) == pytest.approx(
        1_067_000, rel=0.01
    )
    assert geo.distance_m(30.0, 104.0, 30.0, 104.0) == 0.0


@pytest.mark.parametrize(
    ("north", "east", "expected"),
    [
        (100, 0, geo.Compass.N),
        (100, 100, geo.Compass.NE),
        (0, 100, geo.Compass.E),
        (-100, 100, geo.Compass.SE),
        (-100, 0, geo.Compass.S),
        (-100, -100, geo.Compass.SW),
        (0, -100, geo.Compass.W),
        (100, -100, geo.Compass.NW),
        (100, 30, geo.Compass.N),
    ],
)
def test_direction_is_a_compass_point(north: float, east: float, expected: geo.Compass) -> None:
    latitude, longitude = geo.offset(30.6586, 104.0648, north, east)
    assert geo.direction(30.6586, 104.0648, latitude, longitude) is expected
    assert geo.distance_m(30.6586, 104.0648, latitude, longitude) == pytest.approx(
        (north**2 + east**2) ** 0.5, rel=1e-3
    )


def _post(radius: int = 150) -> Post:
    return Post(latitude=30.6586, longitude=104.0648, radius_m=radius, type=PostType.TRAFFIC)


def test_accuracy_allowance_is_capped() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    at_200 = geo.offset(30.6586, 104.0648, 200, 0)
    assert not judge(_post(), *at_200, None, settings).accepted
    fix = judge(_post(), *at_200, 60, settings)
    assert fix.accepted and fix.far
    assert not judge(_post(), *geo.offset(30.6586, 104.0648, 260, 0), 5000, settings).accepted
    inside = judge(_post(), *geo.offset(30.6586, 104.0648, 100, 0), None, settings)
    assert inside.accepted and not inside.far


def test_presence_counts_inside_time_within_the_checked_in_part_of_the_shift() -> None:
    samples = [(at(-10), True), (at(30), False), (at(60), True)]
    # Shift 0-120, checked in at -10, until 120: outside 30-60 only.
    assert presence_share(samples, at(-10), at(120), at(0), at(120)) == 0.75
    # Checked in late at 20, measured until 60: inside 20-30 of 20-60.
    assert presence_share(samples[:2], at(20), at(60), at(0), at(120)) == 0.25
    assert presence_share(samples, at(-10), at(-5), at(0), at(120)) is None


def _checkin(checked_in: int, checked_out: int | None) -> CheckIn:
    shift = Shift(starts_at=at(0), ends_at=at(120))
    record = CheckIn(
        checked_in_at=at(checked_in),
        checked_out_at=at(checked_out) if checked_out is not None else None,
        photo_rejected=False,
        credited_override=None,
    )
    record.assignment = Assignment(shift=shift)
    return record


@pytest.mark.parametrize(
    ("checked_in", "checked_out", "credited"),
    [
        (-25, 130, 120),  # early in, late out: the shift
        (14, 120, 106),  # late in
        (0, 75, 75),  # early out
        (5, 5, 0),
        (-30, -10, 0),  # entirely before the shift
        (0, None, None),  # still on post
    ],
)
def test_credited_minutes_are_the_overlap_with_the_shift(
    checked_in: int, checked_out: int | None, credited: int | None
) -> None:
    assert credited_minutes(_checkin(checked_in, checked_out)) == credited


def test_corrections_override_the_overlap() -> None:
    record = _checkin(0, 120)
    record.photo_rejected = True
    assert credited_minutes(record) == 0
    record.credited_override = 45
    assert credited_minutes(record) == 45


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2", 120),
        ("1.5", 90),
        ("1:30", 90),
        ("0：45", 45),
        (" 0 ", 0),
        ("1,25", 75),
        # As a Chinese input method in full-width mode types them.
        ("１．５", 90),
        ("１：３０", 90),
        ("１，２５", 75),
        # In Chinese punctuation mode the point key types the ideographic full stop.
        ("1。5", 90),
        ("１。２５", 75),
    ],
)
def test_hours_are_typed_as_hours(text: str, minutes: int) -> None:
    assert parse_hours(text, 120) == minutes


@pytest.mark.parametrize("text", ["3", "1:75", "two", "-1", "", "1.5h"])
def test_bad_hours_are_refused(text: str) -> None:
    with pytest.raises(DomainError):
        parse_hours(text, 120)


def test_archive_names_cannot_walk_out_of_the_folder() -> None:
    assert safe_name("../../etc/passwd") == "etc_passwd"
    assert safe_name("黄河路/人民路口") == "黄河路_人民路口"
    assert safe_name("...") == "_"


def test_a_message_counts_when_it_was_sent_within_bounds() -> None:
    handled = at(60)
    # Sent 20 minutes before it was handled (the bot was down): then.
    assert judged_at(at(40), handled) == at(40)
    # Unknown, or from the future (clocks apart): when handled.
    assert judged_at(None, handled) == handled
    assert judged_at(at(61), handled) == handled
    # Older than believed: judged when handled, so no window long closed is reached.
    assert judged_at(handled - SENT_BELIEVED_FOR, handled) == handled - SENT_BELIEVED_FOR
    assert judged_at(handled - SENT_BELIEVED_FOR - dt.timedelta(seconds=1), handled) == handled


def test_a_move_of_a_live_location_stands_in_its_track_when_sent_at_most_an_hour_back() -> None:
    handled, since = at(200), at(0)
    assert placed_at(at(180), handled, since) == at(180)
    assert placed_at(None, handled, since) == handled
    assert placed_at(at(201), handled, since) == handled
    # Older than believed: an hour before it was handled, not when handled, so that a move
    # sent after it and handled no earlier never comes before it.
    assert placed_at(at(10), handled, since) == handled - SENT_BELIEVED_FOR
    assert placed_at(at(10), handled, since) < placed_at(at(150), handled, since)
    # Never before the track began (the check-in).
    assert placed_at(at(10), at(90), at(40)) == at(40)
