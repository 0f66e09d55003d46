"""The member card of /members gives and takes the unit's tags with a press (the card refreshes),
under the rule of /tag: a coordinator tags the members of their unit, an admin anyone; a unit
without a tag yet is told how to create one with /tag; /tag alone lists the tags and who holds
them; a press on an older card gives what it shows."""

from __future__ import annotations

from sqlalchemy import select

from bot.buttons import MemberTagToggle
from bot.db.models import AuditEntry, Role
from bot.services.people import tags
from tests.e2e.rostering_fixtures import member_id_of
from tests.e2e.schedule import command, person, post, press_and_settle, shift, unit
from tests.e2e.tag_fixtures import tags_of
from tests.harness import Harness

FORBIDDEN = "抱歉，您没有权限执行这个操作。"


STALE = "这个按钮已失效，请重新打开菜单。"


CARD_BUTTONS = ["🚪 移出本单位", "↩️ 返回"]


async def test_a_coordinator_gives_and_takes_a_tag_on_the_card(harness: Harness) -> None:
    """The unit's tags: those its members hold and those its shifts ahead require; another
    unit's are not offered. ✅ marks one the member has; a press flips it and the card shows it."""
    unit_id = await unit(harness)
    other = await unit(harness, "交警队")
    await shift(harness, await post(harness, unit_id), required_tag="巾帼岗")
    coordinator = await person(harness, 8301, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 8302, unit_id, "甲", tags=("党员", "青年突击队"))
    await person(harness, 8303, unit_id, "乙", tags=("青年突击队",))
    await person(harness, 8304, other, "外人", tags=("交通劝导",))

    await command(harness, coordinator, "members")
    text = await press_and_settle(harness, coordinator, "乙")
    assert "标签：青年突击队" in text
    assert "点标签按钮给 ta 加上或去掉：✅ 表示已有。" in text
    assert coordinator.last().buttons() == [
        "➕ 党员",
        "➕ 巾帼岗",
        "✅ 青年突击队",
        *CARD_BUTTONS,
    ]

    text = await press_and_settle(harness, coordinator, "➕ 党员")
    assert text.startswith("✅ 乙 已加上标签「党员」。\n\n👤 乙\n")
    assert "标签：党员、青年突击队" in text
    assert coordinator.last().buttons() == ["✅ 党员", "➕ 巾帼岗", "✅ 青年突击队", *CARD_BUTTONS]
    assert await tags_of(harness, 8303) == {"党员", "青年突击队"}

    text = await press_and_settle(harness, coordinator, "✅ 青年突击队")
    assert text.startswith("✅ 已去掉 乙 的标签「青年突击队」。\n\n👤 乙\n")
    assert "标签：党员\n" in text
    assert coordinator.last().buttons() == ["✅ 党员", "➕ 巾帼岗", "➕ 青年突击队", *CARD_BUTTONS]
    assert await tags_of(harness, 8303) == {"党员"}

    # A tag only a shift requires is given the same way.
    await press_and_settle(harness, coordinator, "➕ 巾帼岗")
    assert await tags_of(harness, 8303) == {"党员", "巾帼岗"}
    assert await tags_of(harness, 8302) == {"党员", "青年突击队"}  # nobody else changed

    yi = await member_id_of(harness, 8303)
    async with harness.session() as session:
        entries = list(
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action.in_(("member.tag.add", "member.tag.remove")))
                .order_by(AuditEntry.id)
            )
        )
    assert [(entry.action, entry.object_id, entry.after) for entry in entries] == [
        ("member.tag.add", yi, {"tag": "党员", "unit_id": unit_id}),
        ("member.tag.remove", yi, {"tag": "青年突击队", "unit_id": unit_id}),
        ("member.tag.add", yi, {"tag": "巾帼岗", "unit_id": unit_id}),
    ]


