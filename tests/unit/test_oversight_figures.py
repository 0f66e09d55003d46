"""The oversight figures against a hand-built month: checks by kind and their score, covert
checks only once the unit may see them, discrepancies, reports, the reply rate, the on-time rate,
overdue orders and the median time to fix; and the unit score as a weighted sum."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.db.engine import Database
from bot.db.models import (
    AuditEntry,
    Category,
    CheckKind,
    Inspection,
    Member,
    OrderStatus,
    Post,
    PostType,
    RectificationOrder,
    ReportStatus,
    StreetReport,
    Unit,
)
from bot.services.oversight import figures, order_lists
from bot.services.reports import periods
from bot.services.reports.scoring import Counts, Grade, Score, unit_score
from tests.conftest import make_settings

UTC = dt.UTC
START = dt.datetime(2026, 11, 30, 16, tzinfo=UTC)  # 1 Dec 00:00 in Shanghai
END = dt.datetime(2026, 12, 31, 16, tzinfo=UTC)
NOW = dt.datetime(2026, 12, 20, 4, tzinfo=UTC)


def day(number: int, hour: int = 2) -> dt.datetime:
    return dt.datetime(2026, 12, number, hour, tzinfo=UTC)


def _crossing(unit: Unit, created_at: dt.datetime) -> Post:
    """A traffic post of the unit (its id assigned once flushed)."""
    return Post(
        unit_id=unit.id,
        name="路口",
        type=PostType.TRAFFIC,
        latitude=30.0,
        longitude=104.0,
        radius_m=100,
        archived=False,
        created_at=created_at,
    )


async def _month(database: Database) -> tuple[int, int]:
    async with database.session() as session:
        first = Unit(name="城管局", created_at=START, require_swap_approval=False)
        second = Unit(name="交通局", created_at=START, require_swap_approval=False)
        session.add_all([first, second])
        await session.flush()
        post = _crossing(first, START)
        reporter = Member(telegram_id=1, display_name="王芳", unit_id=first.id, registered_at=START)
        session.add_all([post, reporter])
        await session.flush()

        def check(when: dt.datetime, kind: CheckKind, score: float, **extra: object) -> Inspection:
            values: dict[str, object] = {
                "post_id": post.id,
                "unit_id": first.id,
                "kind": kind,
                "covert": False,
                "latitude": 30.0,
                "longitude": 104.0,
                "distance_m": 5.0,
                "planned": 2,
                "held": 2,
                "checked_in": 2,
                "seen": 2,
                "discrepancy": 0,
                "checked_in_names": [],
                "deductions": [],
                "score": score,
                "inspected_at": when,
                "visible_from": when,
            }
            values.update(extra)
            return Inspection(**values)

        session.add_all(
            [
                check(day(3), CheckKind.DAILY, 80),
                check(day(20), CheckKind.SPOT, 60, covert=True, seen=1, discrepancy=1),
                # Covert, and the unit may see it only from tonight's tally: not counted yet.
                check(
                    NOW, CheckKind.SPOT, 10, covert=True, visible_from=NOW + dt.timedelta(hours=8)
                ),
                # Last month.
                check(START - dt.timedelta(days=2), CheckKind.DAILY, 0),
            ]
        )

        def order(issued: dt.datetime, hours: int, **extra: object) -> RectificationOrder:
            values: dict[str, object] = {
                "unit_id": first.id,
                "category": Category.LITTER,
                "status": OrderStatus.ISSUED,
                "issued_at": issued,
                "visible_from": issued,
                "deadline_at": issued + dt.timedelta(hours=hours),
                "updated_at": issued,
                "reopened": 0,
            }
            values.update(extra)
            return RectificationOrder(**values)

        accepted = OrderStatus.ACCEPTED
        session.add_all(
            [
                # replied and accepted in time, fixed in 10 h
                order(
                    day(2), 24, status=accepted, first_replied_at=day(2, 8), accepted_at=day(2, 12)
                ),
                # replied and accepted late, 30 h
                order(
                    day(5), 24, status=accepted, first_replied_at=day(6, 6), accepted_at=day(6, 8)
                ),
                # never replied: overdue
                order(day(10), 24),
                # replied, due next month
                order(day(18), 24 * 15, status=OrderStatus.REPLIED, first_replied_at=day(19)),
                # issued last month, due and accepted in time this month, 20 h
                order(
                    START - dt.timedelta(hours=10),
                    24,
                    status=accepted,
                    first_replied_at=START,
                    accepted_at=START + dt.timedelta(hours=10),
                ),
            ]
        )

        def report(unit_id: int | None, status: ReportStatus) -> StreetReport:
            return StreetReport(
                reporter_id=reporter.id,
                category=Category.PARKING,
                latitude=30.0,
                longitude=104.0,
                status=status,
                unit_id=unit_id,
                created_at=day(4),
                updated_at=day(4),
            )

        session.add_all(
            [
                report(first.id, ReportStatus.ROUTED),
                report(first.id, ReportStatus.DUPLICATE),
                report(first.id, ReportStatus.FIXED),
                report(None, ReportStatus.NEW),
            ]
        )
        return first.id, second.id


async def test_a_hand_built_month(database: Database) -> None:
    first, _ = await _month(database)
    settings = make_settings(database.url)
    async with database.session() as session:
        found = await figures.per_unit(session, start=START, end=END, now=NOW, settings=settings)
    mine = found[first]
    assert mine.checks == 2 and mine.by_kind == {CheckKind.DAILY: 1, CheckKind.SPOT: 1}
    assert mine.average_score == 70 and mine.inspection_score == 70
    assert mine.discrepancies == 1
    assert (mine.reports, mine.reports_routed) == (2, 2)
    assert (mine.issued, mine.replied, mine.replied_on_time) == (4, 3, 2)
    assert mine.reply_rate == 0.75
    assert (mine.due, mine.accepted_on_time) == (4, 2)
    assert mine.on_time_rate == 0.5
    assert (mine.overdue, mine.open) == (1, 2)
    assert mine.median_fix_hours == 20
    assert mine.order_score == pytest.approx(62.5)
    assert found[None].reports == 1 and found[None].reports_routed == 0
    whole = figures.combined(found)
    assert whole.reports == 3 and whole.checks == 2
    # The seeds' 40/60: the first half of the month weighs 40, the second 60.
    weighed = make_settings(database.url, inspection_round_weights="40,60")
    async with database.session() as session:
        rounds = await figures.per_unit(session, start=START, end=END, now=NOW, settings=weighed)
    assert rounds[first].inspection_score == pytest.approx(0.4 * 80 + 0.6 * 60)
    async with database.session() as session:
        listed = await figures.discrepancies(session, START, END, NOW, None)
    assert [(d.post, d.checked_in, d.seen) for d in listed] == [("路口", 2, 1)]


def test_the_unit_score_weighs_the_parts_the_period_has() -> None:
    settings = make_settings("sqlite+aiosqlite:///x.db")
    # Attendance 100 (every seat on time), checks 80, orders 50 (half replied, none due).
    counts = Counts(shifts=1, seats=2, filled=2, checked_in=2, on_time=2)
    both = figures.Figures(checks=1, score_sum=80, inspection_score=80, issued=2, replied=1)
    # 0.5 × 100 + 0.3 × 80 + 0.2 × 50, over the weights 1.0
    assert unit_score(counts, both, settings) == Score(84.0, Grade.FAIR)
    # Nobody checked the unit and it had no orders: attendance alone.
    assert unit_score(counts, figures.Figures(), settings).value == 100
    assert unit_score(Counts(), figures.Figures(), settings) == Score(None, None)
    # A unit with no seats but a check is scored on the check.
    assert unit_score(Counts(), both, settings).value == pytest.approx((0.3 * 80 + 0.2 * 50) / 0.5)


async def test_the_on_time_rate_counts_only_orders_whose_outcome_is_known(
    database: Database,
) -> None:
    """The month so far (NOW is the 20th): an order due on the 25th and not yet accepted has not
    missed its deadline, so it is not yet due; one due on the 25th and already accepted is
    accepted on time. The hand-built month's four due orders are unchanged."""
    first, _ = await _month(database)
    settings = make_settings(database.url)
    async with database.session() as session:
        for accepted_at in (None, day(19)):
            session.add(
                RectificationOrder(
                    unit_id=first,
                    category=Category.LITTER,
                    status=OrderStatus.ACCEPTED if accepted_at else OrderStatus.ISSUED,
                    issued_at=day(18),
                    visible_from=day(18),
                    deadline_at=day(25),
                    first_deadline_at=day(25),
                    first_replied_at=accepted_at,
                    accepted_at=accepted_at,
                    first_accepted_at=accepted_at,
                    updated_at=day(18),
                    reopened=0,
                )
            )
    async with database.session() as session:
        found = await figures.per_unit(session, start=START, end=END, now=NOW, settings=settings)
    mine = found[first]
    assert (mine.due, mine.accepted_on_time) == (5, 3)
    assert mine.on_time_rate == 0.6


