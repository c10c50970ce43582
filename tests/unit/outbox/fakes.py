"""Fakes for the dispatcher's ports: an in-memory outbox store with the same
rules as the SQL one (tested on both databases in tests/integration), a
scripted sender, and a sleep that moves a fake clock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from core.clock import FakeClock
from core.conversation.messages import Reply
from core.outbox import (
    OutboxDispatcher,
    OutboxMessage,
    OutboxStatus,
    Progress,
    SendOutcome,
    SendResult,
)

UNSENT = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass
class Row:
    message: OutboxMessage
    status: OutboxStatus = OutboxStatus.PENDING
    next_attempt_at: datetime | None = None
    claimed_by: str | None = None
    claimed_until: datetime | None = None
    last_error: str | None = None
    bulk: bool = False


@dataclass
class MemoryOutbox:
    rows: dict[int, Row] = field(default_factory=dict)

    def add(
        self,
        chat_id: str,
        text: str,
        now: datetime,
        *,
        channel: str = "telegram",
        expires_at: datetime | None = None,
        bulk: bool = False,
    ) -> int:
        message_id = len(self.rows) + 1
        message = OutboxMessage(
            id=message_id,
            channel=channel,
            chat_id=chat_id,
            language="en",
            reply=Reply(text),
            dedupe_key=f"k{message_id}",
            group_key=None,
            attempts=0,
            expires_at=expires_at,
        )
        self.rows[message_id] = Row(message, next_attempt_at=now, bulk=bulk)
        return message_id

    def _lease_over(self, row: Row, now: datetime) -> bool:
        return row.status is OutboxStatus.SENDING and (row.claimed_until or now) <= now

    def _head(self, row: Row) -> bool:
        m = row.message
        return not any(
            o.message.channel == m.channel
            and o.message.chat_id == m.chat_id
            and o.message.id < m.id
            and o.status in UNSENT
            for o in self.rows.values()
        )

    def claim_due(
        self, now: datetime, limit: int, worker_id: str, *, channel: str, lease: timedelta
    ) -> list[OutboxMessage]:
        for row in self.rows.values():
            waiting = row.status is OutboxStatus.PENDING or self._lease_over(row, now)
            expires = row.message.expires_at
            if waiting and expires is not None and expires <= now:
                row.status, row.claimed_until = OutboxStatus.EXPIRED, None
        due = [
            row
            for row in sorted(self.rows.values(), key=lambda r: (r.bulk, r.message.id))
            if row.message.channel == channel
            and (row.status is OutboxStatus.PENDING or self._lease_over(row, now))
            and row.next_attempt_at is not None
            and row.next_attempt_at <= now
            and self._head(row)
        ][:limit]
        for row in due:
            row.status = OutboxStatus.SENDING
            row.claimed_by, row.claimed_until = worker_id, now + lease
            row.message = replace(row.message, attempts=row.message.attempts + 1)
        return [row.message for row in due]

    def _mine(self, message_id: int, worker_id: str) -> Row | None:
        row = self.rows[message_id]
        if row.claimed_by == worker_id and row.status is OutboxStatus.SENDING:
            return row
        return None

    def mark_sent(self, message_id: int, worker_id: str, now: datetime) -> bool:
        if (row := self._mine(message_id, worker_id)) is None:
            return False
        row.status, row.claimed_until = OutboxStatus.SENT, None
        return True

    def retry_later(
        self, message_id: int, worker_id: str, now: datetime, after: timedelta, error: str
    ) -> bool:
        if (row := self._mine(message_id, worker_id)) is None:
            return False
        row.status, row.next_attempt_at, row.last_error = OutboxStatus.PENDING, now + after, error
        row.claimed_by = row.claimed_until = None
        return True

    def fail(self, message_id: int, worker_id: str, now: datetime, error: str) -> bool:
        if (row := self._mine(message_id, worker_id)) is None:
            return False
        row.status, row.last_error, row.claimed_until = OutboxStatus.FAILED, error, None
        return True

    def release(self, message_ids: Sequence[int], worker_id: str, at: datetime) -> int:
        released = 0
        for message_id in message_ids:
            if (row := self._mine(message_id, worker_id)) is not None:
                row.status, row.next_attempt_at = OutboxStatus.PENDING, at
                row.claimed_by = row.claimed_until = None
                row.message = replace(row.message, attempts=row.message.attempts - 1)
                released += 1
        return released

    def next_due(self, channel: str) -> datetime | None:
        moments = [
            m
            for row in self.rows.values()
            if row.message.channel == channel
            for m in (
                [row.next_attempt_at, row.message.expires_at]
                if row.status is OutboxStatus.PENDING and self._head(row)
                else [row.claimed_until]
                if row.status is OutboxStatus.SENDING
                else []
            )
            if m is not None
        ]
        return min(moments, default=None)

    def status(self, message_id: int) -> OutboxStatus:
        return self.rows[message_id].status

    def progress(self) -> Progress:
        statuses = [r.status for r in self.rows.values()]
        gone = statuses.count(OutboxStatus.FAILED) + statuses.count(OutboxStatus.EXPIRED)
        return Progress(statuses.count(OutboxStatus.SENT), len(statuses), gone)


Script = Callable[[OutboxMessage], SendResult | None]


@dataclass
class FakeSender:
    """Records every send with the fake time it happened; `script` may answer
    for a message (None: sent).
    """

    clock: FakeClock
    script: Script | None = None
    sends: list[tuple[datetime, OutboxMessage, SendOutcome]] = field(default_factory=list)

    async def send(self, message: OutboxMessage) -> SendResult:
        answer = self.script(message) if self.script is not None else None
        result = answer or SendResult.sent()
        self.sends.append((self.clock.now(), message, result.outcome))
        return result

    def delivered(self) -> list[str]:
        """Texts of the successful sends, in send order."""
        return [m.reply.text for _, m, outcome in self.sends if outcome is SendOutcome.SENT]

    def times(self) -> list[datetime]:
        return [at for at, _, _ in self.sends]


def fake_sleep(clock: FakeClock) -> Callable[[float], Awaitable[None]]:
    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))

    return sleep


async def drain(dispatcher: OutboxDispatcher, store: MemoryOutbox, clock: FakeClock) -> None:
    """Run rounds until nothing is left, moving the fake clock to each next due time."""
    for _ in range(100_000):
        if await dispatcher.run_once() > 0:
            continue
        due = store.next_due(dispatcher.channel)
        if due is None:
            return
        clock.set(max(due, clock.now()))
    raise AssertionError("the outbox did not drain")
