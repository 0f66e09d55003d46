"""Applying an import: the rows planned again (the database may have moved since the preview)
and, when no row is bad, every post and shift created or changed in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Post
from bot.services.people.access import Actor
from bot.services.schedule import posts, seats, shifts
from bot.services.schedule.importer.planning import (
    Plan,
    notes_change,
    plan_rows,
    post_changes,
    shift_changes,
)
from bot.services.schedule.importer.reading import Row
from bot.services.schedule.shifts import AfterMove
from bot.settings import Settings


async def apply(
    session: AsyncSession,
    actor: Actor,
    rows: Sequence[Row],
    now: dt.datetime,
    settings: Settings,
    *,
    after_move: Sequence[AfterMove],
    promote: bool = True,
) -> Plan:
    """Plan again (the database may have moved since the preview) and, if no row is bad, create
    and change everything in the caller's transaction. With any bad row nothing is written.
    `after_move` (bot/moves.py) goes with every shift edited; with `promote=False` the seats a
    larger capacity adds are left for the caller to give the waitlist (``shifts.edit``)."""
    planner, plan = await plan_rows(session, actor, rows, now, settings)
    if not plan.ok:
        return plan
    created_posts: dict[tuple[int, str], Post] = {}
    for key, post_plan in planner.posts.items():
        existing = post_plan.existing
        if existing is None:
            assert post_plan.latitude is not None and post_plan.longitude is not None
            created_posts[key] = await posts.create(
                session,
                actor,
                unit_id=post_plan.unit_id,
                name=post_plan.name,
                post_type=post_plan.post_type,
                latitude=post_plan.latitude,
                longitude=post_plan.longitude,
                radius_m=post_plan.radius_m or settings.default_post_radius_m,
                now=now,
            )
        else:
            if post_changes(post_plan, existing):
                await posts.update(
                    session,
                    actor,
                    existing.id,
                    now,
                    post_type=post_plan.post_type,
                    location=(
                        (post_plan.latitude, post_plan.longitude)
                        if post_plan.latitude is not None and post_plan.longitude is not None
                        else None
                    ),
                    radius_m=post_plan.radius_m,
                )
            created_posts[key] = existing
    # Every shift of the file that exists is locked first, in id order, before an edit locks
    # the people on one (`shifts.edit`): the ones it changes, and the ones it leaves as they
    # are, whose seats the file's people take and whose queues are promoted after the edits
    # (rostering.import_seating). A sign-up of one of those people for any of them waits at
    # its shift, not in a circle with this import (a deadlock on PostgreSQL).
    file_shifts = [
        existing_shift.id
        for shift_plan in planner.shifts.values()
        if (existing_shift := await planner.existing_shift(shift_plan)) is not None
    ]
    if file_shifts:
        await seats.lock_shifts(session, file_shifts)
    series: dict[int, str] = {}
    for shift_plan in planner.shifts.values():
        post = created_posts[shift_plan.post_key]
        existing_shift = await planner.existing_shift(shift_plan)
        local_start = shift_plan.starts_at.astimezone(settings.zone)
        local_end = shift_plan.ends_at.astimezone(settings.zone)
        if existing_shift is not None:
            if shift_changes(shift_plan, existing_shift):
                await shifts.edit(
                    session,
                    actor,
                    existing_shift.id,
                    now,
                    settings,
                    capacity=shift_plan.capacity,
                    notes=shift_plan.notes if notes_change(shift_plan, existing_shift) else None,
                    times=(local_start.time(), local_end.time()),
                    after_move=after_move,
                    promote=promote,
                )
            continue
        created = await shifts.create(
            session,
            actor,
            post_id=post.id,
            days=[local_start.date()],
            start=local_start.time(),
            end=local_end.time(),
            capacity=shift_plan.capacity,
            required_tag=shift_plan.tag,
            notes=shift_plan.notes,
            now=now,
            settings=settings,
        )
        # Rows that recur share one series, as shifts made in chat do.
        series_id = series.setdefault(shift_plan.row, f"import-{now:%Y%m%d%H%M%S}-{shift_plan.row}")
        for shift in created:
            shift.series_id = series_id
    return plan
