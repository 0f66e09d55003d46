"""Multi-step dialogues are kept in the database so a restart resumes them (principle 1).

Every update reads the person's dialogue: `with_member` reads it together with their member
record in one statement at the start of a turn, and the session then knows the answer, also
when there is none, so `current`, `begin` and `end` do not ask the database again.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import BigInteger, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import adopt, direct
from bot.db.models import Dialogue, DialogueKind, Member, MemberRole, MemberTag, Unit

# session.info key: the dialogue of a telegram id as this session knows it (None: there is
# none). A strong reference: the session's identity map alone would let it be collected.
_KNOWN = "dialogues.known"


def _known(session: AsyncSession) -> dict[int, Dialogue | None]:
    known: dict[int, Dialogue | None] = session.info.setdefault(_KNOWN, {})
    return known


_KEY = select(bindparam("telegram_id", type_=BigInteger).label("telegram_id")).subquery()
_MEMBERS, _UNITS, _DIALOGUES = Member.__table__, Unit.__table__, Dialogue.__table__
_ROLES, _TAGS = MemberRole.__table__, MemberTag.__table__
_MEMBER_COLUMNS = adopt.columns(Member)
_UNIT_COLUMNS = adopt.columns(Unit)
_DIALOGUE_COLUMNS = adopt.columns(Dialogue)
_ROLE_COLUMNS = adopt.columns(MemberRole)
_TAG_COLUMNS = adopt.columns(MemberTag)
# Built once: every update of a private chat runs it. Read with Core and adopted (bot/db/adopt.py):
# the ORM's joined loads cost about twice the statement. One row per role and tag of the member
# (a member has one or two of each), at least one row.
_WITH_MEMBER = (
    select(*_MEMBER_COLUMNS, *_UNIT_COLUMNS, *_DIALOGUE_COLUMNS, *_ROLE_COLUMNS, *_TAG_COLUMNS)
    .select_from(_KEY)
    .outerjoin(_MEMBERS, _MEMBERS.c.telegram_id == _KEY.c.telegram_id)
    .outerjoin(_UNITS, _UNITS.c.id == _MEMBERS.c.unit_id)
    .outerjoin(_ROLES, _ROLES.c.member_id == _MEMBERS.c.id)
    .outerjoin(_TAGS, _TAGS.c.member_id == _MEMBERS.c.id)
    .outerjoin(_DIALOGUES, _DIALOGUES.c.telegram_id == _KEY.c.telegram_id)
)
_UNIT_AT = len(_MEMBER_COLUMNS)
_DIALOGUE_AT = _UNIT_AT + len(_UNIT_COLUMNS)
_ROLE_AT = _DIALOGUE_AT + len(_DIALOGUE_COLUMNS)
_TAG_AT = _ROLE_AT + len(_ROLE_COLUMNS)


# Each dialogue gets a mark as it begins, and the buttons that finish it (submit, send, create)
# carry the mark, so one left on the message of a dialogue since replaced (an unfinished
# /inspect before a new one) is told apart from the open dialogue's own. Random, not a clock:
# two dialogues begun in the same instant differ too.
_MARK = "mark"
_MARKS = 10**9


def mark(dialogue: Dialogue) -> int | None:
    value = dialogue.data.get(_MARK)
    return value if isinstance(value, int) else None


def carries(dialogue: Dialogue, button_mark: int | None) -> bool:
    """Whether a button carrying `button_mark` was made for this dialogue. One made before
    buttons carried a mark (None) acts on the open dialogue, as it always did."""
    return button_mark is None or button_mark == mark(dialogue)


def renew_mark(dialogue: Dialogue) -> None:
    """A new mark for a dialogue that starts over in place (another file sent at /import's
    preview): the buttons made before it are told apart, as an earlier dialogue's are."""
    dialogue.data = {**dialogue.data, _MARK: secrets.randbelow(_MARKS)}


# The message id of the dialogue's last prompt whose buttons go when it ends by a typed answer
# (a refusal no later step could undo): kept once the prompt is sent, after the commit.
PROMPT = "prompt"


def prompt_message(dialogue: Dialogue) -> int | None:
    value = dialogue.data.get(PROMPT)
    return value if isinstance(value, int) else None


def prompt_at(dialogue: Dialogue, message_id: int) -> None:
    """The dialogue's prompt is a message already sent: a pressed one, made its question."""
    dialogue.data = {**dialogue.data, PROMPT: message_id}


