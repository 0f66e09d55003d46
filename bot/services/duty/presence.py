"""Being on post after check-in: a shared live location keeps reporting (edited messages); each
sample is judged against the geofence, and the share of the shift spent inside it is kept.
Away for LEFT_POST_ALERT_MIN, the volunteer left their post: the scheduler asks whether they
are still on it (the "still on post?" button). The positions themselves are kept only while the
check-in is open: once it is closed, its presence is final and the track is forgotten."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, CheckIn, LocationSample, Member
from bot.services.duty.geofence import Fix, Position, judge
from bot.services.duty.sent import placed_at
from bot.settings import Settings


def presence_share(
    samples: Sequence[tuple[dt.datetime, bool]],
    checked_in_at: dt.datetime,
    until: dt.datetime,
    shift_start: dt.datetime,
    shift_end: dt.datetime,
) -> float | None:
    """The share of the checked-in part of the shift spent inside the geofence.

    Each sample holds until the next one; the last holds until ``until``. None when no part of
    the shift has passed yet.
    """
    window_start = max(checked_in_at, shift_start)
    window_end = min(until, shift_end)
    if window_end <= window_start:
        return None
    ordered = sorted(samples)
    inside = dt.timedelta()
    for index, (at, is_inside) in enumerate(ordered):
        if not is_inside:
            continue
        end = ordered[index + 1][0] if index + 1 < len(ordered) else until
        start, stop = max(at, window_start), min(end, window_end)
        if stop > start:
            inside += stop - start
    return round(inside / (window_end - window_start), 4)


async def _track(session: AsyncSession, checkin: CheckIn) -> list[tuple[dt.datetime, bool]]:
    """The check-in's positions so far, in the order they were sent (ties: as recorded)."""
    rows = await session.execute(
        select(LocationSample.recorded_at, LocationSample.inside)
        .where(LocationSample.checkin_id == checkin.id)
        .order_by(LocationSample.recorded_at, LocationSample.id)
    )
    return [(at, inside) for at, inside in rows.all()]


def _share(
    checkin: CheckIn, samples: Sequence[tuple[dt.datetime, bool]], until: dt.datetime
) -> float | None:
    shift = checkin.assignment.shift
    return presence_share(samples, checkin.checked_in_at, until, shift.starts_at, shift.ends_at)


async def presence(session: AsyncSession, checkin: CheckIn, until: dt.datetime) -> float | None:
    if not checkin.live:
        return None
    return _share(checkin, await _track(session, checkin), until)


def away_since(checkin: CheckIn) -> dt.datetime | None:
    """Since when the volunteer is away from the post as the shift goes: since they went
    outside the geofence (``outside_since``), but no earlier than the shift's start. Checked in
    early, someone who steps away before it starts leaves nothing: the shift is not on yet, as
    its presence share (`presence_share`) and its hours begin at the start too."""
    if checkin.outside_since is None:
        return None
    return max(checkin.outside_since, checkin.assignment.shift.starts_at)


def note_left_post(checkin: CheckIn, now: dt.datetime, settings: Settings) -> bool:
    """Outside the geofence for LEFT_POST_ALERT_MIN of the shift means the volunteer left their
    post: the first such absence is kept (``left_post_at``) for the tallies. True when it
    counts."""
    away = away_since(checkin)
    if away is None or now - away < dt.timedelta(minutes=settings.left_post_alert_min):
        return False
    if checkin.left_post_at is None:
        checkin.left_post_at = away
    return True


@dataclass(frozen=True)
class Sample:
    checkin: CheckIn
    fix: Fix
    left: bool  # with this sample the volunteer is away, and was not before
    returned: bool  # with this sample the volunteer is back, and was away before


def _absences(
    samples: Sequence[tuple[dt.datetime, bool]],
) -> tuple[dt.datetime | None, list[tuple[dt.datetime, dt.timedelta]]]:
    """From a track in the order it was sent: since when the volunteer is outside the geofence
    (None: the latest position is inside), and each absence they came back from (its start,
    and how long it lasted)."""
    away_since: dt.datetime | None = None
    absences: list[tuple[dt.datetime, dt.timedelta]] = []
    for at, inside in samples:
        if inside and away_since is not None:
            absences.append((away_since, at - away_since))
            away_since = None
        elif not inside and away_since is None:
            away_since = at
    return away_since, absences


