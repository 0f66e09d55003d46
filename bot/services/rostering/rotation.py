"""The rotation rule (自动排班), pure: open seats and the unit's members in, a plan out. No
database and no clock, so it is fast, deterministic and tested on its own
(``rotation_data`` loads its inputs, ``rotate`` shows and confirms its plans).

**The rule.** Shifts are filled in the order they start. Each open seat goes to the member with
the smallest *load* who may take it, where the load is the length of the shifts they held in the
four weeks before the period, plus those they already hold in the period, plus those this plan
gave them so far. Ties go to the fewest no-shows, then to a member holding fewer of the tags
the plan's shifts require (a party member is kept for the seats only party members may take:
spent on a seat anyone could take, their weekly cap could leave one of those open), then to a
member whose usual post (where they served most in those four weeks, or their first seat in
this plan) is this shift's post, then to a fixed shuffle of the members that ``Rules.round``
changes (重新排 draws another). A member
may take a seat unless: they are blocked for no-shows; the shift needs a tag they lack; they are
already on it; it overlaps their approved leave or a time they declared unavailable; it overlaps
another of their shifts or starts or ends within ``min_rest`` of one; or it would put them over
the weekly cap. A seat nobody may take stays open, and ``explain`` says why for every member.

**Why it is fair.** Let L be the longest shift. Suppose, before a seat is filled, the loads of
the members who may take it lie within L of each other. The seat goes to a member m with the
least load l. Afterwards m has l + len ≤ l + L; every other load lay in [l, l + L], so the
largest load is at most l + L and the smallest at least l: the spread is still at most L. When
several seats start at once, each goes to the least loaded member still free, and the same
argument holds seat by seat. Starting from equal loads (or any loads within L), the members who
may take the same seats therefore never drift apart by more than one shift, however many weeks
are planned: tests/unit/test_rotation.py checks it over four simulated weeks.

**Speed.** Members wait in heaps keyed by (load, no-shows, shuffle), one per required tag and
one per (tag, usual post); an entry whose member's load changed is skipped when it surfaces. A
member found unable to take a seat for a reason that lasts (the weekly cap until the week ends,
leave or unavailability until the window closes, a rest gap) sleeps until the first moment it
could end and is not looked at before; one refused for this shift alone waits until the next
shift. So each seat costs a few heap operations: 126,000 seats over 50,000 members plan in
seconds (bench/rotation.py).
"""

from __future__ import annotations

import gc
import heapq
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

MASK64 = (1 << 64) - 1

Interval = tuple[int, int]  # [start, end) in POSIX seconds


class Reason(StrEnum):
    """Why a member may not take a seat, in the order they are checked."""

    NOT_IN_UNIT = "not_in_unit"
    NO_SHOW_BLOCKED = "no_show_blocked"
    TAG_MISSING = "tag_missing"
    ALREADY_ON_SHIFT = "already_on_shift"
    ON_LEAVE = "on_leave"
    UNAVAILABLE = "unavailable"
    CLASH = "clash"
    REST = "rest"
    WEEKLY_CAP = "weekly_cap"
    SEAT_TAKEN = "seat_taken"  # (checking a plan) the seat is no longer open


@dataclass(frozen=True, slots=True)
class OpenShift:
    """A shift with seats to fill. Times are POSIX seconds; `week` is the instant its week
    (Monday to Sunday, local time) ends, which names the week for the weekly cap."""

    shift_id: int
    post_id: int
    start: int
    end: int
    open: int
    week: int
    required_tag: str | None = None
    holders: frozenset[int] = frozenset()  # members seated on it (not its waitlist)

    @property
    def minutes(self) -> int:
        return (self.end - self.start) // 60


