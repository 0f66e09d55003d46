"""Check-in on post (/checkin, or just a location, or a photo first), the shift picked, and
live-location updates. Check-out is handlers/checkout.py, /hours handlers/hours.py; what is read
from a message and the keyboards, handlers/checkin_input.py."""

from __future__ import annotations

import logging
from pathlib import Path

from telegram import ReplyKeyboardRemove

from bot.buttons import CheckInPick
from bot.db.models import CheckIn, Dialogue
from bot.errors import DomainError, ErrorCode
from bot.services.duty import (
    checkin,
    checkin_dialogue,
    checkin_location,
    checkin_shifts,
    geofence,
    presence,
    sent,
    shared_on_post,
)
from bot.services.duty.at_hand import AssignmentAtHand
from bot.services.duty.checkin_text import confirmation, distance
from bot.services.duty.live_wait import moves as live_wait_moves
from bot.services.duty.photo_archive import archive_path
from bot.services.platform import dialogues
from bot.services.schedule.shift_text import shift_label
from handlers import common
from handlers.checkin_input import (
    ask_check_in_location,
    checkout_markup,
    location_keyboard,
    photo_of,
    position_of,
    sent_at,
)
from handlers.checkout import tell_left_as_asked
from handlers.keyboards import button, cancel_row, inline
from handlers.turn import Markup, Turn, error_text

# Kept importable from here, where the other journeys found them.
__all__ = ["location_keyboard", "photo_of", "position_of", "sent_at"]

log = logging.getLogger(__name__)

# Refusals after which the person simply sends another location.
RETRY_LOCATION = frozenset(
    {
        ErrorCode.CHECKIN_TOO_FAR,
        ErrorCode.CHECKIN_FORWARDED_LOCATION,
        ErrorCode.CHECKIN_VENUE,
        ErrorCode.CHECKIN_LIVE_REQUIRED,
        ErrorCode.CHECKIN_LOCATION_STALE,
        ErrorCode.CHECKIN_LIVE_ENDED_BEFORE_OPEN,
    }
)

# Refusals of a live location that the check-in then waits on (live_wait.moves.live_arrived),
# and what they add: keep sharing.
KEEP_SHARING = {
    ErrorCode.CHECKIN_TOO_FAR: "checkin.too_far_keep_sharing",
    ErrorCode.CHECKIN_NOT_OPEN: "checkin.not_open_keep_sharing",
}


# Refusals of a check-in begun by a photo (or a picture sent as a file) that speak of a shift of
# the person's own day: not open yet, over, not checked out of, on post already, or closed
# already. The photo was meant for it, and is told why, as a location sent then would be; with
# no such shift, a photo is any other message.
PHOTO_TOLD = frozenset(
    {
        ErrorCode.CHECKIN_NOT_OPEN,
        ErrorCode.CHECKIN_SHIFT_OVER,
        ErrorCode.CHECKIN_NOT_CHECKED_OUT,
        ErrorCode.CHECKIN_ALREADY,
        ErrorCode.CHECKIN_MARKED_PRESENT,
        ErrorCode.CHECKIN_CHECKED_OUT,
    }
)


# The check-in's own wording of a shift: no dot between the time and the post.
LABEL = "checkin.shift_label"


async def _show(turn: Turn, step: checkin_dialogue.Step) -> None:
    t = turn.t
    if step.left is not None:
        tell_left_as_asked(turn, step.left)
    if isinstance(step, checkin_dialogue.NeedPick):
        rows = [
            [button(shift_label(t, option.shift, LABEL), CheckInPick(option.id))]
            for option in step.options
        ]
        turn.reply(t("checkin.pick"), inline([*rows, cancel_row(t)]))
    elif isinstance(step, checkin_dialogue.NeedLocation):
        label = shift_label(t, step.assignment.shift, LABEL)
        ask_check_in_location(turn, "checkin.ask_location", shift=label)
    elif isinstance(step, checkin_dialogue.NeedPhoto):
        turn.reply(
            t(
                "checkin.ask_photo",
                post=step.assignment.shift.post.name,
                distance=distance(t, step.fix.distance_m),
            ),
            ReplyKeyboardRemove(),
        )
    else:
        _confirm(turn, step)


def _confirm(turn: Turn, step: checkin_dialogue.CheckedIn) -> None:
    t = turn.t
    record = step.checkin
    shift = step.assignment.shift
    turn.reply(confirmation(t, record, shift, step.photo_reused), checkout_markup(t, record))
    _archive(turn, record, shift.post.name)


def _archive(turn: Turn, record: CheckIn, post_name: str) -> None:
    """Keep a copy for the campaign's records, after the commit; a failed download is logged
    and never spoils the check-in (the photo stays on Telegram under its file_id)."""
    member = turn.actor.require_member()
    path = archive_path(turn.runtime.settings, record, post_name, member.display_name)
    file_id = record.photo_file_id
    if path is None or file_id is None:
        return
    bot = turn.context.bot

    async def download(target: Path = path, photo: str = file_id) -> None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            telegram_file = await bot.get_file(photo)
            await telegram_file.download_to_drive(target)
        except Exception:
            log.exception("could not archive check-in photo %s to %s", photo, target)

    turn.later(download)


