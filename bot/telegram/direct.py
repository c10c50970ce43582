"""Sending to a Telegram chat at once, with a few quick retries: for a runtime
without an outbox dispatcher (tests, tools), for files (which the outbox does
not carry) and when the outbox cannot be reached.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.http.metrics import Metrics
from bot.telegram.render import pieces_of, retry_after_of
from core.conversation import Attachment, Reply

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SEND_ATTEMPTS = 4


class DirectSender:
    def __init__(self, bot: Bot, metrics: Metrics | None = None) -> None:
        self.bot = bot
        self.metrics = metrics

    async def send_file(self, chat_id: int | str, attachment: Attachment) -> None:
        document = InputFile(attachment.data, filename=attachment.file_name)
        await self._with_retries(partial(self.bot.send_document, chat_id, document))

    async def send(self, chat_id: int | str, replies: Sequence[Reply]) -> None:
        for reply in replies:
            if reply.attachment is not None:
                await self.send_file(chat_id, reply.attachment)
            for piece, markup in pieces_of(reply):
                send = partial(self.bot.send_message, chat_id, piece, reply_markup=markup)
                await self._with_retries(send)
                if self.metrics is not None:
                    self.metrics.messages_out.labels(CHANNEL).inc()

    async def _with_retries(self, call: Callable[[], Any]) -> None:
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                await call()
                return
            except RetryAfter as err:
                if attempt == SEND_ATTEMPTS:
                    raise
                await asyncio.sleep(retry_after_of(err).total_seconds())
            except (TimedOut, NetworkError) as err:
                if isinstance(err, BadRequest) or attempt == SEND_ATTEMPTS:
                    raise
                await asyncio.sleep(0.2 * 2**attempt)
            except Forbidden:
                log.info("telegram user blocked the bot; reply dropped")
                return
