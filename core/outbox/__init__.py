"""The durable outbox: every message to a user is stored first, then sent by a
dispatcher at the platform's rate, in order per chat, once per row.
"""

from core.outbox.dispatcher import DispatchPolicy, OutboxDispatcher
from core.outbox.model import (
    MessageSender,
    OutboxMessage,
    OutboxStatus,
    OutboxStore,
    Progress,
    SendOutcome,
    SendResult,
)
from core.outbox.rate import TokenBucket
from core.outbox.store import SqlOutbox, enqueue, enqueue_replies

__all__ = [
    "DispatchPolicy",
    "MessageSender",
    "OutboxDispatcher",
    "OutboxMessage",
    "OutboxStatus",
    "OutboxStore",
    "Progress",
    "SendOutcome",
    "SendResult",
    "SqlOutbox",
    "TokenBucket",
    "enqueue",
    "enqueue_replies",
]
