"""Seats changing hands: a volunteer gives a shift away and a colleague takes it; next week is
rotated, a volunteer asks leave and someone takes the freed seat."""

from __future__ import annotations

import datetime as dt

from bot.demo.stage import Demo, local, number_of, press


async def swap_shift(demo: Demo) -> None:
    """The next morning 李明 signs up for Saturday's morning shift at 人民公园东门, then finds he
    cannot go: he gives it away, every member who may take it is offered it, 张伟 takes it, and
    the roster follows the new holder."""
    zone = demo.bot.runtime.settings.zone
    li, wei = demo.person("李明"), demo.person("张伟")
    demo.say("\n== 12-03: 李明 gives Saturday's morning shift away and 张伟 takes it ==")
    demo.at(local(dt.date(2026, 12, 3), 10, 0, zone))
    await li.send_command("shifts")
    await demo.bot.settle()
    demo.transcript.show_replies(li, quiet=True)
    label = f"✋ 报名 {number_of(li.last().text or '', '人民公园东门')}"
    await demo.step("李明", f"/shifts, [{label}]", press(li, label))
    await demo.step("李明", "/my", lambda: li.send_command("my"))
    await demo.step("李明", "[🔁 换岗 1]", lambda: li.press("🔁 换岗 1"))
    await demo.step(
        "李明", "[📢 转让（单位里谁都可以接）]", lambda: li.press("📢 转让（单位里谁都可以接）")
    )
    demo.say("\n(the outbox offers the shift to every member who may take it)")
    await demo.deliver()
    await demo.step("张伟", "[🙋 我来接]", lambda: wei.press("🙋 我来接"))
    await demo.deliver()
    coordinator = demo.person("王协调")
    await demo.step("王协调", "/roster 12-05", lambda: coordinator.send_command("roster", "12-05"))


async def rotate_next_week(demo: Demo) -> None:
    """The coordinator fills next week's open seats fairly with /rotate and confirms; everyone
    is told with ✅ 收到 and 🙋 请假. 王芳 asks leave from her first shift, the coordinator
    approves, the seat is offered to the unit, and the first to tap takes it."""
    coordinator, fang = demo.person("王协调"), demo.person("王芳")
    demo.say(
        "\n== 12-03: the coordinator rotates next week; 王芳 asks leave, someone takes her seat =="
    )
    await demo.step("王协调", "/rotate", lambda: coordinator.send_command("rotate"))
    week = next(label for label in coordinator.last().buttons() if label.startswith("下周"))
    await demo.step("王协调", f"[{week}]", press(coordinator, week))
    every = next(label for label in coordinator.last().buttons() if label.startswith("✅ 全部岗位"))
    await demo.step("王协调", f"[{every}]", press(coordinator, every))
    await demo.step("王协调", "[✅ 确认排班]", press(coordinator, "✅ 确认排班"))
    demo.say("\n(the outbox tells each person their shifts)")
    await demo.deliver()
    leave = next(label for label in fang.last().buttons() if label.startswith("🙋 请假"))
    await demo.step("王芳", f"[{leave}]", press(fang, leave))
    await demo.step("王芳", "出差去省里培训", lambda: fang.send_text("出差去省里培训"))
    await demo.deliver()
    await demo.step("王协调", "[✅ 批准]", press(coordinator, "✅ 批准"))
    await demo.deliver()
    taker = next(
        name
        for name, person in demo.people.items()
        if name != "王芳" and person.messages() and "🙋 我来接" in person.last().buttons()
    )
    await demo.step(taker, "[🙋 我来接]", press(demo.person(taker), "🙋 我来接"))
    await demo.deliver()
