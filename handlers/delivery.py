"""/outbox for admins: what the sender has sent, what waits, and what Telegram refused."""

from __future__ import annotations

from bot.db.models import OutboxStatus, Role
from bot.services.platform import outbox
from handlers.turn import Turn

PREVIEW_CHARS = 40


async def show_outbox(turn: Turn) -> None:
    turn.actor.require(Role.ADMIN)
    t = turn.t
    state = await outbox.overview(turn.session, turn.now)
    counts = state.counts
    lines = [
        t(
            "delivery.overview",
            pending=counts.get(OutboxStatus.PENDING, 0),
            due=state.due_now,
            sent=counts.get(OutboxStatus.SENT, 0),
            blocked=counts.get(OutboxStatus.BLOCKED, 0),
            parked=counts.get(OutboxStatus.PARKED, 0),
            dropped=counts.get(OutboxStatus.DROPPED, 0),
        )
    ]
    if state.leader is not None:
        lines.append(t("delivery.leader", worker=state.leader))
    if state.parked:
        lines.append(t("delivery.parked_header"))
        for message in state.parked:
            text = str(message.payload.get("text") or message.kind)
            preview = text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
            lines.append(
                t(
                    "delivery.parked_line",
                    time=t.datetime(message.created_at),
                    chat=message.chat_id,
                    reason=message.last_error or "-",
                    preview=preview.replace("\n", " "),
                )
            )
    else:
        lines.append(t("delivery.none_parked"))
    turn.reply("\n".join(lines))
