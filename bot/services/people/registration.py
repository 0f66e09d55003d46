"""Joining: invite code -> own phone number -> display name -> language -> member of a unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Dialogue, DialogueKind, Invite, Member, MemberRole
from bot.errors import DomainError, ErrorCode
from bot.services.people import invites, members, names, tags
from bot.services.platform import audit, dialogues

DIALOGUE = DialogueKind.REGISTER
# The audit actions of the roles an invite gives (an admin taking one away: member.take_role).
JOINED, ROLE_ADDED = "member.join", "member.add_role"


class Step(StrEnum):
    """The steps of joining, as stored in the dialogue."""

    CONTACT = "contact"
    NAME = "name"
    LANGUAGE = "language"


NAME_MAX = 32


@dataclass(frozen=True)
class JoinStarted:
    invite: Invite


@dataclass(frozen=True)
class RoleAdded:
    member: Member
    invite: Invite


async def start(
    session: AsyncSession, telegram_id: int, code: str, now: dt.datetime
) -> JoinStarted | RoleAdded:
    """Open the registration dialogue for a valid code; an existing member of the same unit
    gains the invite's role instead. An admin, whose record belongs to no unit, registers like
    anyone else (and so gives a phone number)."""
    try:
        invite = await invites.check(session, code, now)
    except DomainError:
        # A link that admits nobody now (used up, expired, revoked), tapped again by a member
        # of its unit who holds its role (the one who used it, say): that is what they are
        # told, not to ask for a new link they do not need.
        spent = await invites.find(session, code)
        member = await members.by_telegram_id(session, telegram_id)
        if spent is not None and member is not None:
            _refuse_held_role(member, spent)
        raise
    member = await members.by_telegram_id(session, telegram_id)
    if member is not None:
        # Held, and read again, as a removal holds it: a role is not added to a member that a
        # removal under way takes out of the unit (it waits, and takes this role as well).
        await members.lock(session, [member.id])
        await session.refresh(member)
    if member is not None and member.active and member.unit is not None:
        if member.unit_id != invite.unit_id:
            raise DomainError(
                ErrorCode.ALREADY_MEMBER, unit=member.unit.name, other=invite.unit.name
            )
        _refuse_held_role(member, invite)
        await invites.hold_unit_open(session, invite)
        await invites.consume(session, invite)
        before = _role_values(member)
        member.role_rows.append(MemberRole(member_id=member.id, role=invite.role))
        audit.record(
            session,
            actor_id=member.id,
            action=ROLE_ADDED,
            object_type="member",
            object_id=member.id,
            before={"roles": before},
            after={"roles": _role_values(member), **_by_invite(invite)},
            now=now,
        )
        return RoleAdded(member=member, invite=invite)
    await dialogues.begin(session, telegram_id, DIALOGUE, Step.CONTACT, now, {"code": code})
    return JoinStarted(invite=invite)


def _refuse_held_role(member: Member, invite: Invite) -> None:
    """A member of the invite's unit who already holds its role needs no invite."""
    if (
        member.active
        and member.unit is not None
        and member.unit_id == invite.unit_id
        and invite.role in member.roles
    ):
        raise DomainError(ErrorCode.ALREADY_HAS_ROLE, unit=member.unit.name, role=invite.role)


def is_registering(dialogue: Dialogue | None) -> bool:
    """Whether this open dialogue is an invite's steps not yet finished."""
    return dialogue is not None and dialogue.kind == DIALOGUE


def receive_contact(
    dialogue: Dialogue,
    telegram_id: int,
    contact_user_id: int | None,
    phone_number: str,
    now: dt.datetime,
) -> None:
    if contact_user_id != telegram_id:
        raise DomainError(ErrorCode.CONTACT_NOT_OWN)
    phone = phone_number if phone_number.startswith("+") else f"+{phone_number}"
    dialogues.advance(dialogue, Step.NAME, now, phone=phone)


