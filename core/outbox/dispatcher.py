"""The dispatcher: claim due messages, send each through the channel's sender
at the allowed rate, and record the outcome of each send right after it.

One dispatcher serves one channel (one sender, one rate limit); the
composition root runs one per enabled adapter, in the adapters' event loop.
Storage calls block, so they run in worker threads.

Flood control is global: when the platform answers "too many requests, retry
after N s" (Telegram's 429), the whole dispatcher holds for N s, not only that
chat. Telegram's 429 comes from the bot's overall budget as often as from one
chat's, and a bot that keeps sending through a 429 gets longer and longer
retry_after values for every chat. Holding costs other chats N s of latency;
not holding risks the whole bot being throttled for much longer. The message
that met the 429 goes back to the queue without counting as an attempt, and its
chat waits behind it as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.config import OutboxSettings
from core.outbox.model import (
    MessageSender,
    OutboxMessage,
    OutboxStore,
    SendOutcome,
    SendResult,
)
from core.outbox.rate import TokenBucket
from core.ports import Clock

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
# Seconds between attempts to record a send's outcome while the database is away.
RECORD_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)


@dataclass(frozen=True, slots=True)
class DispatchPolicy:
    batch: int = 50  # rows claimed at once
    # How long a claim is held. A batch is given back once half of it is used,
    # so the other half is the margin for one send in flight.
    lease: timedelta = timedelta(minutes=2)
    poll: timedelta = timedelta(seconds=5)  # look again this often when nothing wakes us
    max_attempts: int = 8  # passing failures before a message is given up
    backoff: timedelta = timedelta(seconds=2)  # after the first passing failure, doubling
    max_backoff: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        if self.batch < 1 or self.max_attempts < 1:
            raise ValueError("batch and max_attempts must be at least 1")
        if min(self.lease, self.poll, self.backoff, self.max_backoff) <= timedelta(0):
            raise ValueError("lease, poll and backoff durations must be positive")

    @classmethod
    def from_settings(cls, settings: OutboxSettings) -> DispatchPolicy:
        return cls(
            batch=settings.batch,
            lease=settings.lease,
            poll=settings.poll_interval,
            max_attempts=settings.max_attempts,
            backoff=settings.retry_backoff,
            max_backoff=settings.max_retry_backoff,
        )

    def backoff_after(self, attempts: int) -> timedelta:
        return min(self.max_backoff, self.backoff * 2 ** max(0, attempts - 1))


class OutboxDispatcher:
    def __init__(
        self,
        store: OutboxStore,
        sender: MessageSender,
        clock: Clock,
        limiter: TokenBucket,
        *,
        channel: str,
        worker_id: str,
        policy: DispatchPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.store = store
        self.sender = sender
        self.clock = clock
        self.limiter = limiter
        self.channel = channel
        self.worker_id = worker_id
        self.policy = policy or DispatchPolicy()
        # Waits for the rate limit; a test passes one that moves a fake clock.
        self._sleep = sleep
        self._stopping = False
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- one round ----------------------------------------------------------------------

    def _claim_limit(self) -> int:
        # No more than can be sent at full rate in half a lease.
        affordable = int(self.limiter.rate * self.policy.lease.total_seconds() / 2)
        return max(1, min(self.policy.batch, affordable))

    async def run_once(self) -> int:
        """Claim one batch and send it; how many messages were settled
        (sent, failed, or put back for a later attempt).
        """
        await self._wait_for_token()
        claimed_at = self.clock.now()
        batch = await asyncio.to_thread(
            self.store.claim_due,
            claimed_at,
            self._claim_limit(),
            self.worker_id,
            channel=self.channel,
            lease=self.policy.lease,
        )
        give_back_at = claimed_at + self.policy.lease / 2
        for i, message in enumerate(batch):
            await self._wait_for_token()
            if self._stopping or self.clock.now() >= give_back_at:
                await self._release(batch[i:], self.clock.now())
                return i
            self.limiter.take(self.clock.now())
            result = await self._send(message)
            if result.outcome is SendOutcome.RATE_LIMITED:
                await self._hold(result, batch[i:])
                return i
            await self._settle(message, result)
        return len(batch)

    async def _wait_for_token(self) -> None:
        while (wait := self.limiter.delay(self.clock.now())) > timedelta(0):
            await self._sleep(wait.total_seconds())

    async def _send(self, message: OutboxMessage) -> SendResult:
        try:
            return await self.sender.send(message)
        except asyncio.CancelledError:
            raise
        except Exception as err:
            # A sender should answer with a SendResult; one that raises has a bug
            # or met something unforeseen: the message is tried again later.
            log.exception("outbox sender raised", extra={"outbox_id": message.id})
            return SendResult.retry(f"sender raised {type(err).__name__}: {err}")

    async def _settle(self, message: OutboxMessage, result: SendResult) -> None:
        now = self.clock.now()
        if result.outcome is SendOutcome.SENT:
            kept = await self._record(self.store.mark_sent, message.id, self.worker_id, now)
            if not kept:
                log.warning(
                    "outbox message %s was sent after its lease ran out; another dispatcher "
                    "may have sent it too",
                    message.id,
                )
            return
        if result.outcome is SendOutcome.FAILED:
            log.info("outbox message %s failed for good: %s", message.id, result.error)
            await self._record(self.store.fail, message.id, self.worker_id, now, result.error)
            return
        if message.attempts >= self.policy.max_attempts:
            error = f"gave up after {message.attempts} attempts: {result.error}"
            log.warning("outbox message %s: %s", message.id, error)
            await self._record(self.store.fail, message.id, self.worker_id, now, error)
            return
        after = result.retry_after
        if after is None:
            after = self.policy.backoff_after(message.attempts)
        await self._record(
            self.store.retry_later, message.id, self.worker_id, now, after, result.error
        )

    async def _record(self, call: Callable[..., bool], *args: object) -> bool:
        """Record an outcome, trying again while the database is briefly away.

        A send whose "sent" is never recorded is sent again once its lease runs
        out: these retries keep that window as small as we can.
        """
        for delay in (*RECORD_RETRY_DELAYS, None):
            try:
                return await asyncio.to_thread(call, *args)
            except Exception:
                if delay is None:
                    raise
                log.warning("could not record an outbox outcome; retrying in %.1f s", delay)
                await self._sleep(delay)
        raise AssertionError("unreachable")

    async def _hold(self, result: SendResult, unsent: Sequence[OutboxMessage]) -> None:
        assert result.retry_after is not None
        until = self.clock.now() + result.retry_after
        log.warning(
            "%s asked to slow down (%s); holding every send for %.0f s",
            self.channel,
            result.error,
            result.retry_after.total_seconds(),
        )
        self.limiter.hold_until(until)
        await self._release(unsent, until)

    async def _release(self, unsent: Sequence[OutboxMessage], at: datetime) -> None:
        ids = [m.id for m in unsent]
        if ids:
            await asyncio.to_thread(self.store.release, ids, self.worker_id, at)

    # -- the loop -----------------------------------------------------------------------

    def wake(self) -> None:
        """Something was enqueued: look now. Safe from any thread."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def stop(self) -> None:
        """Finish the message in flight, give back the rest of the batch, return.
        Safe from any thread.
        """
        self._stopping = True
        self.wake()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        while not self._stopping:
            try:
                # Cleared before looking, so a wake-up during the look is not lost.
                self._wake.clear()
                await self._idle_while_held()
                if self._stopping:
                    break
                if await self.run_once() > 0:
                    continue  # there may be more: no sleep
                await self._idle(await self._idle_seconds())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox round failed; trying again shortly")
                await self._idle(self.policy.poll.total_seconds())

    async def _idle_seconds(self) -> float:
        due = await asyncio.to_thread(self.store.next_due, self.channel)
        delay = self.policy.poll.total_seconds()
        if due is not None:
            delay = min(delay, (due - self.clock.now()).total_seconds())
        # A floor, so a row that is due but not claimable (its chat's earlier row is
        # being sent by another instance) cannot make the loop spin.
        return max(delay, 0.05)

    async def _idle_while_held(self) -> None:
        # A wake-up does not end a flood hold (the platform asked for the pause),
        # a stop does. Short waits are left to run_once's own wait for a token.
        assert self._wake is not None
        while not self._stopping:
            hold = self.limiter.delay(self.clock.now())
            if hold <= timedelta(seconds=1):
                return
            self._wake.clear()
            await self._idle(hold.total_seconds())

    async def _idle(self, seconds: float) -> None:
        assert self._wake is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
