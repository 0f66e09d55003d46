"""A live location shared while on post: the check-in follows it from then on.

A volunteer checked in with a one-off location (the 📍 button), or whose live location shared
at check-in has run out (Telegram offers 15 minutes, 1 hour or 8 hours), shares one now to show
that they stay, as the README tells them to. Its moves are the check-in's presence samples
(`presence.record_live_position`) from then on, as those of a share sent at check-in would be."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckIn, LocationSample, Member
from bot.services.duty.checkout import for_duty, open_checkin
from bot.services.duty.geofence import Position
from bot.services.duty.presence import record_live_position
from bot.services.duty.sent import judged_at
from bot.settings import Settings


async def follow(
    session: AsyncSession, member: Member, position: Position, now: dt.datetime, settings: Settings
) -> CheckIn | None:
    """Make `position`, a live location of the volunteer's own sent while they are on post
    (the check-in refused it as checking in twice), the share their check-in follows; the
    check-in, or None when it is not one to follow (a one-off, forwarded or a venue; nobody on
    post; the share followed already).

    A check-in made with a one-off location has no track yet: its own position, accepted when
    it was made, is the track's first sample, so the time before the share counts as on post
    as the time between two moves does, not as away."""
    if not position.live or position.message_id is None or position.forwarded or position.venue:
        return None
    checkin = await open_checkin(session, member.id)
    if (
        checkin is None
        or not for_duty(checkin)
        or judged_at(position.sent_at, now) >= checkin.assignment.shift.ends_at
        or checkin.live_message_id == position.message_id
    ):
        return None
    if not checkin.live:
        session.add(
            LocationSample(
                checkin_id=checkin.id,
                recorded_at=checkin.checked_in_at,
                latitude=checkin.latitude,
                longitude=checkin.longitude,
                accuracy_m=checkin.accuracy_m,
                distance_m=checkin.distance_m,
                inside=True,
            )
        )
        checkin.live = True
    checkin.live_message_id = position.message_id
    await session.flush()
    await record_live_position(session, member, position, now, settings)
    return checkin
