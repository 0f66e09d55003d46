"""The first acts: an admin creates a unit and invites people, a coordinator imports and
broadcasts the sample schedule, and volunteers claim seats (one joins a waitlist)."""

from __future__ import annotations

from importlib import resources

from bot.demo.stage import (
    DEMO_ADMIN_ID,
    Demo,
    command,
    invite_code,
    join,
    number_of,
    press,
)

# The sample schedule ships inside the package, so an installed dutybot (a wheel, the Docker
# image) plays the demo as a source checkout does.
SCHEDULE_NAME = "sample_schedule.csv"


def sample_schedule() -> bytes:
    """The sample schedule the coordinator imports (package data of bot.samples)."""
    return (resources.files("bot.samples") / SCHEDULE_NAME).read_bytes()


async def set_up_unit(demo: Demo) -> None:
    """An admin creates a unit and invites a volunteer, who joins."""
    admin = demo.emulator.user(user_id=DEMO_ADMIN_ID, first_name="管理员", language_code="zh-hans")
    demo.people["管理员"] = admin
    demo.say("== dutybot demo: an admin sets up a unit, a volunteer joins by invite link ==")
    await demo.step("管理员", "/start", lambda: admin.send_command("start"))
    await demo.step("管理员", "/units", lambda: admin.send_command("units"))
    await demo.step("管理员", "[➕ 新建单位]", lambda: admin.press("➕ 新建单位"))
    await demo.step("管理员", "城管局", lambda: admin.send_text("城管局"))
    await demo.step("管理员", "[🔗 邀请]", lambda: admin.press("🔗 邀请"))
    await demo.step("管理员", "[志愿者]", lambda: admin.press("志愿者"))
    code = invite_code(admin)
    demo.codes["volunteer"] = code

    volunteer = demo.emulator.user(user_id=20_001, first_name="李明", language_code="zh-hans")
    demo.people["李明"] = volunteer
    await demo.step(
        "李明", f"(opens the link) /start {code}", lambda: volunteer.send_command("start", code)
    )
    await demo.step(
        "李明",
        "[📱 发送我的手机号]",
        lambda: volunteer.send_contact(phone_number="+8613800001234"),
    )
    await demo.step("李明", "李明", lambda: volunteer.send_text("李明"))
    await demo.step("李明", "[简体中文]", lambda: volunteer.press("简体中文"))
    await demo.step("李明", "/me", lambda: volunteer.send_command("me"))


async def publish_schedule(demo: Demo) -> None:
    """A coordinator imports the sample schedule and broadcasts tomorrow's shifts; the outbox
    sender delivers them and the progress message ends at the final count."""
    admin = demo.person("管理员")
    demo.say("\n== a coordinator imports the week's schedule and broadcasts it ==")
    await demo.step("管理员", "/invite", lambda: admin.send_command("invite"))
    await demo.step("管理员", "[协调员]", lambda: admin.press("协调员"))
    coordinator = await join(demo, 20_100, "王协调", invite_code(admin), "+8613800002000")
    demo.say("(王协调 joined as the coordinator of 城管局)")
    await demo.step("王协调", "/template", lambda: coordinator.send_command("template"))
    await demo.step("王协调", "/import", lambda: coordinator.send_command("import"))
    data = sample_schedule()
    await demo.step(
        "王协调",
        "(sends sample_schedule.csv)",
        lambda: coordinator.send_document("sample_schedule.csv", data, mime_type="text/csv"),
    )
    await demo.step("王协调", "[✅ 确认导入]", lambda: coordinator.press("✅ 确认导入"))
    for number, name in enumerate(("王芳", "张伟", "陈静", "刘强")):
        await join(demo, 20_002 + number, name, demo.codes["volunteer"], f"+86138000030{number}")
    demo.say("(王芳, 张伟, 陈静 and 刘强 joined as volunteers of 城管局)")
    await demo.step("王协调", "/broadcast", lambda: coordinator.send_command("broadcast"))
    await demo.step("王协调", "[📅 明天的班次]", lambda: coordinator.press("📅 明天的班次"))
    await demo.step("王协调", "[📤 发送]", lambda: coordinator.press("📤 发送"))
    demo.say("\n(the outbox sender delivers the broadcast at Telegram's pace)")
    await demo.deliver()
    await demo.tick()


async def claim_seats(demo: Demo) -> None:
    """Volunteers sign up; one finds the morning shift full and joins its waitlist; others take
    the mid-morning shift on the pedestrian street."""
    demo.say("\n== volunteers claim seats; the third finds the shift full and waits ==")
    for name in ("李明", "王芳", "张伟"):
        await demo.step(name, "/shifts", command(demo.person(name), "shifts"))
    for name in ("李明", "王芳", "张伟"):
        await demo.step(name, "[✋ 报名 1]", press(demo.person(name), "✋ 报名 1"))
    await demo.step("张伟", "[⏳ 加入候补]", lambda: demo.person("张伟").press("⏳ 加入候补"))
    await demo.step("李明", "/my", lambda: demo.person("李明").send_command("my"))
    demo.say("\n== three volunteers take the 09:30 shift on 春熙路步行街 ==")
    for name in ("张伟", "陈静", "刘强"):
        person = demo.person(name)
        await person.send_command("shifts")
        await demo.bot.settle()
        demo.transcript.show_replies(person, quiet=True)
        label = f"✋ 报名 {number_of(person.last().text or '', '春熙路步行街')}"
        await demo.step(name, f"/shifts, [{label}]", press(person, label))
    coordinator = demo.person("王协调")
    await demo.step("王协调", "/roster 12-02", lambda: coordinator.send_command("roster", "12-02"))
