"""Replies to Telegram users through the durable outbox (docs/outbox.md).

A conversation turn's replies are stored by the engine itself, in the turn's
transaction (`route` says where); other replies (an agent's, the error notice)
are stored here with `put`. As outbox rows, a few Telegram errors in a row (or
a restart) delay a reply instead of dropping it, and a chat's replies still go
out in order, behind nothing bulk. The dispatcher is woken at once, so a
conversation reply leaves within milliseconds when Telegram answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from core.conversation import Reply
from core.conversation.messages import ReplyQueue
from core.errors import StorageUnavailableError
from core.outbox import enqueue_replies
from core.ports import Clock
from core.storage.db import Database

log = logging.getLogger(__name__)

# Seconds between attempts to store replies while the database is briefly away.
ENQUEUE_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)


class ReplyOutbox:
    def __init__(
        self,
        db: Database,
        *,
        channel: str,
        clock: Clock,
        expire_after: timedelta,
        wake: Callable[[], None],
    ) -> None:
        self.db = db
        self.channel = channel
        self.clock = clock
        self.expire_after = expire_after
        self.wake = wake

    def route(self, chat_id: str, language: str, key: str) -> ReplyQueue:
        """Where the engine stores a turn's replies (Inbound.queue)."""
        return ReplyQueue(key, chat_id, language, self.clock.now() + self.expire_after)

    def _store(self, chat_id: str, language: str, replies: Sequence[Reply], key: str) -> int:
        now = self.clock.now()
        with self.db.session() as s:
            return enqueue_replies(
                s,
                channel=self.channel,
                chat_id=chat_id,
                language=language,
                replies=replies,
                key=key,
                now=now,
                expires_at=now + self.expire_after,
            )

    async def put(self, chat_id: str, language: str, replies: Sequence[Reply], key: str) -> bool:
        """Store the replies (keyed `<key>:<n>`, so a second put of one turn adds
        nothing) and wake the dispatcher. False when the database stayed away:
        the caller sends them itself rather than lose them.
        """
        for delay in (*ENQUEUE_RETRY_DELAYS, None):
            try:
                await asyncio.to_thread(self._store, chat_id, language, replies, key)
            except StorageUnavailableError as err:
                if delay is None:
                    log.error("replies could not be queued (%s); sending them directly", err)
                    return False
                log.warning("replies could not be queued (%s); retrying in %.1f s", err, delay)
                await asyncio.sleep(delay)
            else:
                self.wake()
                return True
        return False
