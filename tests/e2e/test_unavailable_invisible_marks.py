"""/unavailable with invisible marks in the window typed or pasted (a zero-width space, a
direction mark, a byte-order mark): read as the window they surround, as names and notes are
read everywhere else, not refused as unreadable."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Unavailability
from tests.e2e.rostering_fixtures import assigned_seat, town
from tests.e2e.schedule import command
from tests.harness import Harness


async def test_a_window_with_invisible_marks_is_read_as_typed_without_them(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang = town_.people[1]
    await assigned_seat(harness, town_.shift_id, wang.user_id)

    text = await command(harness, wang, "unavailable", "\ufeff12\u200b-02 07:00\u2060-09:00\u200e")
    assert text.startswith("✅ 已记下：12月2日 周三 07:00–09:00。"), text
    assert "1. 12月2日 周三 07:00–09:00 · 黄河路-人民路口" in text
    # Typed in the dialogue too, a range of days.
    await command(harness, wang, "unavailable")
    await wang.send_text("12-05\u200b 至 \u200f12-07")
    await harness.settle()
    assert (wang.last().text or "").startswith("✅ 已记下：2026年12月5日 至 2026年12月7日 全天。")
    async with harness.session() as session:
        kept = (await session.scalars(select(Unavailability).order_by(Unavailability.id))).all()
    assert [(w.first_day.isoformat(), w.last_day.isoformat()) for w in kept] == [
        ("2026-12-02", "2026-12-02"),
        ("2026-12-05", "2026-12-07"),
    ]