def _valid_name(name: str) -> str | None:
    """The name kept of what was typed, or None when it is not one (blank, too long, or read
    as a command)."""
    cleaned = names.plain(name)
    if not cleaned or len(cleaned) > NAME_MAX or cleaned.startswith("/"):
        return None
    return cleaned


def receive_name(dialogue: Dialogue, name: str, now: dt.datetime) -> str:
    cleaned = _valid_name(name)
    if cleaned is None:
        raise DomainError(ErrorCode.NAME_INVALID, limit=NAME_MAX)
    dialogues.advance(dialogue, Step.LANGUAGE, now, name=cleaned)
    return cleaned


def suggested_name(full_name: str) -> str | None:
    """The Telegram profile's name as the name step would keep it, cut to NAME_MAX, for a
    button that sends it; None when it would not be kept (blank once cleaned, or a command)."""
    return _valid_name(names.plain(full_name)[:NAME_MAX])


async def complete(
    session: AsyncSession, dialogue: Dialogue, language: str, now: dt.datetime
) -> Member:
    """Create the member; the invite is checked again, it may have expired or filled up. Refused,
    the dialogue is ended (kept by a caller that catches the refusal): the invite will not
    come good, and a new link starts afresh."""
    try:
        invite = await invites.check(session, str(dialogue.data["code"]), now)
        existing = await members.by_telegram_id(session, dialogue.telegram_id)
        if existing is not None and existing.active and existing.unit is not None:
            raise DomainError(
                ErrorCode.ALREADY_MEMBER, unit=existing.unit.name, other=invite.unit.name
            )
        await invites.hold_unit_open(session, invite)
        await invites.consume(session, invite)
    except DomainError:
        await dialogues.end(session, dialogue.telegram_id)
        raise
    before: dict[str, object] = {"unit_id": None, "roles": []}
    if existing is None:
        member = Member(telegram_id=dialogue.telegram_id, registered_at=now, blocked_bot=False)
        session.add(member)
    else:
        before = {"unit_id": existing.unit_id, "roles": _role_values(existing)}
        member = existing
        # One who left a unit joins the next afresh: only this invite's role, no old tags.
        # Leaving took (and audited) both; an admin in no unit may still hold tags given
        # meanwhile, and each taken is written to the trail as leaving writes it.
        member.role_rows.clear()
        tags.take_all_on_joining(session, member, now)
    member.display_name = str(dialogue.data["name"])
    member.phone = str(dialogue.data["phone"])
    member.language = language
    member.unit_id = invite.unit_id
    member.active = True
    member.role_rows.append(MemberRole(role=invite.role))
    await dialogues.end(session, dialogue.telegram_id)
    await session.flush()
    # Every role change is in the trail: those a returning record still held, cleared, and
    # the invite's, given; by the one who used the invite, beside who issued it.
    audit.record(
        session,
        actor_id=member.id,
        action=JOINED,
        object_type="member",
        object_id=member.id,
        before=before,
        after={"unit_id": invite.unit_id, "roles": _role_values(member), **_by_invite(invite)},
        now=now,
    )
    await session.refresh(member, ["unit"])
    return member


def _role_values(member: Member) -> list[str]:
    return sorted(role.value for role in member.roles)


def _by_invite(invite: Invite) -> dict[str, int | None]:
    return {"invite_id": invite.id, "invited_by": invite.created_by_id}


async def ensure_admin_member(
    session: AsyncSession, telegram_id: int, display_name: str, language: str, now: dt.datetime
) -> Member:
    """Admins (ADMIN_IDS) need no invite: their record is made on first contact."""
    member = await members.by_telegram_id(session, telegram_id)
    if member is None:
        member = Member(
            telegram_id=telegram_id,
            display_name=suggested_name(display_name) or str(telegram_id),
            language=language,
            registered_at=now,
            blocked_bot=False,
            active=True,
        )
        session.add(member)
        await session.flush()
        await session.refresh(member, ["role_rows", "tag_rows", "unit"])
    return member
