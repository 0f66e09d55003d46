"""/outbox for admins: what the sender has sent, what waits, and what Telegram refused."""

from __future__ import annotations

from bot.db.models import OutboxStatus, Role
from bot.services.people import groups
from bot.services.platform import outbox
from bot.services.platform.notify import members_of_chats
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
        chat_ids = [message.chat_id for message in state.parked]
        people = await members_of_chats(turn.session, chat_ids)
        titles = await groups.titles(turn.session, chat_ids)

        def chat(chat_id: int) -> str:
            # Whom the admin should look into, with the id to find the chat by.
            if chat_id in people:
                return t("delivery.chat_member", name=people[chat_id].display_name, chat=chat_id)
            if chat_id in titles:
                return t("delivery.chat_group", title=titles[chat_id], chat=chat_id)
            return str(chat_id)

        lines.append(t("delivery.parked_header"))
        for message in state.parked:
            text = str(message.payload.get("text") or message.kind)
            preview = text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
            lines.append(
                t(
                    "delivery.parked_line",
                    time=t.datetime(message.created_at),
                    chat=chat(message.chat_id),
                    reason=message.last_error or "-",
                    preview=preview.replace("\n", " "),
                )
            )
    else:
        lines.append(t("delivery.none_parked"))
    turn.reply("\n".join(lines))
