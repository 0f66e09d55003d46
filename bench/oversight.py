"""How much a year of campaign oversight adds to the day's tally, at city scale.

Run:
  .venv/bin/python bench/oversight.py                                   # SQLite, temporary file
  .venv/bin/python bench/oversight.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/dutybot_bench_oversight

The city of bench/reports.py (50,000 volunteers, 2,000 posts, a year of shifts), timed first as
it is, then again after a year of oversight is added with bulk inserts: 300 checks a day (about
one a week per post, a fifth of them covert), 200 street reports a day (a tenth of them
duplicates, a twentieth nobody's), an order for half the reports and a fifth of the checks, at
every stage of its cycle, and an evidence photo for each. Both runs time the same code, the
tally (whose figures include oversight) rendered as text, so the difference is what the
oversight rows cost (goal: the day's tally with them within half again of the time without).
Smaller cities for a quick look: --volunteers 5000 --posts 200 --days 60.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchdb import after_bulk_load, bulk_insert, fresh_postgres, reset_id_sequences
from reports import City, build_city
from sqlalchemy.engine import make_url

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import (
    EvidencePhoto,
    Inspection,
    RectificationOrder,
    StreetReport,
)
from bot.i18n import Translator
from bot.services.reports import periods
from bot.services.reports.report_text import ReportKind, render
from bot.services.reports.tally import compute
from bot.settings import Settings

ZONE = ZoneInfo("Asia/Shanghai")
CHECKS_A_DAY = 300
REPORTS_A_DAY = 200
CATEGORIES = ("parking", "litter", "vending", "facility", "conduct", "other")
KINDS = ("daily", "weekly", "monthly", "spot", "leader")


class Oversight:
    """A year of checks, reports, orders and photos, in chunks of days."""

    def __init__(self, city: City, days: int, first: dt.date) -> None:
        self.city, self.days, self.first = city, days, first
        self.rng = random.Random(16)

    def rows(self) -> Iterator[dict[str, list[dict[str, Any]]]]:
        rng, city = self.rng, self.city
        check_id = report_id = order_id = photo_id = 0
        batch: dict[str, list[dict[str, Any]]] = {
            "inspections": [],
            "street_reports": [],
            "rectification_orders": [],
            "evidence_photos": [],
        }
        for offset in range(self.days):
            day = self.first + dt.timedelta(days=offset)
            morning = dt.datetime.combine(day, dt.time(8), tzinfo=ZONE)
            tally_time = dt.datetime.combine(day, dt.time(20), tzinfo=ZONE)
            for _ in range(CHECKS_A_DAY):
                check_id += 1
                post = rng.randint(1, city.posts)
                at = morning + dt.timedelta(minutes=rng.randint(0, 600))
                covert = rng.random() < 0.2
                planned = 2 + post % 2
                seen = max(0, planned - rng.choice((0, 0, 0, 1, 2)))
                checked_in = max(0, planned - rng.choice((0, 0, 0, 0, 1)))
                score = float(max(0, 100 - 10 * (planned - seen) - rng.choice((0, 0, 5, 10))))
                batch["inspections"].append(
                    {
                        "id": check_id,
                        "post_id": post,
                        "unit_id": (post - 1) % city.units + 1,
                        "inspector_id": None,
                        "kind": rng.choice(KINDS),
                        "covert": covert,
                        "latitude": 30.6,
                        "longitude": 104.0,
                        "distance_m": 20.0,
                        "planned": planned,
                        "held": planned,
                        "checked_in": checked_in,
                        "seen": seen,
                        "discrepancy": abs(checked_in - seen),
                        "checked_in_names": "[]",
                        "deductions": "[]",
                        "score": score,
                        "note": None,
                        "inspected_at": at,
                        "visible_from": tally_time if covert else at,
                    }
                )
                photo_id += 1
                batch["evidence_photos"].append(self._photo(photo_id, "check", at, check=check_id))
                if rng.random() < 0.2:
                    order_id += 1
                    batch["rectification_orders"].append(
                        self._order(
                            order_id, (post - 1) % city.units + 1, "post", at, check_id, None
                        )
                    )
            for _ in range(REPORTS_A_DAY):
                report_id += 1
                at = morning + dt.timedelta(minutes=rng.randint(0, 720))
                unit = rng.randint(1, city.units) if rng.random() > 0.05 else None
                roll = rng.random()
                status = (
                    "duplicate" if roll < 0.1
                    else "new" if unit is None
                    else "ordered" if roll < 0.55
                    else "routed" if roll < 0.9
                    else "dismissed"
                )  # fmt: skip
                batch["street_reports"].append(
                    {
                        "id": report_id,
                        "reporter_id": rng.randint(1, city.volunteers),
                        "category": rng.choice(CATEGORIES),
                        "description": None,
                        "latitude": 30.6,
                        "longitude": 104.0,
                        "status": status,
                        "unit_id": unit,
                        "route_method": "nearest_post" if unit else None,
                        "route_distance_m": 80.0 if unit else None,
                        "duplicate_of_id": None,
                        "status_note": None,
                        "created_at": at,
                        "updated_at": at,
                    }
                )
                photo_id += 1
                batch["evidence_photos"].append(
                    self._photo(photo_id, "report", at, report=report_id)
                )
                if status == "ordered" and unit is not None:
                    order_id += 1
                    order = self._order(order_id, unit, rng.choice(CATEGORIES), at, None, report_id)
                    batch["rectification_orders"].append(order)
                    if order["first_replied_at"] is not None:
                        photo_id += 1
                        batch["evidence_photos"].append(
                            self._photo(
                                photo_id, "after", order["first_replied_at"], order=order_id
                            )
                        )
            if len(batch["evidence_photos"]) >= 50_000 or offset == self.days - 1:
                yield batch
                batch = {name: [] for name in batch}

    def _photo(self, photo_id: int, kind: str, at: dt.datetime, **source: int) -> dict[str, Any]:
        return {
            "id": photo_id,
            "kind": kind,
            "inspection_id": source.get("check"),
            "report_id": source.get("report"),
            "order_id": source.get("order"),
            "file_id": f"f{photo_id}",
            "file_unique_id": f"u{photo_id}",
            "flagged": False,
            "added_by_id": None,
            "created_at": at,
        }

    def _order(
        self,
        order_id: int,
        unit: int,
        category: str,
        at: dt.datetime,
        check: int | None,
        report: int | None,
    ) -> dict[str, Any]:
        rng = self.rng
        deadline = at + dt.timedelta(hours=rng.choice((24, 48, 72)))
        roll = rng.random()
        replied = at + dt.timedelta(hours=rng.uniform(2, 90)) if roll < 0.9 else None
        accepted = (
            replied + dt.timedelta(hours=rng.uniform(1, 24)) if replied and roll < 0.8 else None
        )
        status = "accepted" if accepted else "replied" if replied else "acknowledged"
        return {
            "id": order_id,
            "unit_id": unit,
            "category": category,
            "status": status,
            "inspection_id": check,
            "report_id": report,
            "post_id": None,
            "description": None,
            "latitude": 30.6,
            "longitude": 104.0,
            "issued_by_id": None,
            "issued_at": at,
            "visible_from": at,
            "deadline_at": deadline,
            "first_deadline_at": deadline,
            "acknowledged_at": at + dt.timedelta(hours=1),
            "first_replied_at": replied,
            "replied_at": replied,
            "reply_note": None,
            "accepted_at": accepted,
            "first_accepted_at": accepted,
            "accepted_by_id": None,
            "escalated_at": deadline if replied is None or replied > deadline else None,
            "follow_up_at": None,
            "follow_up_done_at": None,
            "reopened": 0,
            "updated_at": at,
        }


async def add_oversight(database: Database, oversight: Oversight) -> dict[str, int]:
    counts = {
        "inspections": 0,
        "street_reports": 0,
        "rectification_orders": 0,
        "evidence_photos": 0,
    }
    tables = {
        "inspections": Inspection.__table__,
        "street_reports": StreetReport.__table__,
        "rectification_orders": RectificationOrder.__table__,
        "evidence_photos": EvidencePhoto.__table__,
    }
    async with database.engine.begin() as connection:
        for batch in oversight.rows():
            for name in (
                "inspections",
                "street_reports",
                "rectification_orders",
                "evidence_photos",
            ):
                await bulk_insert(connection, tables[name], batch[name])
                counts[name] += len(batch[name])
        await reset_id_sequences(connection, tables)
    await after_bulk_load(database.engine)
    return counts


async def settle(database: Database) -> Database:
    """The database as a bot that has run for a year finds it: on SQLite the engine is closed
    and opened again, so the write-ahead log of gigabytes a bulk load leaves is folded into the
    database (as the last connection closing does) instead of being consulted by every read."""
    if database.engine.dialect.name != "sqlite":
        return database
    await database.dispose()
    return Database(database.url)


async def _median(action: Callable[[], Awaitable[object]], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def run(url: str, volunteers: int, posts: int, days: int, repeat: int) -> None:
    if url.startswith("postgresql"):
        await fresh_postgres(url)
    database = Database(url)
    await upgrade(database)
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    first = dt.date(2026, 1, 1)
    city = City(volunteers, posts, max(1, posts // 20), days, first)
    started = time.perf_counter()
    counts = await build_city(database, city)
    print(f"database: {database.engine.dialect.name} ({make_url(url).render_as_string()})")
    print(
        f"city: {volunteers:,} volunteers, {posts:,} posts, {days} days: "
        f"{counts['shifts']:,} shifts, {counts['checkins']:,} check-ins, "
        f"built in {time.perf_counter() - started:.1f} s"
    )
    last = first + dt.timedelta(days=days - 1)
    day = last - dt.timedelta(days=max(0, min(days - 1, 45)))
    now = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(20), tzinfo=ZONE)
    t = Translator("zh_Hans", settings.zone)

    async def day_tally(unit_id: int | None) -> None:
        async with database.session() as session:
            tally = await compute(
                session, unit_id=unit_id, period=periods.one_day(day), now=now, settings=settings
            )
        render(t, tally, ReportKind.DAILY)

    async def measure() -> tuple[float, float]:
        # One run first to warm the caches, as a bot that has been up for a while has them.
        await day_tally(None)
        await day_tally(1)
        return await _median(lambda: day_tally(None), repeat), await _median(
            lambda: day_tally(1), repeat
        )

    database = await settle(database)
    before = await measure()
    started = time.perf_counter()
    added = await add_oversight(database, Oversight(city, days, first))
    print(
        f"oversight: {added['inspections']:,} checks, {added['street_reports']:,} street reports, "
        f"{added['rectification_orders']:,} orders, {added['evidence_photos']:,} photos, "
        f"added in {time.perf_counter() - started:.1f} s"
    )
    database = await settle(database)
    after = await measure()
    print(f"the day's tally of {day.isoformat()} (median of {repeat} runs):")
    print(f"  {'':22} {'without oversight':>18} {'with a year of it':>18} {'ratio':>7}")
    for label, without, with_ in (
        ("all units", before[0], after[0]),
        ("one unit", before[1], after[1]),
    ):
        print(
            f"  {label:22} {without * 1000:>15.0f} ms {with_ * 1000:>15.0f} ms "
            f"{with_ / without:>6.2f}x"
        )
    await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--volunteers", type=int, default=50_000)
    parser.add_argument("--posts", type=int, default=2_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        asyncio.run(run(url, args.volunteers, args.posts, args.days, args.repeat))


if __name__ == "__main__":
    main()
