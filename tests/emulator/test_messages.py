"""Messages, keyboards, files and errors through a real telegram.Bot."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.emulator import BotApiEmulator
from tests.emulator.conftest import TOKEN


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"pick:{label}")] for label in labels]
    )


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.username == "dutybot_test_bot" and me.is_bot and me.id == 123456


async def test_send_edit_delete_and_their_errors(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(user_id=1001, first_name="Alice", username="alice")
    incoming = await alice.send_text("hello")
    sent = await bot.send_message(1001, "hi <b>Alice</b>", parse_mode=ParseMode.HTML)
    assert sent.message_id == incoming["message_id"] + 1
    assert sent.text == "hi Alice" and sent.entities[0].type == "bold"
    assert alice.last().text == "hi Alice" and alice.last().parse_mode == "HTML"

    edited = await bot.edit_message_text("changed", chat_id=1001, message_id=sent.message_id)
    assert edited.edit_date is not None
    assert alice.texts() == ["changed"] and alice.last().edited

    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("changed", chat_id=1001, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=1001, message_id=999)
    with pytest.raises(BadRequest, match="(?i)message can't be edited"):
        await bot.edit_message_text("x", chat_id=1001, message_id=incoming["message_id"])

    assert await bot.delete_message(1001, sent.message_id)
    assert alice.messages() == []
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(1001, sent.message_id)

    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(424242, "anyone?")
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(1001, " ")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(1001, "x" * 4097)
    with pytest.raises(BadRequest, match="(?i)can't parse entities: Unsupported start tag"):
        await bot.send_message(1001, "a <br> b", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)reserved"):
        await bot.send_message(1001, "1.5", parse_mode=ParseMode.MARKDOWN_V2)
    assert emu.sent_count("sendMessage") == 1


async def test_the_bot_cannot_write_first(emu: BotApiEmulator, bot: Bot) -> None:
    shy = emu.user(user_id=1002, first_name="Shy")
    with pytest.raises(Forbidden, match="(?i)can't initiate conversation"):
        await bot.send_message(1002, "hello?")
    shy.started = True
    await bot.send_message(1002, "hello!")
    assert shy.texts() == ["hello!"]


async def test_inline_keyboard_press_round_trip(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(user_id=1001, first_name="Alice")
    await alice.send_command("start", "abc")
    first = await bot.get_updates()
    assert first[0].message is not None and first[0].message.text == "/start abc"
    assert first[0].message.entities[0].type == "bot_command"
    message = await bot.send_message(1001, "Pick one", reply_markup=keyboard("Yes", "No"))
    assert alice.last().button_rows() == [["Yes"], ["No"]]

    await alice.press("No")
    updates = await bot.get_updates(offset=first[-1].update_id + 1)
    query = updates[-1].callback_query
    assert query is not None and query.data == "pick:No"
    assert query.message is not None and query.message.message_id == message.message_id
    await query.answer("Noted", show_alert=True)
    assert alice.answered_callbacks[-1]["text"] == "Noted"
    assert alice.answered_callbacks[-1]["show_alert"] is True
    with pytest.raises(BadRequest, match="(?i)query ID is invalid"):
        await query.answer("twice")

    await alice.press_data("forged:1", message.message_id)
    forged = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert forged[-1].callback_query is not None
    assert forged[-1].callback_query.data == "forged:1"
    with pytest.raises(LookupError, match="(?i)Yes"):
        await alice.press("Maybe")

    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(1001, "x", reply_markup=keyboard("y" * 60))

    await bot.edit_message_reply_markup(1001, message.message_id, reply_markup=keyboard("Ok"))
    assert alice.last().buttons() == ["Ok"]
    with pytest.raises(BadRequest, match="(?i)not modified"):
        await bot.edit_message_reply_markup(1001, message.message_id, reply_markup=keyboard("Ok"))


def grid(rows: int, per_row: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(f"{r}.{c}", callback_data=f"g:{r}:{c}") for c in range(per_row)]
            for r in range(rows)
        ]
    )


async def test_keyboards_over_100_buttons_or_8_in_a_row_are_refused(
    emu: BotApiEmulator, bot: Bot
) -> None:
    """Telegram's limits for one inline keyboard, on every method that takes one."""
    alice = emu.user(user_id=1001, first_name="Alice")
    alice.started = True
    # At the limits: 100 buttons, 8 in a row.
    full = await bot.send_message(1001, "full", reply_markup=grid(25, 4))
    assert len(alice.last().buttons()) == 100
    await bot.send_message(1001, "wide", reply_markup=grid(1, 8))
    assert alice.last().button_rows() == [[f"0.{c}" for c in range(8)]]

    too_long = "(?i)^reply markup is too long$"
    for markup in (grid(101, 1), grid(1, 9), grid(34, 3)):
        with pytest.raises(BadRequest, match=too_long):
            await bot.send_message(1001, "too many", reply_markup=markup)
    with pytest.raises(BadRequest, match=too_long):
        await bot.send_photo(1001, photo=b"png", caption="c", reply_markup=grid(1, 9))
    with pytest.raises(BadRequest, match=too_long):
        await bot.send_location(1001, 30.0, 104.0, reply_markup=grid(101, 1))
    with pytest.raises(BadRequest, match=too_long):
        await bot.edit_message_text(
            "more", chat_id=1001, message_id=full.message_id, reply_markup=grid(101, 1)
        )
    with pytest.raises(BadRequest, match=too_long):
        await bot.edit_message_reply_markup(1001, full.message_id, reply_markup=grid(1, 9))
    photo = await bot.send_photo(1001, photo=b"png", caption="c", reply_markup=grid(1, 1))
    with pytest.raises(BadRequest, match=too_long):
        await bot.edit_message_caption(
            chat_id=1001, message_id=photo.message_id, caption="d", reply_markup=grid(101, 1)
        )
    # Nothing refused reached the chat or changed a message.
    assert alice.texts() == ["full", "wide", "c"]
    assert len(alice.messages()[0].buttons()) == 100
    assert emu.sent_count("sendMessage") == 2


