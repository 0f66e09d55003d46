"""Group chats bound to the campaign (headquarters) or to one unit, for tallies and reports."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BoundGroup, Role
from bot.errors import DomainError, ErrorCode
from bot.i18n import LANGUAGES, Translator
from bot.services.people import reachability, units
from bot.services.people.access import Actor
from bot.services.platform import audit, chat_moves, outbox
from bot.services.platform.notify import Render, notify_admins, notify_all
from bot.settings import Settings

TITLE_MAX = 128


async def get(session: AsyncSession, chat_id: int) -> BoundGroup | None:
    group: BoundGroup | None = await session.get(BoundGroup, chat_id)
    return group


async def require(session: AsyncSession, chat_id: int) -> BoundGroup:
    group = await get(session, chat_id)
    if group is None:
        raise DomainError(ErrorCode.GROUP_NOT_BOUND)
    return group


async def titles(session: AsyncSession, chat_ids: list[int]) -> dict[int, str]:
    """The titles of those of these chats that are bound groups, by chat id."""
    if not chat_ids:
        return {}
    rows = await session.execute(
        select(BoundGroup.chat_id, BoundGroup.title).where(BoundGroup.chat_id.in_(chat_ids))
    )
    return {int(chat_id): str(title) for chat_id, title in rows.all()}


async def all_bound(session: AsyncSession) -> list[BoundGroup]:
    return list(await session.scalars(select(BoundGroup).order_by(BoundGroup.chat_id)))


async def bind(
    session: AsyncSession,
    actor: Actor,
    *,
    chat_id: int,
    title: str,
    unit_id: int | None,
    language: str,
    now: dt.datetime,
    thread_id: int | None = None,
) -> BoundGroup:
    """Bind (or re-bind) a group to headquarters (unit_id None) or a unit; admins only. In a
    forum, `thread_id` is the topic it was bound in, where its reports go (None: General)."""
    actor.require(Role.ADMIN)
    if unit_id is not None:
        unit = await units.get(session, unit_id)
        if unit.archived:  # it reports nothing (reports/jobs): a binding would promise tallies
            raise DomainError(ErrorCode.GROUP_UNIT_ARCHIVED, unit=unit.name)
    group = await get(session, chat_id)
    before = None
    if group is None:
        group = BoundGroup(
            chat_id=chat_id,
            title=title[:TITLE_MAX],
            unit_id=unit_id,
            language=language,
            bound_by=actor.telegram_id,
            bound_at=now,
            thread_id=thread_id,
        )
        session.add(group)
    else:
        before = {"unit_id": group.unit_id}
        group.title = title[:TITLE_MAX]
        group.unit_id = unit_id
        group.bound_by = actor.telegram_id
        group.bound_at = now
        group.thread_id = thread_id
    await session.flush()
    await session.refresh(group)
    audit.record(
        session,
        actor_id=actor.member.id if actor.member else None,
        action="group.bind",
        object_type="group",
        object_id=None,
        before=before,
        after={"chat_id": chat_id, "unit_id": unit_id},
        now=now,
    )
    return group


async def unbind(session: AsyncSession, actor: Actor, chat_id: int, now: dt.datetime) -> bool:
    actor.require(Role.ADMIN)
    group = await get(session, chat_id)
    if group is None:
        return False
    audit.record(
        session,
        actor_id=actor.member.id if actor.member else None,
        action="group.unbind",
        object_type="group",
        object_id=None,
        before={"chat_id": chat_id, "unit_id": group.unit_id},
        now=now,
    )
    await session.delete(group)
    return True


async def set_language(
    session: AsyncSession, actor: Actor, chat_id: int, language: str
) -> BoundGroup:
    actor.require(Role.ADMIN)
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    group = await require(session, chat_id)
    group.language = language
    return group


async def leave_topic(session: AsyncSession, chat_id: int, thread_id: int) -> None:
    """The forum topic a group's reports went to is gone (Telegram: "message thread not
    found") or closed to the bot (TOPIC_CLOSED): from now on they go to General, where they
    are seen, rather than be refused."""
    await session.execute(
        update(BoundGroup)
        .where(BoundGroup.chat_id == chat_id, BoundGroup.thread_id == thread_id)
        .values(thread_id=None)
        .execution_options(synchronize_session=False)
    )


async def retitle(session: AsyncSession, chat_id: int, title: str) -> None:
    """The group was renamed on Telegram (its `new_chat_title` service message): a bound group
    is named so from now on where the admins read of it (its removal, /outbox)."""
    await session.execute(
        update(BoundGroup)
        .where(BoundGroup.chat_id == chat_id)
        .values(title=title[:TITLE_MAX])
        .execution_options(synchronize_session=False)
    )


async def move(
    session: AsyncSession, old_chat_id: int, new_chat_id: int, now: dt.datetime
) -> BoundGroup | None:
    """A basic group upgraded to a supergroup has a new id, and Telegram refuses the old one:
    the binding moves there with its scope, language and title, and so do the group's
    messages in the outbox (chat_moves.move_chat). Told by the service messages of either side,
    or by Telegram's refusal of a message to the old id; each after the first finds nothing
    left to move. The binding at the new id, if any."""
    await chat_moves.move_chat(session, old_chat_id, new_chat_id)
    found = set(
        await session.scalars(
            select(BoundGroup.chat_id).where(BoundGroup.chat_id.in_([old_chat_id, new_chat_id]))
        )
    )
    if old_chat_id in found:
        if new_chat_id in found:
            # Bound again at the new id meanwhile: that binding is the admins' latest word.
            old = await get(session, old_chat_id)
            if old is not None:
                await session.delete(old)
        else:
            await session.execute(
                update(BoundGroup)
                .where(BoundGroup.chat_id == old_chat_id)
                .values(chat_id=new_chat_id)
                .execution_options(synchronize_session=False)
            )
        audit.record(
            session,
            actor_id=None,
            action="group.move",
            object_type="group",
            object_id=None,
            before={"chat_id": old_chat_id},
            after={"chat_id": new_chat_id},
            now=now,
        )
        await session.flush()
    return await get(session, new_chat_id)


async def lost(
    session: AsyncSession,
    chat_id: int,
    *,
    now: dt.datetime,
    settings: Settings,
    deleted: bool = False,
) -> bool:
    """The bot was removed from the group (its `my_chat_member` update, or Telegram's 403 on
    a message there): what is queued for the group is dropped, its binding goes, and the
    admins are told in private which group lost which reports and how to bind it again; so
    are the coordinators of the group's unit, who can have the group's owner add the bot back.
    A group `deleted` (Telegram said so) is told as gone: its reports need another group.
    False when the group was not bound (nothing to tell)."""
    key = "group.deleted" if deleted else "group.lost"
    return await _unbind_and_tell(
        session,
        chat_id,
        reason="the group was deleted" if deleted else "the bot is no longer in the group",
        action="group.lost",
        now=now,
        settings=settings,
        admin_key=key,
        coordinator_key=f"{key}.coordinator",
    )


async def muted(
    session: AsyncSession, chat_id: int, *, now: dt.datetime, settings: Settings
) -> bool:
    """The bot is still in the group but may not send messages there (muted: its
    `my_chat_member` update, or Telegram's 400 "not enough rights to send text messages"):
    every report would be refused, so, as for a removal, what is queued is dropped and the
    binding goes. The admins are told, and the coordinators of the group's unit (often among
    the group's own admins, who can give the right back), each once and in their language:
    let the bot send messages, then /setgroup again. False when the group was not bound."""
    return await _unbind_and_tell(
        session,
        chat_id,
        reason="the bot may not send messages in the group",
        action="group.muted",
        now=now,
        settings=settings,
        admin_key="group.muted",
        coordinator_key="group.muted.coordinator",
    )


async def _unbind_and_tell(
    session: AsyncSession,
    chat_id: int,
    *,
    reason: str,
    action: str,
    now: dt.datetime,
    settings: Settings,
    admin_key: str,
    coordinator_key: str,
) -> bool:
    await outbox.drop_chat(session, chat_id, reason)
    group = await get(session, chat_id)
    if group is None:
        return False
    title, unit_id, unit_name, bound_at = (
        group.title,
        group.unit_id,
        group.unit.name if group.unit else None,
        group.bound_at,
    )
    audit.record(
        session,
        actor_id=None,
        action=action,
        object_type="group",
        object_id=None,
        before={"chat_id": chat_id, "unit_id": unit_id},
        now=now,
    )
    await session.delete(group)

    def render(key: str) -> Render:
        def rendered(t: Translator) -> outbox.Message:
            scope = unit_name if unit_name is not None else t("report.scope.all")
            return outbox.payload(t(key, title=title, scope=scope))

        return rendered

    # Under the binding's moment: told once per binding, however many refusals follow.
    stamp = bound_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S")
    prefix = action.replace(".", "-")
    await notify_admins(
        session,
        render(admin_key),
        key=lambda admin_id: f"{prefix}:{chat_id}:{stamp}:{admin_id}",
        now=now,
        settings=settings,
    )
    if unit_id is not None:
        coordinators = [
            member
            for member in await reachability.coordinators_of(session, unit_id)
            if member.telegram_id not in settings.admin_ids  # told as an admin already
        ]
        await notify_all(
            session,
            coordinators,
            render(coordinator_key),
            key=lambda member: f"{prefix}:{chat_id}:{stamp}:{member.telegram_id}",
            now=now,
            settings=settings,
        )
    return True