async def start(turn: Turn) -> None:
    """/checkin"""
    member = turn.actor.require_member()
    open_before = await dialogues.current(turn.session, turn.user_id)
    try:
        step = await checkin.begin(turn.session, member, turn.now, turn.runtime.settings)
    except DomainError as error:
        # A check-in left open ends with a refusal for good: so do its 📍 and Cancel buttons.
        ended = (
            open_before is not None and await dialogues.current(turn.session, turn.user_id) is None
        )
        turn.refuse(error, ReplyKeyboardRemove() if ended else None)
        return
    await _show(turn, step)


async def on_photo(turn: Turn) -> None:
    """A photo outside any dialogue. People send the on-post photo first: while a shift of
    theirs is open for check-in, the check-in begins and asks for the location (the photo
    comes after it); one sent as a file is asked for as a photo. On post already, before the
    check-in opens or after the shift, they are told so, as for a location (the rest of the
    album whose first photo checked them in just now is passed over); with no shift of theirs
    that day, a photo is answered as any other message."""
    member = turn.actor.member
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if dialogue is None and turn.actor.is_admin:
        # An admin outside every unit has no check-in to begin: told so, and how to join.
        member = turn.actor.require_unit_member()
    if dialogue is not None or member is None or not member.active:
        await common.route_message(turn)
        return
    message = turn.message
    assert message is not None
    if not message.photo:
        # The picture sent as a file: while a check-in is due, asked for again as a photo. Due
        # as of when it was sent, as its photo would be (`checkin.begin`).
        at = sent.judged_at(sent_at(message), turn.now)
        try:
            await checkin_shifts.choices(turn.session, member, at, turn.runtime.settings)
        except DomainError as error:
            if error.code in PHOTO_TOLD:
                turn.refuse(error)
            else:
                await common.route_message(turn)
            return
        turn.reply(turn.t("checkin.photo_as_file"))
        return
    try:
        step = await checkin.begin(
            turn.session,
            member,
            turn.now,
            turn.runtime.settings,
            album=message.media_group_id,
            sent_at=sent_at(message),
        )
    except DomainError as error:
        at = sent.judged_at(sent_at(message), turn.now)
        if checkin_dialogue.rest_of_album(error, message.media_group_id is not None, at):
            return
        if error.code in PHOTO_TOLD:
            # On post already (a photo sent again on a poor network), too early, too late: say
            # so, not "not understood", which reads as if the check-in had failed.
            turn.refuse(error)
            return
        await common.route_message(turn)
        return
    turn.reply(turn.t("checkin.photo_before_location"))
    await _show(turn, step)


