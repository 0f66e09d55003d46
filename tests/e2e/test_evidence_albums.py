"""Evidence sent as an album (several pictures chosen at once, which Telegram delivers as one
message per photo with one media_group_id): every photo goes to the one street report, check or
order reply, and the bot answers the album once; an album that does not fit says once how many
of it were kept; the next album is answered again; an update of the album delivered again adds
nothing."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Dialogue, EvidenceKind, EvidencePhoto, StreetReport
from bot.emulator import SimUser
from bot.emulator.state import JSON
from tests.e2e.checkin_fixtures import redeliver_last
from tests.e2e.order_fixtures import ordered
from tests.e2e.oversight_fixtures import city, inspections, near
from tests.e2e.schedule import press_and_settle
from tests.harness import Harness


async def _evidence(harness: Harness, kind: EvidenceKind | None = None) -> list[EvidencePhoto]:
    async with harness.session() as session:
        query = select(EvidencePhoto).order_by(EvidencePhoto.id)
        if kind is not None:
            query = query.where(EvidencePhoto.kind == kind)
        return list(await session.scalars(query))


def _unique_ids(sent: list[JSON]) -> list[str]:
    return [str(message["photo"][-1]["file_unique_id"]) for message in sent]


async def _album(
    harness: Harness,
    user: SimUser,
    count: int,
    caption: str | None = None,
    forwarded: bool = False,
) -> tuple[list[str], list[str]]:
    """Send an album; returns what the bot said to it and the pictures' unique ids."""
    before = len(user.messages())
    sent = await user.send_album(count, caption, forwarded)
    await harness.settle()
    return user.texts()[before:], _unique_ids(sent)


async def _dialogue(harness: Harness, user: SimUser) -> tuple[str, str, dict[str, object]]:
    """The user's open dialogue as it is kept: kind, step and data, but for which message
    carries its buttons (a refusal asked as its prompt moves them, and changes nothing else)."""
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, user.user_id)
        assert dialogue is not None
        data = {key: value for key, value in dialogue.data.items() if key != "prompt"}
        return dialogue.kind, dialogue.step, data