@dataclass(frozen=True, slots=True)
class Candidate:
    """A member who may be put on shifts, with what the rule needs to know about them."""

    member_id: int
    recent_minutes: int = 0  # shifts held in the four weeks before the period
    held_minutes: int = 0  # shifts already held in the period
    no_shows: int = 0
    tags: frozenset[str] = frozenset()
    home_post: int | None = None
    blocked: bool = False  # blocked for no-shows
    busy: tuple[Interval, ...] = ()  # shifts already held around the period
    away: tuple[Interval, ...] = ()  # declared unavailable
    leave: tuple[Interval, ...] = ()  # approved leave
    week_counts: Mapping[int, int] = field(default_factory=dict)  # seats held per week


@dataclass(frozen=True, slots=True)
class Rules:
    weekly_cap: int = 0  # 0: no cap
    min_rest: int = 0  # seconds between two shifts of one member
    round: int = 0  # another round draws another shuffle among equals


@dataclass(frozen=True, slots=True)
class Unfilled:
    shift_id: int
    missing: int


@dataclass(frozen=True)
class Plan:
    seats: tuple[tuple[int, int], ...]  # (shift id, member id), in the order they were filled
    unfilled: tuple[Unfilled, ...]

    def minutes_by_member(self, shifts: Mapping[int, OpenShift]) -> dict[int, int]:
        totals: dict[int, int] = {}
        for shift_id, member_id in self.seats:
            totals[member_id] = totals.get(member_id, 0) + shifts[shift_id].minutes
        return totals


