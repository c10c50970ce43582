"""The outbox's Telegram sender with python-telegram-bot against the fake Bot
API: each answer of the API becomes the outcome the dispatcher acts on.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.sandbox.telegram.server import FakeTelegram
from bot.telegram.sender import TelegramSender
from core.conversation.messages import Attachment, Choice, Reply
from core.outbox import OutboxMessage, SendOutcome
from core.storage.files import DirectoryAttachmentStore
from tests.wire.fake_telegram_fixtures import bot_for

CHAT = 4242


def message(reply: Reply, chat_id: str = str(CHAT), channel: str = "telegram") -> OutboxMessage:
    return OutboxMessage(
        id=1,
        channel=channel,
        chat_id=chat_id,
        language="en",
        reply=reply,
        dedupe_key="k",
        group_key=None,
        attempts=1,
        expires_at=None,
    )


async def send(fake: FakeTelegram, msg: OutboxMessage):
    async with bot_for(fake) as bot:
        return await TelegramSender(bot).send(msg)


async def test_a_long_reply_goes_out_in_pieces_with_the_buttons_on_the_last(fake_telegram):
    fake_telegram.add_chat(CHAT)
    reply = Reply("line\n" * 1500, (Choice("g:fu:LD-1001:y", "Yes"),))
    result = await send(fake_telegram, message(reply))
    assert result.outcome is SendOutcome.SENT
    sent = fake_telegram.sent(CHAT)
    assert len(sent) == 2 and "reply_markup" not in sent[0]
    assert sent[1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "g:fu:LD-1001:y"


async def test_429_is_rate_limited_with_the_apis_retry_after(fake_telegram):
    fake_telegram.add_chat(CHAT)
    fake_telegram.fail_next("sendMessage", 429, retry_after=9)
    result = await send(fake_telegram, message(Reply("hi")))
    assert result.outcome is SendOutcome.RATE_LIMITED
    assert result.retry_after == timedelta(seconds=9)


@pytest.mark.parametrize(
    ("status", "description", "outcome"),
    [
        (403, "Forbidden: bot was blocked by the user", SendOutcome.FAILED),
        (400, "Bad Request: chat not found", SendOutcome.FAILED),
        (502, "Bad Gateway", SendOutcome.RETRY),
        (500, "Internal Server Error", SendOutcome.RETRY),
    ],
)
async def test_api_errors_map_to_the_outbox_outcomes(fake_telegram, status, description, outcome):
    fake_telegram.add_chat(CHAT)
    fake_telegram.fail_next("sendMessage", status, description=description)
    result = await send(fake_telegram, message(Reply("hi")))
    assert result.outcome is outcome
    assert result.error


async def test_a_dropped_connection_is_tried_again(fake_telegram):
    fake_telegram.add_chat(CHAT)
    fake_telegram.drop_connection_next("sendMessage")
    result = await send(fake_telegram, message(Reply("hi")))
    assert result.outcome is SendOutcome.RETRY


async def test_a_message_for_another_channel_or_a_bad_chat_id_is_failed(fake_telegram):
    assert (await send(fake_telegram, message(Reply("hi"), channel="console"))).outcome is (
        SendOutcome.FAILED
    )
    assert (await send(fake_telegram, message(Reply("hi"), chat_id="abc"))).outcome is (
        SendOutcome.FAILED
    )


async def test_a_stored_file_is_read_back_and_sent_before_its_line(fake_telegram, tmp_path):
    fake_telegram.add_chat(CHAT)
    store = DirectoryAttachmentStore(tmp_path)
    saved = store.save(b"step 1: restart", "steps.txt", "text/plain")
    # As the outbox gives it back: the path, no bytes.
    file = Attachment("document", "steps.txt", "text/plain", b"", stored=saved.path)
    async with bot_for(fake_telegram) as bot:
        result = await TelegramSender(bot, files=store).send(
            message(Reply("Agent Mei: steps.txt", attachment=file))
        )
        assert result.outcome is SendOutcome.SENT
        document, line = fake_telegram.sent(CHAT)
        assert document["document"]["file_name"] == "steps.txt"
        assert line["text"] == "Agent Mei: steps.txt"
        got = await (await bot.get_file(document["document"]["file_id"])).download_as_bytearray()
        assert bytes(got) == b"step 1: restart"


async def test_a_stored_file_that_is_gone_fails_without_sending_its_line(fake_telegram, tmp_path):
    fake_telegram.add_chat(CHAT)
    file = Attachment("document", "steps.txt", "text/plain", b"", stored="ab/gone.txt")
    async with bot_for(fake_telegram) as bot:
        result = await TelegramSender(bot, files=DirectoryAttachmentStore(tmp_path)).send(
            message(Reply("Agent Mei: steps.txt", attachment=file))
        )
    assert result.outcome is SendOutcome.FAILED and "steps.txt" in (result.error or "")
    assert fake_telegram.sent(CHAT) == []
