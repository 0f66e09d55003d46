"""The member card of /members gives and takes the unit's tags with a press (the card refreshes),
under the rule of /tag: a coordinator tags the members of their unit, an admin anyone; a unit
without a tag yet is told how to create one with /tag."""

from __future__ import annotations

import asyncio

from sqlalchemy import select, text

from bot.buttons import MemberTagToggle
from bot.db.models import AuditEntry, Role
from bot.emulator import SimUser
from bot.services.people import tags
from bot.services.people.access import Actor
from tests.e2e.journeys import create_unit, invite_code, join
from tests.e2e.schedule import command, person, post, press_and_settle, shift, unit
from tests.harness import Harness

FORBIDDEN = "抱歉，您没有权限执行这个操作。"
STALE = "这个按钮已失效，请重新打开菜单。"
CARD_BUTTONS = ["🚪 移出本单位", "↩️ 返回"]


async def _tags_of(harness: Harness, telegram_id: int) -> frozenset[str]:
    member = await harness.member(telegram_id)
    assert member is not None
    return member.tags


async def _member_id(harness: Harness, telegram_id: int) -> int:
    member = await harness.member(telegram_id)
    assert member is not None
    return member.id


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
    assert await _tags_of(harness, 8303) == {"党员", "青年突击队"}

    text = await press_and_settle(harness, coordinator, "✅ 青年突击队")
    assert text.startswith("✅ 已去掉 乙 的标签「青年突击队」。\n\n👤 乙\n")
    assert "标签：党员\n" in text
    assert coordinator.last().buttons() == ["✅ 党员", "➕ 巾帼岗", "➕ 青年突击队", *CARD_BUTTONS]
    assert await _tags_of(harness, 8303) == {"党员"}

    # A tag only a shift requires is given the same way.
    await press_and_settle(harness, coordinator, "➕ 巾帼岗")
    assert await _tags_of(harness, 8303) == {"党员", "巾帼岗"}
    assert await _tags_of(harness, 8302) == {"党员", "青年突击队"}  # nobody else changed

    yi = await _member_id(harness, 8303)
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
    jia = await _member_id(harness, 8312)

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
    assert await _tags_of(harness, 8312) == {"党员"}
    assert await _tags_of(harness, 8314) == {"交通劝导"}

    # A coordinator may tag themselves and their colleagues, as with /tag; an admin anyone.
    await command(harness, coordinator, "members")
    await press_and_settle(harness, coordinator, "王协调")
    assert coordinator.last().buttons()[0] == "➕ 党员"
    await press_and_settle(harness, coordinator, "➕ 党员")
    assert await _tags_of(harness, 8311) == {"党员"}
    await command(harness, harness.admin, "members")
    await press_and_settle(harness, harness.admin, "交警队")
    await press_and_settle(harness, harness.admin, "外人")
    await press_and_settle(harness, harness.admin, "✅ 交通劝导")
    assert await _tags_of(harness, 8314) == frozenset()


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

    assert await _tags_of(harness, 8403) == {"党员"}


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
    assert await _tags_of(harness, 8343) == {"党员", "青年突击队"}
    # 李协调's card still shows ➕ 党员: their press gives it (it is given), it does not take it.
    text = await press_and_settle(harness, li, "➕ 党员")
    assert await _tags_of(harness, 8343) == {"党员", "青年突击队"}
    assert text.startswith("✅ 乙 已加上标签「党员」。"), text
    assert li.last().buttons()[:2] == ["✅ 党员", "✅ 青年突击队"]

    await press_and_settle(harness, li, "✅ 青年突击队")
    assert await _tags_of(harness, 8343) == {"党员"}
    # 王协调's card still shows ✅ 青年突击队: a press takes it away, which it is already.
    text = await press_and_settle(harness, wang, "✅ 青年突击队")
    assert await _tags_of(harness, 8343) == {"党员"}
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
    assert await _tags_of(harness, 8352) == frozenset()

    # Another member's card offers it too, and days later it is still there to give back.
    harness.clock.advance(days=6)
    await command(harness, coordinator, "members")
    await press_and_settle(harness, coordinator, "甲")
    assert coordinator.last().buttons() == ["➕ 青年突击队", *CARD_BUTTONS]
    await command(harness, coordinator, "members")
    await press_and_settle(harness, coordinator, "乙")
    text = await press_and_settle(harness, coordinator, "➕ 青年突击队")
    assert text.startswith("✅ 乙 已加上标签「青年突击队」。"), text
    assert await _tags_of(harness, 8352) == {"青年突击队"}

    # Taken away again and left a week: the unit has no tag now.
    await press_and_settle(harness, coordinator, "✅ 青年突击队")
    harness.clock.advance(days=7, seconds=1)
    await command(harness, coordinator, "members")
    text = await press_and_settle(harness, coordinator, "乙")
    assert "本单位还没有标签" in text
    assert coordinator.last().buttons() == CARD_BUTTONS


# The statements a second tagging waits at, as PostgreSQL shows them in pg_stat_activity: the
# lock on the member's row (`tags._lock_tags`), or, without it, the insert of the tag the first
# has inserted and not committed. Any other waiter (another test's, a job's) is not this race.
MEMBER_LOCK = "SELECT members.id %FROM members %WHERE members.id % FOR UPDATE"
TAG_INSERT = "INSERT INTO member_tags %"


