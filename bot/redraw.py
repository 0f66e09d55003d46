"""The one table of notices drawn again when they go out (bot/services/platform/redraw.py):
kind (as a message's Redraw names it) to the service function that draws its messages from the
database at the moment they are sent. A notice whose text may turn stale while it waits (quiet
hours, a 429) names its kind when it is queued; features add one row each."""

from __future__ import annotations

from collections.abc import Mapping

from bot.services.duty import noshow, reminders
from bot.services.oversight import order_jobs, orders
from bot.services.people import reachability
from bot.services.platform.redraw import RedrawFunction
from bot.services.rostering import acknowledge, leave_notices, notices, seat_notices
from bot.services.schedule import (
    broadcast_messages,
    removals,
    shift_changes,
    understaffed,
    waitlist,
)
from bot.services.swaps import acceptance as swap_acceptance
from bot.services.swaps import closings as swap_closings
from bot.services.swaps import completion as swap_completion
from bot.services.swaps import endings as swap_endings
from bot.services.swaps import notices as swap_notices
from bot.services.swaps import offers as swap_offers

REDRAWS: Mapping[str, RedrawFunction] = {
    # the no-show's ⚠️ question and 🚨 alert: only about those still missing, the shift not over
    noshow.QUESTION: noshow.redraw_questions,
    noshow.ALERT: noshow.redraw_alerts,
    # "you got a seat" from the waitlist: the shift's time and the way out when it is read
    waitlist.PROMOTED: waitlist.redraw_promoted,
    # a rota's seats: only those still held, none when none are
    notices.ROTA_NOTICE: acknowledge.redraw_notices,
    notices.ACK_REMINDER: acknowledge.redraw_reminders,
    # leave to decide: only while it is and to who may still decide it, naming the shift as it is
    notices.LEAVE_ASKED: leave_notices.redraw_requests,
    # a seat freed by leave: only while it is free and the reader may take it (the rules of
    # sign-up, as the press)
    notices.FREED_SEAT: leave_notices.redraw_offers,
    # leave decided: naming the shift as it is, only while the seat is (rejected) or is not
    # (approved) the asker's, and not once the shift is over; who took a freed seat:
    # only while they hold it and the shift is not over, named as now
    notices.LEAVE_DECIDED: leave_notices.redraw_decided,
    notices.FREED_TAKEN: leave_notices.redraw_taken,
    # taken off a shift by an import: only while they are not on it again
    notices.UNASSIGNED: seat_notices.redraw_unassigned,
    # taken off a shift by a coordinator (➖ 移出): naming the shift as it is, only while they
    # are not on it again and it is not over (still when it was cancelled while they were off
    # it: its notice does not reach them), and only the latest word of the seat (put back and
    # taken off again while the first waited: told once)
    removals.REMOVED: removals.redraw_removed,
    # a short shift's seats offered (✋ 报名): only while seats are missing and the reader may
    # take one (the rules of sign-up, as the press), saying how many are missing then
    understaffed.OFFER: understaffed.redraw_offers,
    # a broadcast's announcement or list of shifts: in the language its reader picked since
    # it was queued; the list's seats as they are
    broadcast_messages.ANNOUNCEMENT: broadcast_messages.redraw_announcements,
    broadcast_messages.SHIFT_LIST: broadcast_messages.redraw_shift_lists,
    # "your shift changed": told once, as it ends up, from what was last told
    shift_changes.SHIFT_CHANGED: shift_changes.redraw_changes,
    # a swap offered: a give-away only while it is open and the reader may take it, the
    # question to the member named only while it is open; word that it was taken only while
    # it awaits approval (what ends it is told in its own notice)
    swap_notices.SWAP_OFFER: swap_offers.redraw_offers,
    swap_notices.SWAP_ASK: swap_offers.redraw_asks,
    swap_notices.SWAP_ACCEPTED: swap_acceptance.redraw_accepted,
    # a swap complete: the shifts as they are; the seat got only while it is still held and
    # its shift not over; the seat gone only while its shift is not over and they are not on
    # it again
    swap_notices.SWAP_COMPLETED: swap_completion.redraw_completed,
    # a swap declined, withdrawn or rejected: the shift as it is; none once it is cancelled
    # or over, nor a decline ("still yours") once its reader holds no seat on it, nor a
    # rejection ("nothing changes") to a side whose seat a later swap (or a coordinator) moved
    swap_notices.SWAP_ENDED: swap_endings.redraw_ended,
    # a swap the scheduler closed, called off (a seat gone, the shift moved, the member asked
    # blocked the bot: told to its holder only while the seat is still theirs) or expired: the
    # shift as it is; none once it is over, nor to whoever a later offer of the seat concerns;
    # "moved" and "expired", once the shift is cancelled, none to whoever was told so and "void
    # for the cancellation" to the others; "void" as it is (the cancellation may be why it is
    # off, and who waited on it holds no seat to be told by)
    swap_notices.SWAP_VOID: swap_closings.redraw_void,
    swap_notices.SWAP_MOVED: swap_closings.redraw_moved,
    swap_notices.SWAP_EXPIRED: swap_closings.redraw_expired,
    swap_notices.SWAP_UNREACHABLE: swap_closings.redraw_unreachable,
    # a member who cannot be reached, to their coordinators: none once they can be again
    reachability.UNREACHABLE: reachability.redraw_unreachable,
    # the reminder before a shift: leave asked since awaits the coordinator
    reminders.REMINDER: reminders.redraw_reminders,
    # "check-in is open" and the late nudge: none once the holder's location was answered
    # (sent after that answer, they would ask for the location just taken)
    reminders.PROMPT: reminders.redraw_prompts,
    # a new rectification order to the unit (held for a covert check's publication): the unit
    # and post named as they are then, only to who is still a coordinator of the unit
    orders.ISSUED: orders.redraw_issued,
    # an order's reminders to the unit: "please acknowledge" only while it is not acknowledged,
    # "due soon" only while no reply is in and the deadline is still ahead; only to who is
    # still a coordinator of the unit, with the buttons that still apply
    order_jobs.REMIND_ACK: order_jobs.redraw_ack_reminders,
    order_jobs.REMIND_DEADLINE: order_jobs.redraw_deadline_reminders,
    # the unit's word that its order was escalated (超期督办): only while its reply is still
    # awaited; the reminders and it are dropped once the order is in another round (a
    # send-back's round queues its own: one deadline is told once)
    order_jobs.ESCALATED_UNIT: order_jobs.redraw_escalations,
}
