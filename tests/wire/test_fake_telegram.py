"""python-telegram-bot 22 against the fake Telegram server, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox.telegram.server import FakeTelegram
from tests.wire.fake_telegram_fixtures import bot_for

pytestmark = pytest.mark.wire

CHAT = 424_242
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
POLL = dtm.timedelta(seconds=2)


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\0" + b"\x80" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _application(fake: FakeTelegram, *, with_updater: bool = True) -> Application:
    builder = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
    )
    if not with_updater:
        builder = builder.updater(None)
    return builder.build()


@contextlib.asynccontextmanager
async def _polling(
    application: Application,
    error_callback: Callable[[TelegramError], None] | None = None,
) -> AsyncIterator[None]:
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0, timeout=POLL, error_callback=error_callback
        )
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@contextlib.asynccontextmanager
async def _webhook_receiver(handle: Handler) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/telegram", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/telegram"
    finally:
        await runner.cleanup()


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(f"echo: {update.message.text}")


# -- basics ------------------------------------------------------------------------------------


async def test_get_me_describes_the_fake_bot(telegram_bot: Bot) -> None:
    me = await telegram_bot.get_me()

    assert me.is_bot
    assert me.username == "livedesk_sandbox_bot"
    assert me.id == int(telegram_bot.token.split(":")[0])


async def test_a_wrong_token_is_rejected_as_invalid(fake_telegram: FakeTelegram) -> None:
    with pytest.raises(InvalidToken, match="rejected"):
        async with bot_for(fake_telegram, "987654:WrongTokenWrongToken"):
            pass

    async with aiohttp.ClientSession() as session:
        statuses = []
        for token in ("987654:WrongTokenWrongToken", "not-a-token"):
            async with session.post(f"{fake_telegram.base_url}{token}/getMe") as response:
                statuses.append((response.status, (await response.json())["description"]))

    # Like Telegram: a well-formed wrong token is 401, a malformed one 404.
    assert statuses == [(401, "Unauthorized"), (404, "Not Found")]


async def test_an_unknown_method_is_not_found(telegram_bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await telegram_bot.do_api_request("sendTelepathy")


async def test_plain_json_bodies_work_as_well_as_forms(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_chat(CHAT)
    url = f"{fake_telegram.base_url}{fake_telegram.token}/sendMessage"
    keyboard = {"inline_keyboard": [[{"text": "ok", "callback_data": "ok"}]]}

    async with aiohttp.ClientSession() as session:
        async with session.post(
            url, json={"chat_id": CHAT, "text": "json", "reply_markup": keyboard}
        ) as response:
            body = await response.json()
        async with session.get(url, params={"chat_id": str(CHAT), "text": ""}) as response:
            empty = (response.status, await response.json())

    assert body["ok"] is True
    assert body["result"]["reply_markup"] == keyboard
    assert empty == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"},
    )


# -- polling -----------------------------------------------------------------------------------


async def test_a_polling_application_answers_every_user_message(
    fake_telegram: FakeTelegram,
) -> None:
    application = _application(fake_telegram)
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))

    async with _polling(application):
        fake_telegram.user_sends(CHAT, "直播卡顿")
        fake_telegram.user_sends(CHAT, "還是卡")
        sent = await fake_telegram.wait_for_sent(CHAT, count=2)

    assert [message["text"] for message in sent] == ["echo: 直播卡顿", "echo: 還是卡"]
    # Users and the bot share one message_id sequence per chat.
    assert [message["message_id"] for message in sent] == [3, 4]
    # Stopping the updater confirms what it fetched, so nothing is left for the next start.
    assert fake_telegram.pending_update_count == 0


async def test_a_long_poll_returns_as_soon_as_an_update_arrives(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    poll = asyncio.create_task(telegram_bot.get_updates(timeout=30))
    await fake_telegram.wait_for_call("getUpdates")

    update = fake_telegram.user_sends(CHAT, "hello")
    (received,) = await asyncio.wait_for(poll, timeout=5)

    assert received.update_id == update["update_id"]
    assert received.message is not None and received.message.text == "hello"


async def test_an_offset_confirms_and_drops_earlier_updates(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    first = fake_telegram.user_sends(CHAT, "one")
    second = fake_telegram.user_sends(CHAT, "two")

    everything = await telegram_bot.get_updates(timeout=0)
    later = await telegram_bot.get_updates(offset=first["update_id"] + 1, timeout=0)
    nothing = await telegram_bot.get_updates(offset=second["update_id"] + 1, timeout=0)

    assert [u.update_id for u in everything] == [first["update_id"], second["update_id"]]
    assert [u.update_id for u in later] == [second["update_id"]]
    assert nothing == ()


async def test_a_second_poller_ends_the_first_with_a_conflict(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    async with bot_for(fake_telegram) as other_instance:
        first = asyncio.create_task(telegram_bot.get_updates(timeout=30))
        await fake_telegram.wait_for_call("getUpdates")

        assert await other_instance.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, timeout=5)


async def test_a_polling_application_reports_a_competing_instance(
    fake_telegram: FakeTelegram,
) -> None:
    conflicts: list[TelegramError] = []
    reported = asyncio.Event()

    def on_error(error: TelegramError) -> None:
        conflicts.append(error)
        reported.set()

    async with _polling(_application(fake_telegram), error_callback=on_error):
        await fake_telegram.wait_for_call("getUpdates")
        async with bot_for(fake_telegram) as other_instance:
            await other_instance.get_updates(timeout=0)
        await asyncio.wait_for(reported.wait(), timeout=5)

    assert isinstance(conflicts[0], Conflict)


async def test_duplicated_delivery_repeats_the_same_update_id(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.duplicate_next_delivery()
    update = fake_telegram.user_sends(CHAT, "twice")

    updates = await telegram_bot.get_updates(timeout=0)

    assert [u.update_id for u in updates] == [update["update_id"]] * 2


# -- messages, keyboards and limits ------------------------------------------------------------


async def test_an_inline_keyboard_round_trip_answers_and_edits(
    fake_telegram: FakeTelegram,
) -> None:
    async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        buttons = [
            InlineKeyboardButton("满意", callback_data="rate:good"),
            InlineKeyboardButton("不满意", callback_data="rate:bad"),
        ]
        await update.message.reply_text("满意吗？", reply_markup=InlineKeyboardMarkup([buttons]))

    async def rated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("谢谢反馈")
        await query.edit_message_text(f"已记录 {query.data}")

    application = _application(fake_telegram)
    application.add_handler(CommandHandler("start", ask))
    application.add_handler(CallbackQueryHandler(rated))

    async with _polling(application):
        fake_telegram.user_sends_command(CHAT, "/start")
        (question,) = await fake_telegram.wait_for_sent(CHAT)
        fake_telegram.user_presses(CHAT, question["message_id"], "rate:good")
        (edited,) = await fake_telegram.wait_for_sent(CHAT, lambda m: "edit_date" in m)

    assert question["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "rate:bad"
    assert edited["message_id"] == question["message_id"]
    assert edited["text"] == "已记录 rate:good"
    assert "reply_markup" not in edited  # editing text without a keyboard removes it
    assert [answer["text"] for answer in fake_telegram.callback_answers] == ["谢谢反馈"]


async def test_text_over_4096_characters_after_entity_parsing_is_a_bad_request(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.add_chat(CHAT)

    longest = await telegram_bot.send_message(CHAT, f"<b>{'长' * 4096}</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await telegram_bot.send_message(CHAT, "长" * 4097)

    assert longest.text is not None and len(longest.text) == 4096


async def test_empty_text_is_a_bad_request(fake_telegram: FakeTelegram, telegram_bot: Bot) -> None:
    fake_telegram.add_chat(CHAT)

    with pytest.raises(BadRequest, match="Message text is empty"):
        await telegram_bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")


@pytest.mark.parametrize("data", ["x" * 65, "好" * 22], ids=["65-ascii", "66-bytes-in-22-chars"])
async def test_callback_data_over_64_bytes_is_a_bad_request(
    fake_telegram: FakeTelegram, telegram_bot: Bot, data: str
) -> None:
    fake_telegram.add_chat(CHAT)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("go", callback_data=data)]])

    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await telegram_bot.send_message(CHAT, "pick", reply_markup=markup)

    assert fake_telegram.sent(CHAT) == []


async def test_callback_data_of_exactly_64_bytes_is_accepted(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.add_chat(CHAT)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("go", callback_data="x" * 64)]])

    message = await telegram_bot.send_message(CHAT, "pick", reply_markup=markup)

    assert message.reply_markup == markup


async def test_html_is_parsed_into_text_and_entities(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.add_chat(CHAT)

    message = await telegram_bot.send_message(
        CHAT, "<b>粗体</b> &amp; <i>斜体</i>", parse_mode="HTML"
    )
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await telegram_bot.send_message(CHAT, "<b>unclosed", parse_mode="HTML")

    assert message.text == "粗体 & 斜体"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 2),
        ("italic", 5, 2),
    ]


async def test_editing_to_the_same_content_is_a_bad_request(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.add_chat(CHAT)
    message = await telegram_bot.send_message(CHAT, "same")

    with pytest.raises(BadRequest, match="Message is not modified"):
        await telegram_bot.edit_message_text("same", chat_id=CHAT, message_id=message.message_id)


async def test_sending_to_an_unknown_or_blocking_chat_fails(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await telegram_bot.send_message(CHAT, "hello?")

    fake_telegram.user_sends(CHAT, "hi")
    fake_telegram.user_blocks_bot(CHAT)
    with pytest.raises(Forbidden, match="blocked"):
        await telegram_bot.send_message(CHAT, "hello?")


async def test_commands_and_chat_actions_are_recorded(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.add_chat(CHAT)

    await telegram_bot.set_my_commands([("start", "开始"), ("ticket", "查看工单")])
    await telegram_bot.send_chat_action(CHAT, "typing")
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await telegram_bot.set_my_commands([("Start!", "bad")])

    assert fake_telegram.commands == [
        {"command": "start", "description": "开始"},
        {"command": "ticket", "description": "查看工单"},
    ]
    assert [c.command for c in await telegram_bot.get_my_commands()] == ["start", "ticket"]
    assert fake_telegram.chat_actions == [{"chat_id": CHAT, "action": "typing"}]


async def test_keyboards_can_be_removed_and_messages_deleted(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.add_chat(CHAT)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("关闭", callback_data="close")]])
    kept = await telegram_bot.send_message(CHAT, "kept", reply_markup=markup)
    gone = await telegram_bot.send_message(CHAT, "gone")

    await telegram_bot.edit_message_reply_markup(CHAT, kept.message_id, reply_markup=None)
    await telegram_bot.delete_message(CHAT, gone.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await telegram_bot.delete_message(CHAT, gone.message_id)

    assert [(m["text"], m.get("reply_markup")) for m in fake_telegram.sent(CHAT)] == [
        ("kept", None)
    ]


async def test_a_callback_query_can_be_answered_only_once(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.add_chat(CHAT)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ok")]])
    message = await telegram_bot.send_message(CHAT, "press", reply_markup=markup)
    query_id = fake_telegram.user_presses(CHAT, message.message_id, "ok")["callback_query"]["id"]

    await telegram_bot.answer_callback_query(query_id, "done")
    with pytest.raises(BadRequest, match="Query is too old"):
        await telegram_bot.answer_callback_query(query_id, "again")
    with pytest.raises(ValueError, match="no button"):
        fake_telegram.user_presses(CHAT, message.message_id, "not-offered")


async def test_allowed_updates_filter_what_polling_returns(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.add_chat(CHAT)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ok")]])
    message = await telegram_bot.send_message(CHAT, "press", reply_markup=markup)
    fake_telegram.user_sends(CHAT, "text")
    press = fake_telegram.user_presses(CHAT, message.message_id, "ok")

    updates = await telegram_bot.get_updates(timeout=0, allowed_updates=["callback_query"])

    assert [u.update_id for u in updates] == [press["update_id"]]


# -- files -------------------------------------------------------------------------------------


async def test_an_uploaded_photo_can_be_downloaded_through_get_file(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.add_chat(CHAT)
    picture = _png(3, 2)

    message = await telegram_bot.send_photo(CHAT, picture, caption="截图")
    photo = message.photo[-1]
    file = await telegram_bot.get_file(photo.file_id)
    downloaded = await file.download_as_bytearray()

    assert (photo.width, photo.height, message.caption) == (3, 2, "截图")
    assert bytes(downloaded) == picture
    assert fake_telegram.calls_to("sendPhoto")[0]["photo"]["size"] == len(picture)


async def _download(bot: Bot, file_id: str) -> bytes:
    file = await bot.get_file(file_id)
    return bytes(await file.download_as_bytearray())


async def test_files_users_send_can_be_downloaded_by_the_bot(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.user_sends_photo(CHAT, _png(1, 1), caption="黑屏")
    fake_telegram.user_sends_document(CHAT, b"error 1001", file_name="app.log")
    fake_telegram.user_sends_voice(CHAT, b"OggS fake voice", duration=3)

    photo, log, voice = (update.message for update in await telegram_bot.get_updates(timeout=0))
    assert photo is not None and log is not None and log.document is not None
    assert voice is not None and voice.voice is not None
    file_ids = [photo.photo[-1].file_id, log.document.file_id, voice.voice.file_id]
    downloads = [await _download(telegram_bot, file_id) for file_id in file_ids]

    assert downloads == [_png(1, 1), b"error 1001", b"OggS fake voice"]
    assert (photo.caption, log.document.file_name) == ("黑屏", "app.log")
    assert voice.voice.duration == dtm.timedelta(seconds=3)


async def test_a_file_can_be_sent_again_by_its_file_id(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    update = fake_telegram.user_sends_document(CHAT, b"%PDF-1.7", file_name="receipt.pdf")
    file_id = update["message"]["document"]["file_id"]

    again = await telegram_bot.send_document(CHAT, file_id, caption="收到")
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await telegram_bot.send_document(CHAT, "no-such-file-id")

    assert again.document is not None and again.document.file_id == file_id
    assert await _download(telegram_bot, file_id) == b"%PDF-1.7"


# -- webhooks ----------------------------------------------------------------------------------


async def test_webhook_updates_are_posted_with_the_secret_header(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    received: asyncio.Queue[tuple[str | None, object]] = asyncio.Queue()

    async def handle(request: web.Request) -> web.Response:
        await received.put((request.headers.get(SECRET_HEADER), await request.json()))
        return web.Response()

    async with _webhook_receiver(handle) as url:
        await telegram_bot.set_webhook(url, secret_token="livedesk-s3cret")
        update = fake_telegram.user_sends(CHAT, "via webhook")
        secret, body = await asyncio.wait_for(received.get(), timeout=5)
        await fake_telegram.wait_until_delivered()
        info = await telegram_bot.get_webhook_info()
        await telegram_bot.delete_webhook()

    assert secret == "livedesk-s3cret"
    assert body == update
    assert (info.url, info.pending_update_count) == (url, 0)


async def test_a_webhook_application_answers_updates_its_receiver_gets(
    fake_telegram: FakeTelegram,
) -> None:
    application = _application(fake_telegram, with_updater=False)
    application.add_handler(MessageHandler(filters.TEXT, _echo))

    async def handle(request: web.Request) -> web.Response:
        if request.headers.get(SECRET_HEADER) != "s3cret":
            return web.Response(status=403)
        update = Update.de_json(await request.json(), application.bot)
        await application.update_queue.put(update)
        return web.Response()

    async with application, _webhook_receiver(handle) as url:
        await application.start()
        try:
            await application.bot.set_webhook(url, secret_token="s3cret")
            fake_telegram.user_sends(CHAT, "webhook?")
            (reply,) = await fake_telegram.wait_for_sent(CHAT)
        finally:
            await application.stop()

    assert reply["text"] == "echo: webhook?"


async def test_webhook_delivery_is_retried_until_the_receiver_accepts(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    seen: list[int] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append((await request.json())["update_id"])
        return web.Response(status=500 if len(seen) == 1 else 200)

    async with _webhook_receiver(handle) as url:
        await telegram_bot.set_webhook(url)
        update = fake_telegram.user_sends(CHAT, "retry me")
        await fake_telegram.wait_until_delivered()
        info = await telegram_bot.get_webhook_info()

    assert seen == [update["update_id"], update["update_id"]]
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"


async def test_get_updates_conflicts_with_an_active_webhook(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    await telegram_bot.set_webhook("http://127.0.0.1:9/unused")

    with pytest.raises(Conflict, match="webhook is active"):
        await telegram_bot.get_updates(timeout=0)


async def test_setting_a_webhook_can_drop_pending_updates(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.user_sends(CHAT, "stale")

    await telegram_bot.set_webhook("http://127.0.0.1:9/unused", drop_pending_updates=True)
    info = await telegram_bot.get_webhook_info()
    await telegram_bot.delete_webhook()

    assert info.pending_update_count == 0
    assert await telegram_bot.get_updates(timeout=0) == ()


async def test_the_control_routes_drive_a_standalone_server(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    async with aiohttp.ClientSession(base_url=fake_telegram.url) as session:
        async with session.post(
            "/_sandbox/user_sends", json={"chat_id": CHAT, "text": "demo"}
        ) as response:
            update = await response.json()
        (received,) = await telegram_bot.get_updates(timeout=0)
        await telegram_bot.send_message(CHAT, "reply")
        async with session.get(f"/_sandbox/sent/{CHAT}") as response:
            sent = await response.json()

    assert received.update_id == update["update_id"]
    assert [message["text"] for message in sent] == ["reply"]


# -- faults ------------------------------------------------------------------------------------


async def test_a_429_is_surfaced_as_retry_after(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.add_chat(CHAT)
    fake_telegram.fail_next("sendMessage", status=429, retry_after=7)

    with pytest.raises(RetryAfter) as caught:
        await telegram_bot.send_message(CHAT, "too fast")
    await telegram_bot.send_message(CHAT, "later")

    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    assert [call.status for call in fake_telegram.calls if call.method == "sendMessage"] == [
        429,
        200,
    ]


async def test_a_stretch_of_429s_holds_one_method_until_it_ends(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.add_chat(CHAT)
    fake_telegram.too_many_requests("sendMessage", 60)

    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await telegram_bot.send_message(CHAT, "too fast")
        # What is left of the stretch, in whole seconds: never more than asked, never 0.
        assert dtm.timedelta(seconds=1) <= caught.value.retry_after <= dtm.timedelta(seconds=60)
    await telegram_bot.get_me()  # other methods are not held
    fake_telegram.too_many_requests("sendMessage", 0)  # the stretch ends
    await telegram_bot.send_message(CHAT, "later")

    assert fake_telegram.throttled_calls == 2
    assert [m["text"] for m in fake_telegram.sent(CHAT)] == ["later"]


async def test_a_502_is_surfaced_as_a_network_error(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.fail_next("getMe", status=502)

    with pytest.raises(NetworkError, match="Bad Gateway"):
        await telegram_bot.get_me()


async def test_a_dropped_connection_can_hide_a_message_that_was_sent(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.add_chat(CHAT)
    fake_telegram.drop_connection_next("sendMessage", after_processing=True)

    with pytest.raises(NetworkError, match="disconnected"):
        await telegram_bot.send_message(CHAT, "did it arrive?")

    assert [message["text"] for message in fake_telegram.sent(CHAT)] == ["did it arrive?"]


async def test_a_slow_method_times_out_on_the_client(
    fake_telegram: FakeTelegram, telegram_bot: Bot
) -> None:
    fake_telegram.slow("getMe", 5)

    with pytest.raises(TimedOut):
        await telegram_bot.get_me(read_timeout=0.05)