async def test_who_may_tag_whom_is_the_rule_of_the_tag_command(harness: Harness) -> None:
    unit_id = await unit(harness)
    other = await unit(harness, "交警队")
    coordinator = await person(harness, 8311, unit_id, "王协调", role=Role.COORDINATOR)
    volunteer = await person(harness, 8312, unit_id, "甲", tags=("党员",))
    await person(harness, 8313, other, "李协调", role=Role.COORDINATOR)
    await person(harness, 8314, other, "外人", tags=("交通劝导",))
    jia = await member_id_of(harness, 8312)

    async def press(user_id: int, data: str) -> str:
        user = harness.user(user_id, "")
        await command(harness, user, "members")
        await user.press_data(data, user.last().message_id)
        await harness.settle()
        return str(user.answered_callbacks[-1]["text"])

    # Another unit's coordinator, and a volunteer, may not tag 甲 (as /tag refuses them).
    assert await press(8313, MemberTagToggle(jia, tags.tag_key("党员"), False).pack()) == FORBIDDEN
    await command(harness, volunteer, "members")  # refused: a message to press on
    await volunteer.press_data(
        MemberTagToggle(jia, tags.tag_key("党员"), False).pack(), volunteer.last().message_id
    )
    await harness.settle()
    assert volunteer.answered_callbacks[-1]["text"] == FORBIDDEN
    # A tag that is not the unit's (another unit's, or made up) is a stale button.
    assert await press(8311, MemberTagToggle(jia, tags.tag_key("交通劝导"), True).pack()) == STALE
    assert await press(8311, MemberTagToggle(jia, "zz", True).pack()) == STALE
    assert await tags_of(harness, 8312) == {"党员"}
    assert await tags_of(harness, 8314) == {"交通劝导"}

    # A coordinator may tag themselves and their colleagues, as with /tag; an admin anyone.
    await command(harness, coordinator, "members")
    await press_and_settle(harness, coordinator, "王协调")
    assert coordinator.last().buttons()[0] == "➕ 党员"
    await press_and_settle(harness, coordinator, "➕ 党员")
    assert await tags_of(harness, 8311) == {"党员"}
    await command(harness, harness.admin, "members")
    await press_and_settle(harness, harness.admin, "交警队")
    await press_and_settle(harness, harness.admin, "外人")
    await press_and_settle(harness, harness.admin, "✅ 交通劝导")
    assert await tags_of(harness, 8314) == frozenset()


async def test_a_unit_without_tags_is_told_how_to_create_one(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 8321, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 8322, unit_id, "甲")
    await command(harness, coordinator, "members")
    text = await press_and_settle(harness, coordinator, "甲")
    assert "标签：-\n" in text
    assert text.endswith(
        "本单位还没有标签。先用 /tag 姓名 标签 给一位成员加上（例如 /tag 甲 党员），"
        "之后就能在这里点按钮加减。"
    )
    assert coordinator.last().buttons() == CARD_BUTTONS


async def test_a_unit_with_many_tags_shows_thirty_the_members_own_among_them(
    harness: Harness,
) -> None:
    """A keyboard holds at most 100 buttons: past 30 tags the card shows 30, the member's own
    first so that each can be taken away here, and says how many more /tag reaches."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 8331, unit_id, "王协调", role=Role.COORDINATOR)
    many = tuple(f"标签{number:02d}" for number in range(32))
    await person(harness, 8332, unit_id, "甲", tags=many[:31])
    await person(harness, 8333, unit_id, "乙", tags=(many[31],))
    await command(harness, coordinator, "members")
    text = await press_and_settle(harness, coordinator, "乙")
    assert "另有 2 个标签没有列出，请用 /tag 姓名 标签。" in text
    shown = [label for label in coordinator.last().buttons() if label[0] in "✅➕"]
    assert len(shown) == 30
    assert shown[-1] == "✅ 标签31" and shown[:2] == ["➕ 标签00", "➕ 标签01"]


async def test_tag_alone_lists_each_tag_with_its_holders_and_counts_the_rest(
    harness: Harness,
) -> None:
    """/tag alone is the tags' directory: each tag with who holds it, the members without one
    only counted (a city's admin would otherwise get every member's name, a line each)."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 8401, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 8402, unit_id, "甲", tags=("党员", "青年突击队"))
    await person(harness, 8403, unit_id, "乙", tags=("党员",))
    for telegram_id in range(8404, 8409):
        await person(harness, telegram_id, unit_id, f"未标{telegram_id}")

    text = await command(harness, coordinator, "tag")
    assert "• 党员（2 人）：乙、甲" in text  # by name, as the code points sort them
    assert "• 青年突击队（1 人）：甲" in text
    assert "未标" not in text
    assert "另有 6 位成员没有标签" in text  # the five and the coordinator
    assert "/members" in text

    assert await tags_of(harness, 8403) == {"党员"}


