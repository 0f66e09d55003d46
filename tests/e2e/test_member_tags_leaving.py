"""Tags go with the member who goes: a removal or a leave from /me takes each tag with a line
in the trail, the unit left alone remembers them, and an admin tagged without a unit has each
tag taken on joining one, none of them offered to its members."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AuditEntry, Role
from bot.emulator import SimUser
from bot.services.people import tags
from tests.e2e.journeys import create_unit, invite_code, join
from tests.e2e.rostering_fixtures import member_id_of
from tests.e2e.schedule import command, person, press_and_settle, unit
from tests.e2e.tag_fixtures import tags_of
from tests.harness import Harness


async def _card_tags(harness: Harness, coordinator: SimUser, name: str) -> list[str]:
    """The tag buttons of `name`'s card in the coordinator's /members."""
    await command(harness, coordinator, "members")
    await press_and_settle(harness, coordinator, name)
    return [label for label in coordinator.last().buttons() if label[0] in "✅➕"]


async def _tag_trail(harness: Harness, member_id: int) -> list[tuple[str, int | None, object]]:
    async with harness.session() as session:
        entries = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "member", AuditEntry.object_id == member_id)
            .order_by(AuditEntry.id)
        )
        return [(entry.action, entry.actor_id, entry.after) for entry in entries]


async def test_a_member_removed_takes_their_tags_with_a_removal_each_in_the_trail(
    harness: Harness,
) -> None:
    """甲, removed from the unit, was the only one with 党员: the trail shows each of their
    tags taken (by the coordinator who removed them), and the unit's cards still offer 党员
    for a week, as after a press taking it from its last holder."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 8381, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 8382, unit_id, "甲", tags=("党员", "青年突击队"))
    await person(harness, 8383, unit_id, "乙", tags=("青年突击队",))
    jia = await member_id_of(harness, 8382)

    await command(harness, coordinator, "members")
    await press_and_settle(harness, coordinator, "甲")
    await press_and_settle(harness, coordinator, "🚪 移出本单位")
    text = await press_and_settle(harness, coordinator, "是，移出本单位")
    assert text == "已将「甲」移出「城管局」，释放了 0 个班次。已通知 ta。"

    assert await tags_of(harness, 8382) == frozenset()
    wang = await member_id_of(harness, 8381)
    assert await _tag_trail(harness, jia) == [
        ("member.tag.remove", wang, {"tag": "党员", "unit_id": unit_id}),
        ("member.tag.remove", wang, {"tag": "青年突击队", "unit_id": unit_id}),
        (
            "member.remove",
            wang,
            {"active": False, "released": 0, "swaps_voided": 0, "leaves_withdrawn": 0},
        ),
    ]
    assert await _card_tags(harness, coordinator, "乙") == ["➕ 党员", "✅ 青年突击队"]
    harness.clock.advance(days=6)
    assert await _card_tags(harness, coordinator, "乙") == ["➕ 党员", "✅ 青年突击队"]
    harness.clock.advance(days=1, seconds=1)
    assert await _card_tags(harness, coordinator, "乙") == ["✅ 青年突击队"]


