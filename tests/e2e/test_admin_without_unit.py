"""An admin of ADMIN_IDS belongs to no unit until they join one by its invite: the commands of
one's own duty (/hours, /my, /shifts, /swap, /swaps, /checkin, /checkout, /unavailable) tell
them so, and how to join, whether or not /start has made their record yet; never "not
registered, ask your coordinator". Nor from /report, a location, a photo or a pressed 🏁; and
/report and a photo captioned 随手拍 are a unit member's, record or not."""

from __future__ import annotations

from collections.abc import Awaitable

from sqlalchemy import select

from bot.buttons.duty import CheckOut
from bot.commands import REGISTRY
from bot.db.models import Dialogue, Member, StreetReport
from tests.e2e.schedule import command
from tests.harness import Harness

NO_UNIT = (
    "您是管理员，但不属于任何单位，所以没有自己的班次、签到和服务时长。"
    "要亲自上岗，请打开本单位的邀请链接加入（管理员可用 /invite 生成）。"
)
NO_UNIT_EN = (
    "You are an admin but belong to no unit, so you have no shifts, check-ins or service "
    "hours of your own. To stand on posts yourself, open an invite link of your unit and join "
    "(an admin makes one with /invite)."
)
NO_UNIT_HANT = (
    "您是管理員，但不屬於任何單位，所以沒有自己的班次、簽到和服務時數。"
    "要親自上崗，請打開本單位的邀請連結加入（管理員可用 /invite 產生）。"
)
DUTY_COMMANDS = ("hours", "my", "swap", "checkin", "checkout", "shifts", "swaps", "unavailable")


def test_the_commands_of_ones_own_duty_and_report_go_through_the_shared_route() -> None:
    """One place says "you belong to no unit" before each of them runs (routing.in_a_unit),
    /report too, rather than a handler asking for itself."""
    handlers = {command.name: command.handler for command in REGISTRY.commands}
    for name in (*DUTY_COMMANDS, "report"):
        assert handlers[name].__qualname__ == "in_a_unit.<locals>.handle", name


async def _members(harness: Harness) -> list[Member]:
    async with harness.session() as session:
        return list(await session.scalars(select(Member)))


async def _dialogues(harness: Harness) -> int:
    async with harness.session() as session:
        return len(list(await session.scalars(select(Dialogue))))


async def test_an_admin_who_never_sent_start_is_told_they_have_no_unit(harness: Harness) -> None:
    for name in DUTY_COMMANDS:
        assert await command(harness, harness.admin, name) == NO_UNIT, name
    # Nothing made: no record, no dialogue left open.
    assert await _members(harness) == []
    assert await _dialogues(harness) == 0


async def test_an_admin_with_a_record_and_no_unit_gets_the_same_answer(harness: Harness) -> None:
    await command(harness, harness.admin, "start")
    members = await _members(harness)
    assert [(m.telegram_id, m.unit_id) for m in members] == [(harness.admin.user_id, None)]
    for name in DUTY_COMMANDS:
        assert await command(harness, harness.admin, name) == NO_UNIT, name
    assert await _dialogues(harness) == 0


async def _speaks(harness: Harness, language: str) -> None:
    async with harness.session() as session:
        admin = await session.scalar(
            select(Member).where(Member.telegram_id == harness.admin.user_id)
        )
        assert admin is not None
        admin.language = language


async def test_the_answer_is_in_the_admins_language(harness: Harness) -> None:
    await command(harness, harness.admin, "start")
    await _speaks(harness, "en")
    assert await command(harness, harness.admin, "hours") == NO_UNIT_EN
    await _speaks(harness, "zh_Hant")
    assert await command(harness, harness.admin, "my") == NO_UNIT_HANT


async def _answer_to(harness: Harness, send: Awaitable[object]) -> str:
    await send
    await harness.settle()
    return harness.admin.last().text or ""


async def test_an_admin_without_a_record_gets_the_same_answer_outside_the_commands(
    harness: Harness,
) -> None:
    """/report, a location, a photo (with or without the caption 随手拍) and a pressed 🏁:
    the admin is told they belong to no unit and how to join, not "not registered"."""
    admin = harness.admin
    answers = {"/report": await command(harness, admin, "report")}
    answers["location"] = await _answer_to(harness, admin.send_location(30.6586, 104.0648))
    answers["photo"] = await _answer_to(harness, admin.send_photo())
    answers["随手拍"] = await _answer_to(harness, admin.send_photo(caption="随手拍"))
    pressed = admin.press_data(CheckOut(1).pack(), admin.last().message_id)
    answers["🏁"] = await _answer_to(harness, pressed)
    assert answers == dict.fromkeys(answers, NO_UNIT)
    # Nothing made: no record, no dialogue left open.
    assert await _members(harness) == []
    assert await _dialogues(harness) == 0


async def test_an_admin_with_a_record_and_no_unit_files_no_street_report(
    harness: Harness,
) -> None:
    """/report and a photo captioned 随手拍 are a unit member's, as the README's table says:
    the admin whose /start made a record, still in no unit, is told so as without one, and
    no report opens."""
    admin = harness.admin
    await command(harness, admin, "start")
    answers = {"/report": await command(harness, admin, "report")}
    answers["随手拍"] = await _answer_to(harness, admin.send_photo(caption="随手拍"))
    assert answers == dict.fromkeys(answers, NO_UNIT)
    assert await _dialogues(harness) == 0
    async with harness.session() as session:
        assert list(await session.scalars(select(StreetReport))) == []