async def _at_photos(harness: Harness, inspector: SimUser) -> None:
    await inspector.send_command("inspect")
    await harness.settle()
    await inspector.send_location(*near(30))
    await harness.settle()
    await press_and_settle(harness, inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    await press_and_settle(harness, inspector, "周查 · 明查")
    await press_and_settle(harness, inspector, "0")
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")


async def _file_report(harness: Harness, user: SimUser) -> None:
    await user.send_location(*near(60))
    await harness.settle()
    await press_and_settle(harness, user, "乱停车")
    await press_and_settle(harness, user, "✅ 提交")


async def test_an_album_in_a_street_report_is_answered_once_and_all_its_photos_kept(
    harness: Harness,
) -> None:
    town = await city(harness)
    wang = town.volunteers[0]
    await wang.send_command("report")
    await harness.settle()
    said, first = await _album(harness, wang, 3)
    assert len(said) == 1 and "问题在哪里" in said[0], said
    # Telegram delivers one update of the album again (its offset was not confirmed before a
    # restart): nothing is said, nothing is added.
    await redeliver_last(harness, wang.user_id)
    assert len(wang.texts()) == 2
    await _file_report(harness, wang)
    [report] = list(await _reports(harness))
    kept = await _evidence(harness, EvidenceKind.REPORT)
    assert [photo.file_unique_id for photo in kept] == first
    assert {photo.report_id for photo in kept} == {report.id}

    # A later report, begun by an album captioned 随手拍, is answered once as well.
    said, second = await _album(harness, wang, 2, caption="随手拍")
    assert len(said) == 1 and "问题在哪里" in said[0], said
    await _file_report(harness, wang)
    reports = await _reports(harness)
    assert len(reports) == 2
    kept = await _evidence(harness, EvidenceKind.REPORT)
    assert [photo.file_unique_id for photo in kept] == first + second
    assert [photo.report_id for photo in kept] == [reports[0].id] * 3 + [reports[1].id] * 2


async def _reports(harness: Harness) -> list[StreetReport]:
    async with harness.session() as session:
        found = await session.scalars(select(StreetReport).order_by(StreetReport.id))
        return list(found.unique())


async def test_an_album_in_a_check_is_answered_once_and_the_next_album_again(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector = town.inspector
    await _at_photos(harness, inspector)
    said, first = await _album(harness, inspector, 3)
    assert len(said) == 1 and "已收到这组照片" in said[0], said
    assert "✅ 提交督查" in inspector.last().buttons()
    await inspector.send_text("人行道有积水")
    await harness.settle()
    # Another album later is answered on its own, once.
    said, second = await _album(harness, inspector, 2)
    assert len(said) == 1 and "已收到这组照片" in said[0], said
    # A single photo after it is answered as ever, with the count so far.
    await inspector.send_photo()
    await harness.settle()
    assert "已收到 6 张照片" in (inspector.last().text or "")
    await press_and_settle(harness, inspector, "✅ 提交督查")
    [check] = await inspections(harness)
    kept = await _evidence(harness, EvidenceKind.CHECK)
    assert [photo.file_unique_id for photo in kept][:5] == first + second
    assert len(kept) == 6 and {photo.inspection_id for photo in kept} == {check.id}


async def test_an_album_past_the_limit_of_a_check_says_once_how_many_were_kept(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector = town.inspector
    await _at_photos(harness, inspector)
    said, first = await _album(harness, inspector, 7)
    assert len(said) == 1, said
    # Five more: three fit (ten in all), two do not.
    said, second = await _album(harness, inspector, 5)
    assert len(said) == 2, said
    assert "已收到这组照片" in said[0], said
    assert "最多 10 张" in said[1] and "这组照片保存了 3 张" in said[1], said
    assert "✅ 提交督查" in inspector.last().buttons()
    # An album when it is full already: one message, none of it kept.
    said, _ = await _album(harness, inspector, 2)
    assert len(said) == 1 and "这组照片保存了 0 张" in said[0], said
    await press_and_settle(harness, inspector, "✅ 提交督查")
    kept = [photo.file_unique_id for photo in await _evidence(harness, EvidenceKind.CHECK)]
    assert kept == first + second[:3]


async def test_an_album_past_the_limit_of_a_street_report_says_once_how_many_were_kept(
    harness: Harness,
) -> None:
    town = await city(harness)
    wang = town.volunteers[0]
    await wang.send_command("report")
    await harness.settle()
    for _ in range(8):
        await wang.send_photo()
        await harness.settle()
    said, album = await _album(harness, wang, 4)
    assert len(said) == 2 and "问题在哪里" in said[0], said
    assert "这组照片保存了 2 张" in said[1], said
    keyboard = wang.reply_keyboard()
    assert keyboard is not None and keyboard[0][0].get("request_location") is True
    await _file_report(harness, wang)
    kept = [photo.file_unique_id for photo in await _evidence(harness, EvidenceKind.REPORT)]
    assert len(kept) == 10 and kept[8:] == album[:2]


async def test_an_album_in_an_order_reply_is_answered_once(harness: Harness) -> None:
    town = await city(harness)
    await ordered(harness, town)
    coordinator = town.coordinator
    await press_and_settle(harness, coordinator, "📤 回复整改")
    said, album = await _album(harness, coordinator, 3)
    assert len(said) == 1 and "已收到这组整改后照片" in said[0], said
    await press_and_settle(harness, coordinator, "✅ 提交回复")
    kept = [photo.file_unique_id for photo in await _evidence(harness, EvidenceKind.AFTER)]
    assert kept == album


FORWARDED = "这是转发的照片。请现场拍一张发过来。"
REUSED = "这张照片以前用过了（签到、督查、随手拍或整改回复）。请在现场重新拍一张。"


async def test_an_album_refused_for_what_it_is_is_refused_once_and_changes_nothing(
    harness: Harness,
) -> None:
    """Every photo of a forwarded album, or of an album of pictures used before, is refused;
    the album is told so once, and the report is where it was (nothing kept of the album)."""
    town = await city(harness)
    wang = town.volunteers[0]
    await wang.send_command("report")
    await harness.settle()
    before = await _dialogue(harness, wang)

    said, _ = await _album(harness, wang, 3, forwarded=True)
    assert said == [FORWARDED], said
    assert await _dialogue(harness, wang) == before
    said, used = await _album(harness, wang, 2)  # taken: the report asks where
    assert len(said) == 1 and "问题在哪里" in said[0], said
    await _file_report(harness, wang)

    await wang.send_command("report")
    await harness.settle()
    before = await _dialogue(harness, wang)
    sent_before = len(wang.texts())
    await wang.send_album_again(used)
    await harness.settle()
    assert wang.texts()[sent_before:] == [REUSED]
    assert await _dialogue(harness, wang) == before
    # The next album, forwarded again, is told again: once.
    said, _ = await _album(harness, wang, 2, forwarded=True)
    assert said == [FORWARDED], said
    assert await _dialogue(harness, wang) == before
    assert len(await _evidence(harness, EvidenceKind.REPORT)) == 2


async def test_an_album_at_a_step_that_takes_no_photo_is_answered_once(
    harness: Harness,
) -> None:
    """An album sent while the check asks for a button: one "use the buttons", the check
    where it was; a second album is answered once again."""
    town = await city(harness)
    inspector = town.inspector
    await inspector.send_command("inspect")
    await harness.settle()
    await inspector.send_location(*near(30))
    await harness.settle()
    await press_and_settle(harness, inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    before = await _dialogue(harness, inspector)
    for _ in range(2):
        said, _ = await _album(harness, inspector, 3)
        assert said == ["请用上面的按钮继续，或点「取消」。"], said
        assert await _dialogue(harness, inspector) == before
    assert await _evidence(harness) == []
