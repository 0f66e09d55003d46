"""A member's way out of a unit: a coordinator of the unit (or an admin) removes them, they leave
themselves from /me, or an admin takes a role away (the last one taken is a removal).

Leaving ends what the member holds ahead, in one transaction: every seat and place in a queue
on a shift that has not ended is given up (the waitlist promoted and told), their open swap
offers are off (and everyone waiting on them told), their leave not yet decided is withdrawn,
and the record is no longer a member (``active`` false, no roles, no tags, each tag taken as a
press on the card takes it, audited) so no broadcast, reminder, rotation or swap reaches them
and a new invite, to any unit, registers them again.
What they did stays: check-ins, hours, the ledger. An admin of ADMIN_IDS stays an admin, with
no unit. Someone on post (checked in, not checked out) is not removed: the check-out, and the
hours it counts, would have nowhere to go; they leave after checking out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, AssignmentStatus, Member, Role
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.people import tags as member_tags
from bot.services.people.access import Actor
from bot.services.people.members import ON_POST_ROLES, ROLE_ORDER, of_unit
from bot.services.people.reachability import coordinators_of
from bot.services.platform import audit, dialogues, outbox
from bot.services.platform.notify import Render, notify
from bot.services.rostering import leave, rotas
from bot.services.schedule import broadcast as broadcasts
from bot.services.schedule import seats, signup
from bot.services.swaps import jobs as swap_jobs
from bot.services.swaps import notices as swap_notices
from bot.settings import Settings

# What a coordinator may remove from their unit; coordinators and inspectors are the admins'.
COORDINATOR_REMOVES = frozenset({Role.VOLUNTEER, Role.LEADER})
# The roles an admin takes away one at a time (ADMIN is not stored: it is ADMIN_IDS).
TAKEABLE = tuple(role for role in ROLE_ORDER if role is not Role.ADMIN)


class How(StrEnum):
    """How someone left: the audit action, and the status their seats end in."""

    REMOVED = "member.remove"
    LEFT = "member.leave"


@dataclass(frozen=True)
class Card:
    """A member as /members shows them, and what the actor may do to them."""

    member: Member
    roles: tuple[Role, ...]
    upcoming: list[Assignment]
    removable: bool
    takeable: tuple[Role, ...]  # roles the actor may take away one by one (admins only)
    # The unit's tags the actor may give or take on the card (the rule of /tag), None if none.
    tags: list[str] | None


@dataclass(frozen=True)
class Departed:
    member: Member
    unit_name: str
    released: list[Assignment]
    swaps_voided: int
    leaves_withdrawn: int


@dataclass(frozen=True)
class RoleTaken:
    member: Member
    role: Role
    released: list[Assignment]  # the seats of one who no longer stands on posts


def stands_down(roles: frozenset[Role], role: Role) -> bool:
    """Whether one with `roles` no longer stands on posts once `role` is taken: their seats
    ahead are then given up (the confirmation says so)."""
    return ON_POST_ROLES.isdisjoint(roles - {role})


def _unit_name(member: Member) -> str:
    return member.unit.name if member.unit is not None else ""


def _roles(member: Member) -> tuple[Role, ...]:
    return tuple(role for role in ROLE_ORDER if role in member.roles)


async def _target(session: AsyncSession, actor: Actor, member_id: int) -> Member:
    """A member of a unit the actor manages (a coordinator: theirs; an admin: any)."""
    member = await session.get(Member, member_id)
    if member is None or not member.active or member.unit_id is None:
        name = member.display_name if member is not None else "-"
        raise DomainError(ErrorCode.MEMBER_GONE, name=name)
    if (
        not actor.is_admin
        and Role.COORDINATOR in actor.roles
        and actor.unit_id is not None
        and member.unit_id != actor.unit_id
        and await _left(session, member, actor.unit_id)
    ):
        # An older card of someone who has since joined another unit: gone from this one, as
        # one who joined nowhere is (a member of another unit who never was here: forbidden).
        raise DomainError(ErrorCode.MEMBER_GONE, name=member.display_name)
    actor.require_unit(member.unit_id, Role.COORDINATOR)
    return member


async def _left(session: AsyncSession, member: Member, unit_id: int) -> bool:
    """Whether the member once left (or was removed from) this unit, as the trail records it."""
    gone = {How.REMOVED.value, How.LEFT.value}
    return any(
        step.entry.action in gone
        and isinstance(step.entry.before, dict)
        and step.entry.before.get("unit_id") == unit_id
        for step in await audit.trail(session, "member", member.id)
    )


def _require_still_in(member: Member, unit_id: int | None) -> None:
    """A confirmation that named `unit_id`, kept past the member's move to another unit: they
    are no longer a member of the one it named, whatever they do in the other (None: a button
    from before confirmations named their unit)."""
    if unit_id is not None and member.unit_id != unit_id:
        raise DomainError(ErrorCode.MEMBER_GONE, name=member.display_name)


def _removal_refusal(actor: Actor, member: Member, admin_ids: list[int]) -> DomainError | None:
    """Why the actor may not remove this member of a unit they manage, if they may not."""
    if actor.member is not None and actor.member.id == member.id:
        return DomainError(ErrorCode.MEMBER_REMOVE_SELF)
    if member.telegram_id in admin_ids:
        return DomainError(ErrorCode.MEMBER_REMOVE_ADMIN, name=member.display_name)
    if actor.is_admin:
        return None
    if not member.roles <= COORDINATOR_REMOVES:
        return DomainError(ErrorCode.MEMBER_REMOVE_FORBIDDEN, name=member.display_name)
    return None


async def roster(session: AsyncSession, actor: Actor, unit_id: int) -> list[Member]:
    """The unit's members, by name, for a coordinator of it or an admin."""
    actor.require_unit(unit_id, Role.COORDINATOR)
    return await of_unit(session, unit_id)