async def keep_prompt(
    session: AsyncSession, telegram_id: int, prompt_mark: int, message_id: int
) -> None:
    """Keep the message id of a prompt sent for the dialogue marked `prompt_mark`, if it is
    still open. Read afresh and held: a change made to it meanwhile is kept, never written over."""
    dialogue = await session.scalar(
        select(Dialogue)
        .where(Dialogue.telegram_id == telegram_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if dialogue is not None and mark(dialogue) == prompt_mark:
        prompt_at(dialogue, message_id)


# The photos of an album come as separate messages, one after the other in the chat's order. A
# dialogue that answered one of them keeps the album's id under this key, so that the rest of
# the album is not answered again, photo by photo.
ALBUM = "album"


def rest_of_album(dialogue: Dialogue | None, album: str | None) -> bool:
    """Whether a photo of `album` (its media_group_id; None for a photo sent alone) is one more
    of the album this dialogue already answered a photo of."""
    return album is not None and dialogue is not None and dialogue.data.get(ALBUM) == album


async def with_member(
    session: AsyncSession, telegram_id: int
) -> tuple[Member | None, Dialogue | None]:
    """The member with this Telegram id (with unit, roles and tags) and their open dialogue,
    either of which may be missing, in one statement."""
    rows = (await session.execute(_WITH_MEMBER, {"telegram_id": telegram_id})).all()
    first = rows[0]
    member: Member | None = None
    if first[0] is not None:
        unit = (
            adopt.adopt(session, Unit, first[_UNIT_AT:_DIALOGUE_AT])
            if first[_UNIT_AT] is not None
            else None
        )
        # Each role repeats once per tag and each tag once per role: kept once, in order.
        roles = dict.fromkeys(tuple(row[_ROLE_AT:_TAG_AT]) for row in rows)
        tags = dict.fromkeys(tuple(row[_TAG_AT:]) for row in rows)
        roles.pop((None,) * len(_ROLE_COLUMNS), None)
        tags.pop((None,) * len(_TAG_COLUMNS), None)
        member = adopt.adopt(
            session,
            Member,
            first[:_UNIT_AT],
            unit=unit,
            role_rows=[adopt.adopt(session, MemberRole, values) for values in roles],
            tag_rows=[adopt.adopt(session, MemberTag, values) for values in tags],
        )
    dialogue = (
        adopt.adopt(session, Dialogue, first[_DIALOGUE_AT:_ROLE_AT])
        if first[_DIALOGUE_AT] is not None
        else None
    )
    _known(session)[telegram_id] = dialogue
    return member, dialogue


def known(session: AsyncSession, telegram_id: int) -> Dialogue | None:
    """The person's dialogue as this session last knew it (None also when it never read it):
    for what is decided without a statement, such as marking a turn's buttons."""
    return _known(session).get(telegram_id)


async def current(session: AsyncSession, telegram_id: int) -> Dialogue | None:
    known = _known(session)
    if telegram_id not in known:
        known[telegram_id] = await session.get(Dialogue, telegram_id)
    return known[telegram_id]


async def begin(
    session: AsyncSession,
    telegram_id: int,
    kind: DialogueKind,
    step: str,
    now: dt.datetime,
    data: dict[str, Any] | None = None,
) -> Dialogue:
    """Start a dialogue, replacing whatever this person had open, with a new mark."""
    dialogue = await current(session, telegram_id)
    opened = {**(data or {}), _MARK: secrets.randbelow(_MARKS)}
    values = {"kind": kind, "step": step, "data": opened, "updated_at": now}
    # Written at once (bot/db/direct.py): most updates of a dialogue start or end one.
    if dialogue is None:
        dialogue = await direct.insert_row(session, Dialogue(telegram_id=telegram_id, **values))
        _known(session)[telegram_id] = dialogue
    else:
        await direct.update_row(session, dialogue, **values)
    return dialogue


def advance(dialogue: Dialogue, step: str, now: dt.datetime, **data: Any) -> None:
    # A new dict, so SQLAlchemy sees the JSON column change.
    dialogue.data = {**dialogue.data, **data}
    dialogue.step = step
    dialogue.updated_at = now


async def end(session: AsyncSession, telegram_id: int) -> bool:
    dialogue = await current(session, telegram_id)
    if dialogue is None:
        return False
    await direct.delete_row(session, dialogue)
    _known(session)[telegram_id] = None
    return True
