"""/zones checks the uploaded GeoJSON in the offload worker process, and holds no lock while it
fetches and checks it: a file near the size limit takes about a second of shapely and JSON
(3,000 polygons of 40 points, 5 MB), which on the event loop, inside the write transaction,
kept every other chat waiting."""

from __future__ import annotations

import asyncio

from bot.db.models import Zone
from tests.e2e.import_fixtures import held_worker, recording_worker
from tests.e2e.oversight_fixtures import city, geojson, near, square
from tests.harness import Harness

CHECK_IN_THE_WORKER = "bot.services.oversight.zones.check"
GOOD = geojson(
    ("城管局", "黄河路段", square(near(), 200)), ("交通局", "长江路段", square(near(800), 200))
)


async def test_a_zone_file_is_checked_by_the_worker_and_stored(harness: Harness) -> None:
    await city(harness)
    admin = harness.admin
    with recording_worker() as worker:
        await admin.send_command("zones")
        await harness.settle()
        await admin.send_document("zones.geojson", GOOD, "application/geo+json")
        await harness.settle()
        assert worker.calls == [CHECK_IN_THE_WORKER]
    assert "✅ 已从「zones.geojson」导入 2 个包干区" in (admin.last().text or "")
    assert await harness.count(Zone) == 2


async def test_another_chat_is_answered_while_the_zone_file_is_checked(
    harness: Harness,
) -> None:
    """While the worker checks the file, /zones holds no lock another chat's update needs:
    /help from a volunteer is answered before the check ends, and the zones are stored after."""
    town = await city(harness)
    admin = harness.admin
    other = town.volunteers[0]
    await admin.send_command("zones")
    await harness.settle()
    with held_worker() as worker:
        await admin.send_document("zones.geojson", GOOD, "application/geo+json")
        assert await asyncio.to_thread(worker.started.wait, 10)
        before = other.sent_count
        await other.send_command("help")
        await other.wait_sent(before + 1, timeout=10)
        assert "/shifts" in (other.last().text or "")
        assert await harness.count(Zone) == 0
        worker.go_on.set()
        await harness.settle()
    assert "✅ 已从「zones.geojson」导入 2 个包干区" in (admin.last().text or "")
    assert await harness.count(Zone) == 2
