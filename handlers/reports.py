"""Leaders, coordinators and admins: binding group chats (/setgroup), tallies and reports
(/today, /week, /month) and the ledger export (/export)."""

from __future__ import annotations

from telegram import (
    Chat,
    ChatMember,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from bot.buttons import (
    Export,
    ExportPeriod,
    GroupLanguage,
    GroupPage,
    GroupScope,
    GroupUnbind,
)
from bot.db.models import BoundGroup
from bot.i18n import LANGUAGES, Translator
from bot.services.people import groups, reachability, units
from bot.services.reports import delivery as reports
from bot.services.reports import ledger, ledger_xlsx, periods
from bot.services.reports.periods import Period
from bot.services.reports.report_text import ReportKind, number
from bot.services.reports.tally import compute
from handlers.keyboards import button, cancel_row, inline, page
from handlers.turn import Turn

# -- groups -------------------------------------------------------------------------------------


def _is_group(turn: Turn) -> bool:
    chat = turn.update.effective_chat
    return chat is not None and chat.type in (Chat.GROUP, Chat.SUPERGROUP)


def _scope_label(t: Translator, group: BoundGroup) -> str:
    return group.unit.name if group.unit is not None else t("report.scope.all")


def _language_rows(t: Translator) -> list[list[InlineKeyboardButton]]:
    return [
        [button(t(f"language.name.{language}"), GroupLanguage(language))] for language in LANGUAGES
    ]


async def set_group(turn: Turn) -> None:
    """/setgroup in a group (admins): pick headquarters or a unit with buttons."""
    text, markup = await _scope_picker(turn, 0)
    turn.reply(text, markup)


async def group_scope_page(turn: Turn, data: GroupPage) -> None:
    """Another page of units: a city may have hundreds, more than one keyboard can hold."""
    if not _is_group(turn):
        turn.stale()
        return
    text, markup = await _scope_picker(turn, data.offset)
    turn.edit(text, markup)


async def _scope_picker(turn: Turn, offset: int) -> tuple[str, InlineKeyboardMarkup]:
    settings = turn.runtime.settings
    group = await groups.get(turn.session, turn.chat_id)
    turn.use_language(group.language if group is not None else settings.default_language)
    t = turn.t
    chat = turn.update.effective_chat
    title = (chat.title if chat is not None else None) or ""
    choices = await units.visible_to(turn.session, turn.actor)
    shown = page(t, choices, offset, GroupPage)
    lines = [
        t(
            "group.pick_scope",
            title=title,
            time=settings.summary_time.strftime("%H:%M"),
            report_time=settings.report_time.strftime("%H:%M"),
        )
    ]
    if group is not None:
        lines.insert(
            0,
            t(
                "group.current",
                scope=_scope_label(t, group),
                language=t(f"language.name.{group.language}"),
            ),
        )
    if not choices:
        lines.append(t("group.no_units"))
    elif shown.line is not None:
        lines.append(shown.line)
    rows = [[button(t("group.button.hq"), GroupScope(0))]]
    rows += [[button(unit.name, GroupScope(unit.id))] for unit in shown.items]
    rows += shown.nav_rows
    if group is not None:
        rows.append([button(t("group.button.unbind"), GroupUnbind())])
    rows.append(cancel_row(t))
    return "\n".join(lines), inline(rows)


async def pick_group_scope(turn: Turn, data: GroupScope) -> None:
    unit_id = data.unit_id
    if not _is_group(turn):
        turn.stale()
        return
    settings = turn.runtime.settings
    existing = await groups.get(turn.session, turn.chat_id)
    chat = turn.update.effective_chat
    group = await groups.bind(
        turn.session,
        turn.actor,
        chat_id=turn.chat_id,
        title=(chat.title if chat is not None else None) or "",
        unit_id=unit_id or None,
        language=existing.language if existing is not None else settings.default_language,
        now=turn.now,
        # The picker was answered in the topic /setgroup was sent in: the reports go there.
        thread_id=turn.topic,
    )
    _show_binding(turn, group)


def _show_binding(turn: Turn, group: BoundGroup) -> None:
    """The binding's confirmation, in the group's language, with the language buttons."""
    settings = turn.runtime.settings
    turn.use_language(group.language)
    t = turn.t
    turn.edit(
        t(
            "group.bound",
            scope=_scope_label(t, group),
            time=settings.summary_time.strftime("%H:%M"),
            report_time=settings.report_time.strftime("%H:%M"),
            language=t(f"language.name.{group.language}"),
        ),
        inline(_language_rows(t)),
    )


async def pick_group_language(turn: Turn, data: GroupLanguage) -> None:
    language = data.language
    if language not in LANGUAGES:
        turn.stale()
        return
    group = await groups.set_language(turn.session, turn.actor, turn.chat_id, language)
    # The confirmation stays, now in the chosen language and saying so; the buttons stay too.
    _show_binding(turn, group)
    turn.answer(turn.t("group.language_changed", language=turn.t(f"language.name.{language}")))


async def unbind_group(turn: Turn, data: GroupUnbind) -> None:
    group = await groups.get(turn.session, turn.chat_id)
    if group is not None:
        turn.use_language(group.language)
    removed = await groups.unbind(turn.session, turn.actor, turn.chat_id, turn.now)
    turn.edit(turn.t("group.unbound" if removed else "group.not_bound_anyway"))


async def group_migrated(turn: Turn) -> None:
    """The service message of a basic group upgraded to a supergroup, from either side (the
    old group's `migrate_to_chat_id`, the supergroup's `migrate_from_chat_id`): the binding
    follows to the new id."""
    message = turn.message
    if message is None:
        return
    if message.migrate_to_chat_id:
        await groups.move(turn.session, message.chat.id, message.migrate_to_chat_id, turn.now)
    elif message.migrate_from_chat_id:
        await groups.move(turn.session, message.migrate_from_chat_id, message.chat.id, turn.now)


async def group_renamed(turn: Turn) -> None:
    """The service message of a group given a new title: a bound group keeps its name current."""
    message = turn.message
    if message is not None and message.new_chat_title:
        await groups.retitle(turn.session, message.chat.id, message.new_chat_title)


async def bot_membership(turn: Turn) -> None:
    """The bot's own membership of a chat changed. In a private chat: the person blocked the
    bot (marked unreachable, their coordinators told once) or unblocked it. In a group: removed
    (left, kicked), the group is no longer bound and the admins are told; muted (restricted,
    may not send messages), the same, and the unit's coordinators are told too; added, or its
    rights given back, nothing is said or bound (an admin binds it with /setgroup)."""
    change = turn.update.my_chat_member
    if change is None:
        return
    new = change.new_chat_member
    settings = turn.runtime.settings
    if change.chat.type == Chat.PRIVATE:
        # A person blocked the bot (or unblocked it): known now, not at the next refused message,
        # so a broadcast's preview names them at once and their coordinators are told.
        if new.status == ChatMember.BANNED:
            await reachability.mark_unreachable(turn.session, change.chat.id, turn.now, settings)
        elif new.status == ChatMember.MEMBER:
            await reachability.unblocked(turn.session, change.chat.id)
        return
    if change.chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        return
    if new.status in (ChatMember.LEFT, ChatMember.BANNED):
        await groups.lost(turn.session, change.chat.id, now=turn.now, settings=settings)
    elif isinstance(new, ChatMemberRestricted) and not new.can_send_messages:
        await groups.muted(turn.session, change.chat.id, now=turn.now, settings=settings)


# -- tallies and reports ------------------------------------------------------------------------


async def _report(turn: Turn, kind: ReportKind) -> None:
    """In a bound group: that group's scope, in its language. In private: the whole campaign
    for admins, the person's own unit for everyone else."""
    settings = turn.runtime.settings
    if _is_group(turn):
        group = await groups.require(turn.session, turn.chat_id)
        turn.use_language(group.language)
        unit_id = group.unit_id
    else:
        unit_id = reports.scope_of(turn.actor)
    today = turn.today
    if turn.args:
        # /today 11-30, /week 11-30, /month 11月: that day, week or month, not today's quietly.
        period, previous = reports.requested_period(kind, " ".join(turn.args), today)
    else:
        period, previous = reports.on_demand_period(kind, today)
    tally = await compute(
        turn.session,
        unit_id=unit_id,
        period=period,
        now=turn.now,
        settings=settings,
        previous_period=previous,
    )
    rendered = await reports.render_report(turn.t, tally, kind, turn.runtime.settings)
    for text in rendered.texts:
        turn.reply(text)
    if rendered.chart is not None:
        turn.reply_photo(rendered.chart, rendered.caption)


async def today(turn: Turn) -> None:
    await _report(turn, ReportKind.DAILY)


async def week(turn: Turn) -> None:
    await _report(turn, ReportKind.WEEKLY)


async def month(turn: Turn) -> None:
    await _report(turn, ReportKind.MONTHLY)


# -- ledger export ------------------------------------------------------------------------------


async def start_export(turn: Turn) -> None:
    """/export [first [last]]: a date range typed (as /broadcast and /rotate read one: 11-01至11-30,
    11-01~11-30, 11-01 - 11-30, two dates) or picked with buttons."""
    unit_id = reports.scope_of(turn.actor)
    today_ = turn.today
    if turn.args:
        await _send_ledger(turn, unit_id, ledger.parse_range(" ".join(turn.args), today_))
        return
    t = turn.t
    rows = [[button(t(f"export.button.{choice.value}"), Export(choice))] for choice in ExportPeriod]
    turn.reply(t("export.pick_range"), inline([*rows, cancel_row(t)]))


async def pick_export(turn: Turn, data: Export) -> None:
    unit_id = reports.scope_of(turn.actor)
    today_ = turn.today
    await _send_ledger(turn, unit_id, periods.preset(data.period, today_))


async def _send_ledger(turn: Turn, unit_id: int | None, period: Period) -> None:
    t = turn.t
    book = await ledger.build(
        turn.session, unit_id=unit_id, period=period, now=turn.now, settings=turn.runtime.settings
    )
    caption = t(
        "export.caption",
        scope=book.unit_name or t("report.scope.all"),
        first=t.date(period.first),
        last=t.date(period.last),
        rows=t("export.rows", count=len(book.attendance)),
        hours=t("report.count.hours", count=number(t, book.minutes / 60)),
    )
    turn.reply_document(ledger_xlsx.filename(book), await ledger_xlsx.render(t, book), caption)
