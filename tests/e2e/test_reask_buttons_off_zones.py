"""/zones asks for a GeoJSON file and asks again after a message that is not one, a file of
another type or a file with problems: each question is the dialogue's prompt, so the one before
it loses its ✖️ as it is sent, and the import that ends the dialogue takes the last one's off."""

from __future__ import annotations

from bot.db.models import Dialogue, Zone
from bot.emulator import SimUser
from tests.e2e.oversight_fixtures import city, geojson, near, square
from tests.e2e.schedule import command
from tests.harness import Harness

GOOD = geojson(("城管局", "黄河路段", square(near(), 200)))
UNKNOWN_UNIT = geojson(("不存在的局", "黄河路段", square(near(), 200)))


def _cancels(user: SimUser) -> int:
    """How many ✖️ are left in the chat."""
    return [b for m in user.messages() for b in m.buttons()].count("✖️ 取消")


async def test_zones_reasks_leave_one_cancel_and_the_import_none(harness: Harness) -> None:
    await city(harness)
    admin = harness.admin
    await command(harness, admin, "zones")
    assert admin.last().buttons() == ["✖️ 取消"]
    await admin.send_sticker()  # not a file
    await harness.settle()
    assert admin.last().buttons() == ["✖️ 取消"]
    assert _cancels(admin) == 1
    await admin.send_document("zones.pdf", b"%PDF-1.4")
    await harness.settle()
    assert "zones.pdf" in (admin.last().text or "")
    assert _cancels(admin) == 1
    await admin.send_document("zones.geojson", UNKNOWN_UNIT, "application/geo+json")
    await harness.settle()
    assert "不存在的局" in (admin.last().text or "")
    assert admin.last().buttons() == ["✖️ 取消"]
    assert _cancels(admin) == 1
    await admin.send_document("zones.geojson", GOOD, "application/geo+json")
    await harness.settle()
    assert "✅ 已从「zones.geojson」导入 1 个包干区" in (admin.last().text or "")
    assert await harness.count(Zone) == 1
    assert await harness.count(Dialogue) == 0
    assert _cancels(admin) == 0