async def card(
    session: AsyncSession, actor: Actor, member_id: int, now: dt.datetime, settings: Settings
) -> Card:
    member = await _target(session, actor, member_id)
    removable = _removal_refusal(actor, member, settings.admin_ids) is None
    takeable: tuple[Role, ...] = ()
    if actor.is_admin and removable:
        takeable = tuple(role for role in TAKEABLE if role in member.roles)
    return Card(
        member=member,
        roles=_roles(member),
        upcoming=await signup.upcoming_of(session, member, now),
        removable=removable,
        takeable=takeable,
        tags=await member_tags.choices(session, actor, member, now),
    )


async def removable(
    session: AsyncSession,
    actor: Actor,
    member_id: int,
    now: dt.datetime,
    settings: Settings,
    *,
    unit_id: int | None = None,
) -> tuple[Member, int]:
    """The member the actor asks to remove, refused with the rule it breaks, and how many
    seats ahead their removal gives up (the confirmation says it). `unit_id`: as `remove`."""
    member = await _target(session, actor, member_id)
    _require_still_in(member, unit_id)
    refusal = _removal_refusal(actor, member, settings.admin_ids)
    if refusal is not None:
        raise refusal
    await _require_off_post(session, member, self_leaving=False)
    return member, len(await signup.releasable(session, member.id, now))


async def leavable(session: AsyncSession, actor: Actor, now: dt.datetime) -> tuple[Member, int]:
    """The actor's own membership they ask to leave, and the seats ahead it gives up."""
    member = actor.require_member()
    if member.unit_id is None:
        raise DomainError(ErrorCode.LEAVE_UNIT_NONE)
    await _require_off_post(session, member, self_leaving=True)
    return member, len(await signup.releasable(session, member.id, now))


async def _require_off_post(session: AsyncSession, member: Member, *, self_leaving: bool) -> None:
    on_post = await session.scalar(
        select(Assignment.id)
        .where(
            Assignment.member_id == member.id,
            Assignment.status == AssignmentStatus.CHECKED_IN,
        )
        .limit(1)
    )
    if on_post is not None:
        if self_leaving:
            raise DomainError(ErrorCode.LEAVE_UNIT_ON_POST)
        raise DomainError(ErrorCode.MEMBER_ON_POST, name=member.display_name)


async def remove(
    session: AsyncSession,
    actor: Actor,
    member_id: int,
    now: dt.datetime,
    settings: Settings,
    *,
    unit_id: int | None = None,
) -> Departed:
    """A coordinator of the unit (volunteers and leaders) or an admin (anyone but the admins of
    ADMIN_IDS) removes a member; they are told. `unit_id`, the unit the confirmation named:
    one who has moved to another unit since is not removed from that one."""
    member, _ = await removable(session, actor, member_id, now, settings, unit_id=unit_id)
    departed = await _depart(session, actor, member, How.REMOVED, now, settings)
    await notify(
        session,
        member,
        _removed_notice(departed.unit_name, rotas.actor_name(actor), len(departed.released)),
        key=f"member-removed:{member.id}:{now.isoformat()}",
        now=now,
        settings=settings,
        urgent=True,
    )
    return departed


