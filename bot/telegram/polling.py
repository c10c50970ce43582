"""Polling mode's getUpdates loop: the offset moves past an update only once it
is settled, so an update that could not be stored is fetched again.

python-telegram-bot's own Updater confirms each batch as soon as it has fetched
it, before any handler ran: an update whose handling failed (the database away
for longer than the adapter waits) would be gone for good. And it parses a
whole batch at once, so one update it cannot parse fails every fetch and stops
the bot for good. This loop reads the raw batch, lets the adapter settle each
update, and asks for the next batch from the first update that is not settled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Bot
from telegram.error import Conflict, TelegramError

from bot.http.updates import is_update_id

log = logging.getLogger(__name__)

# Seconds before an update that could not be stored is fetched again, and
# between failed fetches (doubling up to the longest).
RETRY_PAUSE = 5.0
FETCH_BACKOFF = (1.0, 30.0)
# How long a stop waits for the batch in hand before it cancels it.
STOP_SECONDS = 20.0
BATCH_LIMIT = 100

Settle = Callable[[dict[str, Any]], Awaitable[bool]]


def settled_offset(batch: Sequence[dict[str, Any]], settled: Sequence[bool]) -> int | None:
    """The offset that confirms every update up to the first unsettled one;
    None when the batch holds nothing to confirm.
    """
    offset = None
    for update, done in zip(batch, settled, strict=True):
        if not done:
            return int(update["update_id"]) if offset is None else offset
        offset = int(update["update_id"]) + 1
    return offset


class UpdatePoller:
    def __init__(
        self,
        bot: Bot,
        settle: Settle,
        *,
        timeout: float,
        allowed_updates: Sequence[str],
        on_error: Callable[[TelegramError], None],
    ) -> None:
        self.bot = bot
        self.settle = settle
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates)
        self.on_error = on_error
        self.offset = 0
        self._running = False
        self._fetch: asyncio.Task[Any] | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._running = True
        self._task = asyncio.create_task(self._loop(), name="livedesk-telegram-polling")

    async def stop(self) -> None:
        self._running = False
        task, self._task = self._task, None
        if task is None:
            return
        if self._fetch is not None:
            self._fetch.cancel()
        try:
            await asyncio.wait_for(task, STOP_SECONDS)
        except TimeoutError:
            log.warning("telegram updates still in hand at stop; they are fetched again later")
        except Exception:
            log.exception("telegram polling failed while stopping")
        await self._confirm()

    async def _confirm(self) -> None:
        # Telegram forgets updates below the offset of the next getUpdates call;
        # without this the last batch would come again after a restart (and be
        # recognised as handled, at some cost).
        if not self.offset:
            return
        with contextlib.suppress(TelegramError, asyncio.CancelledError):
            await self.bot._post("getUpdates", {"offset": self.offset, "limit": 1, "timeout": 0})

    async def _get(self) -> list[Any]:
        # Bot.get_updates would parse the whole batch and raise for one bad
        # update (and do_api_request warns for known methods); the private _post
        # hands back the raw batch, so each update is parsed (or skipped) alone.
        data = {
            "offset": self.offset,
            "limit": BATCH_LIMIT,
            "timeout": self.timeout,
            "allowed_updates": self.allowed_updates,
        }
        read_timeout = self.timeout + 10
        result = await self.bot._post("getUpdates", data, read_timeout=read_timeout)
        return list(result) if isinstance(result, list) else []

    async def _loop(self) -> None:
        backoff = FETCH_BACKOFF[0]
        while self._running:
            self._fetch = asyncio.create_task(self._get())
            try:
                batch = await self._fetch
            except asyncio.CancelledError:
                if not self._running:
                    return
                raise
            except Exception as err:
                if isinstance(err, TelegramError):
                    self.on_error(err)
                else:
                    log.exception("telegram getUpdates failed")
                # Another poller (409) wins the next long poll anyway: no hurry.
                await asyncio.sleep(FETCH_BACKOFF[1] if isinstance(err, Conflict) else backoff)
                backoff = min(backoff * 2, FETCH_BACKOFF[1])
                continue
            finally:
                self._fetch = None
            backoff = FETCH_BACKOFF[0]
            if not await self._settle_batch(batch):
                await asyncio.sleep(RETRY_PAUSE)

    async def _settle_one(self, update: dict[str, Any]) -> bool:
        try:
            return await self.settle(update)
        except Exception:
            # A bug for this update would be one again next time: skipped, not retried.
            log.exception("telegram update %s could not be settled", update.get("update_id"))
            return True

    async def _settle_batch(self, batch: list[Any]) -> bool:
        """Settles a batch (chats in parallel, each chat in order); False when
        some update could not be stored and must be fetched again.
        """
        updates = [u for u in batch if isinstance(u, dict) and is_update_id(u.get("update_id"))]
        if len(updates) != len(batch):
            log.warning("getUpdates answered %d entries without an update id", len(batch))
        if not updates:
            return True
        settled = await asyncio.gather(*(self._settle_one(u) for u in updates))
        offset = settled_offset(updates, settled)
        if offset is not None:
            self.offset = max(self.offset, offset)
        return all(settled)
