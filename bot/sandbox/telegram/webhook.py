"""Pushes queued updates to the webhook URL the way Telegram does.

One update at a time, in order; anything but a 2xx (or no answer) keeps the update queued and
is retried with a growing delay, and the failure shows up in getWebhookInfo.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import aiohttp

from bot.sandbox.telegram.params import JSON
from bot.sandbox.telegram.world import TelegramWorld

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

ReplyRunner = Callable[[JSON], Awaitable[None]]


class WebhookDeliverer:
    def __init__(
        self,
        world: TelegramWorld,
        session: aiohttp.ClientSession,
        *,
        on_reply: ReplyRunner,
        retry_delay: float,
        max_retry_delay: float,
        timeout: float,
    ) -> None:
        self._world = world
        self._session = session
        self._on_reply = on_reply
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self.deliveries = 0
        self.server_errors = 0  # deliveries the receiver answered with 5xx

    async def run(self) -> None:
        delay = self._retry_delay
        while True:
            update = self._world.next_for_webhook() if self._world.webhook.url else None
            if update is None:
                await self._world.updates_signal.wait(None)
                continue
            if await self._deliver(update):
                self._world.acknowledge(update)
                delay = self._retry_delay
            else:
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_retry_delay)

    async def _deliver(self, update: JSON) -> bool:
        hook = self._world.webhook
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers[SECRET_HEADER] = hook.secret_token
        self.deliveries += 1
        try:
            async with self._session.post(
                hook.url, data=json.dumps(update), headers=headers, timeout=self._timeout
            ) as response:
                body = await response.read()
                self.server_errors += response.status >= 500
                if not 200 <= response.status <= 299:
                    self._failed(
                        f"Wrong response from the webhook: {response.status} {response.reason}"
                    )
                    return False
        except TimeoutError:
            self._failed("Read timeout expired")
            return False
        except aiohttp.ClientError as exc:
            self._failed(f"Connection failed: {exc.__class__.__name__}")
            return False
        await self._run_reply(body)
        return True

    async def _run_reply(self, body: bytes) -> None:
        # A webhook may answer with one Bot API call instead of making a separate request.
        try:
            reply = json.loads(body) if body.strip() else None
        except ValueError:
            return
        if isinstance(reply, dict) and isinstance(reply.get("method"), str):
            await self._on_reply(reply)

    def _failed(self, message: str) -> None:
        self._world.webhook.last_error_date = self._world.now()
        self._world.webhook.last_error_message = message
