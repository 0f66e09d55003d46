"""With PHOTO_ARCHIVE_DIR set, check-in photos are also kept on disk for the records."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.checkin_fixtures import check_in, checkins, duty, team, today
from tests.harness import Harness


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, object]:
    return {"photo_archive_dir": str(tmp_path / "archive")}


async def test_check_in_photo_is_archived_by_date_and_post(
    harness: Harness, tmp_path: Path
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0), post_name="黄河路/人民路口")
    harness.clock.set(today(8, 5))
    await check_in(harness, fang)
    [record] = await checkins(harness)
    assert record.photo_file_id is not None

    folder = tmp_path / "archive" / "2026-12-01" / "黄河路_人民路口"
    [archived] = list(folder.iterdir())
    assert archived.name == f"0805-王芳-{record.id}.jpg"
    assert archived.read_bytes() == harness.emulator.file_bytes(record.photo_file_id)


async def test_a_failed_download_never_spoils_the_check_in(
    harness: Harness, tmp_path: Path
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    (tmp_path / "archive").write_text("not a folder")
    await check_in(harness, fang)
    assert "签到成功" in fang.last().text
    assert len(await checkins(harness)) == 1