async def test_a_day_of_25_hours_is_not_cut_into_check_rounds(database: Database) -> None:
    """INSPECTION_ROUND_WEIGHTS weighs the rounds of weekly and monthly periods; a day is one
    round. In Europe/Berlin, Sunday 25 October 2026 has 25 hours (the clocks go back): its
    daily tally still takes the plain mean of its checks, 70, not 0.4 × 80 + 0.6 × 60."""
    zone = ZoneInfo("Europe/Berlin")
    settings = make_settings(
        database.url, timezone="Europe/Berlin", inspection_round_weights="40,60"
    )
    start, end = periods.one_day(dt.date(2026, 10, 25)).bounds(zone)
    assert end - start == dt.timedelta(hours=25)
    async with database.session() as session:
        unit = Unit(name="城管局", created_at=start, require_swap_approval=False)
        session.add(unit)
        await session.flush()
        post = _crossing(unit, start)
        session.add(post)
        await session.flush()
        for hour, score in ((1, 80.0), (20, 60.0)):
            when = dt.datetime(2026, 10, 25, hour, tzinfo=zone)
            session.add(
                Inspection(
                    post_id=post.id,
                    unit_id=unit.id,
                    kind=CheckKind.DAILY,
                    covert=False,
                    latitude=30.0,
                    longitude=104.0,
                    distance_m=5.0,
                    planned=1,
                    held=1,
                    checked_in=1,
                    seen=1,
                    discrepancy=0,
                    checked_in_names=[],
                    deductions=[],
                    score=score,
                    inspected_at=when,
                    visible_from=when,
                )
            )
        unit_id = unit.id
    async with database.session() as session:
        found = await figures.per_unit(
            session, start=start, end=end, now=end + dt.timedelta(days=1), settings=settings
        )
    assert found[unit_id].inspection_score == pytest.approx(70)