async def test_tags_taken_by_leaving_are_remembered_by_the_unit_left_only(
    harness: Harness,
) -> None:
    """甲 leaves from /me (the trail names them as who took their tags) and joins 交警队: 城管局's
    cards offer 党员 for the week, 交警队's do not (甲 holds nothing there); likewise an admin of
    ADMIN_IDS, who keeps their record with no unit, leaves their tag with the unit."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 8391, unit_id, "王协调", role=Role.COORDINATOR)
    leaving = await person(harness, 8392, unit_id, "甲", tags=("党员",))
    await person(harness, 8393, unit_id, "乙")
    jia = await member_id_of(harness, 8392)
    await create_unit(harness, "交警队")
    code = await invite_code(harness, harness.admin, "交警队", "志愿者")

    await command(harness, leaving, "me")
    await press_and_settle(harness, leaving, "🚪 退出本单位")
    text = await press_and_settle(harness, leaving, "是，退出本单位")
    assert text.startswith("您已退出「城管局」")
    assert (await _tag_trail(harness, jia))[0] == (
        "member.tag.remove",
        jia,
        {"tag": "党员", "unit_id": unit_id},
    )
    await join(harness, leaving, code, "甲")
    assert await _card_tags(harness, coordinator, "乙") == ["➕ 党员"]
    await command(harness, harness.admin, "members")
    await press_and_settle(harness, harness.admin, "交警队")
    await press_and_settle(harness, harness.admin, "甲")
    assert "本单位还没有标签" in (harness.admin.last().text or "")

    # An admin in the unit, tagged 巾帼岗, leaves: no unit of theirs now, the tag stays offered.
    code = await invite_code(harness, coordinator, None, "志愿者")
    await join(harness, harness.admin, code, "管理员甲")
    assert "已加上" in await command(harness, coordinator, "tag", "管理员甲 巾帼岗")
    await command(harness, harness.admin, "me")
    await press_and_settle(harness, harness.admin, "🚪 退出本单位")
    await press_and_settle(harness, harness.admin, "是，退出本单位")
    admin = await harness.member(harness.admin.user_id)
    assert admin is not None and admin.unit_id is None and admin.tags == frozenset()
    assert await _card_tags(harness, coordinator, "乙") == ["➕ 党员", "➕ 巾帼岗"]


async def test_an_admin_tagged_without_a_unit_joining_by_invite_has_each_tag_taken_in_the_trail(
    harness: Harness,
) -> None:
    """An admin of ADMIN_IDS, with no unit, was tagged 党员 (an admin tags anyone); joining a
    unit by an invite starts them afresh with only the invite's role: the trail shows the tag
    taken, by the admin themselves, as leaving a unit would."""
    admin = harness.admin
    await admin.send_command("start")
    await harness.settle()
    record = await harness.member(admin.user_id)
    assert record is not None and record.unit_id is None
    assert "已加上" in await command(harness, admin, "tag", f"{record.display_name} 党员")
    assert await tags_of(harness, admin.user_id) == frozenset({"党员"})

    await create_unit(harness, "交警队")
    code = await invite_code(harness, admin, "交警队", "志愿者")
    await join(harness, admin, code, "管理员甲")

    joined = await harness.member(admin.user_id)
    assert joined is not None and joined.unit is not None and joined.unit.name == "交警队"
    assert joined.tags == frozenset() and joined.roles == {Role.VOLUNTEER}
    assert await _tag_trail(harness, record.id) == [
        ("member.tag.add", record.id, {"tag": "党员", "unit_id": None}),
        ("member.tag.remove", record.id, {"tag": "党员", "unit_id": None}),
        (
            "member.join",
            record.id,
            {
                "unit_id": joined.unit_id,
                "roles": ["volunteer"],
                "invite_id": 1,
                "invited_by": record.id,
            },
        ),
    ]


async def test_an_admins_tags_taken_on_joining_a_unit_are_not_offered_to_its_members(
    harness: Harness,
) -> None:
    """An admin of ADMIN_IDS, in no unit, was tagged 党员 (an admin tags anyone); joining 交警队
    by an invite takes the tag (in the trail, in no unit). It was never held in 交警队: the
    cards of 交警队's members do not offer it, this week or later."""
    admin = harness.admin
    await admin.send_command("start")
    await harness.settle()
    record = await harness.member(admin.user_id)
    assert record is not None and record.unit_id is None
    assert "已加上" in await command(harness, admin, "tag", f"{record.display_name} 党员")
    unit_id = await unit(harness, "交警队")
    coordinator = await person(harness, 8401, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 8402, unit_id, "乙", tags=("巾帼岗",))
    code = await invite_code(harness, coordinator, None, "志愿者")

    await join(harness, admin, code, "管理员甲")

    joined = await harness.member(admin.user_id)
    assert joined is not None and joined.unit_id == unit_id and joined.tags == frozenset()
    removed = [row for row in await _tag_trail(harness, record.id) if row[0] == tags.REMOVED]
    assert removed == [("member.tag.remove", record.id, {"tag": "党员", "unit_id": None})]
    assert await _card_tags(harness, coordinator, "乙") == ["✅ 巾帼岗"]
    assert await _card_tags(harness, coordinator, "管理员甲") == ["➕ 巾帼岗"]
