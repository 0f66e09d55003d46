"""Receiving updates: durable before acknowledged (DESIGN principle 6).

PTB's Updater puts a fetched batch in the Application's queue and moves the getUpdates offset
past it before the batch is handled, so a process killed meanwhile loses it: Telegram was told
it was received and never sends it again (its webhook server likewise answers 200 before
anything is stored). The intake takes the Updater's place. A batch is committed to the inbox
(bot/services/platform/inbox.py) first, and only then does the next getUpdates move the offset
past it; the webhook (bot/webhook.py) answers 200 only after the commit. The updates then go to the
Application, which handles different chats concurrently and one chat in order
(bot/concurrency.py); `run_turn` marks each handled in its own transaction together with its
answer (bot/answers.py), and the intake marks the answer sent once it went out. An update no
handler took is marked done after it was processed.

At start-up `recover()` sends the answers that were kept but not marked sent (a crash between a
commit and its answer: at most those answers are repeated) and hands the updates that were
stored but not handled to the Application, before any new one. A sweep repeats this every
SWEEP_SECONDS for answers that met a network failure and prunes old done rows.

`backlog_received()` says when the updates that waited while the bot was down, or while it and
Telegram could not reach each other, are all in the inbox: by long polling, once a getUpdates
brought fewer than a full batch (Telegram's queue was empty then), and no longer once a fetch
failed; with the webhook, once Telegram reports no update pending or every update it held at an
earlier tick has been stored since (see backlog.py), and no longer while it holds updates and
reports a failed delivery since the last one that went through. Until then the no-show job waits
(bot/scheduler.py); after it, it skips whoever has updates in the inbox not yet handled.

The package: `lifecycle` (`Intake`: an update's way from its arrival to its answer: receiving,
handing on, marking done, recovering), `received` (an update as it comes in), `polling` (one
getUpdates and the pauses after a failure), `backlog` (whether the backlog is in) and
`coalesced` (many writes in one transaction).
"""

from bot.intake.lifecycle import Intake
from bot.intake.received import Received

__all__ = ["Intake", "Received"]