async def _until_another_waits_for_a_lock(harness: Harness) -> None:
    """On PostgreSQL, return once another transaction waits for a lock at `MEMBER_LOCK` or
    `TAG_INSERT` (the second tagging, at its lock when fixed, at its insert when not);
    SQLite's writers already take turns on the one write connection, so the second has not
    begun and there is nothing to wait for."""
    if harness.database.is_sqlite:
        return
    async with harness.database.engine.connect() as watcher:
        # Real time, bounded: the second press is a few statements away (slower on a loaded
        # machine); the bound only turns a hang into a failure.
        for _ in range(3000):
            waiting = await watcher.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database()"
                    " AND (query LIKE :lock OR query LIKE :insert)"
                ),
                {"lock": MEMBER_LOCK, "insert": TAG_INSERT},
            )
            if waiting:
                return
            # PostgreSQL keeps one snapshot of pg_stat_activity per transaction: end it, or
            # every later read shows the moment of the first.
            await watcher.rollback()
            await asyncio.sleep(0.01)
        seen = (
            await watcher.execute(
                text(
                    "SELECT pid, datname, state, wait_event_type, wait_event, left(query, 80)"
                    " FROM pg_stat_activity WHERE backend_type = 'client backend'"
                )
            )
        ).all()
    raise AssertionError(f"the second press never waited for the first: {seen}")


async def test_two_coordinators_giving_one_tag_at_the_same_moment_both_see_it_given(
    harness: Harness,
) -> None:
    """Two presses of ➕ on 乙's card whose transactions overlap (two coordinators, one moment):
    the second waits for the first and finds the tag given, rather than adding the same row
    again and failing (on PostgreSQL both read "not held" before either wrote)."""
    unit_id = await unit(harness)
    await person(harness, 8361, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 8362, unit_id, "乙", tags=())
    await person(harness, 8363, unit_id, "甲", tags=("党员",))
    member_id = await _member_id(harness, 8362)
    coordinator = await harness.member(8361)
    assert coordinator is not None
    actor = Actor(telegram_id=8361, member=coordinator, roles=frozenset({Role.COORDINATOR}))
    key = tags.tag_key("党员")
    now = harness.clock.now()

    first_wrote = asyncio.Event()
    second_started = asyncio.Event()

    async def first() -> tags.Toggled | None:
        async with harness.session() as session:
            toggled = await tags.toggle_by_key(session, actor, member_id, key, True, now)
            assert toggled is not None and toggled.given, toggled
            first_wrote.set()
            await second_started.wait()
            await _until_another_waits_for_a_lock(harness)
            return toggled

    async def second() -> tags.Toggled | None:
        await first_wrote.wait()
        second_started.set()
        async with harness.session() as session:
            return await tags.toggle_by_key(session, actor, member_id, key, True, now)

    given = await asyncio.gather(first(), second())
    assert [toggled is not None and toggled.given for toggled in given] == [True, True]
    assert await _tags_of(harness, 8362) == {"党员"}
    async with harness.session() as session:
        added = await session.scalars(
            select(AuditEntry.id).where(
                AuditEntry.action == "member.tag.add", AuditEntry.object_id == member_id
            )
        )
        assert len(list(added)) == 1


async def test_two_coordinators_typing_one_tag_at_the_same_moment_take_turns(
    harness: Harness,
) -> None:
    """Two `/tag 乙 党员` whose transactions overlap: the second waits for the first and acts
    as if typed after it (the same again takes the tag away), rather than adding the row the
    first added and failing (on PostgreSQL both read "not held" before either wrote)."""
    unit_id = await unit(harness)
    await person(harness, 8371, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 8372, unit_id, "乙", tags=())
    member_id = await _member_id(harness, 8372)
    coordinator = await harness.member(8371)
    assert coordinator is not None
    actor = Actor(telegram_id=8371, member=coordinator, roles=frozenset({Role.COORDINATOR}))
    now = harness.clock.now()

    first_wrote = asyncio.Event()
    second_started = asyncio.Event()

    async def first() -> bool:
        async with harness.session() as session:
            _, given = await tags.toggle(session, actor, "乙", "党员", now)
            first_wrote.set()
            await second_started.wait()
            await _until_another_waits_for_a_lock(harness)
            return given

    async def second() -> bool:
        await first_wrote.wait()
        second_started.set()
        async with harness.session() as session:
            _, given = await tags.toggle(session, actor, "乙", "党员", now)
            return given

    assert await asyncio.gather(first(), second()) == [True, False]
    assert await _tags_of(harness, 8372) == frozenset()
    async with harness.session() as session:
        actions = await session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "member", AuditEntry.object_id == member_id)
            .order_by(AuditEntry.id)
        )
        assert list(actions) == ["member.tag.add", "member.tag.remove"]


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
    jia = await _member_id(harness, 8382)

    await command(harness, coordinator, "members")
    await press_and_settle(harness, coordinator, "甲")
    await press_and_settle(harness, coordinator, "🚪 移出本单位")
    text = await press_and_settle(harness, coordinator, "是，移出本单位")
    assert text == "已将 甲 移出「城管局」，释放了 0 个班次。已通知 ta。"

    assert await _tags_of(harness, 8382) == frozenset()
    wang = await _member_id(harness, 8381)
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
    jia = await _member_id(harness, 8392)
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
    assert await _tags_of(harness, admin.user_id) == frozenset({"党员"})

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
