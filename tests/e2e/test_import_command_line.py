"""`dutybot import FILE [--dry-run]`: the same answers as /import, in DEFAULT_LANGUAGE."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db.models import Post, Shift
from bot.importcli import import_file
from tests.conftest import make_settings
from tests.harness import Harness


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("zh_Hans", "dutybot: 缺少列：开始时间、结束时间、人数。请用 /template 的模板。"),
        ("en", "dutybot: Columns missing: start, end, capacity. Use the template from /template."),
        ("zh_Hant", "dutybot: 缺少欄：開始時間、結束時間、人數。請用 /template 的範本。"),
    ],
)
async def test_missing_columns_are_named_as_the_template_names_them(
    harness: Harness,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    language: str,
    said: str,
) -> None:
    file = tmp_path / "schedule.csv"
    file.write_bytes("post,unit\n甲路口,城管局\n".encode())
    settings = make_settings(harness.database.url, default_language=language)

    code = await import_file(settings, str(file), dry_run=True)

    assert code == 1
    assert capsys.readouterr().err.strip() == said
    assert await harness.count(Post) == 0 and await harness.count(Shift) == 0