def shuffle_key(member_id: int, round_: int) -> int:
    """A fixed pseudo-random order of members for a round (splitmix64), the last tie-break."""
    x = (member_id * 0x9E3779B97F4A7C15 + (round_ + 1) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def merged(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sorted, with overlapping or touching intervals joined: then the interval that starts last
    before a point also ends last, and one bisection finds any overlap."""
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return tuple(out)


_NO_INTERVALS: tuple[Interval, ...] = ()
_NO_STARTS: tuple[int, ...] = ()


class _Member:
    """A candidate's state while a plan is made or checked."""

    __slots__ = (
        "away",
        "away_starts",
        "busy",
        "busy_starts",
        "candidate",
        "home",
        "leave",
        "leave_starts",
        "load",
        "member_id",
        "planned",
        "planned_starts",
        "scarce",
        "shuffle",
        "sleeping_until",
        "version",
        "weeks",
    )

    def __init__(self, candidate: Candidate, shuffle: int = 0) -> None:
        self.candidate = candidate
        self.member_id = candidate.member_id
        self.shuffle = shuffle
        self.load = candidate.recent_minutes + candidate.held_minutes
        self.home = candidate.home_post
        # Most members have none of these: share the empty ones.
        self.busy, self.busy_starts = _windows(candidate.busy)
        self.away, self.away_starts = _windows(candidate.away)
        self.leave, self.leave_starts = _windows(candidate.leave)
        self.planned: list[Interval] = []
        self.planned_starts: list[int] = []
        self.weeks: dict[int, int] = dict(candidate.week_counts) if candidate.week_counts else {}
        self.version = 0
        self.sleeping_until = 0
        self.scarce = 0  # how many of the tags the plan's shifts require they hold

    def take(self, shift: OpenShift) -> None:
        self.load += shift.minutes
        index = bisect_left(self.planned_starts, shift.start)
        self.planned.insert(index, (shift.start, shift.end))
        self.planned_starts.insert(index, shift.start)
        self.weeks[shift.week] = self.weeks.get(shift.week, 0) + 1
        if self.home is None:
            self.home = shift.post_id
        self.version += 1


def _windows(
    intervals: tuple[Interval, ...],
) -> tuple[tuple[Interval, ...], Sequence[int]]:
    if not intervals:
        return _NO_INTERVALS, _NO_STARTS
    joined = merged(intervals)
    return joined, [start for start, _ in joined]


def _hit(
    intervals: Sequence[Interval], starts: Sequence[int], start: int, end: int, pad: int
) -> Interval | None:
    """The interval of a merged, sorted list that comes within `pad` of [start, end)."""
    index = bisect_left(starts, end + pad) - 1
    if index >= 0 and intervals[index][1] + pad > start:
        return intervals[index]
    return None


# What `_problem` returns: the reason and, when it lasts for every later shift until a moment,
# that moment (None: it may not hold for the next shift, look again then).
Problem = tuple[Reason, int | None]
FOREVER = 1 << 62


def _window_problem(
    reason: Reason, intervals: Sequence[Interval], starts: Sequence[int], shift: OpenShift
) -> Problem | None:
    hit = _hit(intervals, starts, shift.start, shift.end, 0)
    if hit is None:
        return None
    # A shift starting inside the window: every later one starting before it closes overlaps.
    return reason, hit[1] if shift.start >= hit[0] else None


def _gap_problem(
    intervals: Sequence[Interval], starts: Sequence[int], shift: OpenShift, rest: int
) -> Problem | None:
    hit = _hit(intervals, starts, shift.start, shift.end, 0)
    reason = Reason.CLASH
    if hit is None and rest > 0:
        hit = _hit(intervals, starts, shift.start, shift.end, rest)
        reason = Reason.REST
    if hit is None:
        return None
    # Every later shift starting before the other one ends (plus the rest) is refused too, as
    # long as this one already starts within the rest of the other's start.
    return reason, hit[1] + rest if shift.start + rest >= hit[0] else None


def _problem(member: _Member, shift: OpenShift, rules: Rules) -> Problem | None:
    candidate = member.candidate
    if candidate.blocked:
        return Reason.NO_SHOW_BLOCKED, FOREVER
    tag = shift.required_tag
    if tag is not None and tag not in candidate.tags:
        return Reason.TAG_MISSING, None
    if shift.holders and member.member_id in shift.holders:
        return Reason.ALREADY_ON_SHIFT, None
    problem: Problem | None
    if member.leave:
        problem = _window_problem(Reason.ON_LEAVE, member.leave, member.leave_starts, shift)
        if problem is not None:
            return problem
    if member.away:
        problem = _window_problem(Reason.UNAVAILABLE, member.away, member.away_starts, shift)
        if problem is not None:
            return problem
    if member.busy:
        problem = _gap_problem(member.busy, member.busy_starts, shift, rules.min_rest)
        if problem is not None:
            return problem
    if member.planned:
        problem = _gap_problem(member.planned, member.planned_starts, shift, rules.min_rest)
        if problem is not None:
            return problem
    if rules.weekly_cap > 0 and member.weeks.get(shift.week, 0) >= rules.weekly_cap:
        return Reason.WEEKLY_CAP, shift.week
    return None


def problem_of(candidate: Candidate, shift: OpenShift, rules: Rules) -> Reason | None:
    """The first rule that keeps the candidate from a seat on the shift, as things stand."""
    problem = _problem(_Member(candidate), shift, rules)
    return problem[0] if problem is not None else None


def _in_order(shifts: Iterable[OpenShift]) -> list[OpenShift]:
    return sorted(shifts, key=lambda s: (s.start, s.end, s.post_id, s.shift_id))


# A heap entry is one int, so the heaps compare machine-fast: from the highest bits, the load,
# the no-shows and the required tags held (the rule's order), the round's shuffle, the member's
# id, and the version of the member's state it was made from (an older version is skipped).
VERSION_BITS = 16
ID_BITS = 34
SHUFFLE_BITS = 30
PREFIX_SHIFT = VERSION_BITS + ID_BITS + SHUFFLE_BITS
ID_MASK = (1 << ID_BITS) - 1
VERSION_MASK = (1 << VERSION_BITS) - 1


def _entry(member: _Member) -> int:
    prefix = (((member.load << 8) | min(member.candidate.no_shows, 255)) << 8) | member.scarce
    ordered = (((prefix << SHUFFLE_BITS) | member.shuffle) << ID_BITS) | member.member_id
    return (ordered << VERSION_BITS) | (member.version & VERSION_MASK)


class _Planner:
    def __init__(self, shifts: Sequence[OpenShift], candidates: Sequence[Candidate], rules: Rules):
        self.rules = rules
        self.shifts = _in_order(s for s in shifts if s.open > 0)
        tags = sorted({s.required_tag for s in self.shifts if s.required_tag is not None})
        self.pools: dict[str | None, list[int]] = {None: []}
        self.pools.update({tag: [] for tag in tags})
        self.by_post: dict[tuple[str | None, int], list[int]] = {}
        self.pools_of: dict[int, list[str | None]] = {}
        self.members: dict[int, _Member] = {}
        for candidate in candidates:
            if not 0 <= candidate.member_id <= ID_MASK:
                raise ValueError(f"member id {candidate.member_id} out of range")
            shuffle = shuffle_key(candidate.member_id, rules.round) >> (64 - SHUFFLE_BITS)
            member = self.members[candidate.member_id] = _Member(candidate, shuffle)
            if candidate.blocked:
                continue
            mine: list[str | None] = [None]
            mine += [tag for tag in tags if tag in candidate.tags]
            member.scarce = min(len(mine) - 1, 255)
            self.pools_of[candidate.member_id] = mine
            entry = _entry(member)
            for tag in mine:
                self.pools[tag].append(entry)
                if member.home is not None:
                    self.by_post.setdefault((tag, member.home), []).append(entry)
        for heap in (*self.pools.values(), *self.by_post.values()):
            heapq.heapify(heap)
        self.sleeping: list[tuple[int, int]] = []

    def _enter(self, member: _Member) -> None:
        """Put the member's current standing into each heap they belong to."""
        entry = _entry(member)
        for tag in self.pools_of[member.member_id]:
            heapq.heappush(self.pools[tag], entry)
            if member.home is not None:
                heapq.heappush(self.by_post.setdefault((tag, member.home), []), entry)

    def _wake(self, now: int) -> None:
        while self.sleeping and self.sleeping[0][0] <= now:
            _, member_id = heapq.heappop(self.sleeping)
            member = self.members[member_id]
            member.sleeping_until = 0
            member.version += 1
            self._enter(member)

    def _best(
        self, heap: list[int], shift: OpenShift, deferred: list[tuple[list[int], int]]
    ) -> int | None:
        """The first member of `heap` who may take a seat on `shift` (left in the heap); those
        who may not are set aside for this shift or put to sleep."""
        members, rules = self.members, self.rules
        while heap:
            entry = heap[0]
            member = members[(entry >> VERSION_BITS) & ID_MASK]
            if (entry & VERSION_MASK) != (member.version & VERSION_MASK) or member.sleeping_until:
                heapq.heappop(heap)
                continue
            problem = _problem(member, shift, rules)
            if problem is None:
                return entry
            heapq.heappop(heap)
            until = problem[1]
            if until is None:
                deferred.append((heap, entry))
            elif until < FOREVER:
                member.sleeping_until = until
                heapq.heappush(self.sleeping, (until, member.member_id))
        return None

    def run(self) -> Plan:
        seats: list[tuple[int, int]] = []
        unfilled: list[Unfilled] = []
        for shift in self.shifts:
            self._wake(shift.start)
            deferred: list[tuple[list[int], int]] = []
            tag = shift.required_tag
            pool = self.pools[tag]
            usual_heap = self.by_post.get((tag, shift.post_id))
            filled = 0
            for _ in range(shift.open):
                chosen = self._best(pool, shift, deferred)
                if chosen is None:
                    break
                # Someone as little loaded whose usual post this is goes first.
                prefix = chosen >> PREFIX_SHIFT
                if usual_heap and usual_heap[0] >> PREFIX_SHIFT == prefix:
                    usual = self._best(usual_heap, shift, deferred)
                    if usual is not None and usual >> PREFIX_SHIFT == prefix:
                        chosen = usual
                member = self.members[(chosen >> VERSION_BITS) & ID_MASK]
                member.take(shift)
                seats.append((shift.shift_id, member.member_id))
                filled += 1
                # Seated now, the member clashes with this shift: never on it twice.
                self._enter(member)
                if usual_heap is None and member.home == shift.post_id:
                    usual_heap = self.by_post.get((tag, shift.post_id))
            for heap, entry in deferred:
                heapq.heappush(heap, entry)
            if filled < shift.open:
                unfilled.append(Unfilled(shift.shift_id, shift.open - filled))
        return Plan(tuple(seats), tuple(unfilled))


@contextmanager
def bulk_objects() -> Iterator[None]:
    """A block that makes hundreds of thousands of small objects and no reference cycles: the
    cyclic garbage collector would walk them again and again for nothing (a quarter of a city's
    plan). Reference counting still frees them; the collector is back once the block ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def plan(shifts: Sequence[OpenShift], candidates: Sequence[Candidate], rules: Rules) -> Plan:
    """Fill every open seat that someone may take, fairly (see the module's docstring)."""
    with bulk_objects():
        return _Planner(shifts, candidates, rules).run()


def _replayed(
    shifts: Mapping[int, OpenShift],
    candidates: Sequence[Candidate],
    seats: Iterable[tuple[int, int]],
) -> dict[int, _Member]:
    members = {c.member_id: _Member(c) for c in candidates}
    for shift_id, member_id in seats:
        if shift_id in shifts and member_id in members:
            members[member_id].take(shifts[shift_id])
    return members


def explain(
    shift: OpenShift,
    candidates: Sequence[Candidate],
    plan_: Plan,
    rules: Rules,
    shifts: Mapping[int, OpenShift],
) -> Counter[Reason]:
    """Why each member may not take a seat on `shift` once the plan is made: the first rule
    that keeps them from it, counted by rule."""
    members = _replayed(shifts, candidates, plan_.seats)
    on_it = {member_id for shift_id, member_id in plan_.seats if shift_id == shift.shift_id}
    reasons: Counter[Reason] = Counter()
    for member_id, member in members.items():
        if member_id in on_it:
            reasons[Reason.ALREADY_ON_SHIFT] += 1
            continue
        problem = _problem(member, shift, rules)
        if problem is not None:
            reasons[problem[0]] += 1
    return reasons


def check(
    shifts: Sequence[OpenShift],
    candidates: Sequence[Candidate],
    rules: Rules,
    seats: Sequence[tuple[int, int]],
) -> list[tuple[int, int, Reason]]:
    """The seats of a plan that may no longer be filled as planned (the inputs changed since):
    each with the first rule it breaks now. Empty when the plan still holds."""
    by_id = {shift.shift_id: shift for shift in shifts}
    members = {c.member_id: _Member(c) for c in candidates}
    left = {shift.shift_id: shift.open for shift in shifts}
    problems: list[tuple[int, int, Reason]] = []
    order = sorted(
        seats, key=lambda seat: (by_id[seat[0]].start, seat) if seat[0] in by_id else (0, seat)
    )
    for shift_id, member_id in order:
        shift = by_id.get(shift_id)
        member = members.get(member_id)
        if shift is None or left[shift_id] <= 0:
            problems.append((shift_id, member_id, Reason.SEAT_TAKEN))
            continue
        if member is None:
            problems.append((shift_id, member_id, Reason.NOT_IN_UNIT))
            continue
        problem = _problem(member, shift, rules)
        if problem is not None:
            problems.append((shift_id, member_id, problem[0]))
            continue
        member.take(shift)
        left[shift_id] -= 1
    return problems


def spread(minutes: Mapping[int, int], members: Iterable[int]) -> int:
    """The difference between the most and the fewest minutes among `members`."""
    values = [minutes.get(member_id, 0) for member_id in members]
    return max(values) - min(values) if values else 0
