"""The rotation rule on its own: fairness over four simulated weeks, every constraint (checked by
an independent brute-force reading of the rules), determinism, explanations and re-checks."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.rostering.rotation import (
    Candidate,
    OpenShift,
    Plan,
    Reason,
    Rules,
    check,
    explain,
    plan,
    spread,
)

ZONE = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 12, 7)
HOUR = 3600
SHIFT_MINUTES = 120


def at(day: dt.date, hour: int) -> int:
    return int(dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE).timestamp())


def week_end(day: dt.date) -> int:
    monday = day - dt.timedelta(days=day.weekday())
    return at(monday + dt.timedelta(days=7), 0)


def week_of_shifts(
    monday: dt.date,
    *,
    posts: int = 3,
    hours: Sequence[int] = (7, 17),
    capacity: int = 2,
    first_id: int = 1,
    tag: str | None = None,
) -> list[OpenShift]:
    """A week of shifts: every day, every post, one two-hour shift at each of `hours`."""
    shifts: list[OpenShift] = []
    shift_id = first_id
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        for post in range(1, posts + 1):
            for hour in hours:
                shifts.append(
                    OpenShift(
                        shift_id=shift_id,
                        post_id=post,
                        start=at(day, hour),
                        end=at(day, hour + 2),
                        open=capacity,
                        week=week_end(day),
                        required_tag=tag,
                    )
                )
                shift_id += 1
    return shifts


def people(count: int, **options: object) -> list[Candidate]:
    return [Candidate(member_id=100 + n, **options) for n in range(count)]  # type: ignore[arg-type]


# -- an independent reading of the rules -------------------------------------------------------


def overlaps(a: tuple[int, int], b: tuple[int, int], pad: int = 0) -> bool:
    return a[0] < b[1] + pad and b[0] < a[1] + pad


def broken_rules(
    shifts: Sequence[OpenShift], candidates: Sequence[Candidate], rules: Rules, result: Plan
) -> list[str]:
    """Every rule the plan breaks, by brute force over all pairs."""
    by_id = {shift.shift_id: shift for shift in shifts}
    by_member = {candidate.member_id: candidate for candidate in candidates}
    broken: list[str] = []
    seats = Counter(shift_id for shift_id, _ in result.seats)
    for shift_id, count in seats.items():
        if count > by_id[shift_id].open:
            broken.append(f"over capacity {shift_id}")
    held: dict[int, list[OpenShift]] = {}
    for shift_id, member_id in result.seats:
        held.setdefault(member_id, []).append(by_id[shift_id])
    for member_id, mine in held.items():
        person = by_member[member_id]
        windows = [(s.start, s.end) for s in mine]
        if person.blocked:
            broken.append(f"blocked {member_id}")
        for shift in mine:
            window = (shift.start, shift.end)
            if shift.required_tag and shift.required_tag not in person.tags:
                broken.append(f"tag {member_id} {shift.shift_id}")
            if member_id in shift.holders:
                broken.append(f"twice {member_id} {shift.shift_id}")
            if any(overlaps(window, away) for away in (*person.away, *person.leave)):
                broken.append(f"away {member_id} {shift.shift_id}")
            if any(overlaps(window, busy, rules.min_rest) for busy in person.busy):
                broken.append(f"busy {member_id} {shift.shift_id}")
        for i, first in enumerate(windows):
            for second in windows[i + 1 :]:
                if overlaps(first, second, rules.min_rest):
                    broken.append(f"rest {member_id} {first} {second}")
        if rules.weekly_cap:
            weeks = Counter(shift.week for shift in mine)
            for week, count in weeks.items():
                if count + person.week_counts.get(week, 0) > rules.weekly_cap:
                    broken.append(f"cap {member_id} {week}")
    return broken


def hours_of(result: Plan, shifts: Sequence[OpenShift]) -> dict[int, int]:
    return result.minutes_by_member({shift.shift_id: shift for shift in shifts})


# -- fairness ----------------------------------------------------------------------------------


def simulate(weeks: int, candidates: Sequence[Candidate], rules: Rules) -> dict[int, int]:
    """Plan `weeks` weeks in a row, each from the four weeks before it; minutes per member."""
    history: list[dict[int, int]] = []
    shift_id = 1
    for week in range(weeks):
        shifts = week_of_shifts(MONDAY + dt.timedelta(weeks=week), first_id=shift_id)
        shift_id += len(shifts)
        recent = Counter[int]()
        for earlier in history[-4:]:
            recent.update(earlier)
        this_week = [
            Candidate(
                member_id=c.member_id,
                recent_minutes=recent[c.member_id],
                tags=c.tags,
                no_shows=c.no_shows,
                away=c.away,
            )
            for c in candidates
        ]
        result = plan(shifts, this_week, rules)
        assert not result.unfilled
        assert broken_rules(shifts, this_week, rules, result) == []
        history.append(hours_of(result, shifts))
    total = Counter[int]()
    for week_minutes in history:
        total.update(week_minutes)
    return dict(total)


def test_four_weeks_of_a_unit_spread_the_hours_within_one_shift() -> None:
    # The coordinator's week: 40 people, 3 posts, mornings and evenings, two a shift.
    members = people(40)
    total = simulate(4, members, Rules(weekly_cap=3, min_rest=8 * HOUR))
    assert sum(total.values()) == 4 * 7 * 3 * 2 * 2 * SHIFT_MINUTES
    assert spread(total, [m.member_id for m in members]) <= SHIFT_MINUTES


def test_fairness_holds_for_every_round_and_with_a_few_no_shows() -> None:
    members = [
        Candidate(
            member_id=100 + n, no_shows=n % 3, tags=frozenset({"党员"}) if n % 4 else frozenset()
        )
        for n in range(40)
    ]
    for round_ in range(4):
        total = simulate(4, members, Rules(weekly_cap=0, min_rest=8 * HOUR, round=round_))
        assert spread(total, [m.member_id for m in members]) <= SHIFT_MINUTES, round_


def test_those_with_fewer_hours_in_the_last_four_weeks_come_first() -> None:
    shifts = week_of_shifts(MONDAY, posts=1, hours=(7,), capacity=1)  # 7 seats
    members = [Candidate(member_id=100 + n, recent_minutes=600 * (n % 2)) for n in range(10)]
    result = plan(shifts, members, Rules())
    chosen = {member_id for _, member_id in result.seats}
    assert chosen <= {100, 102, 104, 106, 108}  # nobody with 10 hours while others have none
    assert len(chosen) == 5


def test_no_shows_break_ties_of_hours() -> None:
    shifts = week_of_shifts(MONDAY, posts=1, hours=(7,), capacity=1)[:1]
    members = [Candidate(member_id=100, no_shows=2), Candidate(member_id=101, no_shows=0)]
    assert plan(shifts, members, Rules()).seats == ((shifts[0].shift_id, 101),)


def test_a_person_stays_on_their_usual_post_where_possible() -> None:
    shifts = week_of_shifts(MONDAY, posts=3, hours=(7,), capacity=1)
    members = [Candidate(member_id=100 + n, home_post=1 + n % 3) for n in range(21)]
    by_id = {shift.shift_id: shift for shift in shifts}
    result = plan(shifts, members, Rules())
    away_from_home = [
        (shift_id, member_id)
        for shift_id, member_id in result.seats
        if by_id[shift_id].post_id != 1 + (member_id - 100) % 3
    ]
    assert away_from_home == []
    # Without a usual post, a member's first seat makes one.
    fresh = people(6)
    result = plan(shifts, fresh, Rules())
    posts_of: dict[int, set[int]] = {}
    for shift_id, member_id in result.seats:
        posts_of.setdefault(member_id, set()).add(by_id[shift_id].post_id)
    assert all(len(posts) == 1 for posts in posts_of.values()), posts_of


# -- every constraint --------------------------------------------------------------------------


def test_a_shift_that_needs_a_tag_goes_only_to_members_with_it() -> None:
    shifts = week_of_shifts(MONDAY, posts=1, hours=(7,), capacity=2, tag="党员")
    members = [
        Candidate(member_id=100 + n, tags=frozenset({"党员"}) if n < 3 else frozenset())
        for n in range(10)
    ]
    result = plan(shifts, members, Rules())
    assert {member_id for _, member_id in result.seats} == {100, 101, 102}
    assert broken_rules(shifts, members, Rules(), result) == []


def test_members_with_a_scarce_tag_are_kept_for_the_seats_only_they_may_take() -> None:
    # Every day two seats anyone may take at 07:00 and at 17:00, and two for party members at
    # 09:00; five party members among 28, three shifts a week each: enough for every seat, as
    # long as the party members' weekly cap is not spent on seats the others could take.
    open_ = week_of_shifts(MONDAY, posts=1, hours=(7, 17), capacity=2)
    tagged = week_of_shifts(MONDAY, posts=1, hours=(9,), capacity=2, first_id=100, tag="党员")
    shifts = [*open_, *tagged]
    members = [
        Candidate(member_id=100 + n, tags=frozenset({"党员"}) if n < 5 else frozenset())
        for n in range(28)
    ]
    for round_ in range(32):
        rules = Rules(weekly_cap=3, min_rest=8 * HOUR, round=round_)
        result = plan(shifts, members, rules)
        assert result.unfilled == (), round_
        assert broken_rules(shifts, members, rules, result) == []
        # Still fair among those who may take the same seats: the others within one shift.
        assert spread(hours_of(result, shifts), range(105, 128)) <= SHIFT_MINUTES


def test_nobody_is_on_two_overlapping_shifts_or_without_rest() -> None:
    # Three posts at the same hours and a morning, noon and evening shift: 8 hours of rest
    # allow the morning and the evening (8 h apart), never the noon with either.
    shifts = week_of_shifts(MONDAY, posts=3, hours=(7, 12, 17), capacity=2)
    members = people(30)
    rules = Rules(min_rest=8 * HOUR)
    result = plan(shifts, members, rules)
    assert result.unfilled == ()
    assert broken_rules(shifts, members, rules, result) == []


def test_the_weekly_cap_counts_seats_already_held() -> None:
    shifts = week_of_shifts(MONDAY, posts=1, hours=(7,), capacity=1)
    week = shifts[0].week
    members = [
        Candidate(member_id=100, week_counts={week: 2}),
        Candidate(member_id=101, recent_minutes=10_000),
    ]
    result = plan(shifts, members, Rules(weekly_cap=3))
    mine = Counter(member_id for _, member_id in result.seats)
    assert mine[100] == 1 and mine[101] == 3
    assert [u.missing for u in result.unfilled] == [1, 1, 1]


def test_unavailability_leave_holders_busy_and_blocked_members_are_respected() -> None:
    shifts = week_of_shifts(MONDAY, posts=2, hours=(7, 17), capacity=1)
    tuesday = MONDAY + dt.timedelta(days=1)
    members = [
        Candidate(member_id=100, away=((at(MONDAY, 0), at(MONDAY + dt.timedelta(days=3), 0)),)),
        Candidate(member_id=101, leave=((at(tuesday, 6), at(tuesday, 10)),)),
        Candidate(member_id=102, busy=((at(tuesday, 8), at(tuesday, 10)),)),
        Candidate(member_id=103, blocked=True),
        Candidate(member_id=104),
        Candidate(member_id=105),
    ]
    held = [
        OpenShift(s.shift_id, s.post_id, s.start, s.end, s.open, s.week, holders=frozenset({104}))
        if s.shift_id == shifts[0].shift_id
        else s
        for s in shifts
    ]
    rules = Rules(min_rest=4 * HOUR)
    result = plan(held, members, rules)
    assert broken_rules(held, members, rules, result) == []
    assert 103 not in {member_id for _, member_id in result.seats}


@settings(max_examples=60, deadline=None)
@given(
    capacity=st.integers(1, 4),
    members=st.integers(1, 25),
    cap=st.integers(0, 4),
    rest=st.sampled_from([0, 4, 8, 12]),
    round_=st.integers(0, 5),
    away=st.lists(st.tuples(st.integers(0, 24), st.integers(0, 6), st.integers(1, 48)), max_size=8),
    tagged=st.sets(st.integers(0, 24)),
)
def test_no_plan_ever_breaks_a_rule(
    capacity: int,
    members: int,
    cap: int,
    rest: int,
    round_: int,
    away: list[tuple[int, int, int]],
    tagged: set[int],
) -> None:
    shifts = week_of_shifts(MONDAY, posts=2, hours=(7, 12, 17), capacity=capacity)
    shifts += week_of_shifts(MONDAY, posts=1, hours=(9,), capacity=1, first_id=1000, tag="党员")
    windows: dict[int, list[tuple[int, int]]] = {}
    for who, day, length in away:
        start = at(MONDAY + dt.timedelta(days=day), 6)
        windows.setdefault(who, []).append((start, start + length * HOUR))
    candidates = [
        Candidate(
            member_id=n,
            away=tuple(windows.get(n, ())),
            tags=frozenset({"党员"}) if n in tagged else frozenset(),
            no_shows=n % 2,
        )
        for n in range(members)
    ]
    rules = Rules(weekly_cap=cap, min_rest=rest * HOUR, round=round_)
    result = plan(shifts, candidates, rules)
    assert broken_rules(shifts, candidates, rules, result) == []
    assert check(shifts, candidates, rules, result.seats) == []
    # An unfilled seat is one that nobody could have taken once the plan was made.
    by_id = {shift.shift_id: shift for shift in shifts}
    for unfilled in result.unfilled:
        reasons = explain(by_id[unfilled.shift_id], candidates, result, rules, by_id)
        assert sum(reasons.values()) == len(candidates)


@settings(max_examples=40, deadline=None)
@given(capacity=st.integers(1, 3), members=st.integers(2, 30), round_=st.integers(0, 9))
def test_with_only_overlaps_to_respect_the_spread_stays_within_a_shift(
    capacity: int, members: int, round_: int
) -> None:
    shifts = week_of_shifts(MONDAY, posts=3, hours=(7, 17), capacity=capacity)
    candidates = people(members)
    result = plan(shifts, candidates, Rules(round=round_))
    minutes = hours_of(result, shifts)
    assert spread(minutes, [c.member_id for c in candidates]) <= SHIFT_MINUTES


# -- determinism, explanations, re-checks ------------------------------------------------------


def test_the_same_inputs_give_the_same_plan_and_another_round_another_one() -> None:
    shifts = week_of_shifts(MONDAY)
    members = people(40)
    first = plan(shifts, members, Rules(min_rest=8 * HOUR))
    assert plan(shifts, list(reversed(members)), Rules(min_rest=8 * HOUR)) == first
    assert plan(list(reversed(shifts)), members, Rules(min_rest=8 * HOUR)) == first
    other = plan(shifts, members, Rules(min_rest=8 * HOUR, round=1))
    assert other != first
    assert spread(hours_of(other, shifts), [m.member_id for m in members]) <= SHIFT_MINUTES


def test_a_seat_nobody_may_take_is_explained_member_by_member() -> None:
    shifts = week_of_shifts(MONDAY, posts=1, hours=(7,), capacity=3)[:1]
    shift = shifts[0]
    members = [
        Candidate(member_id=100),
        Candidate(member_id=101, blocked=True),
        Candidate(member_id=102, away=((shift.start, shift.end),)),
        Candidate(member_id=103, busy=((shift.start, shift.end),)),
    ]
    result = plan(shifts, members, Rules())
    assert result.seats == ((shift.shift_id, 100),)
    assert result.unfilled[0].missing == 2
    reasons = explain(shift, members, result, Rules(), {shift.shift_id: shift})
    assert reasons == Counter(
        {
            Reason.ALREADY_ON_SHIFT: 1,
            Reason.NO_SHOW_BLOCKED: 1,
            Reason.UNAVAILABLE: 1,
            Reason.CLASH: 1,
        }
    )


def test_checking_a_plan_again_finds_what_changed_since() -> None:
    shifts = week_of_shifts(MONDAY, posts=1, hours=(7,), capacity=1)[:2]
    members = people(2)
    result = plan(shifts, members, Rules())
    assert check(shifts, members, Rules(), result.seats) == []
    first, second = result.seats
    # Someone took the first seat meanwhile, and the second person declared unavailability.
    now_full = [
        OpenShift(s.shift_id, s.post_id, s.start, s.end, 0 if s == shifts[0] else s.open, s.week)
        for s in shifts
    ]
    changed = [
        Candidate(member_id=c.member_id, away=((shifts[1].start, shifts[1].end),))
        if c.member_id == second[1]
        else c
        for c in members
    ]
    assert check(now_full, changed, Rules(), result.seats) == [
        (first[0], first[1], Reason.SEAT_TAKEN),
        (second[0], second[1], Reason.UNAVAILABLE),
    ]
    assert check(shifts, members[:1], Rules(), result.seats)[-1][2] in (
        Reason.NOT_IN_UNIT,
        Reason.CLASH,
    )
