"""Slack -> app over HTTP: request signing (v0) and Slack's retry behaviour."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Sequence

import aiohttp

from bot.sandbox.slack.records import Attempt, Delivery

# Bolt and slack_sdk reject timestamps more than five minutes away from their clock.
STALE_AGE_SECONDS = 6 * 60
# Waiting between retries; a name of its own so a test can record the waits.
pause = asyncio.sleep


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    """`v0=` + hex HMAC-SHA256 of "v0:{timestamp}:{body}" keyed with the signing secret."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class HttpSender:
    def __init__(self, signing_secret: str) -> None:
        self.signing_secret = signing_secret
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        # trust_env=False: the app under test is on loopback, never behind the host's proxy.
        self._session = aiohttp.ClientSession(trust_env=False)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def headers(
        self, body: bytes, content_type: str, *, forge: bool, stale: bool
    ) -> dict[str, str]:
        now = int(time.time()) - (STALE_AGE_SECONDS if stale else 0)
        timestamp = str(now)
        secret = "forged-" + self.signing_secret if forge else self.signing_secret
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": slack_signature(secret, timestamp, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }

    async def attempt(
        self,
        delivery: Delivery,
        body: bytes,
        content_type: str,
        *,
        retry_num: int,
        retry_reason: str | None,
        ack_seconds: float,
        forge: bool = False,
        stale: bool = False,
    ) -> Attempt:
        if self._session is None:
            raise RuntimeError("the fake Slack is not started")
        headers = self.headers(body, content_type, forge=forge, stale=stale)
        if retry_num:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        try:
            async with self._session.post(
                delivery.target,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=ack_seconds),
                allow_redirects=False,
            ) as response:
                text = await response.text()
                result = Attempt(
                    retry_num=retry_num,
                    retry_reason=retry_reason,
                    acked=200 <= response.status < 300,
                    status=response.status,
                    body=text,
                )
        except TimeoutError:
            result = Attempt(retry_num, retry_reason, acked=False, timed_out=True)
        except aiohttp.ClientError as error:
            result = Attempt(retry_num, retry_reason, acked=False, error=repr(error))
        delivery.attempts.append(result)
        return result

    async def deliver(
        self,
        delivery: Delivery,
        body: bytes,
        content_type: str,
        *,
        max_retries: int,
        ack_seconds: float,
        forge: bool = False,
        stale: bool = False,
        delays: Sequence[float] = (),
    ) -> Delivery:
        reason: str | None = None
        for retry_num in range(max_retries + 1):
            if retry_num and (wait := retry_delay(delays, retry_num)) > 0:
                await pause(wait)
            result = await self.attempt(
                delivery,
                body,
                content_type,
                retry_num=retry_num,
                retry_reason=reason,
                ack_seconds=ack_seconds,
                forge=forge,
                stale=stale,
            )
            if result.acked:
                break
            reason = _retry_reason(result)
        return delivery


def retry_delay(delays: Sequence[float], retry_num: int) -> float:
    """Seconds to wait before retry `retry_num` (1-based); the last delay repeats."""
    if not delays:
        return 0.0
    return delays[min(retry_num, len(delays)) - 1]


def _retry_reason(attempt: Attempt) -> str:
    if attempt.timed_out:
        return "http_timeout"
    if attempt.status is None:
        return "connection_failed"
    return "http_error"
