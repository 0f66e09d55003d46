"""The ledger is the archive read in assessments: a row a coordinator corrected says so in its
flags, as the roster does. A presence recorded by hand reads otherwise as a perfect check-in
(at the start, 0 m from the post), and a rejected photo or adjusted hours as hours nobody can
explain."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import check_in, coordinator, duty, team, today
from tests.e2e.checkin_refusal_fixtures import marked_present
from tests.harness import Harness


async def _correct(harness: Harness, boss: SimUser, name: str, *typed: str) -> None:
    await boss.send_command("roster")
    await harness.settle()
    await boss.press(f"✏️ 更正 · {name}")
    await harness.settle()
    for step in typed:
        if step.startswith(("🚫", "⏱")):
            await boss.press(step)
        else:
            await boss.send_text(step)
        await harness.settle()


def _rows(harness: Harness, person: SimUser) -> dict[str, tuple[Any, ...]]:
    sent = person.last()
    assert sent.kind == "document" and sent.file_id is not None
    book = openpyxl.load_workbook(io.BytesIO(harness.emulator.file_bytes(sent.file_id)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))[1:]
    return {str(row[0]): row for row in rows}


async def test_corrected_rows_of_the_ledger_say_so_in_their_flags(harness: Harness) -> None:
    crew = await team(harness, ["王芳", "李娜", "韩梅"])
    fang, na, mei = crew.volunteers
    li = await coordinator(harness, "城管局", 6001, "李协调")
    for person, post in ((fang, "黄河路-人民路口"), (na, "解放路口"), (mei, "人民公园东门")):
        await duty(harness, person, crew.unit, today(8, 0), today(10, 0), post_name=post)
    harness.clock.set(today(7, 55))
    await check_in(harness, na)
    await check_in(harness, mei)
    harness.clock.set(today(10, 0))
    for person in (na, mei):
        await person.send_command("checkout")
        await harness.settle()

    harness.clock.set(today(10, 30))
    assert "已更正" in await marked_present(harness, li)  # 王芳's phone had died
    await _correct(harness, li, "李娜", "🚫 照片不合格", "照片不是在岗点拍的")
    await _correct(harness, li, "李娜", "⏱ 调整服务时长", "1:30", "现场核实到岗一个半小时")
    assert "已更正" in (li.last().text or "")

    await harness.admin.send_command("export", "2026-12-01")
    await harness.settle()
    rows = _rows(harness, harness.admin)
    assert rows["王芳"][12] == "补录", rows["王芳"]
    assert rows["李娜"][12] == "照片不合格、时长已调整", rows["李娜"]
    assert rows["李娜"][11] == 1.5
    assert rows["韩梅"][12] is None  # checked in and out herself: nothing to say
