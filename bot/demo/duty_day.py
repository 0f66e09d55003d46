"""The day of the shifts: reminders, check-ins and check-outs, a walk off the post, a no-show,
and the evening's tally with its chart."""

from __future__ import annotations

import datetime as dt

from bot.demo.stage import CROSSING, STREET, Demo, local
from bot.geo import offset

CHART_NAME = "demo-tally.png"


async def shift_day(demo: Demo) -> None:
    """The evening before and the day of the shifts: reminders, check-ins (on time with a live
    location, too far then closer, late), a walk off the post and the bot's question, check-outs
    (on time, early with a reason, forgotten and closed automatically), a no-show."""
    zone = demo.bot.runtime.settings.zone
    eve, day = dt.date(2026, 12, 1), dt.date(2026, 12, 2)
    li, fang, wei, jing = (demo.person(n) for n in ("李明", "王芳", "张伟", "陈静"))
    demo.say("\n== the evening before: reminders ==")
    demo.at(local(eve, 19, 0, zone))
    await demo.tick()
    demo.at(local(eve, 21, 30, zone))
    await demo.tick()

    demo.say("\n== 12-02, the morning shift at 黄河路-人民路口 ==")
    demo.at(local(day, 6, 30, zone))
    await demo.tick()
    demo.at(local(day, 6, 50, zone))
    await demo.step("李明", "/checkin", lambda: li.send_command("checkin"))
    live = await li.send_location(*offset(*CROSSING, 20, 10), live_period=4 * 3600)
    await demo.bot.settle()
    demo.say("\n👤 李明: (shares a live location, 22 m from the post)")
    demo.transcript.show_replies(li)
    await demo.step("李明", "(photo on post)", lambda: li.send_photo())

    demo.at(local(day, 7, 2, zone))
    await demo.step("王芳", "/checkin", lambda: fang.send_command("checkin"))
    await demo.step(
        "王芳", "(location 600 m south)", lambda: fang.send_location(*offset(*CROSSING, -600, 0))
    )
    demo.at(local(day, 7, 4, zone))
    await demo.step(
        "王芳",
        "(walked closer: location 40 m south)",
        lambda: fang.send_location(*offset(*CROSSING, -40, 0)),
    )
    await demo.step("王芳", "(photo on post)", lambda: fang.send_photo())

    demo.at(local(day, 7, 40, zone))
    demo.say("(李明's live location drifts 400 m away from the post)")
    await li.update_live_location(live["message_id"], *offset(*CROSSING, 400, 0))
    await demo.bot.settle()
    demo.at(local(day, 7, 56, zone))
    await demo.tick()
    demo.at(local(day, 7, 58, zone))
    demo.say("(李明 walks back; the live location is inside the post's area again)")
    await li.update_live_location(live["message_id"], *offset(*CROSSING, 15, 0))
    await demo.bot.settle()

    demo.at(local(day, 9, 0, zone))
    await demo.step("李明", "/checkout", lambda: li.send_command("checkout"))
    await demo.tick()

    demo.say("\n== 12-02, the mid-morning shift at 春熙路步行街 ==")
    demo.at(local(day, 9, 25, zone))
    await demo.step("陈静", "/checkin", lambda: jing.send_command("checkin"))
    await demo.step(
        "陈静", "(location 30 m east)", lambda: jing.send_location(*offset(*STREET, 0, 30))
    )
    await demo.step("陈静", "(photo on post)", lambda: jing.send_photo())
    demo.at(local(day, 9, 36, zone))
    await demo.tick()
    demo.at(local(day, 9, 50, zone))
    await demo.step("张伟", "/checkin", lambda: wei.send_command("checkin"))
    await demo.step(
        "张伟", "(location 10 m north)", lambda: wei.send_location(*offset(*STREET, 10, 0))
    )
    await demo.step("张伟", "(photo on post)", lambda: wei.send_photo())
    demo.at(local(day, 10, 0, zone))
    await demo.tick()
    demo.at(local(day, 10, 40, zone))
    await demo.step("陈静", "/checkout", lambda: jing.send_command("checkout"))
    await demo.step("陈静", "家里有急事", lambda: jing.send_text("家里有急事"))
    demo.at(local(day, 11, 30, zone))
    await demo.step("张伟", "/checkout", lambda: wei.send_command("checkout"))
    demo.at(local(day, 11, 35, zone))
    coordinator = demo.person("王协调")
    await demo.step("王协调", "/roster", lambda: coordinator.send_command("roster"))
    await demo.step("李明", "/hours", lambda: li.send_command("hours"))


async def day_tally(demo: Demo) -> None:
    """The evening: the coordinator reads the day's tally; its chart is saved under data/."""
    zone = demo.bot.runtime.settings.zone
    demo.say("\n== the evening: the day's tally ==")
    demo.at(local(dt.date(2026, 12, 2), 20, 0, zone))
    coordinator = demo.person("王协调")
    await demo.step("王协调", "/today", lambda: coordinator.send_command("today"))
    chart = coordinator.last()
    if chart.kind != "photo" or chart.file_id is None:
        raise RuntimeError("the demo did not receive the tally's chart")
    path = demo.data_dir / CHART_NAME
    path.write_bytes(demo.emulator.file_bytes(chart.file_id))
    demo.say(f"\n📈 the tally's chart is saved at {path}")
