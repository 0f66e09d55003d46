"""Assigned duty's small rules on their own: reading /unavailable, windows in local time,
finding people by name or phone, rotation periods, and the two settings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.db.models import Member
from bot.errors import DomainError, ErrorCode
from bot.services.rostering import availability, names, rotate
from bot.services.rostering.availability import Spec
from bot.services.schedule.timespec import ALL_DAYS
from bot.settings import SettingsError, load_settings

ZONE = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 12, 1)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "周一至周五 07:00-09:00 到 12-31",
            Spec(TODAY, dt.date(2026, 12, 31), frozenset(range(5)), dt.time(7), dt.time(9)),
        ),
        (
            "mon-fri 07:00-09:00 until 2026-12-31",
            Spec(TODAY, dt.date(2026, 12, 31), frozenset(range(5)), dt.time(7), dt.time(9)),
        ),
        ("sat,sun 12-31", Spec(TODAY, dt.date(2026, 12, 31), frozenset({5, 6}))),
        (
            "周六、周日 12-05 12-31",
            Spec(dt.date(2026, 12, 5), dt.date(2026, 12, 31), frozenset({5, 6})),
        ),
        ("12-05 12-07", Spec(dt.date(2026, 12, 5), dt.date(2026, 12, 7), ALL_DAYS)),
        ("12-05", Spec(dt.date(2026, 12, 5), dt.date(2026, 12, 5), ALL_DAYS)),
        (
            "12-05 17:00-19:00",
            Spec(dt.date(2026, 12, 5), dt.date(2026, 12, 5), ALL_DAYS, dt.time(17), dt.time(19)),
        ),
        ("到 12-10", Spec(TODAY, dt.date(2026, 12, 10), ALL_DAYS)),
        ("2026-11-28 12-03", Spec(TODAY, dt.date(2026, 12, 3), ALL_DAYS)),  # from today on
        ("01-05", Spec(dt.date(2027, 1, 5), dt.date(2027, 1, 5), ALL_DAYS)),  # next January
        # A range of days as /broadcast and /rotate read one (timespec.parse_day_range).
        ("12-05至12-07", Spec(dt.date(2026, 12, 5), dt.date(2026, 12, 7), ALL_DAYS)),
        ("12月5日到12月7日", Spec(dt.date(2026, 12, 5), dt.date(2026, 12, 7), ALL_DAYS)),
        ("12-05 ~ 12-07", Spec(dt.date(2026, 12, 5), dt.date(2026, 12, 7), ALL_DAYS)),
        ("12-05 ～ 12-07", Spec(dt.date(2026, 12, 5), dt.date(2026, 12, 7), ALL_DAYS)),
        ("12-05—12-07", Spec(dt.date(2026, 12, 5), dt.date(2026, 12, 7), ALL_DAYS)),
        ("12-05 – 12-07", Spec(dt.date(2026, 12, 5), dt.date(2026, 12, 7), ALL_DAYS)),
        ("12-05 to 12-07", Spec(dt.date(2026, 12, 5), dt.date(2026, 12, 7), ALL_DAYS)),
        ("１２－０５至１２－０７", Spec(dt.date(2026, 12, 5), dt.date(2026, 12, 7), ALL_DAYS)),
        ("12-28至01-03", Spec(dt.date(2026, 12, 28), dt.date(2027, 1, 3), ALL_DAYS)),
        (
            "12-05 ~ 12-07 17:00-19:00",
            Spec(dt.date(2026, 12, 5), dt.date(2026, 12, 7), ALL_DAYS, dt.time(17), dt.time(19)),
        ),
        (
            "周一至周五 07:00-09:00 12-07 ~ 12-31",
            Spec(
                dt.date(2026, 12, 7),
                dt.date(2026, 12, 31),
                frozenset(range(5)),
                dt.time(7),
                dt.time(9),
            ),
        ),
        (
            "周六、周日 12-05至12-31",
            Spec(dt.date(2026, 12, 5), dt.date(2026, 12, 31), frozenset({5, 6})),
        ),
    ],
)
def test_unavailability_is_read_from_what_people_type(text: str, expected: Spec) -> None:
    assert availability.parse(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", ErrorCode.UNAVAILABLE_INVALID),
        ("明天", ErrorCode.UNAVAILABLE_INVALID),
        ("周一至周五", ErrorCode.UNAVAILABLE_NEEDS_END),
        ("07:00-09:00", ErrorCode.UNAVAILABLE_NEEDS_END),
        ("12-05 12-06 12-07", ErrorCode.UNAVAILABLE_INVALID),
        ("12-07 12-05", ErrorCode.UNAVAILABLE_BACKWARDS),
        ("12-10 11-05", ErrorCode.UNAVAILABLE_BACKWARDS),
        ("12-10 until 12-05", ErrorCode.UNAVAILABLE_BACKWARDS),
        ("12-05 09:00-07:00", ErrorCode.UNAVAILABLE_PAST_MIDNIGHT),
        ("2026-11-20", ErrorCode.UNAVAILABLE_PAST),
        ("12-05 2028-01-01", ErrorCode.UNAVAILABLE_TOO_LONG),
        ("周一 到", ErrorCode.UNAVAILABLE_INVALID),
        ("12-07 ~ 12-05", ErrorCode.UNAVAILABLE_BACKWARDS),
        ("12-05 ~ 12-06 ~ 12-07", ErrorCode.UNAVAILABLE_INVALID),
        ("12-05 ~", ErrorCode.UNAVAILABLE_INVALID),
        ("11-20至11-25", ErrorCode.UNAVAILABLE_PAST),
    ],
)
def test_unreadable_windows_are_refused_with_their_reason(text: str, code: ErrorCode) -> None:
    with pytest.raises(DomainError) as caught:
        availability.parse(text, TODAY)
    assert caught.value.code is code


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE).astimezone(dt.UTC)


def test_a_window_covers_shifts_in_local_time() -> None:
    mornings = Spec(TODAY, dt.date(2026, 12, 31), frozenset(range(5)), dt.time(7), dt.time(9))
    wednesday = dt.date(2026, 12, 2)
    saturday = dt.date(2026, 12, 5)
    assert availability.covers(mornings, at(wednesday, 8), at(wednesday, 10), ZONE)
    assert not availability.covers(mornings, at(wednesday, 9), at(wednesday, 11), ZONE)
    assert not availability.covers(mornings, at(saturday, 7), at(saturday, 9), ZONE)
    assert not availability.covers(
        mornings, at(dt.date(2027, 1, 4), 7), at(dt.date(2027, 1, 4), 9), ZONE
    )
    whole = Spec(saturday, saturday, ALL_DAYS)
    assert availability.covers(whole, at(saturday, 0), at(saturday, 1), ZONE)
    assert not availability.covers(
        whole, at(dt.date(2026, 12, 6), 0), at(dt.date(2026, 12, 6), 1), ZONE
    )
    assert availability.intervals(whole, TODAY, dt.date(2026, 12, 31), ZONE) == [
        (at(saturday, 0), at(dt.date(2026, 12, 6), 0))
    ]
    assert availability.weekdays_of(availability.mask({0, 2, 6})) == frozenset({0, 2, 6})


def people() -> list[Member]:
    def member(member_id: int, name: str, unit_id: int, phone: str) -> Member:
        return Member(id=member_id, display_name=name, unit_id=unit_id, phone=phone, active=True)

    return [
        member(1, "王芳", 1, "+8613800001111"),
        member(2, "王强", 1, "+8613800002222"),
        member(3, "李明", 1, "+8613800003333"),
        member(4, "王五", 2, "+8613800004444"),
        member(5, "Li Ming", 1, "+8613800005555"),
    ]


def test_names_are_split_on_every_separator_people_use() -> None:
    assert names.split("王芳、李明,张伟，赵六;孙七；周八\n吴九\n\n王芳") == [
        "王芳", "李明", "张伟", "赵六", "孙七", "周八", "吴九",
    ]  # fmt: skip
    assert names.split(" Li  Ming 、 ") == ["Li Ming"]


def test_people_are_found_by_name_part_or_phone_their_unit_first() -> None:
    found = names.resolve_in(people(), 1, ["王芳", "13800003333", "li ming", "王五", "王", "赵"])
    assert [m.id for m in found.found] == [1, 3, 5, 4]  # 王五 of another unit: found, refused later
    assert found.unknown == ["赵"]
    [ambiguous] = found.ambiguous
    assert ambiguous.typed == "王" and [m.id for m in ambiguous.matches] == [1, 2]
    assert not found.ok
    # An exact name wins over the names that contain it.
    assert [m.id for m in names.resolve_in(people(), 1, ["王强"]).found] == [2]
    # A short number is not a phone number.
    assert names.resolve_in(people(), 1, ["1111"]).unknown == ["1111"]
    # A phone number as people write it: with its country code, hyphens, brackets, full-width.
    typed = ["+86 138-0000-3333", "(+86)13800003333", "１３８００００３３３３", "138 0000 3333"]
    for phone in typed:
        found = names.resolve_in(people(), 1, [phone])
        assert [m.id for m in found.found] == [3] and found.ok, phone


def test_rotation_periods() -> None:
    assert rotate.next_week(TODAY) == rotate.Period(dt.date(2026, 12, 7), dt.date(2026, 12, 13))
    assert rotate.rest_of_week(TODAY) == rotate.Period(dt.date(2026, 12, 2), dt.date(2026, 12, 6))
    assert rotate.rest_of_week(dt.date(2026, 12, 6)) is None
    assert rotate.parse_period("12-07 12-13", TODAY).days == 7
    assert rotate.parse_period("2026-12-07至2026-12-20", TODAY).days == 14
    assert rotate.parse_period("12-01", TODAY) == rotate.Period(TODAY, TODAY)
    assert rotate.check_period(dt.date(2026, 11, 30), dt.date(2026, 12, 2), TODAY).first == TODAY
    for text, code in (
        ("12-07 2027-01-07", ErrorCode.ROTATION_TOO_LONG),
        ("12-13 12-07", ErrorCode.ROTATION_RANGE_INVALID),
        ("2026-11-01 2026-11-07", ErrorCode.ROTATION_PAST),
        ("next week", ErrorCode.ROTATION_RANGE_INVALID),
    ):
        with pytest.raises(DomainError) as caught:
            rotate.parse_period(text, TODAY)
        assert caught.value.code is code, text
    assert rotate.parse_period("12-07 2027-01-06", TODAY).days == 31


def test_the_rostering_settings_have_documented_defaults_and_one_line_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir("/")
    settings = load_settings(_env_file=None)
    assert (settings.assign_ack_remind_hours, settings.min_rest_hours) == (6, 8)
    for name, value in (
        ("ASSIGN_ACK_REMIND_HOURS", "-1"),
        ("ASSIGN_ACK_REMIND_HOURS", "soon"),
        ("MIN_REST_HOURS", "100"),
    ):
        monkeypatch.setenv(name, value)
        with pytest.raises(SettingsError) as caught:
            load_settings(_env_file=None)
        message = str(caught.value)
        assert message.startswith(f"{name} is invalid: ") and "\n" not in message
        monkeypatch.delenv(name)


def test_dates_without_their_year_are_read_forward_at_any_time_of_year() -> None:
    march = dt.date(2026, 3, 1)
    weekly = availability.parse("mon-fri 07:00-09:00 until 12-31", march)
    assert (weekly.first_day, weekly.last_day) == (march, dt.date(2026, 12, 31))
    across = availability.parse("12-28至01-03", march)
    assert (across.first_day, across.last_day) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    summer = availability.parse("08-01 09-30", march)
    assert (summer.first_day, summer.last_day) == (dt.date(2026, 8, 1), dt.date(2026, 9, 30))
    november = rotate.parse_period("11-02 11-08", dt.date(2026, 5, 1))
    assert (november.first, november.last) == (dt.date(2026, 11, 2), dt.date(2026, 11, 8))
    # Just past is past, and a range typed backwards is backwards, not a year long.
    with pytest.raises(DomainError) as past:
        availability.parse("11-30", dt.date(2026, 12, 1))
    assert past.value.code is ErrorCode.UNAVAILABLE_PAST
    for typed in ("12-10 12-05", "12-10 11-05"):
        with pytest.raises(DomainError) as backwards:
            rotate.parse_period(typed, dt.date(2026, 12, 1))
        assert backwards.value.code is ErrorCode.ROTATION_RANGE_INVALID, typed
    with pytest.raises(DomainError) as long_backwards:
        availability.parse("12-20 11-15", dt.date(2026, 12, 1))
    assert long_backwards.value.code is ErrorCode.UNAVAILABLE_BACKWARDS
    assert long_backwards.value.params == {
        "first": dt.date(2026, 12, 20),
        "last": dt.date(2026, 11, 15),
    }
    with pytest.raises(DomainError) as until_past:
        availability.parse("until 11-30", dt.date(2026, 12, 1))
    assert until_past.value.code is ErrorCode.UNAVAILABLE_PAST
    # One day: the coming one, or refused as past when it was days ago; across the new year.
    single = rotate.parse_period("12-20", dt.date(2026, 12, 1))
    assert (single.first, single.last) == (dt.date(2026, 12, 20), dt.date(2026, 12, 20))
    with pytest.raises(DomainError) as yesterday:
        rotate.parse_period("11-30", dt.date(2026, 12, 1))
    assert yesterday.value.code is ErrorCode.ROTATION_PAST
    new_year = rotate.parse_period("12-28 01-03", dt.date(2026, 12, 20))
    assert (new_year.first, new_year.last) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    # 29 February typed in a year without one: the next leap year's.
    leap = availability.parse("02-29", dt.date(2027, 12, 1))
    assert (leap.first_day, leap.last_day) == (dt.date(2028, 2, 29), dt.date(2028, 2, 29))