async def on_location(turn: Turn) -> None:
    """Any location sent in a private chat: a check-in, unless another dialogue asked for it."""
    message = turn.message
    assert message is not None
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if dialogue is not None and dialogue.kind != checkin_dialogue.DIALOGUE:
        route = turn.registry.dialogue(dialogue.kind)
        asked = route is not None and dialogue.step in route.location_steps
        settings = turn.runtime.settings
        member = turn.actor.member
        if not await checkin_shifts.checks_in_instead(
            turn.session, member, dialogue, asked, turn.now, settings, sent_at=sent_at(message)
        ):
            await common.route_message(turn)
            return
        # The check-in's own dialogue replaces the other one, as a new command would.
        dialogue = None
    member = turn.actor.require_member()
    position = position_of(message)
    try:
        step = await checkin_location.receive_location(
            turn.session, member, dialogue, position, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        if error.code is ErrorCode.CHECKIN_ALREADY and await _follow_share(turn, position):
            return
        if isinstance(error, checkin_location.RefusedAfterLeaving):
            tell_left_as_asked(turn, error.left)
        retry = error.code in RETRY_LOCATION
        live = turn.runtime.settings.checkin_require_live_location
        markup: Markup | None = location_keyboard(turn.t, live=live) if retry else None
        if checkin_shifts.ends_check_in(error):
            # The check-in is over: nothing is left to send a location for, or to cancel.
            markup = ReplyKeyboardRemove()
        keep_sharing = KEEP_SHARING.get(error.code) if position.live else None
        if keep_sharing is not None:
            # Shared live: it is taken once it reaches the post (and the check-in is open), so
            # keep sharing.
            turn.reply(error_text(turn.t, error) + "\n" + turn.t(keep_sharing), markup)
            return
        turn.refuse(error, markup)
        return
    await _show(turn, step)


async def _follow_share(turn: Turn, position: geofence.Position) -> bool:
    """A live location shared while on post (a check-in made with a one-off location, or a
    share run out): the check-in follows it, and says so instead of "checked in already"."""
    member = turn.actor.require_member()
    followed = await shared_on_post.follow(
        turn.session, member, position, turn.now, turn.runtime.settings
    )
    if followed is None:
        return False
    post = followed.assignment.shift.post.name
    turn.reply(turn.t("checkin.live_on_post", post=post), ReplyKeyboardRemove())
    return True


async def on_dialogue(turn: Turn, dialogue: Dialogue) -> None:
    """Whatever else arrives during a check-in (locations go to ``on_location``)."""
    message = turn.message
    assert message is not None
    t = turn.t
    member = turn.actor.require_member()
    if message.photo and checkin_dialogue.rest_of_first_album(dialogue, message.media_group_id):
        return  # the first photo of the album was answered: location first
    if dialogue.step == checkin_dialogue.STEP_PHOTO:
        if not message.photo:
            key = "checkin.photo_as_file" if message.document else "checkin.need_photo"
            turn.reply(t(key), inline([cancel_row(t)]))
            return
        photo = photo_of(message)
        assert photo is not None
        try:
            step = await checkin.receive_photo(
                turn.session, member, dialogue, photo, turn.now, turn.runtime.settings
            )
        except DomainError as error:
            turn.refuse(error, _after_refused_photo(turn, error))
            return
        _confirm(turn, step)
        return
    if dialogue.step == checkin_dialogue.STEP_LOCATION:
        ask_check_in_location(turn, "checkin.need_location")
        return
    turn.reply(t("checkin.need_pick"))


def _after_refused_photo(turn: Turn, error: DomainError) -> Markup | None:
    """The keyboard a refused photo leaves: 📍 where the location is asked for again; none
    where the check-in ended with the refusal (a location sent again at the photo step may have
    brought 📍/Cancel back, with nothing left to send a location for, or to cancel)."""
    if checkin_shifts.ends_check_in(error):
        return ReplyKeyboardRemove()
    if error.code in RETRY_LOCATION:
        live = turn.runtime.settings.checkin_require_live_location
        return location_keyboard(turn.t, live=live)
    return None


async def pick(turn: Turn, data: CheckInPick) -> None:
    member = turn.actor.require_member()
    assignment_id = data.assignment_id
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if (
        dialogue is None
        or dialogue.kind != checkin_dialogue.DIALOGUE
        or dialogue.step != checkin_dialogue.STEP_PICK
    ):
        turn.stale()
        return
    try:
        step = await checkin.pick(
            turn.session, member, dialogue, assignment_id, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        turn.refuse(error)
        if await dialogues.current(turn.session, turn.user_id) is None:
            # The check-in ended with the refusal: nothing is left to pick, or to cancel.
            turn.edit(error_text(turn.t, error))
        return
    turn.edit(
        turn.t("checkin.picked", shift=shift_label(turn.t, _assignment_of(step).shift, LABEL))
    )
    if not isinstance(step, checkin_dialogue.NeedLocation):
        await _show(turn, step)
    else:
        ask_check_in_location(turn, "checkin.ask_location_short")


def _assignment_of(step: checkin_dialogue.Step) -> AssignmentAtHand:
    if isinstance(step, checkin_dialogue.CheckedIn):
        return step.assignment
    assert not isinstance(step, checkin_dialogue.NeedPick)
    return step.assignment


async def on_live_update(turn: Turn) -> None:
    """An edited live location: a presence sample (nothing is answered; the scheduler asks
    whoever stays away too long), the fresh position of a check-in waiting for its photo, or
    the check-in's location once one refused on the way (or before the check-in opened) reaches
    the post with the check-in open."""
    member = turn.actor.member
    message = turn.message
    if member is None or message is None or message.location is None:
        return
    position = position_of(message)
    settings = turn.runtime.settings
    dialogue = await dialogues.current(turn.session, turn.user_id)
    await live_wait_moves.live_moved(turn.session, dialogue, position, turn.now, settings)
    await presence.record_live_position(turn.session, member, position, turn.now, settings)
    # Refused on the way as too far, or before the check-in opened, it checks in once it is
    # within the post's range with the check-in open.
    try:
        step = await live_wait_moves.live_arrived(
            turn.session, member, dialogue, position, turn.now, settings
        )
    except DomainError as error:
        # The check-in ended with the refusal: nothing is left to send a location for, or to
        # cancel.
        turn.refuse(error, ReplyKeyboardRemove())
        return
    if isinstance(step, checkin_dialogue.CheckedIn):
        _confirm_arrived(turn, step)
    elif step is not None:
        await _show(turn, step)


def _confirm_arrived(turn: Turn, step: checkin_dialogue.CheckedIn) -> None:
    """Checked in by a live location that reached the post: the confirmation takes away the
    keyboard the refusal on the way (or the check-in-open notice) left, 📍 and Cancel with
    nothing left to send or cancel, as the check-in made at the opening does. One reply markup
    a message: so no check-out button, and it says /checkout instead."""
    t = turn.t
    record = step.checkin
    shift = step.assignment.shift
    done = confirmation(t, record, shift, step.photo_reused)
    turn.reply(f"{done}\n{t('checkin.live_checked_in_on_arrival')}", ReplyKeyboardRemove())
    _archive(turn, record, shift.post.name)
