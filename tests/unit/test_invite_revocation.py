"""Revoking an invite against a join under way: the join is told the link was revoked."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from bot.db.engine import Database
from bot.db.models import AuditEntry, Invite, Role
from bot.errors import DomainError, ErrorCode
from bot.services.people import invites, units
from bot.services.people.access import Actor

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
ADMIN = Actor(telegram_id=1, member=None, roles=frozenset({Role.ADMIN}))


async def test_a_use_counted_after_a_revocation_is_refused_as_revoked(database: Database) -> None:
    """The person's check passed just before an admin revoked the link in another transaction:
    counting the use is refused with the revocation's reason, not "used up". A revocation
    pressed twice changes the link once."""
    async with database.session() as session:
        unit = await units.create(session, ADMIN, "城管局", NOW)
        code = (await invites.create(session, ADMIN, unit.id, Role.VOLUNTEER, NOW)).code
    async with database.session() as joining:
        invite = await invites.check(joining, code, NOW)
        # Another transaction revokes it now: the row changes, the loaded invite does not.
        await joining.execute(
            update(Invite)
            .where(Invite.id == invite.id)
            .values(revoked=True)
            .execution_options(synchronize_session=False)
        )
        assert invite.revoked is False
        with pytest.raises(DomainError) as refused:
            await invites.consume(joining, invite)
        assert refused.value.code == ErrorCode.INVITE_REVOKED
        assert invite.uses == 0
    async with database.session() as session:
        other = await invites.create(session, ADMIN, unit.id, Role.LEADER, NOW)
        revoked = await invites.revoke(session, ADMIN, other.id, NOW)
        assert revoked is not None and revoked.now and revoked.invite.revoked
        again = await invites.revoke(session, ADMIN, other.id, NOW)
        assert again is not None and not again.now
        assert await invites.revoke(session, ADMIN, other.id + 1000, NOW) is None
        entries = await session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "invite")
            .order_by(AuditEntry.id)
        )
        assert list(entries) == ["invite.create", "invite.create", "invite.revoke"]
