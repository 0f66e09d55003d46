"""What an operator's log holds when a statement fails: the statement, never its values (a
member's phone number, a check-in's position, a reason typed)."""

from __future__ import annotations

import datetime as dt
import logging
import traceback

import pytest
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.models import Member

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
PHONE = "+8613912345678"


async def test_a_failed_statement_is_logged_without_its_values(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async with database.session() as session:
        session.add(Member(telegram_id=77, display_name="王芳", phone=PHONE, registered_at=NOW))
        await session.commit()
    with pytest.raises(IntegrityError) as raised:
        async with database.session() as session:
            session.add(
                Member(telegram_id=77, display_name="李秀英", phone=PHONE, registered_at=NOW)
            )
            await session.commit()
    # As the scheduler, the sender and the error handler log a failure: with its traceback.
    logging.getLogger("dutybot.test").error("it failed", exc_info=raised.value)
    logged = caplog.text + "".join(traceback.format_exception(raised.value))
    assert "INSERT INTO members" in logged
    assert PHONE not in logged and "李秀英" not in logged