async def test_reply_keyboards_and_replies(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(user_id=1001, first_name="Alice")
    incoming = await alice.send_text("hello")
    markup = ReplyKeyboardMarkup([[KeyboardButton("Share", request_contact=True)], ["Cancel"]])
    answer = await bot.send_message(
        1001,
        "share?",
        reply_markup=markup,
        reply_parameters=ReplyParameters(incoming["message_id"]),
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "hello"
    assert alice.reply_keyboard() == [
        [{"text": "Share", "request_contact": True}],
        [{"text": "Cancel"}],
    ]
    await bot.send_message(1001, "ok", reply_markup=ForceReply())
    assert alice.reply_keyboard() is not None
    await bot.send_message(1001, "done", reply_markup=ReplyKeyboardRemove())
    assert alice.reply_keyboard() is None
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(1001, "x", reply_parameters=ReplyParameters(999))


async def test_photo_upload_get_file_and_download(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(user_id=1001, first_name="Alice").started = True
    data = b"\x89PNG fake image bytes"
    sent = await bot.send_photo(1001, photo=data, caption="look", reply_markup=keyboard("Ok"))
    assert sent.caption == "look" and len(sent.photo) == 2
    full = sent.photo[-1]
    file = await bot.get_file(full.file_id)
    assert file.file_path is not None and file.file_path.startswith(emu.base_file_url[:20])
    assert bytes(await file.download_as_bytearray()) == data
    assert emu.file_bytes(full.file_id) == data

    alice = emu.user(user_id=1001)
    assert alice.last().kind == "photo" and alice.last().data == data
    again = await bot.send_photo(1001, photo=full.file_id)
    assert again.photo[-1].file_unique_id == full.file_unique_id

    document = await bot.send_document(
        1001, document=b"a,b\n1,2\n", filename="report.csv", caption="csv"
    )
    assert document.document is not None and document.document.file_name == "report.csv"
    by_id = await bot.send_document(1001, document=document.document.file_id)
    assert by_id.document is not None
    assert by_id.document.file_unique_id == document.document.file_unique_id
    assert alice.last().file_name == "report.csv"
    with pytest.raises(BadRequest, match="(?i)can't use file of type Photo as Document"):
        await bot.send_document(1001, document=full.file_id)
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_photo(1001, photo="no-such-file-id")
    with pytest.raises(BadRequest, match="(?i)caption is too long"):
        await bot.send_photo(1001, photo=data, caption="c" * 1025)


async def test_media_group(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(user_id=1001, first_name="Alice")
    alice.started = True
    messages = await bot.send_media_group(
        1001,
        [InputMediaPhoto(b"one", caption="first"), InputMediaPhoto(b"two")],
    )
    assert len(messages) == 2
    assert messages[0].media_group_id == messages[1].media_group_id is not None
    assert [m.kind for m in alice.messages()] == ["media_group_item"] * 2
    assert [m.data for m in alice.messages()] == [b"one", b"two"]
    assert alice.texts() == ["first", ""]


async def test_an_album_holds_2_to_10_items_as_the_bot_api_says(
    emu: BotApiEmulator, bot: Bot
) -> None:
    """sendMediaGroup's `media` "must include 2-10 items"; Telegram answers an empty one and
    one of more than ten in its own words, and sends nothing of a refused album."""
    alice = emu.user(user_id=1001, first_name="Alice")
    alice.started = True
    photos = [InputMediaPhoto(bytes([n]) * 8) for n in range(11)]
    with pytest.raises(BadRequest, match="^Too many messages to send as an album$"):
        await bot.send_media_group(1001, photos)
    # PTB itself will not send an empty list: asked over HTTP.
    url = emu.base_url.format(token=TOKEN) + "/sendMediaGroup"
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json={"chat_id": 1001, "media": []}) as response,
    ):
        assert response.status == 400
        assert (await response.json())["description"] == (
            "Bad Request: there are no messages to send"
        )
    with pytest.raises(BadRequest, match="2-10 items"):
        await bot.send_media_group(1001, photos[:1])
    assert alice.messages() == []
    assert len(await bot.send_media_group(1001, photos[:10])) == 10


async def test_a_person_sends_albums_of_2_to_10_items_as_telegram_clients_do(
    emu: BotApiEmulator, bot: Bot
) -> None:
    """A client sends at most ten photos or files as one album (more go as several albums),
    and a single one as a plain message: a test cannot have a person send what Telegram would
    never deliver."""
    alice = emu.user(user_id=1001, first_name="Alice")
    for wrong in (11, 1, 0):
        with pytest.raises(ValueError, match="2 to 10"):
            await alice.send_album(wrong)
    with pytest.raises(ValueError, match="2 to 10"):
        await alice.send_document_album([(f"week{n}.csv", b"a,b") for n in range(11)])
    sent = await alice.send_album(10)
    with pytest.raises(ValueError, match="2 to 10"):
        await alice.send_album_again([photo["photo"][-1]["file_unique_id"] for photo in sent] * 2)
    updates = await bot.get_updates()
    assert len(updates) == 10
    assert len({update.message.media_group_id for update in updates if update.message}) == 1


# Reading live_period warns about its future timedelta type; the value is what matters here.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_user_locations_contacts_and_media_parse(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(user_id=1001, first_name="Alice", language_code="en")
    live = await alice.send_location(30.5, 104.0, live_period=900, horizontal_accuracy=20.0)
    await alice.update_live_location(live["message_id"], 30.6, 104.1, horizontal_accuracy=5.0)
    await alice.send_location(30.5, 104.0, forwarded=True)
    await alice.send_contact(phone_number="+8613800000000")
    await alice.send_contact(phone_number="+8613900000000", user_id=7777, first_name="Bob")
    await alice.send_venue(30.5, 104.0, "Post 3", "People's Road 1")
    photo = await alice.send_photo(b"jpeg", caption="me at the post")
    await alice.send_photo_again(photo["photo"][-1]["file_unique_id"])
    await alice.send_document("sheet.xlsx", b"PK..", "application/vnd.ms-excel")
    await alice.send_sticker()

    updates = await bot.get_updates()
    assert len(updates) == 10
    first = updates[0].message
    assert first is not None and first.location is not None
    assert first.location.live_period == 900
    edited = updates[1].edited_message
    assert edited is not None and edited.location is not None and edited.edit_date is not None
    assert (edited.location.latitude, edited.location.live_period) == (30.6, 900)
    assert edited.location.horizontal_accuracy == 5.0
    forwarded = updates[2].message
    assert forwarded is not None and forwarded.forward_origin is not None
    assert forwarded.forward_origin.type == "user"
    own, other = updates[3].message, updates[4].message
    assert own is not None and own.contact is not None and own.contact.user_id == 1001
    assert other is not None and other.contact is not None and other.contact.user_id == 7777
    venue = updates[5].message
    assert venue is not None and venue.venue is not None and venue.venue.title == "Post 3"
    first_photo, second_photo = updates[6].message, updates[7].message
    assert first_photo is not None and second_photo is not None
    assert first_photo.photo[-1].file_unique_id == second_photo.photo[-1].file_unique_id
    assert first_photo.photo[-1].file_id != second_photo.photo[-1].file_id
    # The same picture's thumbnail too, as Telegram keeps one per picture.
    assert first_photo.photo[0].file_unique_id == second_photo.photo[0].file_unique_id
    assert first_photo.caption == "me at the post"
    file = await bot.get_file(first_photo.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == b"jpeg"
    document = updates[8].message
    assert document is not None and document.document is not None
    assert document.document.file_name == "sheet.xlsx"
    sticker = updates[9].message
    assert sticker is not None and sticker.sticker is not None
    assert updates[0].effective_user is not None
    assert updates[0].effective_user.language_code == "en"


async def test_group_messages_and_members(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(user_id=1001, first_name="Alice")
    bob = emu.user(user_id=1003, first_name="Bob")
    grp = emu.group(chat_id=-1001, title="Leaders")
    grp.admins.add(1001)
    await grp.send_command(alice, "today")
    await grp.member(bob).send_text("hi all")
    updates = await bot.get_updates()
    message = updates[0].message
    assert message is not None and message.chat.type == "supergroup"
    assert message.chat.title == "Leaders" and message.text == "/today"
    assert updates[1].effective_user is not None and updates[1].effective_user.id == 1003

    await bot.send_message(-1001, "Today's duty", reply_markup=keyboard("Take"))
    await grp.press(bob, "Take")
    pressed = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert pressed[-1].callback_query is not None
    assert pressed[-1].callback_query.from_user.id == 1003
    assert grp.texts() == ["Today's duty"] and alice.messages() == []

    admin = await bot.get_chat_member(-1001, 1001)
    member = await bot.get_chat_member(-1001, 1003)
    assert (admin.status, member.status) == ("administrator", "member")
    chat = await bot.get_chat(-1001)
    assert chat.title == "Leaders"


async def test_commands_per_scope_and_language(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(user_id=1001, first_name="Alice", language_code="zh-hans")
    emu.user(user_id=1004, first_name="Eve", language_code="en")
    await bot.set_my_commands([BotCommand("start", "开始")], language_code="zh")
    await bot.set_my_commands([BotCommand("start", "start"), BotCommand("help", "help")])
    await bot.set_my_commands([BotCommand("me", "my profile")], scope=BotCommandScopeChat(1004))

    assert emu.commands(language_code="zh") == [("start", "开始")]
    assert emu.commands() == [("start", "start"), ("help", "help")]
    assert emu.commands("chat", chat_id=1004) == [("me", "my profile")]
    assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["start"]
    assert emu.chat_menu(1001) == [("start", "开始")]
    assert emu.chat_menu(1004) == [("me", "my profile")]

    await bot.delete_my_commands(language_code="zh")
    assert emu.chat_menu(1001) == [("start", "start"), ("help", "help")]
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_updates_parse_as_ptb_objects(emu: BotApiEmulator) -> None:
    """The raw dicts the user API returns are valid Telegram objects on their own."""
    alice = emu.user(user_id=1001, first_name="Alice", username="alice")
    message = await alice.send_text("plain")
    update = Update.de_json({"update_id": 1, "message": message}, None)
    assert update.message is not None and update.message.from_user is not None
    assert update.message.from_user.username == "alice"


async def test_waiting_for_the_bots_messages_without_polling(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(user_id=1002, first_name="Alice")
    await alice.send_text("hello")
    assert alice.sent_count == 0
    waiting = asyncio.ensure_future(alice.wait_sent(2))
    await bot.send_message(1002, "one")
    assert not waiting.done()
    sent = await bot.send_message(1002, "two")
    await waiting
    # A deleted message still counts: the count says how many were sent, not what is shown.
    await bot.delete_message(1002, sent.message_id)
    assert alice.sent_count == 2 and alice.texts() == ["one"]
    await alice.wait_sent(2)
    with pytest.raises(TimeoutError, match="sent 2 of 3"):
        await alice.wait_sent(3, timeout=0)


async def test_a_muted_bot_is_refused_with_400_as_telegram_does(
    emu: BotApiEmulator, bot: Bot
) -> None:
    """Restricted in a group (no right to send messages), the bot still belongs to it: Telegram
    answers 400 naming the right it lacks, not 403, until the right is given back."""
    group = emu.group(-100_555, "执勤群")
    owner = emu.user(user_id=1002, first_name="Owner")
    await group.mute_bot(owner)
    updates = await bot.get_updates()
    change = updates[-1].my_chat_member
    assert change is not None and change.new_chat_member.status == "restricted"
    assert change.new_chat_member.can_send_messages is False  # type: ignore[attr-defined]
    with pytest.raises(BadRequest) as refused:
        await bot.send_message(-100_555, "日报")
    assert refused.value.message == "Not enough rights to send text messages to the chat"
    assert emu.refused("sendMessage") == [
        "Bad Request: not enough rights to send text messages to the chat"
    ]
    with pytest.raises(BadRequest, match="(?i)not enough rights to send photos to the chat"):
        await bot.send_photo(-100_555, b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    with pytest.raises(BadRequest, match="(?i)not enough rights to send documents to the chat"):
        await bot.send_document(-100_555, b"data", filename="a.xlsx")
    await group.unmute_bot(owner)
    sent = await bot.send_message(-100_555, "日报")
    assert sent.text == "日报" and group.texts() == ["日报"]
