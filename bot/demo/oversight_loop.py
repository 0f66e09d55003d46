"""The oversight loop: a street report becomes a rectification order that is answered and
accepted, and a covert check whose order reaches the unit with the evening tally."""

from __future__ import annotations

import datetime as dt

from bot.demo.stage import CROSSING, Demo, invite_code, join, local, press
from bot.geo import offset


async def oversight(demo: Demo) -> None:
    """12-03: an inspector joins; 李明 reports overflowing litter (随手拍), the inspector turns it
    into a rectification order, the coordinator acknowledges it and replies with an "after" photo,
    the inspector accepts it and 李明 hears it was fixed. At the evening rush hour the inspector
    makes a covert check of the empty crossing; its order reaches the unit with the tally."""
    zone = demo.bot.runtime.settings.zone
    day = dt.date(2026, 12, 3)
    admin, li, coordinator = demo.person("管理员"), demo.person("李明"), demo.person("王协调")
    demo.say("\n== 12-03: a street report becomes a rectification order, fixed and accepted ==")
    demo.at(local(day, 10, 30, zone))
    await demo.step("管理员", "/invite", lambda: admin.send_command("invite"))
    await demo.step("管理员", "[督查员]", lambda: admin.press("督查员"))
    inspector = await join(demo, 20_200, "赵督查", invite_code(admin), "+8613800004000")
    demo.say("(赵督查 joined as an inspector)")
    demo.at(local(day, 11, 0, zone))
    await demo.step("李明", "/report", lambda: li.send_command("report"))
    await demo.step("李明", "(photo of the overflowing bin)", lambda: li.send_photo())
    await demo.step(
        "李明",
        "(location 60 m north of 黄河路-人民路口)",
        lambda: li.send_location(*offset(*CROSSING, 60, 0)),
    )
    await demo.step("李明", "[乱扔垃圾]", lambda: li.press("乱扔垃圾"))
    await demo.step("李明", "路口垃圾桶满溢", lambda: li.send_text("路口垃圾桶满溢"))
    await demo.deliver()
    demo.at(local(day, 11, 10, zone))
    await demo.step("赵督查", "/orders", lambda: inspector.send_command("orders"))
    await demo.step("赵督查", "[📷 待处理随手拍（1）]", press(inspector, "📷 待处理随手拍（1）"))
    await demo.step("赵督查", "[随手拍 #1]", press(inspector, "随手拍 #1"))
    await demo.step("赵督查", "[📝 下整改令]", press(inspector, "📝 下整改令"))
    await demo.step("赵督查", "[✅ 下发]", press(inspector, "✅ 下发"))
    await demo.deliver()
    demo.at(local(day, 11, 20, zone))
    await demo.step("王协调", "[✍️ 签收]", press(coordinator, "✍️ 签收"))
    demo.at(local(day, 14, 0, zone))
    await demo.step("王协调", "[📤 回复整改]", press(coordinator, "📤 回复整改"))
    await demo.step("王协调", "(photo after the fix)", lambda: coordinator.send_photo())
    await demo.step(
        "王协调", "已清运，垃圾桶已更换", lambda: coordinator.send_text("已清运，垃圾桶已更换")
    )
    await demo.step("王协调", "[✅ 提交回复]", press(coordinator, "✅ 提交回复"))
    await demo.deliver()
    demo.at(local(day, 14, 30, zone))
    await demo.step("赵督查", "[✅ 验收办结]", press(inspector, "✅ 验收办结"))
    await demo.step("赵督查", "[7 天后回头看]", press(inspector, "7 天后回头看"))
    await demo.deliver()

    demo.say("\n== 12-03 17:30: a covert check of the evening shift at 黄河路-人民路口 ==")
    demo.at(local(day, 17, 30, zone))
    await demo.step("赵督查", "/inspect", lambda: inspector.send_command("inspect"))
    await demo.step(
        "赵督查",
        "(location 40 m from 黄河路-人民路口)",
        lambda: inspector.send_location(*offset(*CROSSING, 0, 40)),
    )
    post_button = next(b for b in inspector.last().buttons() if "黄河路-人民路口" in b)
    await demo.step("赵督查", f"[{post_button}]", press(inspector, post_button))
    await demo.step("赵督查", "[抽查 · 暗访]", press(inspector, "抽查 · 暗访"))
    await demo.step("赵督查", "[0]", press(inspector, "0"))
    await demo.step("赵督查", "[⬜ 周边乱停车 −5]", press(inspector, "⬜ 周边乱停车 −5"))
    await demo.step("赵督查", "[下一步：拍照 ▶️]", press(inspector, "下一步：拍照 ▶️"))
    await demo.step("赵督查", "(photo of the empty crossing)", lambda: inspector.send_photo())
    await demo.step("赵督查", "[✅ 提交督查]", press(inspector, "✅ 提交督查"))
    await demo.step("赵督查", "[📝 下整改令]", press(inspector, "📝 下整改令"))
    await demo.step("赵督查", "[✅ 下发]", press(inspector, "✅ 下发"))
    await demo.deliver()
    demo.say("(nothing reaches the unit yet: the check was covert)")
    demo.at(local(day, 20, 0, zone))
    # The evening tally's tick publishes the check; its order reaches the unit with it.
    await demo.tick()
    await demo.step("王协调", "/orders", lambda: coordinator.send_command("orders"))
    await demo.step("管理员", "/today", lambda: admin.send_command("today"))
