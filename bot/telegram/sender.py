"""The outbox's Telegram sender: one stored message out through the Bot API,
and what happened, in the outbox's terms (docs/outbox.md, "What a sender answers").

A reply longer than Telegram's 4,096 characters goes out in pieces with the
buttons on the last one, as the adapter renders it; the pieces are one outbox
row, so a failure after the first piece sends the earlier pieces again on retry.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, InputFile
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.http.metrics import Metrics
from bot.telegram.adapter import CHANNEL
from bot.telegram.render import pieces_of, retry_after_of
from core.conversation.messages import Attachment
from core.errors import InvalidInputError
from core.outbox import OutboxMessage, SendResult
from core.ports import AttachmentStore

log = logging.getLogger(__name__)

# Bad requests that mean the chat is gone for good, not that the message was malformed.
_GONE = ("chat not found", "user is deactivated", "bot was kicked", "have no rights")


class TelegramSender:
    """`MessageSender` over python-telegram-bot's `Bot` (the adapter's, once started)."""

    def __init__(
        self, bot: Bot, metrics: Metrics | None = None, files: AttachmentStore | None = None
    ) -> None:
        self.bot = bot
        self.metrics = metrics
        # Where a reply's file is read back from (it carries the stored path).
        self.files = files

    async def send(self, message: OutboxMessage) -> SendResult:
        if message.channel != CHANNEL:
            return SendResult.failed(f"not a {CHANNEL} message: {message.channel}")
        try:
            chat_id = int(message.chat_id)
        except ValueError:
            return SendResult.failed(f"not a Telegram chat id: {message.chat_id!r}")
        attachment = message.reply.attachment
        document = None
        if attachment is not None:
            try:
                document = await self._document(attachment)
            except (OSError, InvalidInputError) as err:
                # Nothing to send the file from: retrying cannot bring it back.
                return SendResult.failed(f"attachment {attachment.file_name}: {err}")
        try:
            if document is not None:
                # The file first, then its caption line, as the direct path sends them.
                await self.bot.send_document(chat_id, document)
            for piece, markup in pieces_of(message.reply):
                await self.bot.send_message(chat_id, piece, reply_markup=markup)
                if self.metrics is not None:
                    self.metrics.messages_out.labels(CHANNEL).inc()
        except RetryAfter as err:
            return SendResult.rate_limited(retry_after_of(err), f"telegram: {err.message}")
        except Forbidden as err:
            # Blocked by the user, or kicked from the group: never deliverable.
            return SendResult.failed(f"telegram forbidden: {err.message}")
        except ChatMigrated as err:
            # The group became a supergroup; the stored chat id is stale.
            return SendResult.failed(f"telegram chat migrated to {err.new_chat_id}")
        except BadRequest as err:
            # Sending the same request again cannot help, whatever the cause.
            gone = any(reason in err.message.lower() for reason in _GONE)
            what = "chat unreachable" if gone else "request refused"
            return SendResult.failed(f"telegram {what}: {err.message}")
        except (TimedOut, NetworkError) as err:
            # Timeouts, connection errors and 5xx: passing; the dispatcher backs off.
            return SendResult.retry(f"telegram {type(err).__name__}: {err.message}")
        except TelegramError as err:
            log.warning("unexpected telegram error for outbox message %s: %r", message.id, err)
            return SendResult.retry(f"telegram {type(err).__name__}: {err.message}")
        return SendResult.sent()

    async def _document(self, attachment: Attachment) -> InputFile:
        data = attachment.data
        if not data and attachment.stored is not None:
            if self.files is None:
                raise InvalidInputError("no attachment store to read it from")
            data = await asyncio.to_thread(self.files.open, attachment.stored)
        return InputFile(data, filename=attachment.file_name)