async def record_live_position(
    session: AsyncSession, member: Member, position: Position, now: dt.datetime, settings: Settings
) -> Sample | None:
    """An update of the live location shared at check-in. Positions of other messages, or
    after check-out, are not evidence of anything and are ignored (None).

    A move counts when it was sent (`sent.placed_at`: its `edit_date`, believed up to an hour
    back, older as of an hour before its handling), not when it is handled: after an outage a
    backlog of moves is handled at one moment, and each still says where the volunteer was when.
    Where they are now and since when they are away (`outside_since`) follow the track in that
    order, so a move handled after a later one fills in the track without overwriting where the
    later one put them.

    A stop of the sharing (Telegram's last edit, with no live_period) is no move: it repeats
    the last position with the stop's time, so it is not a sample and changes nothing (None)."""
    if position.message_id is None or not position.live:
        return None
    checkin: CheckIn | None = await session.scalar(
        select(CheckIn)
        .join(Assignment, CheckIn.assignment_id == Assignment.id)
        .where(
            Assignment.member_id == member.id,
            CheckIn.live_message_id == position.message_id,
            CheckIn.checked_out_at.is_(None),
        )
    )
    if checkin is None:
        return None
    at = placed_at(position.sent_at, now, checkin.checked_in_at)
    post = checkin.assignment.shift.post
    fix = judge(post, position.latitude, position.longitude, position.accuracy_m, settings)
    session.add(
        LocationSample(
            checkin_id=checkin.id,
            recorded_at=at,
            latitude=position.latitude,
            longitude=position.longitude,
            accuracy_m=position.accuracy_m,
            distance_m=round(fix.distance_m, 1),
            inside=fix.accepted,
        )
    )
    await session.flush()
    samples = await _track(session, checkin)
    was_outside = checkin.outside_since is not None
    outside, absences = _absences(samples)
    limit = dt.timedelta(minutes=settings.left_post_alert_min)
    starts_at = checkin.assignment.shift.starts_at
    for away, lasted in absences:
        # Back before the tick asked them, but away long enough of the shift (not before its
        # start, checked in early): they still left their post.
        start = max(away, starts_at)
        lasted -= start - away
        if lasted >= limit and (checkin.left_post_at is None or start < checkin.left_post_at):
            checkin.left_post_at = start
    if outside is None or checkin.outside_since is None or outside > checkin.outside_since:
        checkin.outside_since = outside
    # else: an older move away, handled late, reaches back into the absence known already; it
    # keeps the start it was (maybe) asked about, not to ask about the same absence twice.
    checkin.presence_ratio = _share(checkin, samples, now)
    return Sample(
        checkin=checkin,
        fix=fix,
        left=checkin.outside_since is not None and not was_outside,
        returned=checkin.outside_since is None and was_outside,
    )


# Check-ins whose track one tick forgets at most: a long-stopped bot catches up over a few ticks
# rather than in one long write.
FORGET_BATCH = 500


async def forget_tracks(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """Delete the positions of live locations shared at check-ins now closed. They served to judge
    presence while the volunteer was on post; once checked out (by hand, automatically, by a
    coordinator's correction or a cancelled shift) the check-in keeps its own position, its
    presence share and when its holder left the post, and where else they went is nobody's
    business. Queues no message (0)."""
    closed = (
        select(LocationSample.checkin_id)
        .join(CheckIn, CheckIn.id == LocationSample.checkin_id)
        .where(CheckIn.checked_out_at.is_not(None))
        .distinct()
        .limit(FORGET_BATCH)
    )
    # Read first: a tick with nothing to forget takes no write lock (SQLite).
    ids = sorted(set(await session.scalars(closed)))
    if ids:
        await session.execute(delete(LocationSample).where(LocationSample.checkin_id.in_(ids)))
    return 0