async def test_an_order_at_its_deadline_has_not_yet_missed_it(database: Database) -> None:
    """Accepted at its deadline is accepted on time, and the order is overdue only after it:
    asked at that very moment, an order not yet accepted is neither due nor overdue yet."""
    first, _ = await _month(database)
    settings = make_settings(database.url)
    async with database.session() as session:
        before = (
            await figures.per_unit(session, start=START, end=END, now=NOW, settings=settings)
        )[first]
        session.add(
            RectificationOrder(
                unit_id=first,
                category=Category.LITTER,
                status=OrderStatus.ISSUED,
                issued_at=day(18),
                visible_from=day(18),
                deadline_at=NOW,
                first_deadline_at=NOW,
                updated_at=day(18),
                reopened=0,
            )
        )
    async with database.session() as session:
        found = await figures.per_unit(session, start=START, end=END, now=NOW, settings=settings)
    mine = found[first]
    assert mine.overdue == before.overdue
    assert (mine.due, mine.accepted_on_time) == (before.due, before.accepted_on_time)


async def test_the_reply_rate_counts_an_order_once_it_was_due_a_reply(database: Database) -> None:
    """The month so far (NOW is the 20th): an order issued on the 19th, due on the 21st and not
    replied yet, is issued but not unreplied: the reply rate stays the hand-built month's 3 of
    4. Asked once its deadline has passed, it counts as not replied: 3 of 5. One of them at its
    deadline's very moment may still be replied in time."""
    first, _ = await _month(database)
    settings = make_settings(database.url)
    async with database.session() as session:
        session.add(
            RectificationOrder(
                unit_id=first,
                category=Category.LITTER,
                status=OrderStatus.ISSUED,
                issued_at=day(19),
                visible_from=day(19),
                deadline_at=day(21),
                updated_at=day(19),
                reopened=0,
            )
        )
    for now, awaiting, rate in ((NOW, 1, 0.75), (day(21), 1, 0.75), (day(22), 0, 0.6)):
        async with database.session() as session:
            found = await figures.per_unit(
                session, start=START, end=END, now=now, settings=settings
            )
        mine = found[first]
        assert (mine.issued, mine.replied, mine.awaiting_reply) == (5, 3, awaiting), now
        assert mine.reply_rate == pytest.approx(rate), now
    # Only orders awaiting a reply: no reply rate yet, and no order score from it.
    assert figures.Figures(issued=2, awaiting_reply=2).reply_rate is None
    assert figures.Figures(issued=2, awaiting_reply=2).order_score is None


async def test_the_ledger_keeps_an_escalation_and_an_acceptance_that_a_reopening_started_over(
    database: Database,
) -> None:
    """An order escalated (超期督办) in its first round, accepted, and reopened at its follow-up:
    the reopening clears the round's escalation and acceptance, the ledger's line still says it
    was escalated (the trail has it) and when it was first accepted, as the figures count it."""
    first, _ = await _month(database)
    async with database.session() as session:
        order = RectificationOrder(
            unit_id=first,
            category=Category.LITTER,
            status=OrderStatus.ISSUED,
            issued_at=day(2),
            visible_from=day(2),
            deadline_at=day(13),
            first_deadline_at=day(3),
            first_replied_at=day(5),
            first_accepted_at=day(5),
            escalated_at=None,
            reopened=1,
            updated_at=day(12),
        )
        session.add(order)
        await session.flush()
        for action, when in (("order.escalate", day(4)), ("order.reopen", day(12))):
            session.add(
                AuditEntry(
                    actor_id=None,
                    action=action,
                    object_type="order",
                    object_id=order.id,
                    created_at=when,
                )
            )
        order_id = order.id
    async with database.session() as session:
        lines = await order_lists.ledger_lines(session, START, END, NOW, first)
    by_id = {line.id: line for line in lines}
    assert by_id[order_id].escalated is True
    # Its acceptance, which the figures count, is kept too (the reopening cleared accepted_at).
    assert by_id[order_id].first_accepted_at == day(5)
    # The hand-built month's orders were never escalated.
    assert [line.escalated for line in lines if line.id != order_id] == [False] * (len(lines) - 1)
    async with database.session() as session:
        reopened = await session.get(RectificationOrder, order_id)
        assert reopened is not None and reopened.escalated_at is None
