"""Who may use the oversight commands and buttons: every role, and a coordinator of another unit.
A volunteer never sees other people's reports or any check's details."""

from __future__ import annotations

import dataclasses
import enum
import typing
from typing import Any

from bot.buttons import CallbackData, OrderAcknowledge, OrderCard, ReportCard
from bot.commands import REGISTRY
from bot.db.models import Dialogue, Role
from bot.emulator import SimUser
from handlers.routing import Button
from tests.e2e.order_fixtures import ordered
from tests.e2e.oversight_fixtures import city, street_reports
from tests.e2e.swap_fixtures import member
from tests.harness import Harness

FORBIDDEN = "抱歉，您没有权限执行这个操作。"
COMMANDS = {
    "inspect": {Role.INSPECTOR, Role.ADMIN},
    "report": set(Role),
    "orders": {Role.INSPECTOR, Role.COORDINATOR, Role.ADMIN},
    "zones": {Role.ADMIN},
    "checklist": {Role.ADMIN},
}


def sample(cls: type[CallbackData]) -> CallbackData:
    """A well-formed press of a button, with made-up values."""
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        kind = hints[field.name]
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            values[field.name] = next(iter(kind))
        elif kind is bool:
            values[field.name] = False
        else:
            values[field.name] = 1
    return cls(**values)


def oversight_buttons() -> list[Button[Any]]:
    return [
        action
        for action in REGISTRY.buttons
        if isinstance(action, Button) and action.data.prefix.startswith("ov.")
    ]


async def people(harness: Harness) -> dict[Role, SimUser]:
    town = await city(harness)
    return {
        Role.VOLUNTEER: town.volunteers[0],
        Role.COORDINATOR: town.coordinator,
        Role.INSPECTOR: town.inspector,
        Role.LEADER: town.leader,
        Role.ADMIN: harness.admin,
    }


async def test_every_oversight_command_is_refused_to_the_roles_it_is_not_for(
    harness: Harness,
) -> None:
    users = await people(harness)
    for role, user in users.items():
        for name, allowed in COMMANDS.items():
            await user.send_command(name)
            await harness.settle()
            answer = user.last().text or ""
            if role in allowed:
                assert answer != FORBIDDEN, (role, name)
            else:
                assert answer == FORBIDDEN, (role, name, answer)
            await user.send_command("cancel")
            await harness.settle()
    assert await harness.count(Dialogue) == 0


async def test_every_oversight_button_is_refused_to_the_roles_it_is_not_for(
    harness: Harness,
) -> None:
    users = await people(harness)
    actions = oversight_buttons()
    assert len(actions) >= 25
    for role, user in users.items():
        await user.send_text("你好")
        await harness.settle()
        anchor = user.last().message_id
        for action in actions:
            assert action.roles is not None
            if role in action.roles or (role is Role.ADMIN and Role.ADMIN in action.roles):
                continue
            await user.press_data(sample(action.data).pack(), anchor)
            await harness.settle()
            assert user.answered_callbacks[-1].get("text") == FORBIDDEN, (role, action.data)
    assert await harness.count(Dialogue) == 0


async def test_the_buttons_open_to_members_answer_each_wrong_person_with_the_rule(
    harness: Harness,
) -> None:
    town = await city(harness)
    order = await ordered(harness, town)
    [filed] = await street_reports(harness)
    wang, li = town.volunteers
    other = town.other_coordinator
    outsider = await member(harness, 8099, town.other_unit_id, "孙志愿")
    not_coordinator = "只有「城管局」的协调员才能签收和回复这件整改令。"
    cases = [
        (li, OrderAcknowledge(order.id), not_coordinator),
        (town.leader, OrderAcknowledge(order.id), not_coordinator),
        (other, OrderAcknowledge(order.id), not_coordinator),
        (
            town.inspector,
            OrderAcknowledge(order.id),
            not_coordinator,
        ),
        (other, OrderCard(order.id), not_coordinator),
        # Other people's street reports: not for volunteers, nor another unit's coordinator.
        (li, ReportCard(filed.id), "这条随手拍不是您的，您不能查看。"),
        (outsider, ReportCard(filed.id), "这条随手拍不是您的，您不能查看。"),
        (other, ReportCard(filed.id), "这条随手拍不是您的，您不能查看。"),
    ]
    for user, data, expected in cases:
        await user.send_text("你好")
        await harness.settle()
        await user.press_data(data.pack(), user.last().message_id)
        await harness.settle()
        assert user.answered_callbacks[-1].get("text") == expected, (user, data)
    # The reporter and the unit's coordinator see it; /report lists only one's own reports.
    for user in (wang, town.coordinator):
        await user.press_data(ReportCard(filed.id).pack(), user.last().message_id)
        await harness.settle()
        assert "垃圾桶满溢" in (user.last().text or ""), user
        assert user.last().buttons() == []
    await li.send_command("report")
    await harness.settle()
    assert "您最近的随手拍" not in (li.last().text or "")
    await wang.send_command("report")
    await harness.settle()
    assert f"#{filed.id} 乱扔垃圾" in (wang.last().text or "")
