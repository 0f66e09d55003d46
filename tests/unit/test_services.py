"""Services without Telegram: units, invites, registration, idempotency."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import AuditEntry, Dialogue, DialogueKind, Member, MemberRole, Role
from bot.errors import DomainError, ErrorCode
from bot.services.people import invites, members, names, registration, tags, units
from bot.services.people.access import Actor
from bot.services.platform import dialogues

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
ADMIN = Actor(telegram_id=1, member=None, roles=frozenset({Role.ADMIN}))


async def _unit(database: Database, name: str = "城管局") -> int:
    async with database.session() as session:
        return (await units.create(session, ADMIN, name, NOW)).id


async def _register(database: Database, telegram_id: int, code: str) -> None:
    async with database.session() as session:
        await registration.start(session, telegram_id, code, NOW)
        dialogue = await dialogues.current(session, telegram_id)
        assert dialogue is not None
        registration.receive_contact(dialogue, telegram_id, telegram_id, "8613800000000", NOW)
        registration.receive_name(dialogue, f"user{telegram_id}", NOW)
        await registration.complete(session, dialogue, "zh_Hans", NOW)


async def test_unit_names_are_unique_ignoring_case_and_spacing(database: Database) -> None:
    await _unit(database, "Road  Team")
    async with database.session() as session:
        with pytest.raises(DomainError) as raised:
            await units.create(session, ADMIN, "road team", NOW)
    assert raised.value.code is ErrorCode.UNIT_NAME_TAKEN
    async with database.session() as session:
        with pytest.raises(DomainError) as raised:
            await units.create(session, ADMIN, "   ", NOW)
    assert raised.value.code is ErrorCode.UNIT_NAME_INVALID


async def test_a_unit_name_with_a_stray_joiner_is_the_same_name(database: Database) -> None:
    """A zero-width joiner at the end of a name joins nothing: "城管局" and "城管局" + ZWJ look
    alike, so the second is the name taken, and a spreadsheet's cell with it finds the unit."""
    unit_id = await _unit(database, "城管局")
    async with database.session() as session:
        with pytest.raises(DomainError) as raised:
            await units.create(session, ADMIN, "城管局\u200d", NOW)
    assert raised.value.code is ErrorCode.UNIT_NAME_TAKEN
    async with database.session() as session:
        found = await units.by_name(session, "\u200b城管局\u200d")
        assert found is not None and found.id == unit_id


async def test_only_admins_create_units(database: Database) -> None:
    volunteer = Actor(telegram_id=2, member=None, roles=frozenset({Role.VOLUNTEER}))
    async with database.session() as session:
        with pytest.raises(DomainError) as raised:
            await units.create(session, volunteer, "X", NOW)
    assert raised.value.code is ErrorCode.FORBIDDEN


async def test_invite_is_used_up_atomically(database: Database) -> None:
    unit_id = await _unit(database)
    async with database.session() as session:
        invite = await invites.create(session, ADMIN, unit_id, Role.COORDINATOR, NOW)
        code = invite.code
    assert invite.max_uses == 1
    await _register(database, 10, code)
    async with database.session() as session:
        with pytest.raises(DomainError) as raised:
            await registration.start(session, 11, code, NOW)
    assert raised.value.code is ErrorCode.INVITE_USED_UP


async def test_invite_checked_again_when_registration_completes(database: Database) -> None:
    unit_id = await _unit(database)
    async with database.session() as session:
        code = (await invites.create(session, ADMIN, unit_id, Role.VOLUNTEER, NOW)).code
    async with database.session() as session:
        await registration.start(session, 20, code, NOW)
    later = NOW + dt.timedelta(days=invites.INVITE_VALID_DAYS, seconds=1)
    async with database.session() as session:
        dialogue = await dialogues.current(session, 20)
        assert dialogue is not None
        registration.receive_contact(dialogue, 20, 20, "+861", later)
        registration.receive_name(dialogue, "x", later)
        with pytest.raises(DomainError) as raised:
            await registration.complete(session, dialogue, "en", later)
    assert raised.value.code is ErrorCode.INVITE_EXPIRED
    # The invite will not come good: the dialogue ends (a new link starts afresh).
    async with database.session() as session:
        assert await dialogues.current(session, 20) is None
        assert await members.by_telegram_id(session, 20) is None


async def test_coordinator_invites_only_volunteers_of_own_unit(database: Database) -> None:
    unit_id = await _unit(database)
    other_id = await _unit(database, "交警队")
    async with database.session() as session:
        code = (await invites.create(session, ADMIN, unit_id, Role.COORDINATOR, NOW)).code
    await _register(database, 30, code)
    async with database.session() as session:
        member = await members.by_telegram_id(session, 30)
        coordinator = Actor.of(30, member, admin_ids=[])
        invite = await invites.create(session, coordinator, unit_id, Role.VOLUNTEER, NOW)
        assert invite.role is Role.VOLUNTEER
        for unit, role in ((unit_id, Role.LEADER), (other_id, Role.VOLUNTEER)):
            with pytest.raises(DomainError) as raised:
                await invites.create(session, coordinator, unit, role, NOW)
            assert raised.value.code in (ErrorCode.ROLE_NOT_ALLOWED, ErrorCode.FORBIDDEN)