async def leave_unit(
    session: AsyncSession, actor: Actor, unit_id: int, now: dt.datetime, settings: Settings
) -> Departed:
    """The member leaves their unit themselves (the answer tells them; no notice). `unit_id`
    is the unit the confirmation named: a button kept from before they joined another unit
    leaves nothing."""
    member, _ = await leavable(session, actor, now)
    if member.unit_id != unit_id:
        raise DomainError(ErrorCode.MEMBER_GONE, name=member.display_name)
    return await _depart(session, actor, member, How.LEFT, now, settings)


async def take_role(
    session: AsyncSession,
    actor: Actor,
    member_id: int,
    role: Role,
    now: dt.datetime,
    settings: Settings,
    *,
    removes: bool | None = None,
    unit_id: int | None = None,
) -> RoleTaken | Departed:
    """An admin takes one role away (a coordinator replaced stays a volunteer); taking the last
    one removes the member from the unit. One who no longer stands on posts gives up the seats
    ahead, as on leaving. `removes` False: the admin confirmed a take that left the member in
    the unit, so one that has become the last role meanwhile is refused, removing nobody.
    `unit_id`, the unit the confirmation named: one who moved to another since keeps all."""
    actor.require(Role.ADMIN)
    member = await _target(session, actor, member_id)
    _require_still_in(member, unit_id)
    refusal = _removal_refusal(actor, member, settings.admin_ids)
    if refusal is not None:
        raise refusal
    if role not in member.roles or role is Role.ADMIN:
        raise DomainError(ErrorCode.ROLE_NOT_HELD, name=member.display_name, role=role)
    if member.roles == {role}:
        _require_removal_confirmed(member, role, removes)
        return await remove(session, actor, member_id, now, settings, unit_id=unit_id)
    before = sorted(r.value for r in member.roles)
    seen_in = member.unit_id  # as the press read it, before a lock reads them again
    released: list[Assignment] = []
    if stands_down(member.roles, role):
        await _require_off_post(session, member, self_leaving=False)
        released, _, _ = await _give_up_ahead(session, member, How.REMOVED, now, settings)
    await seats.lock_members(session, [member.id])  # and read again, roles and unit with them
    if not member.active:
        raise DomainError(ErrorCode.ROLE_NOT_HELD, name=member.display_name, role=role)
    if member.unit_id != seen_in:
        # They left the unit meanwhile and joined another by its invite: no longer a member of
        # the one the confirmation named (the early check's refusal), nothing taken there.
        raise DomainError(ErrorCode.MEMBER_GONE, name=member.display_name)
    if role not in member.roles:
        raise DomainError(ErrorCode.ROLE_NOT_HELD, name=member.display_name, role=role)
    if member.roles == {role}:
        # Another admin took the other roles meanwhile: this one is the last, and taking the
        # last is a removal (never an active member left with no role), if it was confirmed.
        _require_removal_confirmed(member, role, removes)
        return await remove(session, actor, member_id, now, settings, unit_id=unit_id)
    member.role_rows[:] = [row for row in member.role_rows if row.role is not role]
    if role is Role.COORDINATOR:
        await _decisions_to_admins(session, member.unit_id, now, settings)
    audit.record(
        session,
        actor_id=rotas.actor_id(actor),
        action="member.take_role",
        object_type="member",
        object_id=member.id,
        before={"roles": before},
        after={"roles": sorted(r.value for r in member.roles), "released": len(released)},
        now=now,
    )
    await notify(
        session,
        member,
        _role_taken_notice(_unit_name(member), role, _roles(member), len(released)),
        key=f"member-role-taken:{member.id}:{role.value}:{now.isoformat()}",
        now=now,
        settings=settings,
        urgent=True,
    )
    return RoleTaken(member, role, released)


def _require_removal_confirmed(member: Member, role: Role, removes: bool | None) -> None:
    """Taking the last role removes the member: refused when the admin's confirmation said
    they would stay in the unit (other roles were left when it was asked)."""
    if removes is False:
        raise DomainError(
            ErrorCode.ROLE_TAKE_WOULD_REMOVE,
            name=member.display_name,
            role=role,
            unit=_unit_name(member),
        )


