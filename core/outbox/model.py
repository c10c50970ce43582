"""The outbox's neutral types: a message on its way out, the outcome of one
send, and the two ports around the dispatcher (the sender an adapter
implements, and the store the dispatcher drains).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple, Protocol

from core.conversation.messages import Reply


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its turn (or for next_attempt_at)
    SENDING = "sending"  # claimed by a dispatcher until claimed_until
    SENT = "sent"
    FAILED = "failed"  # will never be sent (blocked bot, too many attempts)
    EXPIRED = "expired"  # was not sent before expires_at


# Rows that still hold up the later rows of their chat.
UNSENT = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One claimed row, as a sender sees it."""

    id: int
    channel: str
    chat_id: str
    language: str
    reply: Reply
    dedupe_key: str
    group_key: str | None
    attempts: int  # claims so far, this one included
    expires_at: datetime | None


class SendOutcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # a passing problem (network, 5xx): try this message again later
    RATE_LIMITED = "rate_limited"  # the platform said slow down (Telegram's 429)
    FAILED = "failed"  # never deliverable (the user blocked the bot, chat gone)


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: SendOutcome
    # RATE_LIMITED: the platform's retry_after. RETRY: None lets the dispatcher back off.
    retry_after: timedelta | None = None
    error: str = ""

    @classmethod
    def sent(cls) -> SendResult:
        return cls(SendOutcome.SENT)

    @classmethod
    def retry(cls, error: str, after: timedelta | None = None) -> SendResult:
        return cls(SendOutcome.RETRY, after, error)

    @classmethod
    def rate_limited(cls, retry_after: timedelta, error: str = "rate limited") -> SendResult:
        if retry_after < timedelta(0):
            raise ValueError("retry_after cannot be negative")
        return cls(SendOutcome.RATE_LIMITED, retry_after, error)

    @classmethod
    def failed(cls, error: str) -> SendResult:
        return cls(SendOutcome.FAILED, None, error)


class MessageSender(Protocol):
    """What an adapter implements: deliver one message, say how it went.

    It must not raise for platform errors it understands; anything it raises is
    treated as a passing problem and the message is tried again later.
    """

    async def send(self, message: OutboxMessage) -> SendResult: ...


class Progress(NamedTuple):
    """How far a group (say, one incident update to every reporter) has got."""

    sent: int
    total: int
    failed: int  # failed or expired: these will never be sent

    @property
    def pending(self) -> int:
        return self.total - self.sent - self.failed


class OutboxStore(Protocol):
    """The store the dispatcher drains. Blocking calls: run them in a thread."""

    def claim_due(
        self,
        now: datetime,
        limit: int,
        worker_id: str,
        *,
        channel: str,
        lease: timedelta,
    ) -> list[OutboxMessage]: ...

    def mark_sent(self, message_id: int, worker_id: str, now: datetime) -> bool: ...

    def retry_later(
        self, message_id: int, worker_id: str, now: datetime, after: timedelta, error: str
    ) -> bool: ...

    def fail(self, message_id: int, worker_id: str, now: datetime, error: str) -> bool: ...

    def release(self, message_ids: Sequence[int], worker_id: str, at: datetime) -> int: ...

    def next_due(self, channel: str) -> datetime | None: ...