@pytest.mark.parametrize("code", ["", "short", "has space in it", "ü" * 10, "A" * 65])
async def test_malformed_codes_are_unknown(database: Database, code: str) -> None:
    async with database.session() as session:
        with pytest.raises(DomainError) as raised:
            await invites.check(session, code, NOW)
    assert raised.value.code is ErrorCode.INVITE_UNKNOWN


def test_contact_must_be_ones_own() -> None:
    dialogue = Dialogue(telegram_id=5, kind="register", step="contact", data={}, updated_at=NOW)
    with pytest.raises(DomainError) as raised:
        registration.receive_contact(dialogue, 5, 6, "+86", NOW)
    assert raised.value.code is ErrorCode.CONTACT_NOT_OWN
    assert dialogue.step == "contact"


async def test_each_dialogue_begun_has_its_own_mark_and_keeps_it_as_it_advances(
    database: Database,
) -> None:
    async with database.session() as session:
        first = await dialogues.begin(session, 40, DialogueKind.INSPECT, "location", NOW)
        first_mark = dialogues.mark(first)
        dialogues.advance(first, "post", NOW, post_id=3)
        assert dialogues.mark(first) == first_mark is not None
        assert first.data["post_id"] == 3
    async with database.session() as session:
        stored = await dialogues.current(session, 40)
        assert stored is not None and dialogues.carries(stored, first_mark)
        # A button made before buttons carried a mark acts on the open dialogue.
        assert dialogues.carries(stored, None)
        second = await dialogues.begin(session, 40, DialogueKind.INSPECT, "location", NOW)
        assert dialogues.mark(second) != first_mark
        assert not dialogues.carries(second, first_mark)


async def test_tags_an_admin_held_in_no_unit_are_taken_in_the_trail_on_joining(
    database: Database,
) -> None:
    """Joining starts afresh: the tags of an admin's unit-less record are each written to the
    trail as taken (by the one joining), as when a member leaves."""
    unit_id = await _unit(database)
    async with database.session() as session:
        admin = await registration.ensure_admin_member(session, 1, "管理员", "zh_Hans", NOW)
        admin_id = admin.id
        await tags.toggle(session, ADMIN, "管理员", "党员", NOW)
        await tags.toggle(session, ADMIN, "管理员", "巾帼岗", NOW)
        code = (await invites.create(session, ADMIN, unit_id, Role.VOLUNTEER, NOW)).code
    await _register(database, 1, code)
    async with database.session() as session:
        joined = await members.by_telegram_id(session, 1)
        assert joined is not None and joined.tags == frozenset()
        taken = await session.execute(
            select(AuditEntry.actor_id, AuditEntry.after)
            .where(AuditEntry.action == tags.REMOVED, AuditEntry.object_id == admin_id)
            .order_by(AuditEntry.id)
        )
        assert [tuple(row) for row in taken] == [
            (admin_id, {"tag": "党员", "unit_id": None}),
            (admin_id, {"tag": "巾帼岗", "unit_id": None}),
        ]


async def test_roles_a_returning_record_still_holds_are_cleared_in_the_trail(
    database: Database,
) -> None:
    """A record no longer a member that still holds a role (kept from before leaving cleared
    them) joins afresh with only the invite's role: the roles cleared are in the trail, with
    who (the one joining) and when."""
    unit_id = await _unit(database)
    async with database.session() as session:
        old = Member(
            telegram_id=30,
            display_name="旧",
            language="zh_Hans",
            registered_at=NOW,
            blocked_bot=False,
            active=False,
        )
        old.role_rows = [MemberRole(role=Role.COORDINATOR), MemberRole(role=Role.LEADER)]
        session.add(old)
        await session.flush()
        old_id = old.id
        invite = await invites.create(session, ADMIN, unit_id, Role.VOLUNTEER, NOW)
        code, invite_id = invite.code, invite.id
    await _register(database, 30, code)
    async with database.session() as session:
        joined = await members.by_telegram_id(session, 30)
        assert joined is not None and joined.roles == {Role.VOLUNTEER}
        rows = await session.execute(
            select(
                AuditEntry.actor_id, AuditEntry.before, AuditEntry.after, AuditEntry.created_at
            ).where(AuditEntry.action == registration.JOINED, AuditEntry.object_id == old_id)
        )
        assert [tuple(row) for row in rows] == [
            (
                old_id,
                {"unit_id": None, "roles": ["coordinator", "leader"]},
                {
                    "unit_id": unit_id,
                    "roles": ["volunteer"],
                    "invite_id": invite_id,
                    "invited_by": None,
                },
                NOW,
            )
        ]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  张  伟 ", "张 伟"),
        ("\u200b\u200b", ""),
        ("\u202e\u2066 \u2069\ufeff", ""),
        ("\u200d", ""),
        ("郑\u202e小\u00ad明\x07", "郑小明"),
        ("消防员👩\u200d🚒", "消防员👩\u200d🚒"),
        # A joiner with no visible letter on one side joins nothing: it is dropped.
        ("城管局\u200d", "城管局"),
        ("\u200d张伟", "张伟"),
        ("张 \u200d 伟", "张 伟"),
        ("👩\u200d\u200d🚒", "👩\u200d🚒"),
    ],
)
def test_names_keep_what_is_seen(typed: str, kept: str) -> None:
    assert names.plain(typed) == kept
    assert tags.clean_tag(typed) == (kept or None)