async def test_tag_alone_in_a_unit_without_tags_says_so(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 8411, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 8412, unit_id, "甲")
    text = await command(harness, coordinator, "tag")
    assert "还没有成员有标签" in text
    assert "甲" not in text


async def test_a_press_on_an_older_card_gives_what_it_shows_and_does_not_undo(
    harness: Harness,
) -> None:
    """Two coordinators with 乙's card open (or one tapping twice before the card is redrawn):
    ➕ gives the tag, and a second ➕ on a card that still shows ➕ leaves it given rather than
    taking it away again; ✅ likewise only takes it away."""
    unit_id = await unit(harness)
    wang = await person(harness, 8341, unit_id, "王协调", role=Role.COORDINATOR)
    li = await person(harness, 8342, unit_id, "李协调", role=Role.COORDINATOR)
    await person(harness, 8343, unit_id, "乙", tags=("青年突击队",))
    await person(harness, 8344, unit_id, "甲", tags=("党员", "青年突击队"))
    for coordinator in (wang, li):
        await command(harness, coordinator, "members")
        await press_and_settle(harness, coordinator, "乙")
        assert coordinator.last().buttons()[:2] == ["➕ 党员", "✅ 青年突击队"]

    await press_and_settle(harness, wang, "➕ 党员")
    assert await tags_of(harness, 8343) == {"党员", "青年突击队"}
    # 李协调's card still shows ➕ 党员: their press gives it (it is given), it does not take it.
    text = await press_and_settle(harness, li, "➕ 党员")
    assert await tags_of(harness, 8343) == {"党员", "青年突击队"}
    assert text.startswith("✅ 乙 已加上标签「党员」。"), text
    assert li.last().buttons()[:2] == ["✅ 党员", "✅ 青年突击队"]

    await press_and_settle(harness, li, "✅ 青年突击队")
    assert await tags_of(harness, 8343) == {"党员"}
    # 王协调's card still shows ✅ 青年突击队: a press takes it away, which it is already.
    text = await press_and_settle(harness, wang, "✅ 青年突击队")
    assert await tags_of(harness, 8343) == {"党员"}
    assert text.startswith("✅ 已去掉 乙 的标签「青年突击队」。"), text
    async with harness.session() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.action.in_(("member.tag.add", "member.tag.remove")))
                .order_by(AuditEntry.id)
            )
        )
    assert actions == ["member.tag.add", "member.tag.remove"]  # nothing changed twice


async def test_a_tag_taken_from_its_only_holder_can_be_given_back_on_the_card(
    harness: Harness,
) -> None:
    """A coordinator who takes away a tag nobody else holds and no shift ahead requires (by
    mistake, say) still finds it on the card to give back for a week; after that a tag nobody
    holds is no longer offered, so that one typed wrong once does not stay on every card."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 8351, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 8352, unit_id, "乙", tags=("青年突击队",))
    await person(harness, 8353, unit_id, "甲")
    await command(harness, coordinator, "members")
    await press_and_settle(harness, coordinator, "乙")

    text = await press_and_settle(harness, coordinator, "✅ 青年突击队")
    assert text.startswith("✅ 已去掉 乙 的标签「青年突击队」。"), text
    assert "标签：-\n" in text
    assert coordinator.last().buttons() == ["➕ 青年突击队", *CARD_BUTTONS]
    assert await tags_of(harness, 8352) == frozenset()

    # Another member's card offers it too, and days later it is still there to give back.
    harness.clock.advance(days=6)
    await command(harness, coordinator, "members")
    await press_and_settle(harness, coordinator, "甲")
    assert coordinator.last().buttons() == ["➕ 青年突击队", *CARD_BUTTONS]
    await command(harness, coordinator, "members")
    await press_and_settle(harness, coordinator, "乙")
    text = await press_and_settle(harness, coordinator, "➕ 青年突击队")
    assert text.startswith("✅ 乙 已加上标签「青年突击队」。"), text
    assert await tags_of(harness, 8352) == {"青年突击队"}

    # Taken away again and left a week: the unit has no tag now.
    await press_and_settle(harness, coordinator, "✅ 青年突击队")
    harness.clock.advance(days=7, seconds=1)
    await command(harness, coordinator, "members")
    text = await press_and_settle(harness, coordinator, "乙")
    assert "本单位还没有标签" in text
    assert coordinator.last().buttons() == CARD_BUTTONS