async def _give_up_ahead(
    session: AsyncSession, member: Member, how: How, now: dt.datetime, settings: Settings
) -> tuple[list[Assignment], int, int]:
    """Seats ahead released, open swap offers voided, undecided leave withdrawn."""
    to = AssignmentStatus.REMOVED if how is How.REMOVED else AssignmentStatus.CANCELLED
    released = await signup.release_all(session, member.id, to, now, settings)
    voided = await swap_jobs.void_for_member(session, member.id, now, settings)
    withdrawn = await leave.withdraw_asked(session, member.id, now, settings)
    return released, voided, withdrawn


async def _depart(
    session: AsyncSession,
    actor: Actor,
    member: Member,
    how: How,
    now: dt.datetime,
    settings: Settings,
) -> Departed:
    unit_name = _unit_name(member)
    unit_id = member.unit_id  # as the press read it, before the lock reads them again
    was_coordinator = Role.COORDINATOR in member.roles
    before = {
        "unit_id": member.unit_id,
        "roles": sorted(role.value for role in member.roles),
        "tags": sorted(member.tags),
    }
    # Their shifts ahead, then they are locked there (signup.lock_ahead, the order sign-up
    # takes), which reads them again as they are now; then nobody seats them meanwhile.
    released, voided, withdrawn = await _give_up_ahead(session, member, how, now, settings)
    if not member.active or member.unit_id != unit_id:
        # Another press removed them first (and what it freed, this one found freed).
        raise DomainError(ErrorCode.MEMBER_GONE, name=member.display_name)
    await _require_off_post(session, member, self_leaving=how is How.LEFT)
    member.role_rows.clear()
    member_tags.take_all(session, actor, member, now)
    if member.telegram_id in settings.admin_ids:
        # An admin keeps their record as a fresh admin's: no unit, still theirs to use, and
        # the admin's messages queued; the unit's broadcasts waiting for them go, as anyone's.
        member.unit_id = None
        await broadcasts.drop_waiting_for(
            session, member.telegram_id, f"{how.value}: no longer a member"
        )
    else:
        member.active = False
        # What waits in the queue for them was written to a member (an announcement, an offer
        # held by the quiet hours): none of it is theirs now, and its buttons would refuse them.
        await outbox.drop_chat(session, member.telegram_id, f"{how.value}: no longer a member")
    await dialogues.end(session, member.telegram_id)
    if was_coordinator:
        await _decisions_to_admins(session, unit_id, now, settings)
    audit.record(
        session,
        actor_id=rotas.actor_id(actor),
        action=how.value,
        object_type="member",
        object_id=member.id,
        before=before,
        after={
            "active": member.active,
            "released": len(released),
            "swaps_voided": voided,
            "leaves_withdrawn": withdrawn,
        },
        now=now,
    )
    await session.flush()
    return Departed(member, unit_name, released, voided, withdrawn)


async def _decisions_to_admins(
    session: AsyncSession, unit_id: int | None, now: dt.datetime, settings: Settings
) -> None:
    """The unit's last coordinator went: the swaps and leave still awaiting a decision, asked
    of them, go to the admins (as they would if asked now); else they would wait unread."""
    await session.flush()
    if unit_id is None or await coordinators_of(session, unit_id):
        return
    await swap_notices.ask_again(session, unit_id, now, settings)
    await leave.ask_admins_instead(session, unit_id, now, settings)


def _by(t: Translator, name: str | None) -> str:
    return name if name else t("role.admin")


def _removed_notice(unit: str, by: str | None, count: int) -> Render:
    def render(t: Translator) -> outbox.Message:
        return outbox.payload(t("members.notice.removed", unit=unit, by=_by(t, by), count=count))

    return render


def _role_taken_notice(unit: str, role: Role, left: tuple[Role, ...], count: int) -> Render:
    def render(t: Translator) -> outbox.Message:
        roles = t("common.list_separator").join(t(f"role.{r.value}") for r in left)
        text = t("members.notice.role_taken", unit=unit, role=t(f"role.{role.value}"), roles=roles)
        if count:
            text += "\n" + t("members.notice.seats_released", count=count)
        return outbox.payload(text)

    return render
